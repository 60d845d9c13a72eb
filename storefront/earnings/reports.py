"""What the cooperative reads: earnings per artisan for a period, the programme's indicators, monthly series.

Every figure over ledger entries is aggregated in SQL (one GROUP BY per table); Python only walks
the per-artisan rows (one per artisan) to derive averages and shares.

Income means her shares of sales less refund reversals (payouts and adjustments move what she is
owed, not what she earned).
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import case, func, literal, select

from storefront.formatting import sort_key
from storefront.cooperative import settings_values
from storefront.extensions import db
from storefront.models import Artisan, IncomeBaseline, LedgerEntry, ReferenceLine
from storefront.money import convert_from_mxn, convert_to_mxn
from storefront.pricing import latest_rates

# The cooperative's zone when no app is configured; the app's one setting is BABEL_DEFAULT_TIMEZONE.
DEFAULT_ZONE = "America/Mexico_City"
# An advance is her share of a commission's deposit: income like a sale (its reversal, negative, too).
INCOME_KINDS = ("sale", "refund", "advance")
# The programme's own threshold: "artisans earning under 28 USD a month" (DOMAIN.md).
LOW_INCOME_USD_CENTS = 2800
POVERTY_LINE_CODES = ("rural_extreme_income_line", "rural_income_line")
SORT_KEYS = ("name", "income", "monthly_average", "baseline", "change", "multiple", "sales", "balance")


def local_zone() -> ZoneInfo:
    """The cooperative's time zone: every date, month and period boundary is drawn in it."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def today_local() -> date:
    """The date in Chiapas (what a coordinator means by "today")."""
    return datetime.now(local_zone()).date()


def utc_start_of(day: date) -> datetime:
    """Local midnight at the start of `day`, as the naive UTC timestamp the database stores."""
    local = datetime.combine(day, time.min, tzinfo=local_zone())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def local_day(stored: datetime) -> date:
    """The cooperative's date of a stored (naive UTC) timestamp."""
    return stored.replace(tzinfo=timezone.utc).astimezone(local_zone()).date()


@dataclass(frozen=True)
class Period:
    """[start, end) as naive UTC timestamps of local midnights (None, None = the programme to date).

    `first` and `last` are the local dates it covers (`last` never after today); `code` is the query string's.
    """
    code: str
    start: Optional[datetime]
    end: Optional[datetime]
    months: int
    first: Optional[date] = None
    last: Optional[date] = None


