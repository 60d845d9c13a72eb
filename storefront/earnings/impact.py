"""The programme's impact for a period: one computation that the web page and the PDF report both print.

Every figure comes from the ledger, the baselines, the survey answers and the dated reference lines;
every definition is written once here (`DEFINITIONS`) and shown beside the figure it defines.
Income is what the ledger records: her share of storefront sales less refunds, nothing estimated.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Optional

from flask import current_app
from babel.numbers import format_decimal
from flask_babel import format_date, format_percent, get_locale, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import case, false, func, literal, select

from storefront.earnings import survey
from storefront.earnings.reports import (INCOME_KINDS, LOW_INCOME_USD_CENTS, POVERTY_LINE_CODES, Period,
                                         _month_add, months_between, parse_period, usd_rate, utc_start_of)
from storefront.extensions import db
from storefront.models import Artisan, IncomeBaseline, LedgerEntry, OrderLine, ReferenceLine
from storefront.formatting import money_formatter
from storefront.money import convert_from_mxn, convert_to_mxn

BAND_KEYS = ("none", "under_low", "under_extreme", "under_income", "above")

# One written definition per indicator: the page's methods section and the PDF print these.
DEFINITIONS = {
    "income_per_producing": _l(
        "Income generated per producing artisan: the sum, over the period, of each artisan's share of her "
        "storefront sales less refunds, divided by the number of artisans who sold at least one garment in "
        "the period."),
    "income_per_artisan": _l(
        "Income generated per artisan: the same sum divided by every artisan in the programme during the "
        "period, whether she sold or not."),
    "monthly_income": _l(
        "Income per month of activity: an artisan's income in the period divided by the calendar months of "
        "the period in which she belonged to the programme (from the month she joined; the current month "
        "counts as a whole month). This monthly figure is what the shares below compare with her baseline "
        "and with the lines."),
    "under_low": _l(
        "Under 28 USD a month: at baseline, she had sales and kept records and her monthly craft income was "
        "under 28 USD; in the period, she sold and her income per month of activity was under 28 USD. "
        "28 USD are converted to pesos at the exchange rate in use today."),
    "no_sales": _l(
        "No sales or no records: at baseline, she had made no sale or kept no record of her income; in the "
        "period, she sold nothing through the storefront."),
    "above_baseline": _l(
        "Above her baseline: her income per month of activity in the period is higher than the monthly "
        "craft income of her baseline survey. Only artisans with a baseline count."),
    "lines": _l(
        "At or above a poverty line: her monthly income reaches the rural extreme poverty line or the rural "
        "income poverty line (INEGI, CONEVAL's method, per person per month). At baseline the line in force "
        "on her survey date is used (the oldest recorded line when the survey is older); in the period, the "
        "line in force on its last day."),
    "empowerment": _l(
        "Greater empowerment: in the questionnaire recorded at baseline and at the end of the period, her "
        "economic score (the first two statements) or her digital score (the last two) is higher at the end. "
        "Only women with both questionnaires count; the latest end questionnaire on or before the period's "
        "last day is used."),
    "zone": _l(
        "Dates, months and period boundaries are those of the cooperative's time zone (%(zone)s): a sale at "
        "18:53 on 30 November in Chiapas counts in November."),
    "scope": _l(
        "The ledger records only what she earned through the storefront. Baselines measured all her craft "
        "income, so period figures are a lower bound of what she earns from her craft."),
}


@dataclass
class Share:
    count: int
    total: int

    @property
    def value(self) -> Optional[float]:
        return None if self.total == 0 else self.count / self.total


@dataclass
class ArtisanImpact:
    artisan_id: int
    name: str
    municipality: str
    joined_on: date
    income: int = 0            # MXN centavos in the period
    sales: int = 0
    months: int = 1            # months of activity in the period
    baseline: Optional[int] = None
    baseline_known: bool = False   # had sales and kept records at baseline
    survey_date: Optional[date] = None

    @property
    def monthly(self) -> int:
        return self.income // self.months

    @property
    def producing(self) -> bool:
        return self.sales > 0


@dataclass
class LineShares:
    code: str
    baseline_line: ReferenceLine
    period_line: ReferenceLine
    at_baseline: Share
    in_period: Share


@dataclass
class CommunityRow:
    municipality: str
    artisans: int
    producing: int
    garments: int
    income: int
    income_per_producing: Optional[int]


@dataclass
class ImpactReport:
    period: Period
    today: date
    zone: str
    usd_rate: Optional[Decimal]
    threshold_mxn: Optional[int]
    artisans: int
    producing: int
    garments: int
    total_income: int
    income_per_producing: int
    income_per_artisan: int
    monthly_per_producing: int
    under_low: tuple
    no_sales: tuple
    above_baseline: Share
    lines: list
    economic: Share
    digital: Share
    communities: list
    bands: list
    months: list          # [(first day of month, income, garments)]
    rows: list = field(default_factory=list)

    def usd(self, amount_mxn: Optional[int]) -> Optional[int]:
        if amount_mxn is None or not self.usd_rate:
            return None
        return convert_from_mxn(amount_mxn, self.usd_rate, "USD")


def _lines():
    """{code: [ReferenceLine, oldest first]} for the poverty lines."""
    found = {}
    for line in db.session.scalars(select(ReferenceLine).where(ReferenceLine.code.in_(POVERTY_LINE_CODES))
                                   .order_by(ReferenceLine.effective_on)):
        found.setdefault(line.code, []).append(line)
    return found


def line_on(lines: list, day: date) -> ReferenceLine:
    """The line in force on `day`, or the oldest when `day` precedes them all."""
    in_force = [line for line in lines if line.effective_on <= day]
    return in_force[-1] if in_force else lines[0]


def _in_period(query, period: Period):
    if period.start is not None:
        query = query.where(LedgerEntry.occurred_at >= period.start, LedgerEntry.occurred_at < period.end)
    return query


def _local_month(month_keys):
    """SQL: the index in `month_keys` of the cooperative's month a stored (UTC) timestamp falls in.

    The boundaries are local midnights converted in Python (zoneinfo), so both engines bucket by
    Chiapas months without time-zone support in SQL, and a million entries never reach Python."""
    bounds = [utc_start_of(month) for month in month_keys[1:]]
    if not bounds:
        return literal(0)
    return case(*[(LedgerEntry.occurred_at < bound, index) for index, bound in enumerate(bounds)],
                else_=len(bounds))


def _income_sums(period: Period, artisan_ids, month_keys):
    """({artisan_id: (income, sale entries)}, {month index: income}) of income entries (two queries)."""
    income = _in_period(select(LedgerEntry.artisan_id, func.sum(LedgerEntry.amount),
                               func.sum(case((LedgerEntry.kind == "sale", 1), else_=0)))
                        .where(LedgerEntry.kind.in_(INCOME_KINDS), LedgerEntry.artisan_id.in_(artisan_ids))
                        .group_by(LedgerEntry.artisan_id), period)
    month = _local_month(month_keys).label("month")
    monthly = _in_period(select(month, func.sum(LedgerEntry.amount))
                         .where(LedgerEntry.kind.in_(INCOME_KINDS), LedgerEntry.artisan_id.in_(artisan_ids),
                                *_within_months(month_keys))
                         .group_by(month), period)
    return ({a: (int(total), int(sales)) for a, total, sales in db.session.execute(income)},
            {index: int(total) for index, total in db.session.execute(monthly)})


def _garment_sums(period: Period, artisan_ids, month_keys):
    """({artisan_id: garments kept by buyers}, {month index: garments}) of sale entries (two queries)."""
    kept = OrderLine.quantity - OrderLine.refunded_quantity
    sales = select(LedgerEntry).join(OrderLine, OrderLine.id == LedgerEntry.order_line_id) \
        .where(LedgerEntry.kind == "sale", LedgerEntry.artisan_id.in_(artisan_ids))
    per_artisan = _in_period(sales.with_only_columns(LedgerEntry.artisan_id, func.sum(kept))
                             .group_by(LedgerEntry.artisan_id), period)
    month = _local_month(month_keys).label("month")
    monthly = _in_period(sales.with_only_columns(month, func.sum(kept)).where(*_within_months(month_keys))
                         .group_by(month), period)
    return ({a: int(total) for a, total in db.session.execute(per_artisan)},
            {index: int(total) for index, total in db.session.execute(monthly)})


def _within_months(month_keys):
    if not month_keys:
        return (false(),)
    return (LedgerEntry.occurred_at >= utc_start_of(month_keys[0]),
            LedgerEntry.occurred_at < utc_start_of(_month_add(month_keys[-1], 1)))


def _band(amount, had_none, edges):
    if had_none:
        return "none"
    for key, limit in edges:
        if limit is not None and amount < limit:
            return key
    return "above"


def build(period_code: str, today: date) -> ImpactReport:
    """Compute every figure of the report for a period (a handful of queries, whatever the size)."""
    period = parse_period(period_code, today)
    first, last = period.first, period.last
    rate = usd_rate()
    threshold = convert_to_mxn(LOW_INCOME_USD_CENTS, rate, "USD") if rate else None
    artisans = {}
    for artisan_id, name, municipality, joined_on, income, had_sales, kept, survey_date in db.session.execute(
            select(Artisan.id, Artisan.display_name, Artisan.municipality, Artisan.joined_on,
                   IncomeBaseline.monthly_income_amount, IncomeBaseline.had_sales,
                   IncomeBaseline.kept_records, IncomeBaseline.survey_date)
            .outerjoin(IncomeBaseline, IncomeBaseline.artisan_id == Artisan.id)
            .where(Artisan.joined_on <= last).order_by(Artisan.display_name, Artisan.id)):
        begins = max(first, date(joined_on.year, joined_on.month, 1))
        artisans[artisan_id] = ArtisanImpact(
            artisan_id=artisan_id, name=name, municipality=municipality, joined_on=joined_on,
            months=months_between(begins, last), baseline=income,
            baseline_known=bool(had_sales and kept), survey_date=survey_date)
    month_keys = []
    month = date(first.year, first.month, 1)
    while month <= last:
        month_keys.append(month)
        month = _month_add(month, 1)
    by_month = {m: [0, 0] for m in month_keys}
    artisan_ids = select(Artisan.id).where(Artisan.joined_on <= last)
    income, monthly_income = _income_sums(period, artisan_ids, month_keys)
    for artisan_id, (total, sales) in income.items():
        artisans[artisan_id].income += total
        artisans[artisan_id].sales += sales
    per_artisan_garments, monthly_garments = _garment_sums(period, artisan_ids, month_keys)
    garments = sum(per_artisan_garments.values())
    for index, month in enumerate(month_keys):
        by_month[month] = [monthly_income.get(index, 0), monthly_garments.get(index, 0)]
    rows = list(artisans.values())
    producers = [r for r in rows if r.producing]
    based = [r for r in rows if r.baseline is not None]
    total_income = sum(r.income for r in rows)

    lines = _lines()
    line_shares = []
    edges = [("under_low", threshold)]
    baseline_edges = {r.artisan_id: [("under_low", threshold)] for r in based}
    for code in POVERTY_LINE_CODES:   # ascending: the extreme line is the lower one
        if code not in lines:
            continue
        period_line = line_on(lines[code], last)
        key = "under_extreme" if code == "rural_extreme_income_line" else "under_income"
        edges.append((key, period_line.amount))
        at_baseline = Share(0, len(based))
        for r in based:
            line = line_on(lines[code], r.survey_date)
            baseline_edges[r.artisan_id].append((key, line.amount))
            at_baseline.count += r.baseline_known and r.baseline >= line.amount
        line_shares.append(LineShares(
            code=code, baseline_line=line_on(lines[code], min((r.survey_date for r in based), default=last)),
            period_line=period_line, at_baseline=at_baseline,
            in_period=Share(sum(r.monthly >= period_line.amount for r in rows), len(rows))))

    bands_baseline = [_band(r.baseline, not r.baseline_known, baseline_edges[r.artisan_id]) for r in based]
    bands_period = [_band(r.monthly, not r.producing, edges) for r in rows]
    bands = [(key, bands_baseline.count(key), bands_period.count(key)) for key in BAND_KEYS
             if key in ("none", "above") or any(key == k for k, _v in edges)]

    pairs = survey.surveys_by_artisan(last)
    pairs = {k: v for k, v in pairs.items() if k in artisans}
    economic, economic_total = survey.greater(pairs, "economic")
    digital, digital_total = survey.greater(pairs, "digital")

    communities = {}
    for r in rows:
        c = communities.setdefault(r.municipality, CommunityRow(r.municipality, 0, 0, 0, 0, None))
        c.artisans += 1
        c.producing += r.producing
        c.garments += per_artisan_garments.get(r.artisan_id, 0)
        c.income += r.income
    for c in communities.values():
        c.income_per_producing = c.income // c.producing if c.producing else None

    return ImpactReport(
        period=period, today=today, zone=current_app.config.get("BABEL_DEFAULT_TIMEZONE", ""),
        usd_rate=rate, threshold_mxn=threshold, artisans=len(rows), producing=len(producers),
        garments=garments, total_income=total_income,
        income_per_producing=total_income // len(producers) if producers else 0,
        income_per_artisan=total_income // len(rows) if rows else 0,
        monthly_per_producing=(sum(r.monthly for r in producers) // len(producers)) if producers else 0,
        under_low=(Share(sum(r.baseline_known and threshold is not None and r.baseline < threshold
                             for r in based), len(based)),
                   Share(sum(r.producing and threshold is not None and r.monthly < threshold for r in rows),
                         len(rows))),
        no_sales=(Share(sum(not r.baseline_known for r in based), len(based)),
                  Share(len(rows) - len(producers), len(rows))),
        above_baseline=Share(sum(r.monthly > r.baseline for r in based), len(based)),
        lines=line_shares, economic=Share(economic, economic_total), digital=Share(digital, digital_total),
        communities=sorted(communities.values(), key=lambda c: (-c.income, c.municipality)),
        bands=bands, months=[(m, by_month[m][0], by_month[m][1]) for m in month_keys], rows=rows)


def period_name(period: Period) -> str:
    """The period as a reader says it: "Programme to date", "Last 12 months", "March 2026", "2026-Q1"."""
    if period.code == "all":
        return _("Programme to date")
    if period.code == "12m":
        return _("Last 12 months")
    if period.months == 1:
        return format_date(period.first, "LLLL yyyy")
    return period.code


def period_span(period: Period) -> str:
    """Its first and last local dates, e.g. "1 Mar 2025 – 1 Dec 2026"."""
    return f"{format_date(period.first, 'medium')} – {format_date(period.last, 'medium')}"


def definition_texts(report: "ImpactReport") -> list[tuple[str, str]]:
    """[(key, definition)] in the reader's language, the time zone named."""
    return [(key, str(text) % {"zone": report.zone} if key == "zone" else str(text))
            for key, text in DEFINITIONS.items()]


