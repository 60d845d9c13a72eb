"""The audit log in words: what happened as a sentence, each change with a label and formatted values.

The log stores codes and raw numbers (`order.paid`, `amount: 569666`) so it stays exact; this module
is the only place that turns them into "Order 25 paid" and "Amount: — → $5,696.66".
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from storefront import formatting
from storefront.catalog.vocabulary import category_label, technique_label
from storefront.commissions.words import commission_status
from storefront.staff.words import order_status
from storefront.voice.guides import SCREEN_NAMES

# action code -> sentence; %(number)s is the record's number.
ACTIONS = {
    "artisan.create": _l("Artisan added"),
    "baseline.created": _l("Baseline recorded"),
    "baseline.edited": _l("Baseline corrected"),
    "baseline.imported": _l("Baseline imported from a file"),
    "exchange_rate.set": _l("Exchange rate set"),
    "ledger.adjusted": _l("Correction to what she is owed"),
    "order.refund_applied": _l("Refund confirmed by Stripe for order %(number)s"),
    "order.refund_requested": _l("Refund requested for order %(number)s"),
    "payout.recorded": _l("Payout recorded"),
    "product.create": _l("Garment %(number)s added"),
    "product.price_change": _l("Price of garment %(number)s changed"),
    "product.update": _l("Garment %(number)s edited"),
    "product.publish": _l("Garment %(number)s put on sale"),
    "product.sold_out": _l("Garment %(number)s marked sold out"),
    "product.draft": _l("Garment %(number)s taken off sale"),
    "product.archive": _l("Garment %(number)s archived"),
    "settings.update": _l("Cooperative settings changed"),
    "shipping.rate_added": _l("Shipping band added"),
    "shipping.rate_deleted": _l("Shipping band deleted"),
    "shipping.zone_changed": _l("Countries of a shipping zone changed"),
    "user.create": _l("Login created"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("One-time code given"),
    "translation.saved": _l("Translation saved"),
    "order.refund_kept": _l("Refund kept until the payment of order %(number)s is recorded"),
    "artisan.commission_settings": _l("Her commission settings changed"),
    "settings.commissions": _l("Commission rules changed"),
    "commission.progress": _l("Progress posted on commission %(number)s"),
    "commission.needs_review": _l("Commission %(number)s sent to review"),
    "commission.deposit_refunded": _l("Deposit of commission %(number)s refunded"),
    "commission.balance_overdue": _l("Balance of commission %(number)s unpaid past the set days: "
                                     "the cooperative decides"),
    "guide.record": _l("Spoken guide recorded"),
    "guide.remove": _l("Spoken guide removed"),
    "update.post": _l("News from her loom posted"),
    "update.remove": _l("News from her loom removed"),
    "voice.record": _l("Voice story recorded"),
    "voice.remove": _l("Voice story removed"),
    "voice.texts": _l("Transcript of a voice story saved"),
    "survey.recorded": _l("Empowerment questionnaire recorded"),
    "login.success": _l("Logged in"),
    "login.failed": _l("Wrong password"),
    "login.blocked": _l("Logins blocked after too many wrong passwords"),
    "login.unblocked": _l("Login block lifted"),
    "user.logout_everywhere": _l("Logged out on every phone and computer"),
    "user.recovery_code_used": _l("Recovery code used"),
    "user.two_factor_on": _l("Login codes turned on"),
    "user.two_factor_off": _l("Login codes turned off"),
}
ORDER_ACTION = _l("Order %(number)s: %(status)s")
COMMISSION_ACTION = _l("Commission %(number)s: %(status)s")

FIELDS = {
    "amount": _l("Amount"), "owed_before": _l("Owed before"), "method": _l("How it was paid"),
    "price_amount": _l("Price"), "materials_cost_amount": _l("Cost of materials"),
    "monthly_income_amount": _l("Monthly income"), "fair_hourly_rate_amount": _l("Fair hourly rate"),
    "commission_bp": _l("Commission"), "overhead_bp": _l("Overhead"), "status": _l("Status"),
    "stock": _l("In stock"), "category": _l("Category"), "technique": _l("Technique"),
    "hours_of_work": _l("Hours of work"), "weight_grams": _l("Weight"), "sizes": _l("Sizes"),
    "title": _l("Title"), "story": _l("Story"), "materials": _l("Materials"),
    "title_en": _l("Title (English)"),
    "story_en": _l("Story (English)"), "photos": _l("Photos"), "survey_date": _l("Survey date"),
    "had_sales": _l("Had sales"), "kept_records": _l("Kept income records"), "notes": _l("Notes"),
    "rate": _l("Rate"), "countries": _l("Countries"), "username": _l("User name"), "role": _l("Role"),
    "display_name": _l("Name"), "slug": _l("Address on the site"), "one_time_code": _l("One-time code"),
    "line": _l("Garment line"), "lines": _l("Garment lines"), "restock": _l("Back in stock"),
    "language": _l("Language"),
    "screen": _l("Screen"), "seconds": _l("Seconds"), "product_id": _l("Garment"),
    "accepts": _l("Accepts commissions"), "cap": _l("Most commissions at once"),
}
MONEY_FIELDS = {"amount", "owed_before", "price_amount", "materials_cost_amount", "monthly_income_amount",
                "fair_hourly_rate_amount"}
PERCENT_FIELDS = {"commission_bp", "overhead_bp"}
PRODUCT_STATUSES = {"draft": _l("Draft (not for sale yet)"), "published": _l("For sale"),
                    "sold_out": _l("Sold out"), "archived": _l("Archived")}
ROLES = {"admin": _l("Cooperative admin"), "coordinator": _l("Coordinator"), "artisan": _l("Artisan")}
PAYOUT_METHODS = {"cash": _l("Cash at the cooperative"), "bank_transfer": _l("Bank transfer"),
                  "mobile_money": _l("Mobile money")}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def sentence(entry) -> str:
    """What happened, in the reader's language."""
    number = formatting.number(entry.entity_id) if entry.entity_id else ""
    if entry.action.startswith("order.") and entry.action not in ACTIONS:
        status = entry.action.split(".", 1)[1]
        return str(ORDER_ACTION) % {"number": number, "status": order_status(status)}
    if entry.action.startswith("commission.") and entry.action not in ACTIONS:
        status = entry.action.split(".", 1)[1]
        return str(COMMISSION_ACTION) % {"number": number, "status": commission_status(status)}
    known = ACTIONS.get(entry.action)
    if known is None:
        return entry.action
    return str(known) % {"number": number}


