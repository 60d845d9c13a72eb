"""Staff-facing words for stored codes: order statuses (the lifecycle branch may own the final list)."""
from flask_babel import lazy_gettext as _l

ORDER_STATUS_LABELS = {
    "pending": _l("Awaiting payment"),
    "processing": _l("Payment in progress"),
    "paid": _l("Paid, to pack"),
    "packed": _l("Packed, to ship"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "expired": _l("Expired"),
    "payment_failed": _l("Payment failed"),
    "refunded": _l("Refunded"),
    "needs_review": _l("To review"),
}


def order_status(code) -> str:
    """An order status in the reader's language (the code itself if unknown)."""
    return str(ORDER_STATUS_LABELS.get(code, code))
