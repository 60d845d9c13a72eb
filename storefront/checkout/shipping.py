"""Shipping zones and rates: which zone a country is in, what a parcel costs, where Stripe may ship."""
from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.extensions import db
from storefront.models import ShippingRate, ShippingZone
from storefront.money import to_minor
from storefront.payments.client import checkout_countries

REST_OF_WORLD = "*"
# Not countries a parcel can be addressed to, though Stripe's list has them ("unknown region").
NOT_A_DESTINATION = {"ZZ"}


# The zones the cooperative starts with (migration 0002), named in the reader's language while the
# admin keeps their first name; a zone she renames is shown as she wrote it.
ZONE_NAMES = {
    "mx": ("México", _l("Mexico")),
    "us-ca": ("United States and Canada", _l("United States and Canada")),
    "europe": ("Europe", _l("Europe")),
    "world": ("Rest of the world", _l("Rest of the world")),
}


def zone_name(zone) -> str:
    """A zone's name for the reader: translated for the starting zones, else as the admin named it."""
    first_name, translated = ZONE_NAMES.get(zone.code, (None, None))
    return str(translated) if zone.name == first_name else zone.name


def band_text(rate, locale=None) -> str:
    """A band's range with its unit: "0–1,000 g", "from 3,001 g", "1–3 garments"."""
    from storefront import formatting
    if rate.basis == "weight":
        return formatting.value_range(rate.min_value, rate.max_value, "mass-gram", locale)
    if rate.max_value is None:
        return ngettext("%(num)d garment or more", "%(num)d garments or more", rate.min_value)
    return ngettext("%(low)s–%(num)d garment", "%(low)s–%(num)d garments", rate.max_value,
                    low=formatting.number(rate.min_value, locale))


def zones():
    return db.session.execute(select(ShippingZone).order_by(ShippingZone.position, ShippingZone.id)
                              .options(selectinload(ShippingZone.rates))).scalars().all()


def zone_countries(zone) -> list[str]:
    return [c.strip().upper() for c in zone.countries.split(",") if c.strip() and c.strip() != REST_OF_WORLD]


def all_countries(locale="en") -> dict:
    """ISO alpha-2 code -> country name in `locale`, for every country Stripe Checkout ships to.

    The codes are Stripe's own list (`payments.client.checkout_countries`); Babel only names them.
    """
    names = Locale.parse(locale).territories
    return {code: names.get(code, code) for code in sorted(checkout_countries() - NOT_A_DESTINATION)}


def zone_for_country(country: str, all_zones=None):
    """The zone listing `country`, else the rest-of-the-world zone, else None."""
    country = (country or "").strip().upper()
    all_zones = all_zones if all_zones is not None else zones()
    for zone in all_zones:
        if country in zone_countries(zone):
            return zone
    if country in all_countries():
        for zone in all_zones:
            if REST_OF_WORLD in zone.countries.split(","):
                return zone
    return None


def allowed_countries(zone, all_zones=None) -> list[str]:
    """Countries the buyer may enter at Stripe for this zone (its own, or every unlisted one)."""
    if REST_OF_WORLD not in zone.countries.split(","):
        return sorted(c for c in zone_countries(zone) if c in checkout_countries())
    taken = {c for z in (all_zones if all_zones is not None else zones()) for c in zone_countries(z)}
    return sorted(c for c in all_countries() if c not in taken)


def rate_for(zone, weight_grams: int, items: int):
    """The cheapest band of the zone that covers this parcel (by weight or by item count), or None."""
    fitting = []
    for rate in zone.rates:
        value = weight_grams if rate.basis == "weight" else items
        if rate.min_value <= value and (rate.max_value is None or value <= rate.max_value):
            fitting.append(rate)
    return min(fitting, key=lambda r: (r.amount, r.id)) if fitting else None


def parse_band(name, basis, min_value, max_value, amount_major, days_min=None, days_max=None):
    """A validated ShippingRate (not added) from form values, or ValueError with a code."""

    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValueError("name")
    if basis not in ("weight", "items"):
        raise ValueError("basis")
    try:
        low = int(min_value or 0)
        high = int(max_value) if str(max_value or "").strip() else None
        amount = to_minor(str(amount_major).strip(), "MXN")
        day_range = [int(days) if days else None for days in (days_min, days_max)]
    except (TypeError, ValueError, ArithmeticError):
        raise ValueError("number") from None
    if low < 0 or (high is not None and high < low) or amount < 0 or amount > 10_000_000:
        raise ValueError("range")
    # Integer columns: a weight or a day count past them is a typo, refused here rather than by the database.
    if max(low, high or 0) > 10_000_000 or any(d is not None and not 0 <= d <= 365 for d in day_range):
        raise ValueError("range")
    return ShippingRate(name=name, basis=basis, min_value=low, max_value=high, amount=amount, currency="MXN",
                        delivery_days_min=day_range[0], delivery_days_max=day_range[1])
