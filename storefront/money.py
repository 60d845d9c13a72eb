"""Money as integers in a currency's minor unit: conversion, rounding and the sale split.

Showing an amount to a reader is storefront.formatting's job.

Pure functions, no database: the storefront breakdown, the fair-price calculator and the ledger all
call these, so a buyer, an artisan and the cooperative see the same arithmetic.

Rounding rule (the one rule of the project): a converted amount is rounded half-up to the target
currency's minor unit (JPY has none). The amount shown to a buyer is computed by `convert_from_mxn`
and is exactly the amount sent to Stripe.

Foreign-currency charges and the ledger: an artisan's share is computed in pesos from the MXN prices
frozen on the order lines (`unit_price_mxn`), and any other amount (a Stripe fee reported in the
buyer's currency, a refund) is brought back to pesos at the rate recorded WITH THE ORDER
(`Order.exchange_rate`), never at today's rate nor at Stripe's settlement rate. That rate is the one
that produced the price the buyer saw, so the artisan gets exactly the share the storefront's
breakdown promised her for that garment; currency movements after the sale are the cooperative's
risk, not hers.
"""
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision

BASE_CURRENCY = "MXN"
BUYER_CURRENCIES = ("MXN", "USD", "EUR", "GBP", "CAD", "JPY")
BASIS_POINTS = 10_000


def minor_digits(currency: str) -> int:
    """How many decimals the currency's minor unit has (MXN 2, JPY 0), per CLDR."""
    return get_currency_precision(currency)


def to_major(amount_minor: int, currency: str) -> Decimal:
    """10050 MXN centavos -> Decimal('100.50')."""
    return Decimal(amount_minor).scaleb(-minor_digits(currency))


