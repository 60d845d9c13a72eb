"""Staff-facing words for stored codes: order statuses, named as everywhere else (orders.present)."""
from storefront.orders.present import status_name


def order_status(code) -> str:
    """An order status in the reader's language (the code itself if unknown)."""
    return status_name(code)
