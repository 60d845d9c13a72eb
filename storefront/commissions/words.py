"""A commission's state in plain words, for the commission pages and the audit log."""
from flask_babel import gettext as _


def commission_status(status: str) -> str:
    """The state of a commission in the reader's language (the code itself if unknown)."""
    return {
        "requested": _("Waiting for her quote"), "quoted": _("Quote sent"),
        "accepted": _("Waiting for the deposit"), "in_progress": _("She is making it"),
        "finished": _("Finished: waiting for the balance"), "completed": _("Paid in full"),
        "declined": _("Declined"), "expired": _("Quote expired"), "cancelled": _("Cancelled"),
        "not_finished": _("Could not be finished"), "sold_in_shop": _("Balance unpaid: sold in the shop"),
        "refunded": _("Refunded to the buyer"),
    }.get(status, status)