def _month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start`'s month to `end`'s month, counting both (at least 1)."""
    return max(1, (end.year - start.year) * 12 + end.month - start.month + 1)


def _bounded(code: str, first: date, months: int, today: date) -> Period:
    after = _month_add(first, months)
    last = min(today, date.fromordinal(after.toordinal() - 1))
    return Period(code, utc_start_of(first), utc_start_of(after), months, first, last)


def parse_period(code: str, today: date) -> Period:
    """"all" (programme to date), "12m" (the last 12 months, this one included), "2026-03" (a month)
    or "2026-Q1" (a quarter), all in the cooperative's zone; anything else -> all."""
    code = (code or "all").strip()
    if code == "12m":
        return _bounded("12m", _month_add(date(today.year, today.month, 1), -11), 12, today)
    if match := re.fullmatch(r"(\d{4})-(\d{2})", code):
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return _bounded(code, date(year, month, 1), 1, today)
    if match := re.fullmatch(r"(\d{4})-Q([1-4])", code, flags=re.IGNORECASE):
        year, quarter = int(match[1]), int(match[2])
        if 2000 <= year <= 2100:
            return _bounded(f"{year}-Q{quarter}", date(year, 3 * quarter - 2, 1), 3, today)
    start = settings_values().programme_start
    return Period("all", None, None, months_between(start, today), start, today)


def period_choices(today: date) -> list[str]:
    """Months and quarters from the programme's start to today, newest first, after "all"."""
    start = settings_values().programme_start
    months, quarters = [], []
    month = date(start.year, start.month, 1)
    while month <= today:
        months.append(f"{month:%Y-%m}")
        quarter = f"{month.year}-Q{(month.month - 1) // 3 + 1}"
        if quarter not in quarters:
            quarters.append(quarter)
        month = _month_add(month, 1)
    return ["all", "12m"] + quarters[::-1] + months[::-1]


@dataclass
class ArtisanRow:
    artisan_id: int
    name: str
    slug: str
    joined_on: date
    income: int                    # centavos, in the period
    income_usd: Optional[int]      # USD cents at the current rate
    sales: int                     # sale entries in the period
    income_to_date: int
    monthly_average: int           # income since she joined / months since she joined
    baseline: Optional[int]
    baseline_had_sales: Optional[bool]
    balance: int
    ever_sold: bool

    @property
    def change(self) -> Optional[int]:
        return None if self.baseline is None else self.monthly_average - self.baseline

    @property
    def multiple(self) -> Optional[Decimal]:
        if self.baseline is None or self.baseline == 0:
            return None
        return (Decimal(self.monthly_average) / self.baseline).quantize(Decimal("0.01"))


def totals_by_kind():
    """One pass over ledger_entries: sum and count per (artisan, kind), at most 4 rows per artisan."""
    return db.session.execute(
        select(LedgerEntry.artisan_id, LedgerEntry.kind, func.sum(LedgerEntry.amount), func.count())
        .group_by(LedgerEntry.artisan_id, LedgerEntry.kind)).all()


def income_in_period(period: Period) -> dict:
    """{artisan_id: (income, number of sales)} for a month or quarter (index on occurred_at, kind)."""
    sales = func.sum(case((LedgerEntry.kind == "sale", literal(1)), else_=literal(0)))
    rows = db.session.execute(
        select(LedgerEntry.artisan_id, func.sum(LedgerEntry.amount), sales)
        .where(LedgerEntry.occurred_at >= period.start, LedgerEntry.occurred_at < period.end,
               LedgerEntry.kind.in_(INCOME_KINDS))
        .group_by(LedgerEntry.artisan_id)).all()
    return {artisan_id: (int(income), int(count)) for artisan_id, income, count in rows}


def usd_rate():
    row = latest_rates().get("USD")
    return Decimal(row.rate) if row is not None else None


def earnings_rows(period: Period, today: date, sort: str = "name",
                  descending: bool = False) -> list[ArtisanRow]:
    """A row per artisan for the period: three queries whatever the number of artisans or entries."""
    artisans = db.session.execute(
        select(Artisan.id, Artisan.display_name, Artisan.slug, Artisan.joined_on,
               IncomeBaseline.monthly_income_amount, IncomeBaseline.had_sales)
        .outerjoin(IncomeBaseline, IncomeBaseline.artisan_id == Artisan.id)).all()
    totals = {}
    for artisan_id, kind, amount, count in totals_by_kind():  # per (artisan, kind), not per entry
        totals.setdefault(artisan_id, {})[kind] = (int(amount), int(count))
    in_period = income_in_period(period) if period.start is not None else None
    rate = usd_rate()
    result = []
    for artisan_id, name, slug, joined_on, baseline, had_sales in artisans:
        kinds = totals.get(artisan_id, {})
        sold, sales_count = kinds.get("sale", (0, 0))
        to_date = sold + kinds.get("refund", (0, 0))[0] + kinds.get("advance", (0, 0))[0]
        income, sales = (to_date, sales_count) if in_period is None else in_period.get(artisan_id, (0, 0))
        months = months_between(joined_on, today) if joined_on <= today else 1
        result.append(ArtisanRow(
            artisan_id=artisan_id, name=name, slug=slug, joined_on=joined_on, income=income,
            income_usd=convert_from_mxn(income, rate, "USD") if rate else None, sales=sales,
            income_to_date=to_date, monthly_average=to_date // months, baseline=baseline,
            baseline_had_sales=had_sales, balance=sum(amount for amount, _count in kinds.values()),
            ever_sold=sales_count > 0))
    return sort_rows(result, sort, descending)


def sort_rows(rows, sort, descending):
    """Sort by a column; rows without a value (no baseline) always go last."""
    if sort not in SORT_KEYS:
        sort = "name"
    if sort == "name":
        return sorted(rows, key=lambda r: (sort_key(r.name), r.artisan_id), reverse=descending)
    present = [r for r in rows if getattr(r, sort) is not None]
    missing = [r for r in rows if r not in present]
    present.sort(key=lambda r: (getattr(r, sort), sort_key(r.name)), reverse=descending)
    return present + missing


def reference_lines(today: date) -> dict:
    """The newest line in force today for each poverty-line code: {code: ReferenceLine}."""
    rows = db.session.scalars(select(ReferenceLine).where(ReferenceLine.code.in_(POVERTY_LINE_CODES),
                                                          ReferenceLine.effective_on <= today)
                              .order_by(ReferenceLine.effective_on))
    return {row.code: row for row in rows}


@dataclass
class Indicators:
    artisans: int
    with_baseline: int
    average_income: int                 # MXN centavos per artisan in the period
    average_income_usd: Optional[int]
    low_threshold_mxn: Optional[int]    # 28 USD a month in pesos at the current rate
    under_low_at_baseline: Optional[float]
    under_low_now: Optional[float]
    no_sales_at_baseline: Optional[float]
    no_sales_now: Optional[float]
    above_baseline: int
    lines: list = field(default_factory=list)  # [(ReferenceLine, share at baseline, share now)]


def _share(count, total):
    return None if total == 0 else count / total


def indicators(rows: list[ArtisanRow], today: date) -> Indicators:
    """The programme's indicators from the per-artisan rows ("now" = her monthly average since joining)."""
    rate = usd_rate()
    total = len(rows)
    based = [r for r in rows if r.baseline is not None]
    average = sum(r.income for r in rows) // total if total else 0
    threshold = convert_to_mxn(LOW_INCOME_USD_CENTS, rate, "USD") if rate else None
    lines = []
    in_force = reference_lines(today)
    for code in POVERTY_LINE_CODES:
        line = in_force.get(code)
        if line is not None:
            lines.append((line, _share(sum(r.baseline >= line.amount for r in based), len(based)),
                          _share(sum(r.monthly_average >= line.amount for r in rows), total)))
    return Indicators(
        artisans=total, with_baseline=len(based), average_income=average,
        average_income_usd=convert_from_mxn(average, rate, "USD") if rate else None,
        low_threshold_mxn=threshold,
        under_low_at_baseline=(_share(sum(r.baseline < threshold for r in based), len(based))
                               if threshold else None),
        under_low_now=_share(sum(r.monthly_average < threshold for r in rows), total) if threshold else None,
        no_sales_at_baseline=_share(sum(not r.baseline_had_sales for r in based), len(based)),
        no_sales_now=_share(sum(not r.ever_sold for r in rows), total),
        above_baseline=sum(1 for r in based if r.monthly_average > r.baseline),
        lines=lines)


def distribution(rows: list[ArtisanRow], ind: Indicators, today: date) -> list[tuple[str, int, int]]:
    """Artisans per monthly-income band, at baseline and now: [(band key, at baseline, now)]."""
    edges = [("zero", 1)]
    if ind.low_threshold_mxn:
        edges.append(("under_low", ind.low_threshold_mxn))
    for line, _, _ in ind.lines:
        edges.append((line.code, line.amount))
    edges.sort(key=lambda e: e[1])
    keys = [key for key, _ in edges] + ["above"]

    def band(amount):
        for key, limit in edges:
            if amount < limit:
                return key
        return "above"
    at_baseline = [band(r.baseline) for r in rows if r.baseline is not None]
    now = [band(r.monthly_average) for r in rows]
    return [(key, at_baseline.count(key), now.count(key)) for key in keys]


def monthly_income(artisan_id: int, first: date, last: date) -> list[tuple[date, int]]:
    """Her income per calendar month (in the cooperative's zone) from `first` to `last` (0 when none)."""
    first = date(first.year, first.month, 1)
    rows = db.session.execute(
        select(LedgerEntry.occurred_at, LedgerEntry.amount)
        .where(LedgerEntry.artisan_id == artisan_id, LedgerEntry.kind.in_(INCOME_KINDS),
               LedgerEntry.occurred_at >= utc_start_of(first),
               LedgerEntry.occurred_at < utc_start_of(_month_add(date(last.year, last.month, 1), 1)))).all()
    totals = {}
    for occurred_at, amount in rows:  # one artisan's entries: a few per month at most
        day = local_day(occurred_at)
        totals[(day.year, day.month)] = totals.get((day.year, day.month), 0) + int(amount)
    series = []
    current = first
    while current <= last:
        series.append((current, totals.get((current.year, current.month), 0)))
        current = _month_add(current, 1)
    return series


def artisan_summary(artisan_id: int, today: date) -> dict:
    """Totals for her own page: sold, refunded, paid, owed (one grouped query)."""
    sums = dict(db.session.execute(select(LedgerEntry.kind, func.sum(LedgerEntry.amount))
                                   .where(LedgerEntry.artisan_id == artisan_id)
                                   .group_by(LedgerEntry.kind)).all())
    sold = int(sums.get("sale", 0))
    refunded = -int(sums.get("refund", 0))
    paid = -int(sums.get("payout", 0))
    adjusted = int(sums.get("adjustment", 0))
    advanced = int(sums.get("advance", 0))
    return {"sold": sold, "refunded": refunded, "paid": paid, "adjusted": adjusted, "advanced": advanced,
            "owed": sold - refunded - paid + adjusted + advanced}


def start_of_series(joined_on: date, today: date, months: int = 12) -> date:
    """The first month to draw: her joining month, or at most `months` back."""
    earliest = _month_add(date(today.year, today.month, 1), -(months - 1))
    return max(date(joined_on.year, joined_on.month, 1), earliest) if joined_on <= today else earliest