@dataclass
class Figure:
    key: str            # the definition it follows (DEFINITIONS)
    label: str
    at_baseline: str
    in_period: str


def money_locale(language: str) -> str:
    """Pesos read as pesos: Mexican Spanish formats MXN as "$", other languages as "MX$" or "$MX"."""
    return "es_MX" if language == "es" else language


class Formats:
    """Amounts, shares and dates in one language, the same for the page and the PDF."""

    def __init__(self, language: str):
        self.language = language
        self._mxn = money_formatter("MXN", money_locale(language), buyer=False)
        self._usd = money_formatter("USD", money_locale(language), buyer=False)

    def mxn(self, amount):
        return "—" if amount is None else self._mxn(amount)

    def usd(self, amount):
        return "—" if amount is None else self._usd(amount)

    def whole_usd(self, amount):
        """Whole dollars for headline figures, as the programme published them ("129 USD")."""
        if amount is None:
            return "—"
        return f"{format_decimal(round(amount / 100), locale=money_locale(self.language))} USD"

    def share(self, share: Share) -> str:
        if share is None or share.value is None:
            return "—"
        return _("%(percent)s (%(count)d of %(total)d)", percent=format_percent(share.value),
                 count=share.count, total=share.total)

    def percent(self, share: Share) -> str:
        return "—" if share is None or share.value is None else format_percent(share.value)