def to_minor(amount_major, currency: str) -> int:
    """Decimal('100.50') MXN -> 10050, rounded half-up to the minor unit."""
    digits = minor_digits(currency)
    return int(Decimal(str(amount_major)).scaleb(digits).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def convert_from_mxn(amount_mxn: int, rate: Decimal, currency: str) -> int:
    """Convert MXN centavos to `currency` minor units at `rate` (units of currency per 1 MXN)."""
    if currency == BASE_CURRENCY:
        return amount_mxn
    return to_minor(to_major(amount_mxn, BASE_CURRENCY) * Decimal(rate), currency)


def convert_to_mxn(amount_minor: int, rate: Decimal, currency: str) -> int:
    """The inverse of `convert_from_mxn`, used to bring a charged amount back to pesos."""
    if currency == BASE_CURRENCY:
        return amount_minor
    return to_minor(to_major(amount_minor, currency) / Decimal(rate), BASE_CURRENCY)


def percent_of(amount: int, basis_points: int) -> int:
    """`basis_points` of `amount`, rounded half-up to the unit."""
    return int((Decimal(amount) * basis_points / BASIS_POINTS).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` so the parts add up exactly (largest remainder)."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum == 0:
        parts = [0] * len(weights)
        parts[0] = total
        return parts
    exact = [Decimal(total) * w / weight_sum for w in weights]
    parts = [int(x.to_integral_value(rounding="ROUND_FLOOR")) for x in exact]
    leftover = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (exact[i] - parts[i], -i), reverse=True)
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts


@dataclass(frozen=True)
class FeePolicy:
    """The cooperative's rules: commission, overhead and the card-fee estimate (basis points, centavos)."""
    commission_bp: int
    card_fee_bp: int
    card_fee_fixed: int
    overhead_bp: int = 0
    fair_hourly_rate: int = 0

    @classmethod
    def from_settings(cls, settings):
        return cls(commission_bp=settings.commission_bp, card_fee_bp=settings.card_fee_bp,
                   card_fee_fixed=settings.card_fee_fixed_amount, overhead_bp=settings.overhead_bp,
                   fair_hourly_rate=settings.fair_hourly_rate_amount)

    def estimated_fee(self, charge_mxn: int) -> int:
        """The card fee expected on a charge, before Stripe reports the real one."""
        if charge_mxn <= 0:
            return 0
        return percent_of(charge_mxn, self.card_fee_bp) + self.card_fee_fixed


@dataclass(frozen=True)
class LineSplit:
    """Where the money of one sold garment goes; the four parts add up to `gross`."""
    gross: int
    artisan_share: int
    commission: int
    payment_fee: int


def split_line(gross_mxn: int, fee_mxn: int, commission_bp: int) -> LineSplit:
    """Commission on the garment's price, then the card fee; the artisan takes the rest.

    Should a fee ever exceed what is left after commission, the cooperative absorbs it from its
    commission (which may then be negative): an artisan's share is never negative.
    """
    commission = percent_of(gross_mxn, commission_bp)
    artisan_share = max(0, gross_mxn - commission - fee_mxn)
    commission = gross_mxn - fee_mxn - artisan_share
    return LineSplit(gross=gross_mxn, artisan_share=artisan_share, commission=commission, payment_fee=fee_mxn)


@dataclass(frozen=True)
class OrderSplit:
    lines: list[LineSplit]
    shipping: int          # what the buyer paid for shipping, less its part of the fee
    shipping_fee: int      # the part of the card fee charged on shipping

    @property
    def total(self):
        return sum(line.gross for line in self.lines) + self.shipping + self.shipping_fee


def split_order(line_amounts_mxn: list[int], shipping_mxn: int, fee_mxn: int,
                commission_bp: int) -> OrderSplit:
    """Split a whole paid order: the fee is shared across lines and shipping in proportion to amount."""
    fee_parts = allocate(fee_mxn, list(line_amounts_mxn) + [shipping_mxn])
    lines = [split_line(gross, fee, commission_bp) for gross, fee in zip(line_amounts_mxn, fee_parts)]
    return OrderSplit(lines=lines, shipping=shipping_mxn - fee_parts[-1], shipping_fee=fee_parts[-1])


def fee_in_mxn(fee_amount: int, fee_currency: str, order_rate: Decimal) -> int:
    """A processor fee in pesos: as is when settled in MXN, else at the rate recorded with the order."""
    return convert_to_mxn(fee_amount, order_rate, fee_currency)


def share_of_units(share: int, quantity: int, units: int, already_reversed: int) -> int:
    """The part of a line's `share` that `units` of its `quantity` carry, never more than is left.

    Units are valued by `allocate`, so reversing every unit (in any number of refunds) gives back
    exactly `share`, to the centavo.
    """
    per_unit = allocate(share, [1] * quantity)
    done = 0
    reversed_units = 0
    while reversed_units < quantity and done + per_unit[reversed_units] <= already_reversed:
        done += per_unit[reversed_units]
        reversed_units += 1
    wanted = sum(per_unit[reversed_units:reversed_units + units])
    return max(0, min(wanted, share - already_reversed))


def price_breakdown(price_mxn: int, policy: FeePolicy) -> LineSplit:
    """The storefront's "where the money goes" for one garment, with the estimated card fee."""
    return split_line(price_mxn, policy.estimated_fee(price_mxn), policy.commission_bp)


@dataclass(frozen=True)
class CostOfMaking:
    """What a garment cost her to make, as the costing workshop taught: materials, hours, overhead."""
    materials: int
    labour: int
    overhead: int

    @property
    def total(self) -> int:
        return self.materials + self.labour + self.overhead


def cost_of_making(materials_cost: int, hours: int, policy: FeePolicy) -> CostOfMaking:
    """Materials + hours x the fair hourly rate + the overhead share on both (centavos)."""
    labour = hours * policy.fair_hourly_rate
    return CostOfMaking(materials=materials_cost, labour=labour,
                        overhead=percent_of(materials_cost + labour, policy.overhead_bp))


def suggested_price(materials_cost: int, hours: int, policy: FeePolicy, round_to: int = 1000) -> int:
    """A price whose take-home covers materials, hours at the fair rate and overhead.

    Solves p - commission(p) - fee(p) >= cost for p, then rounds up to `round_to` centavos (10 MXN).
    """
    target = cost_of_making(materials_cost, hours, policy).total
    kept = Decimal(BASIS_POINTS - policy.commission_bp - policy.card_fee_bp) / BASIS_POINTS
    raw = (Decimal(target + policy.card_fee_fixed) / kept).to_integral_value(rounding=ROUND_CEILING)
    price = int(-(-raw // round_to) * round_to)
    while price_breakdown(price, policy).artisan_share < target:  # half-up rounding can cost a centavo
        price += round_to
    return price


@dataclass(frozen=True)
class CommissionTerms:
    """What a made-to-order garment costs the buyer and brings her, frozen when the buyer accepts.

    Buyer amounts are in `currency` minor units and peso amounts in centavos; each pair adds up to its
    total to the unit: deposit + balance = total, deposit_mxn + balance_mxn = price_mxn,
    advance + remaining_share = artisan_share.
    """
    currency: str
    rate: Decimal
    total: int
    deposit: int
    balance: int
    price_mxn: int
    deposit_mxn: int
    balance_mxn: int
    commission_bp: int
    artisan_share: int
    advance: int
    remaining_share: int


def commission_terms(price_mxn: int, deposit_bp: int, rate: Decimal, currency: str,
                     policy: FeePolicy) -> CommissionTerms:
    """Split a quoted price into deposit and balance, and her share into advance and remaining credit.

    The buyer's total is converted once at the frozen `rate`; the deposit is `deposit_bp` of it and the
    balance is the rest, so what she pays twice adds up to the quoted price whatever rates do later.
    Her share is the storefront's breakdown of the peso price (commission and estimated card fee, as the
    calculator showed her when she quoted); the advance is the deposit's share of it.
    """
    if price_mxn <= 0:
        raise ValueError("price must be positive")
    if not 5000 <= deposit_bp <= BASIS_POINTS:
        raise ValueError("deposit share must be between 50 % and 100 %")
    total = convert_from_mxn(price_mxn, rate, currency)
    deposit = percent_of(total, deposit_bp)
    deposit_mxn = percent_of(price_mxn, deposit_bp)
    share = price_breakdown(price_mxn, policy).artisan_share
    advance = percent_of(share, deposit_bp)
    return CommissionTerms(currency=currency, rate=Decimal(rate), total=total, deposit=deposit,
                           balance=total - deposit, price_mxn=price_mxn, deposit_mxn=deposit_mxn,
                           balance_mxn=price_mxn - deposit_mxn, commission_bp=policy.commission_bp,
                           artisan_share=share, advance=advance, remaining_share=share - advance)
