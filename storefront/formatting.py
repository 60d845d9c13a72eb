"""The one way to show money, numbers and dates, and to sort names, in the reader's language.

Every page, email, export and chart goes through these functions, so a peso reads the same everywhere:
- Spanish on staff and studio pages (and Tsotsil, Tseltal, which CLDR lacks) is formatted as Mexican
  Spanish, `es_MX`; a buyer reading Spanish gets CLDR's international Spanish, `es`.
- A peso is never a bare `$` to a buyer: Babel writes `MX$` (en, de), `$MX` (fr), `MXN` (es);
  should a buyer's amount ever be formatted as `es_MX`, it reads `$1,234.50 MXN`. Staff and studio
  pages (the cooperative, in Mexico) keep the plain Mexican `$1,234.50`.
- Dates and times are shown in the cooperative's zone, America/Mexico_City.
- Names and countries sort by the Unicode Collation Algorithm (pyuca), never by code points, so
  "Égypte" sits beside "Équateur" and "États-Unis" after "Espagne" in a French list.
"""
import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.core import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import (format_compact_currency, format_currency, format_decimal, format_percent,
                           get_decimal_symbol, get_group_symbol)
from flask import has_request_context
from pyuca import Collator

from storefront.money import BASE_CURRENCY, minor_digits, to_major

COOPERATIVE_TIMEZONE = ZoneInfo("America/Mexico_City")
# Languages CLDR lacks, and Spanish on staff and studio pages, are formatted as the cooperative
# writes: Mexican Spanish. A buyer reading Spanish may be in Madrid or Bogotá: she gets CLDR's
# international Spanish ("1.000,00 MXN", "50,50 €"), never a `$` she could take for her own.
FORMAT_LOCALE = {"es": "es_MX", "tzo": "es_MX", "tzh": "es_MX"}
BUYER_FORMAT_LOCALE = {"tzo": "es_MX", "tzh": "es_MX"}
DASH = "—"


def format_locale(locale=None, buyer=None) -> str:
    """The Babel locale for a reader's language: `es` -> `es_MX` for staff, `es` for buyers."""
    if locale is None:
        from storefront.i18n import current_locale
        locale = current_locale() if has_request_context() else "es"
    locale = str(locale)
    if "_" in locale:
        return locale
    table = BUYER_FORMAT_LOCALE if _for_buyer(buyer) else FORMAT_LOCALE
    return table.get(locale, locale)


def _for_buyer(buyer):
    """Buyer or staff? Explicit, else staff inside /coop and /studio requests, a buyer everywhere else."""
    if buyer is not None:
        return buyer
    if has_request_context():
        from storefront.i18n import is_staff_area
        return not is_staff_area()
    return True


def money(amount_minor, currency=BASE_CURRENCY, locale=None, *, buyer=None) -> str:
    """An amount in minor units, in the reader's locale ("—" for None)."""
    if amount_minor is None:
        return DASH
    buyer = _for_buyer(buyer)
    return money_formatter(currency, format_locale(locale, buyer), buyer)(amount_minor)


@lru_cache(maxsize=128)
def money_formatter(currency: str, locale: str, buyer: bool = True):
    """`money` for long tables: Babel's pattern for (currency, locale) is resolved once.

    Babel formats a sample amount; the text around its digits becomes the prefix and suffix, so the
    output is Babel's own (symbols, spacing, sign).
    """
    locale = format_locale(locale, buyer)
    digits = minor_digits(currency)
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)

    def slow(amount_minor):
        text = format_currency(to_major(amount_minor, currency), currency, locale=locale)
        return _unambiguous(text, currency, locale, buyer)

    def number(amount_minor):
        whole, fraction = divmod(abs(amount_minor), 10 ** digits)
        text = f"{whole:,}".replace(",", group)
        return text + (decimal + str(fraction).zfill(digits) if digits else "")

    affixes = []
    for signed in (123456789, -123456789):
        prefix, found, suffix = slow(signed).partition(number(signed))
        if not found:
            return slow
        affixes.append((prefix, suffix))
    (plus_prefix, plus_suffix), (minus_prefix, minus_suffix) = affixes

    def formatted(amount_minor: int) -> str:
        if amount_minor < 0:
            return minus_prefix + number(amount_minor) + minus_suffix
        return plus_prefix + number(amount_minor) + plus_suffix
    return formatted