def line_name(code: str) -> str:
    if code == "rural_extreme_income_line":
        return _("rural extreme poverty line")
    return _("rural income poverty line")


def line_note(line: ReferenceLine) -> str:
    """The source of a reference line in the reader's language (the stored source is in English)."""
    month = format_date(line.effective_on, "LLLL yyyy")
    if line.code == "rural_extreme_income_line":
        return _("INEGI (CONEVAL method): rural extreme (food) poverty line, per person per month, "
                 "%(month)s: %(amount)s.", month=month, amount=Formats(str(get_locale())).mxn(line.amount))
    return _("INEGI (CONEVAL method): rural income poverty line, per person per month, "
             "%(month)s: %(amount)s.",
             month=month, amount=Formats(str(get_locale())).mxn(line.amount))


def figures(report: ImpactReport, fmt: Formats) -> list[Figure]:
    """The indicator table, formatted once: the page and the PDF print exactly these strings."""
    none = "—"

    def both(amount):
        return f"{fmt.usd(report.usd(amount))} ({fmt.mxn(amount)})"
    rows = [
        Figure("income_per_producing", _("Income generated per producing artisan"), none,
               both(report.income_per_producing)),
        Figure("income_per_artisan", _("Income generated per artisan (all artisans)"), none,
               both(report.income_per_artisan)),
        Figure("monthly_income", _("Income per month of activity (average of producing artisans)"), none,
               both(report.monthly_per_producing)),
        Figure("under_low", _("Earning under 28 USD a month"), fmt.share(report.under_low[0]),
               fmt.share(report.under_low[1])),
        Figure("no_sales", _("With no sales or no records"), fmt.share(report.no_sales[0]),
               fmt.share(report.no_sales[1])),
        Figure("above_baseline", _("Earning more than at baseline"), none, fmt.share(report.above_baseline)),
    ]
    for item in report.lines:
        rows.append(Figure("lines", _("At or above the %(line)s", line=line_name(item.code)),
                           fmt.share(item.at_baseline), fmt.share(item.in_period)))
    rows.append(Figure("empowerment", _("Reporting greater economic and business empowerment"), none,
                       fmt.share(report.economic)))
    rows.append(Figure("empowerment", _("Reporting greater technological and digital empowerment"), none,
                       fmt.share(report.digital)))
    return rows


def headline(programme: ImpactReport, fmt: Formats) -> list[str]:
    """The programme to date in four sentences (the cover of the report, the top of the page)."""
    return [
        ngettext("%(num)d woman in the programme, %(producing)d of them producing.",
                 "%(num)d women in the programme, %(producing)d of them producing.",
                 programme.artisans, producing=programme.producing),
        ngettext("%(num)d garment sold through the storefront.",
                 "%(num)d garments sold through the storefront.", programme.garments),
        _("%(usd)s of income generated on average per producing artisan during the programme (%(mxn)s).",
          usd=fmt.whole_usd(programme.usd(programme.income_per_producing)),
          mxn=fmt.mxn(programme.income_per_producing)),
        _("%(economic)s report greater economic and business empowerment; %(digital)s greater technological "
          "and digital empowerment.", economic=fmt.percent(programme.economic),
          digital=fmt.percent(programme.digital)),
    ]


def band_names() -> dict:
    return {"none": _("No sales or no records"), "under_low": _("Under 28 USD a month"),
            "under_extreme": _("28 USD to the extreme poverty line"),
            "under_income": _("Extreme line to the rural income line"),
            "above": _("At or above the rural income line")}
