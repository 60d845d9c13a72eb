"""Prices in the buyer's currency, from the latest exchange rate in the database.

The same function gives the amount shown on a page and the amount the checkout sends to Stripe.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Optional

from flask import g, has_app_context
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import ExchangeRate, now_utc
from storefront import formatting
from storefront.money import BASE_CURRENCY, BUYER_CURRENCIES, convert_from_mxn


@dataclass(frozen=True)
class Price:
    amount: int                 # minor units of `currency`
    currency: str
    rate: Decimal               # units of `currency` per 1 MXN
    rate_id: Optional[int]      # the exchange_rates row used (None for MXN)


def latest_rates() -> dict:
    """The newest rate row per currency, one query per request."""
    if has_app_context() and "exchange_rates" in g:
        return g.exchange_rates
    newest = (select(ExchangeRate.currency, func.max(ExchangeRate.set_at).label("set_at"))
              .group_by(ExchangeRate.currency).subquery())
    rows = db.session.execute(
        select(ExchangeRate).join(newest, (ExchangeRate.currency == newest.c.currency)
                                  & (ExchangeRate.set_at == newest.c.set_at))).scalars()
    rates = {row.currency: row for row in rows}
    if has_app_context():
        g.exchange_rates = rates
    return rates


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
    if has_app_context():
        g.pop("exchange_rates", None)
    return row
