"""The impact report as a PDF (reportlab): cover, indicators with their definitions, charts, municipalities,
methods and sources. It prints the strings `impact_routes.report_context` formatted for the page.

Only reportlab's standard Helvetica is used (nothing to install or find on the machine); its encoding
(WinAnsi) has every letter of Spanish, French and German, and the rare character outside it is mapped
to its nearest neighbour by `pdf_text`.
"""
import io

from flask_babel import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)
from xml.sax.saxutils import escape

from storefront.earnings.charts import COLORS, INK, nice_ticks, wrap
from storefront.earnings.impact_charts import chart_data, short_pesos

FONT, BOLD = "Helvetica", "Helvetica-Bold"
GRID = colors.HexColor("#e6d9c6")
# Spaces Babel uses in some languages that WinAnsi lacks: the no-break space carries the same meaning.
REPLACEMENTS = {"\u202f": "\xa0", "\u2009": " ", "\u2212": "-", "\u2192": "->"}


def pdf_text(text) -> str:
    """`text` with only characters Helvetica's WinAnsi encoding can draw."""
    text = str(text)
    for bad, good in REPLACEMENTS.items():
        text = text.replace(bad, good)
    return text.encode("cp1252", errors="replace").decode("cp1252")


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=BOLD, fontSize=24, leading=30),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontName=BOLD, fontSize=16, leading=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=BOLD, fontSize=12, leading=15),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=10, leading=13),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontName=FONT, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=FONT, fontSize=9, leading=11),
        "num": ParagraphStyle("num", parent=base["BodyText"], fontName=FONT, fontSize=9, leading=11,
                              alignment=TA_RIGHT),
    }


def _p(text, style):
    return Paragraph(escape(pdf_text(text)), style)


def _font_width(text, size):
    return stringWidth(text, FONT, size)


def bar_drawing(data, value_label, width=170 * mm, height=70 * mm) -> Drawing:
    """The page's bar chart drawn with reportlab shapes: same labels, same values, no overlapping text."""
    size = 8
    left, right = 52, 6
    drawing = Drawing(width, height)
    # Legend across the top, wrapping onto new rows.
    x, y = left, height - 12
    if len(data.series) > 1:
        for number, series in enumerate(data.series):
            name = pdf_text(series.name)
            item = 14 + stringWidth(name, FONT, size) + 12
            if x > left and x + item > width - right:
                x, y = left, y - 13
            drawing.add(Rect(x, y, 9, 9, fillColor=colors.HexColor(COLORS[number % len(COLORS)]),
                             strokeColor=None))
            drawing.add(String(x + 13, y + 1, name, fontName=FONT, fontSize=size))
            x += item
        top = height - y + 8
    else:
        top = 8
    labels = [pdf_text(label) for label in data.labels]
    slot = (width - left - right) / max(1, len(labels))
    longest = max([max((stringWidth(w, FONT, size) for w in label.split()), default=0)
                   for label in labels] + [0])
    every = 1
    while every < len(labels) and slot * every < min(longest, 110) + 4:
        every += 1
    wrapped = [wrap(label, slot * every - 4, size, width=_font_width) for label in labels]
    bottom = 8 + max([len(w) for w in wrapped[::every]] + [1]) * (size + 2)
    plot_h = height - top - bottom
    values = [v for s in data.series for v in s.values]
    ticks = nice_ticks(max(values + [0]))
    scale = plot_h / ticks[-1]
    for tick in ticks:
        ty = bottom + tick * scale
        drawing.add(Line(left, ty, width - right, ty, strokeColor=GRID))
        drawing.add(String(left - 4, ty - 3, pdf_text(value_label(tick)), fontName=FONT, fontSize=size,
                           textAnchor="end"))
    bar_w = max(1.5, slot * 0.8 / max(1, len(data.series)))
    for index, label_lines in enumerate(wrapped):
        x0 = left + index * slot + slot * 0.1
        for number, series in enumerate(data.series):
            value = max(0, series.values[index])
            drawing.add(Rect(x0 + number * bar_w, bottom, bar_w, value * scale, strokeColor=None,
                             fillColor=colors.HexColor(COLORS[number % len(COLORS)])))
        if index % every == 0:
            for line_number, line in enumerate(label_lines):
                drawing.add(String(left + index * slot + slot / 2, bottom - 10 - line_number * (size + 2),
                                   line, fontName=FONT, fontSize=size, textAnchor="middle"))
    drawing.add(Line(left, bottom, width - right, bottom, strokeColor=colors.HexColor(INK)))
    drawing.add(Line(left, bottom, left, bottom + plot_h, strokeColor=colors.HexColor(INK)))
    return drawing


