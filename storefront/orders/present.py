"""Small presentation helpers shared by checkout, order pages and emails: money and status names."""
from flask_babel import lazy_gettext as _l

from storefront.money import format_money

STATUS_NAMES = {
    "pending": _l("Awaiting payment"),
    "processing": _l("Payment processing"),
    "paid": _l("Paid"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "expired": _l("Expired"),
    "payment_failed": _l("Payment failed"),
    "refunded": _l("Refunded"),
    "needs_review": _l("Needs review"),
}


def money_formatter(locale):
    """`money(amount, currency)` for templates, in the reader's locale."""
    return lambda amount, currency: format_money(amount, currency, locale)


def status_name(status: str) -> str:
    """An order status as a reader says it, in the current locale ("needs_review" → "Needs review")."""
    name = STATUS_NAMES.get(status)
    return str(name) if name is not None else status
