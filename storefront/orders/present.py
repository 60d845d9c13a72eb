"""Small presentation helpers shared by checkout, order pages and emails: money and status names."""
from flask_babel import lazy_gettext as _l

from storefront import formatting

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


def money_formatter(locale, buyer=None):
    """`money(amount, currency)` in the reader's locale (`formatting.money_for`): buyers never see a bare $
    for pesos; staff (`buyer=False`) read their own Mexican format."""
    return formatting.money_for(locale, buyer=buyer)


def status_name(status: str) -> str:
    """An order status as a reader says it, in the current locale ("needs_review" → "Needs review")."""
    name = STATUS_NAMES.get(status)
    return str(name) if name is not None else status
