"""Turn a catalog query string into CatalogFilters: forgiving, never an error page.

Unknown codes, non-numeric or negative prices and absurd page numbers are dropped or clamped, so a
shared or hand-edited URL always shows a page. Prices are typed in the currency the buyer sees and
converted to pesos with the same rate the page uses.
"""
import unicodedata
from decimal import Decimal, InvalidOperation

from storefront.catalog.queries import SORTS, CatalogFilters
from storefront.catalog.vocabulary import CATEGORIES, TECHNIQUES
from storefront.money import BASE_CURRENCY, convert_to_mxn, to_minor
from storefront.pricing import latest_rates

MAX_QUERY_CHARS = 100
MAX_TEXT_CHARS = 120
MAX_PRICE = Decimal(10) ** 9
MAX_PAGE = 10 ** 6
# The names a shareable URL may carry, in the order they are written back.
FILTER_ARGS = ("q", "category", "technique", "community", "artisan", "min_price", "max_price", "available",
               "sort", "page")


def clean_text(value, limit=MAX_TEXT_CHARS):
    """Printable text only (PostgreSQL refuses NUL bytes), whitespace collapsed, at most `limit` chars."""
    text = "".join(ch for ch in str(value or "")[:limit * 4] if not unicodedata.category(ch).startswith("C"))
    return " ".join(text.split())[:limit]


_text = clean_text


def parse_amount(value):
    """A non-negative decimal amount typed by a buyer, or None."""
    text = _text(value, 32).replace(",", ".")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
        return None
    return amount


def to_mxn(amount, currency):
    """Pesos (centavos) for an amount typed in `currency`, at the rate prices are shown with."""
    rate_row = latest_rates().get(currency) if currency != BASE_CURRENCY else None
    if rate_row is None:
        return to_minor(amount, BASE_CURRENCY)
    return convert_to_mxn(to_minor(amount, currency), rate_row.rate, currency)


def parse_page(value):
    try:
        page = int(_text(value, 12))
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def parse_filters(args, currency) -> CatalogFilters:
    """CatalogFilters from request args; `currency` is the one prices are shown in."""
    category = _text(args.get("category"))
    technique = _text(args.get("technique"))
    sort = _text(args.get("sort"))
    min_amount = parse_amount(args.get("min_price"))
    max_amount = parse_amount(args.get("max_price"))
    if min_amount is not None and max_amount is not None and min_amount > max_amount:
        min_amount, max_amount = max_amount, min_amount
    q = _text(args.get("q"), MAX_QUERY_CHARS)
    if sort not in SORTS or (sort == "relevance" and not q):
        sort = "relevance" if q else "newest"  # a search is ranked unless she asks otherwise
    return CatalogFilters(
        q=q,
        category=category if category in CATEGORIES else "",
        technique=technique if technique in TECHNIQUES else "",
        community=_text(args.get("community")),
        artisan=_text(args.get("artisan")),
        min_price_mxn=to_mxn(min_amount, currency) if min_amount is not None else None,
        max_price_mxn=to_mxn(max_amount, currency) if max_amount is not None else None,
        available=args.get("available") in ("1", "on", "true", "yes"),
        sort=sort,
        page=parse_page(args.get("page")),
    )


def shareable_args(args, **changes):
    """The catalog's own arguments from `args` (unknown ones dropped), with `changes` applied."""
    kept = {name: _text(args.get(name)) for name in FILTER_ARGS if _text(args.get(name))}
    for name, value in changes.items():
        if value in (None, ""):
            kept.pop(name, None)
        else:
            kept[name] = value
    return kept
