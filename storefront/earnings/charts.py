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


# Widest average glyph of a sans-serif at size 1 (digits and capitals run wider than lower case): a label
# laid out with this estimate never needs more room than it is given, on a phone or a desktop alike.
GLYPH_WIDTH = 0.62
LINE_HEIGHT = 1.2


def text_width(text: str, size: float) -> float:
    """An upper estimate of a text's width in user units (the SVG scales as a whole, so units suffice)."""
    return len(text) * size * GLYPH_WIDTH


def wrap(text: str, room: float, size: float, max_lines: int = 3, width=text_width) -> list[str]:
    """Words greedily on lines no wider than `room`; a word too long for the room is cut with an ellipsis.

    `width(text, size)` measures a line: an estimate for the SVG charts, the font itself for the PDF."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and width(candidate, size) > room:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    fitted = []
    for line in lines[:max_lines]:
        while len(line) > 1 and width(line, size) > room:
            line = line[:-2] + "…"
        fitted.append(line)
    if len(lines) > max_lines and fitted:
        fitted[-1] = fitted[-1].rstrip("…")[:-1] + "…"
    return fitted


def _label(x, y, lines, size=11):
    """A (possibly multi-line) centred label under the axis."""
    if len(lines) == 1:
        return _text(x, y, lines[0], size=size)
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if n == 0 else size * LINE_HEIGHT:.1f}">'
                    f"{escape(line)}</tspan>" for n, line in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="{size}" fill="{INK}">'
            f"{spans}</text>")


def _legend(items, x0, right_edge, size=11):
    """Legend entries laid left to right, starting a new row when the next would pass `right_edge`.

    `items` are (kind, colour, text); returns (svg pieces, height used).
    """
    body, x, y = [], x0, 6
    for kind, color, text in items:
        width = 16 + text_width(text, size) + 12
        if x > x0 and x + width > right_edge:
            x, y = x0, y + 18
        if kind == "box":
            body.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{color}"/>')
        elif kind == "tick":
            body.append(f'<line x1="{x + 6:.1f}" x2="{x + 6:.1f}" y1="{y - 1}" y2="{y + 13}" '
                        f'stroke="{color}" stroke-width="3"/>')
        else:
            body.append(f'<line x1="{x:.1f}" x2="{x + 12:.1f}" y1="{y + 6}" y2="{y + 6}" stroke="{color}" '
                        f'stroke-width="2" stroke-dasharray="4 2"/>')
        body.append(_text(x + 16, y + 10, text, anchor="start", size=size))
        x += width
    return body, y + 18


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

    360 units wide: on a phone it is drawn at its natural size, so 11-unit text stays readable. The
    legend wraps onto new rows and the axis labels onto up to four lines, so no two texts overlap.
    """
    left, right = 64, 8
    items = [("box", COLORS[n % len(COLORS)], s.name) for n, s in enumerate(series)] \
        if len(series) > 1 else []
    highest = max([v for s in series for v in s.values] + [reference[1] if reference else 0] + [0])
    ticks = nice_ticks(highest)
    if reference:
        items.append(("line", INK, f"{reference[0]}: {value_label(reference[1])}"))
    legend, top = _legend(items, left, width - right) if items else ([], 12)
    plot_w = width - left - right
    slot = plot_w / max(1, len(labels))

    # A few labels (bands) are all shown, smaller if a word needs it; many (months) are thinned out so
    # that each shown label has at least the width of its longest word.
    def longest_word(size):
        return max([text_width(w, size) for label in labels for w in label.split()] + [0])
    size, every = 11, 1
    if len(labels) <= 8:
        while size > 8 and longest_word(size) > slot - 4:
            size -= 1
    else:
        while every < len(labels) and slot * every < min(longest_word(size), 120) + 4:
            every += 1
    wrapped = [wrap(label, slot * every - 4, size, max_lines=4) for label in labels]
    label_lines = max([len(w) for w in wrapped[::every]] + [1])
    bottom = 18 + label_lines * size * LINE_HEIGHT + 4
    height = max(height, int(top + 120 + bottom))
    plot_h = height - top - bottom
    scale = plot_h / ticks[-1]
    body = list(legend)
    for tick in ticks:
        y = top + plot_h - tick * scale
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 4, value_label(tick), anchor="end", size=11))
    bar_w = max(2.0, slot * 0.8 / max(1, len(series)))
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
            body.append(_label(left + index * slot + slot / 2, top + plot_h + 18, wrapped[index], size))
    body.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{INK}"/>')
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
                f'stroke="{INK}"/>')
    if reference:
        y = top + plot_h - reference[1] * scale
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{INK}" '
                    f'stroke-width="2" stroke-dasharray="6 4"/>')
    return _frame(width, height, title, desc, body)


def dot_chart(rows: list[tuple[str, int, Optional[int]]], title: str, desc: str,
              value_label: Callable[[int], str], now_name: str, baseline_name: str,
              width: int = 360) -> Markup:
    """One line per artisan: a bar for her income now and a tick for her baseline (readable with many)."""
    row_h, left, right = 22, 120, 12
    legend, top = _legend([("box", COLORS[1], now_name), ("tick", INK, baseline_name)], 8, width - right)
    top += 4
    height = top + row_h * max(1, len(rows)) + 24
    highest = max([max(now, base or 0) for _, now, base in rows] + [0])
    ticks = nice_ticks(highest, 3)
    plot_w = width - left - right
    scale = plot_w / ticks[-1]
    body = list(legend)
    for tick in ticks:
        x = left + tick * scale
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 20}" stroke="{GRID}"/>')
        body.append(_text(x, height - 6, value_label(tick), size=10))
    for index, (label, now, base) in enumerate(rows):
        y = top + index * row_h
        short = wrap(label, left - 8, 11, max_lines=1)[0] if label.strip() else ""
        body.append(_text(left - 4, y + 15, short, anchor="end", size=11))
        body.append(f'<rect x="{left}" y="{y + 4:.1f}" width="{max(0, now) * scale:.1f}" height="14" '
                    f'fill="{COLORS[1]}"><title>{escape(label)}: {escape(value_label(now))}</title></rect>')
        if base is not None:
            x = left + base * scale
            body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y + 1:.1f}" y2="{y + 21:.1f}" stroke="{INK}" '
                        f'stroke-width="3"><title>{escape(baseline_name)}: '
                        f'{escape(value_label(base))}</title></line>')
    return _frame(width, height, title, desc, body)
