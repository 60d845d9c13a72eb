"""The fair-price calculator: what her work costs, a price that covers it, and what she takes home.

Only calls `storefront.money` (one formula for the calculator, the buyer's breakdown and the ledger).
"""
from dataclasses import dataclass
from decimal import Decimal

from storefront.money import (CostOfMaking, FeePolicy, LineSplit, cost_of_making, price_breakdown,
                              suggested_price, to_major, to_minor)


def pesos(centavos):
    """Centavos -> Decimal pesos for a form field (None stays None)."""
    return None if centavos is None else to_major(centavos, "MXN")


def centavos(value):
    return 0 if value is None else to_minor(Decimal(value), "MXN")


@dataclass(frozen=True)
class PriceAdvice:
    hours: int
    cost: CostOfMaking
    suggested: int
    suggested_split: LineSplit
    typed: LineSplit | None

    @property
    def typed_covers_cost(self):
        return self.typed is not None and self.typed.artisan_share >= self.cost.total


def advise(materials_cost: int, hours: int, typed_price: int | None, policy: FeePolicy) -> PriceAdvice:
    suggestion = suggested_price(materials_cost, hours, policy)
    return PriceAdvice(hours=hours, cost=cost_of_making(materials_cost, hours, policy), suggested=suggestion,
                       suggested_split=price_breakdown(suggestion, policy),
                       typed=price_breakdown(typed_price, policy) if typed_price else None)


def calculate(form, policy):
    """Advice from the calculator page's validated form."""
    return advise(centavos(form.materials_cost.data), form.hours.data or 0,
                  centavos(form.price.data) if form.price.data is not None else None, policy)


def estimate_from_form(form, policy):
    """Advice beside the garment form, from whatever valid numbers she has typed (None if none)."""
    def valid(field):
        return field.data if not field.errors and field.data is not None else None
    materials, hours, price = valid(form.materials_cost), valid(form.hours_of_work), valid(form.price)
    if materials is None and not hours and price is None:
        return None
    if price is not None and not 1 <= price <= 500_000:
        price = None
    if hours is not None and not 0 <= hours <= 2_000:
        hours = None
    if materials is not None and not 0 <= materials <= 100_000:
        materials = None
    return advise(centavos(materials), hours or 0, centavos(price) if price is not None else None, policy)
