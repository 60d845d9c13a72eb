"""Prices in the buyer's currency, from the latest exchange rate in the database.

The same function gives the amount shown on a page and the amount the checkout sends to Stripe.
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Optional

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.kept import forget, kept
from storefront.models import ExchangeRate, now_utc
from storefront import formatting
from storefront.money import BASE_CURRENCY, BUYER_CURRENCIES, convert_from_mxn


@dataclass(frozen=True)
class Price:
    amount: int                 # minor units of `currency`
    currency: str
    rate: Decimal               # units of `currency` per 1 MXN
    rate_id: Optional[int]      # the exchange_rates row used (None for MXN)


@dataclass(frozen=True)
class Rate:
    """The rate in use for a currency: units of `currency` for one MXN, from exchange_rates row `id`."""
    id: int
    currency: str
    rate: Decimal
    set_at: datetime


# Rates are only ever added (older rows stay for the orders that used them): the newest id is a version.
RATES_VERSION = select(func.max(ExchangeRate.id))


def _load_rates() -> dict:
    newest = (select(ExchangeRate.currency, func.max(ExchangeRate.set_at).label("set_at"))
              .group_by(ExchangeRate.currency).subquery())
    rows = db.session.execute(
        select(ExchangeRate.id, ExchangeRate.currency, ExchangeRate.rate, ExchangeRate.set_at)
        .join(newest, (ExchangeRate.currency == newest.c.currency)
              & (ExchangeRate.set_at == newest.c.set_at)))
    return {row.currency: Rate(row.id, row.currency, Decimal(row.rate), row.set_at) for row in rows}


def latest_rates() -> dict:
    """The rate in use per currency, kept in memory until any process records a new one (storefront.kept)."""
    return kept("exchange_rates", RATES_VERSION, _load_rates)


def available_currencies():
    """MXN plus every buyer currency that has a rate."""
    rates = latest_rates()
    return [c for c in BUYER_CURRENCIES if c == BASE_CURRENCY or c in rates]


def price_in(amount_mxn: int, currency: str) -> Price:
    """Convert a peso amount for a buyer; without a rate for `currency`, stay in pesos."""
    if currency != BASE_CURRENCY:
        rate_row = latest_rates().get(currency)
        if rate_row is not None:
            return Price(convert_from_mxn(amount_mxn, rate_row.rate, currency), currency,
                         Decimal(rate_row.rate), rate_row.id)
    return Price(amount_mxn, BASE_CURRENCY, Decimal(1), None)


def format_price(price: Price, locale: str) -> str:
    return formatting.money(price.amount, price.currency, locale)


def parse_rate(text) -> Decimal:
    """A positive decimal rate, or ValueError with a readable message."""
    try:
        rate = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"not a number: {text!r}") from None
    if not rate.is_finite() or rate <= 0 or rate > Decimal("100000"):
        raise ValueError(f"rate must be a positive number, got {text!r}")
    return rate.quantize(Decimal("0.00000001"))


def set_rate(currency: str, rate, user=None) -> ExchangeRate:
    """Record a new rate (history is kept: older rows stay, for orders that used them)."""
    currency = currency.strip().upper()
    if currency not in BUYER_CURRENCIES or currency == BASE_CURRENCY:
        raise ValueError(f"unknown currency: {currency!r}")
    row = ExchangeRate(currency=currency, rate=parse_rate(rate), set_at=now_utc(),
                       set_by_id=user.id if user is not None else None)
    db.session.add(row)
    db.session.commit()
    forget("exchange_rates")
    return row