def value(field, raw, entry) -> str:
    """One stored value as a reader expects it: money, percent, date, yes/no, a translated code."""
    if raw is None or raw == "":
        return formatting.DASH
    if isinstance(raw, bool):
        return _("Yes") if raw else _("No")
    if field in MONEY_FIELDS and isinstance(raw, int):
        return formatting.money(raw, "MXN", buyer=False)
    if field in PERCENT_FIELDS and isinstance(raw, int):
        return formatting.percent(raw / 10_000)
    if field == "status":
        labels = ORDER_STATUS_LABELS_FOR.get(entry.entity_type)
        return str(labels(raw)) if labels else str(raw)
    if field == "category":
        return category_label(raw)
    if field == "technique":
        return technique_label(raw)
    if field == "screen":
        return str(SCREEN_NAMES.get(raw, raw))
    if field == "role":
        return str(ROLES.get(raw, raw))
    if field == "language":
        from storefront.catalog.present import language_name
        from storefront.i18n import current_locale
        return language_name(raw, current_locale())
    if field == "method":
        return str(PAYOUT_METHODS.get(raw, raw))
    if field == "weight_grams" and isinstance(raw, int):
        return formatting.unit(raw, "mass-gram")
    if field == "photos" and isinstance(raw, list):
        return formatting.number(len(raw))
    if field == "survey_date":
        return _date(raw)
    if isinstance(raw, (int, float)):
        return formatting.number(raw)
    if isinstance(raw, list):
        return ", ".join(str(item) for item in raw)
    text = str(raw)
    return text if len(text) <= 120 else text[:119] + "…"


def _date(raw):
    from datetime import date
    try:
        return formatting.date(date.fromisoformat(str(raw)), "medium")
    except ValueError:
        return str(raw)


ORDER_STATUS_LABELS_FOR = {
    "order": order_status,
    "product": lambda code: PRODUCT_STATUSES.get(code, code),
}


def changes(entry) -> list[Change]:
    """Each field that changed, labelled in words, values formatted."""
    return [Change(str(FIELDS.get(field, field)), value(field, pair[0], entry), value(field, pair[1], entry))
            for field, pair in (entry.changes or {}).items()
            if isinstance(pair, (list, tuple)) and len(pair) == 2]
