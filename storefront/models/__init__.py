"""All models, imported here so Alembic and the app see one metadata."""
from storefront.models.accounts import AuditEntry, LoginBlock, Role, User
from storefront.models.base import Base, now_utc
from storefront.models.catalog import (CONTENT_LOCALES, Artisan, ArtisanTranslation, Product, ProductImage,
                                       ProductStatus, ProductTranslation)
from storefront.models.commissions import (COMMISSION_STATUSES, OPEN_STATUSES, Commission, CommissionPost,
                                           CommissionStatus)
from storefront.models.earnings import (EmpowermentSurvey, IncomeBaseline, LedgerEntry, LedgerKind, Payout,
                                        PayoutMethod)
from storefront.models.orders import (HoldStatus, Order, OrderLine, OrderRefund, OrderStatus, RefundStatus,
                                      StockHold, WebhookEvent)
from storefront.models.outbox import EmailStatus, OutboxEmail
from storefront.models.settings import (CooperativeSettings, DataVersion, ExchangeRate, ReferenceLine,
                                        ShippingRate, ShippingZone)
from storefront.models.voice import ArtisanUpdate, ScreenGuide, VoiceStory, VoiceStoryText

__all__ = [
    "AuditEntry", "LoginBlock", "Role", "User",
    "Base", "now_utc", "CONTENT_LOCALES", "Artisan", "ArtisanTranslation",
    "Product", "ProductImage", "ProductStatus", "ProductTranslation", "IncomeBaseline", "LedgerEntry",
    "LedgerKind", "Payout", "PayoutMethod", "HoldStatus", "Order", "OrderLine", "OrderStatus", "StockHold",
    "WebhookEvent", "OrderRefund", "RefundStatus", "EmailStatus", "OutboxEmail", "EmpowermentSurvey",
    "CooperativeSettings", "DataVersion", "ExchangeRate", "ReferenceLine", "ShippingRate", "ShippingZone",
    "ArtisanUpdate", "ScreenGuide", "VoiceStory", "VoiceStoryText", "COMMISSION_STATUSES", "OPEN_STATUSES",
    "Commission", "CommissionPost", "CommissionStatus",
]
