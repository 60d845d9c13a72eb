"""Absolute links to staff pages, for emails sent to the cooperative (also without a request)."""
from flask import current_app, has_request_context, url_for


def staff_order_url(order) -> str:
    """The staff page of an order (/coop/orders/<id>), absolute when PUBLIC_BASE_URL is set."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not has_request_context():
        with current_app.test_request_context(base_url=base or "http://127.0.0.1:5000"):
            return url_for("orders.order_detail", order_id=order.id, _external=True)
    path = url_for("orders.order_detail", order_id=order.id, _external=not base)
    return f"{base}{path}" if base else path