def _table(rows, widths, header=True, numeric_from=1):
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 9),
             ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
             ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    if header:
        style += [("FONTNAME", (0, 0), (-1, 0), BOLD), ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black)]
    table.setStyle(TableStyle(style))
    return table


def render_pdf(context: dict, compress: bool = True) -> bytes:
    """The report for one period and language; `context` is `impact_routes.report_context(...)`."""
    report, fmt, styles = context["report"], context["fmt"], _styles()
    buffer = io.BytesIO()
    title = _("Impact report")
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm, title=pdf_text(title),
                                 author="Telar", subject=pdf_text(context["period_name"]),
                                 pageCompression=1 if compress else 0, invariant=1)
    footer = pdf_text(_("Telar cooperative, Chiapas · %(period)s · page", period=context["period_name"]))

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"{footer} {doc.page}")
        canvas.restoreState()

    story = [Spacer(1, 40 * mm), _p(title, styles["title"]),
             _p(_("Telar cooperative, Chiapas · %(period)s (%(span)s) · prepared on %(date)s",
                  period=context["period_name"], span=context["period_span"],
                  date=context["today"].isoformat()), styles["body"]),
             Spacer(1, 12 * mm), _p(_("The programme to date"), styles["h1"])]
    story += [_p(f"– {sentence}", styles["body"]) for sentence in context["headline"]]
    story.append(PageBreak())

    story.append(_p(_("Indicators"), styles["h1"]))
    story.append(_p(_("Each indicator is defined under “Methods and sources”."), styles["small"]))
    rows = [[_p(_("Indicator"), styles["cell"]), pdf_text(_("At baseline")),
             pdf_text(context["period_name"])]]
    rows += [[_p(f.label, styles["cell"]), pdf_text(f.at_baseline), pdf_text(f.in_period)]
             for f in context["figures"]]
    story.append(_table(rows, [80 * mm, 40 * mm, 50 * mm]))

    axis = short_pesos(fmt.language)
    for data in chart_data(report, fmt).values():
        story.append(KeepTogether([_p(data.title, styles["h2"]),
                                   bar_drawing(data, axis if data.money else str),
                                   _p(data.desc, styles["small"])]))
        story.append(Spacer(1, 4 * mm))
    bands = [[pdf_text(_("Monthly income")), pdf_text(_("At baseline")), pdf_text(context["period_name"])]]
    bands += [[pdf_text(context["band_names"][key]), str(before), str(now)]
              for key, before, now in report.bands]
    story.append(_table(bands, [90 * mm, 35 * mm, 45 * mm]))

    story.append(_p(_("By municipality"), styles["h1"]))
    rows = [[_p(text, styles["cell"]) for text in (_("Municipality"), _("Artisans"), _("Producing"),
                                                   _("Garments sold"), _("Income generated"),
                                                   _("Per producing artisan"))]]
    rows += [[pdf_text(c.municipality), str(c.artisans), str(c.producing), str(c.garments),
              pdf_text(fmt.mxn(c.income)), pdf_text(fmt.mxn(c.income_per_producing))]
             for c in report.communities]
    story.append(_table(rows, [45 * mm, 18 * mm, 20 * mm, 22 * mm, 33 * mm, 32 * mm]))

    story.append(PageBreak())
    story.append(_p(_("Methods and sources"), styles["h1"]))
    for number, (_key, text) in enumerate(context["definitions"], start=1):
        story.append(_p(f"{number}. {text}", styles["body"]))
        story.append(Spacer(1, 2 * mm))
    if report.usd_rate:
        story.append(_p(_("Dollar amounts use the exchange rate in use today (1 MXN = %(rate)s USD); "
                          "28 USD are %(amount)s.", rate=report.usd_rate.normalize(),
                          amount=fmt.mxn(report.threshold_mxn)), styles["body"]))
    for note in context["line_notes"]:
        story.append(_p(note, styles["body"]))
    story.append(_p(_("Sources: the cooperative's ledger (sales, refunds), the baseline surveys and the "
                      "empowerment questionnaires recorded by its coordinators."), styles["body"]))
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