def _unambiguous(text, currency, locale, buyer):
    """In es_MX a peso is `$`: say MXN to a buyer, who may read `$` as her own dollar."""
    if buyer and currency == "MXN" and "MX" not in text:
        return f"{text} MXN"
    return text


def money_for(locale=None, *, buyer=None):
    """`money(amount, currency)` bound to one locale, for templates and emails."""
    buyer = _for_buyer(buyer)
    locale = format_locale(locale, buyer)
    return lambda amount, currency=BASE_CURRENCY: DASH if amount is None else \
        money_formatter(currency, locale, buyer)(amount)


def compact_money(amount_minor, currency=BASE_CURRENCY, locale=None) -> str:
    """Short amounts for chart axes ("$6 k"), readable on a phone."""
    return format_compact_currency(to_major(amount_minor, currency), currency, locale=format_locale(locale),
                                   fraction_digits=0)


def number(value, locale=None) -> str:
    """A count or a decimal with the reader's grouping and decimal signs ("—" for None)."""
    return DASH if value is None else format_decimal(value, locale=format_locale(locale))


def percent(value, locale=None) -> str:
    """A share (0.25 -> "25 %" in French, "25%" in English; "—" for None)."""
    return DASH if value is None else format_percent(value, locale=format_locale(locale))


def local_time(value):
    """A UTC timestamp (naive means UTC, the project's choice) in the cooperative's zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(COOPERATIVE_TIMEZONE)


def date(value, format="medium", locale=None) -> str:
    """A date, or the cooperative's calendar day of a timestamp."""
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        value = local_time(value).date()
    return babel_format_date(value, format, locale=format_locale(locale))


def datetime(value, format="medium", locale=None) -> str:
    """A timestamp as the cooperative's clock reads it."""
    if value is None:
        return DASH
    return babel_format_datetime(local_time(value), format, tzinfo=COOPERATIVE_TIMEZONE,
                                 locale=format_locale(locale))


def unit(value, unit_name, locale=None, length="short") -> str:
    """A measured amount with its unit, e.g. 1 000 g (fr), 1,000 g (en)."""
    from babel.units import format_unit
    return format_unit(value, unit_name, length=length, locale=format_locale(locale))


def value_range(low, high, unit_name, locale=None) -> str:
    """"0–1,000 g", or "3,001 g or more" when `high` is None (no upper limit)."""
    from flask_babel import gettext as _
    if high is None:
        return _("%(low)s or more", low=unit(low, unit_name, locale))
    return f"{number(low, locale)}–{unit(high, unit_name, locale)}"


@lru_cache(maxsize=1)
def _collator():
    return Collator()


def sort_key(text):
    """The Unicode Collation Algorithm's key: accents and case after the base letter."""
    return _collator().sort_key(str(text or ""))


def sorted_by_name(items, key=lambda item: item):
    """Items ordered by a name in the reader's alphabet (UCA), not by code points."""
    return sorted(items, key=lambda item: sort_key(key(item)))


def country_names(locale=None, codes=None) -> list[tuple[str, str]]:
    """(code, name) of countries in the reader's language, sorted by name as she would look for it."""
    names = Locale.parse(str(locale or format_locale()).split("_")[0]).territories
    chosen = names.keys() if codes is None else codes
    pairs = [(code, names.get(code, code)) for code in chosen]
    return sorted_by_name(pairs, key=lambda pair: pair[1])


def labelled(label, value) -> str:
    """"Total: $10" with the reader's punctuation ("Total : 10 €" in French)."""
    from flask_babel import gettext as _
    return _("%(label)s: %(value)s", label=label, value=value)


def register(app):
    """Jinja filters: every template formats through this module."""
    app.jinja_env.filters.update({
        "money": money, "number": number, "percent": percent, "date": date, "datetime": datetime,
        # Flask-Babel's names, kept so templates read the same; both now show the cooperative's clock.
        "dateformat": date, "datetimeformat": datetime,
    })
    app.jinja_env.globals.update(format_money=money, labelled=labelled)
