"""The impact report's charts as data (for the PDF) and as server-rendered SVG (for the page)."""
from dataclasses import dataclass

from babel.numbers import format_compact_currency
from flask_babel import format_date, gettext as _

from storefront.earnings.charts import Series, bar_chart
from storefront.earnings.impact import ImpactReport, Formats, band_names, money_locale, period_name
from storefront.money import to_major


@dataclass
class ChartData:
    title: str
    desc: str
    labels: list
    series: list            # [Series]
    money: bool             # values are MXN centavos (axis in pesos) or plain counts


def short_pesos(language: str):
    def label(amount):
        return format_compact_currency(to_major(amount, "MXN"), "MXN", locale=money_locale(language),
                                       fraction_digits=0)
    return label


def chart_data(report: ImpactReport, fmt: Formats) -> dict:
    """Both charts' labels, values and text alternatives, in the reader's language."""
    names = band_names()
    period = period_name(report.period)
    bands = ChartData(
        title=_("How many artisans earn how much a month, at baseline and in the period"),
        desc="; ".join(_("%(band)s: %(before)d at baseline, %(now)d in the period", band=names[key],
                         before=before, now=now) for key, before, now in report.bands),
        labels=[names[key] for key, _b, _n in report.bands],
        series=[Series(_("At baseline"), [b for _k, b, _n in report.bands]),
                Series(period, [n for _k, _b, n in report.bands])],
        money=False)
    months = ChartData(
        title=_("Income generated each month, all artisans"),
        desc="; ".join(f"{format_date(month, 'LLLL yyyy')}: {fmt.mxn(income)}"
                       for month, income, _g in report.months),
        labels=[format_date(month, "MMM yy") for month, _i, _g in report.months],
        series=[Series(_("Income generated"), [income for _m, income, _g in report.months])],
        money=True)
    return {"bands": bands, "months": months}


def charts(report: ImpactReport, fmt: Formats) -> dict:
    """{name: SVG Markup} for the page."""
    axis = short_pesos(fmt.language)
    return {name: bar_chart(data.labels, data.series, title=data.title, desc=data.desc,
                            value_label=axis if data.money else str)
            for name, data in chart_data(report, fmt).items()}
