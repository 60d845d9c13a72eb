"""A tiny server-side SVG chart renderer: bars, a reference line, axis labels, a text alternative.

No JavaScript, no inline style (CSP): presentation attributes only. The SVG scales with its
container (viewBox), and every chart carries <title> and <desc>; pages also print the figures as a
table next to it, so nothing is only in the picture.
"""
import itertools
from dataclasses import dataclass
from decimal import Decimal
from math import floor, log10
from typing import Callable, Optional

from markupsafe import Markup, escape

COLORS = ("#9b2226", "#2d6a4f", "#14213d", "#fca311")
INK = "#1f1a17"
GRID = "#e6d9c6"
_ids = itertools.count(1)


def nice_ticks(maximum: int, count: int = 4) -> list[int]:
    """Round axis values from 0 to at least `maximum` (1, 2 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0, 1]
    raw = Decimal(maximum) / count
    power = Decimal(10) ** floor(log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    top = -(-maximum // step) * step
    return list(range(0, top + 1, step))


@dataclass
class Series:
    name: str
    values: list[int]


def _text(x, y, content, anchor="middle", size=12, extra=""):
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{INK}"{extra}>'
            f"{escape(content)}</text>")


def _label(x, y, label, room):
    """An axis label, on two lines when it is wider than its room (about 6 units a letter at size 11)."""
    if len(label) * 6 <= room or " " not in label:
        return _text(x, y, label, size=11)
    words = label.split(" ")
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    first, second = " ".join(words[:cut]), " ".join(words[cut:])
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="11" fill="{INK}">'
            f'<tspan x="{x:.1f}">{escape(first)}</tspan>'
            f'<tspan x="{x:.1f}" dy="13">{escape(second)}</tspan></text>')


def _frame(width, height, title, desc, body):
    chart_id = f"chart{next(_ids)}"
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="system-ui, sans-serif">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def bar_chart(labels: list[str], series: list[Series], title: str, desc: str,
              value_label: Callable[[int], str], reference: Optional[tuple[str, int]] = None,
              width: int = 360, height: int = 240) -> Markup:
    """Vertical bars per label (grouped when several series) with an optional horizontal reference line.

    360 units wide: on a phone it is drawn at its natural size, so 12-unit text stays readable.
    """
    left, right, top, bottom = 64, 8, 28 if len(series) > 1 or reference else 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max([v for s in series for v in s.values] + [reference[1] if reference else 0] + [0])
    ticks = nice_ticks(highest)
    scale = plot_h / ticks[-1]
    body = []
    for tick in ticks:
        y = top + plot_h - tick * scale
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 4, value_label(tick), anchor="end", size=11))
    slot = plot_w / max(1, len(labels))
    bar_w = max(2.0, slot * 0.8 / max(1, len(series)))
    every = max(1, round(len(labels) / 8))  # at most ~8 labels under the axis
    for index, label in enumerate(labels):
        x0 = left + index * slot + slot * 0.1
        for number, s in enumerate(series):
            value = max(0, s.values[index])
            h = value * scale
            body.append(f'<rect x="{x0 + number * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                        f'height="{h:.1f}" fill="{COLORS[number % len(COLORS)]}">'
                        f"<title>{escape(label)} · {escape(s.name)}: "
                        f"{escape(value_label(value))}</title></rect>")
        if index % every == 0:
            body.append(_label(left + index * slot + slot / 2, height - bottom + 16, label, slot * every))
    body.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{INK}"/>')
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
                f'stroke="{INK}"/>')
    legend_x = left
    if len(series) > 1:
        for number, s in enumerate(series):
            body.append(f'<rect x="{legend_x}" y="6" width="12" height="12" '
                        f'fill="{COLORS[number % len(COLORS)]}"/>')
            body.append(_text(legend_x + 16, 16, s.name, anchor="start", size=11))
            legend_x += 24 + 7 * len(s.name)
    if reference:
        name, value = reference
        y = top + plot_h - value * scale
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{INK}" '
                    f'stroke-width="2" stroke-dasharray="6 4"/>')
        body.append(f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="12" y2="12" stroke="{INK}" '
                    f'stroke-width="2" stroke-dasharray="6 4"/>')
        body.append(_text(legend_x + 22, 16, f"{name}: {value_label(value)}", anchor="start", size=11))
    return _frame(width, height, title, desc, body)


def dot_chart(rows: list[tuple[str, int, Optional[int]]], title: str, desc: str,
              value_label: Callable[[int], str], now_name: str, baseline_name: str,
              width: int = 360) -> Markup:
    """One line per artisan: a bar for her income now and a tick for her baseline (readable with many)."""
    row_h, left, right, top = 22, 120, 12, 30
    height = top + row_h * max(1, len(rows)) + 24
    highest = max([max(now, base or 0) for _, now, base in rows] + [0])
    ticks = nice_ticks(highest, 3)
    plot_w = width - left - right
    scale = plot_w / ticks[-1]
    body = [f'<rect x="{left}" y="8" width="12" height="12" fill="{COLORS[1]}"/>',
            _text(left + 16, 18, now_name, anchor="start", size=11),
            f'<line x1="{left + 140}" x2="{left + 140}" y1="6" y2="22" stroke="{INK}" stroke-width="3"/>',
            _text(left + 146, 18, baseline_name, anchor="start", size=11)]
    for tick in ticks:
        x = left + tick * scale
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 20}" stroke="{GRID}"/>')
        body.append(_text(x, height - 6, value_label(tick), size=10))
    for index, (label, now, base) in enumerate(rows):
        y = top + index * row_h
        short = label if len(label) <= 18 else label[:17] + "…"
        body.append(_text(left - 4, y + 15, short, anchor="end", size=11))
        body.append(f'<rect x="{left}" y="{y + 4:.1f}" width="{max(0, now) * scale:.1f}" height="14" '
                    f'fill="{COLORS[1]}"><title>{escape(label)}: {escape(value_label(now))}</title></rect>')
        if base is not None:
            x = left + base * scale
            body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y + 1:.1f}" y2="{y + 21:.1f}" stroke="{INK}" '
                        f'stroke-width="3"><title>{escape(baseline_name)}: '
                        f'{escape(value_label(base))}</title></line>')
    return _frame(width, height, title, desc, body)
