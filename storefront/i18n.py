"""Which language and currency a visitor sees.

Locale: an explicit choice (`?lang=` , remembered in the session) > the logged-in user's preference >
Accept-Language > the area's default (Spanish in the studio and cooperative pages, English for buyers).
Currency: `?currency=` (remembered) > the currency of the country her browser names (en-GB → GBP,
fr-CA → CAD, ja → JPY) when the shop sells in it > a default for the locale. Unknown codes are ignored.
"""
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError, get_global
from babel.numbers import get_territory_currencies
from flask import g, request, session
from flask_babel import get_locale
from flask_login import current_user

from storefront.money import BUYER_CURRENCIES

LOCALES = ("en", "es", "fr", "de")
BUYER_DEFAULT_LOCALE = "en"
STAFF_DEFAULT_LOCALE = "es"
STAFF_BLUEPRINTS = ("studio", "accounts", "earnings", "orders", "staff")
CURRENCY_FOR_LOCALE = {"en": "USD", "es": "MXN", "fr": "EUR", "de": "EUR"}
LOCALE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch"}


def _valid_locale(value):
    value = (value or "").strip().lower().replace("-", "_").split("_")[0]
    return value if value in LOCALES else None


def _valid_currency(value):
    value = (value or "").strip().upper()
    return value if value in BUYER_CURRENCIES else None


def remember_choices():
    """Store an explicit `lang` or `currency` choice from the query string in the session."""
    lang = _valid_locale(request.args.get("lang"))
    if lang and session.get("lang") != lang:
        session["lang"] = lang
    currency = _valid_currency(request.args.get("currency"))
    if currency and session.get("currency") != currency:
        session["currency"] = currency


STAFF_PATH_PREFIXES = ("/coop",)


def is_staff_area():
    return request.blueprint in STAFF_BLUEPRINTS or request.path.startswith(STAFF_PATH_PREFIXES)


def visitor_locale(chosen, accept_languages):
    """A buyer's locale without a logged-in user: her explicit choice, else her browser's languages.

    Pure (no request context), so the page cache computes the same answer as the rendered page.
    """
    return _valid_locale(chosen) or accept_languages.best_match(LOCALES) or BUYER_DEFAULT_LOCALE


def visitor_currency(chosen, locale, accept_languages=()):
    """Her explicit currency choice, else her country's (from her browser's first language), else the
    usual one for her language. Pure, like visitor_locale, for the page cache."""
    first_tag = next(iter(accept_languages), (None,))[0]
    return (_valid_currency(chosen) or _currency_of_language_tag(first_tag)
            or CURRENCY_FOR_LOCALE.get(locale, "USD"))


@lru_cache(maxsize=512)
def _currency_of_language_tag(tag):
    """The currency of the country in a language tag, if the shop sells in it: en-GB → GBP, es-ES → EUR.

    A bare tag of a language the interface speaks (en, es, fr, de) names no country: a plain `es` is
    more often a Mexican visitor than a Spaniard, so it keeps that language's default. A bare tag of
    another language stands for the country most of its speakers live in (ja → Japan → JPY).
    """
    if not tag or tag == "*" or len(tag) > 35:  # 35: the longest tag worth reading (RFC 5646 §4.4.1)
        return None
    try:
        parsed = Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    territory = parsed.territory
    if territory is None and parsed.language not in CURRENCY_FOR_LOCALE:
        likely = get_global("likely_subtags").get(parsed.language)
        territory = Locale.parse(likely).territory if likely else None
    if territory is None:
        return None
    return next((c for c in get_territory_currencies(territory, tender=True) if c in BUYER_CURRENCIES), None)


def select_locale():
    """Flask-Babel locale selector."""
    explicit = _valid_locale(request.args.get("lang")) or _valid_locale(session.get("lang"))
    if explicit:
        return explicit
    if current_user and current_user.is_authenticated and _valid_locale(current_user.locale):
        return current_user.locale
    if is_staff_area():
        return STAFF_DEFAULT_LOCALE
    return visitor_locale(None, request.accept_languages)


def select_timezone():
    return "America/Mexico_City"


def current_locale():
    return str(get_locale() or BUYER_DEFAULT_LOCALE)


def current_currency():
    """The buyer's currency: explicit choice, else her country's, else the usual one for her language."""
    if "currency" not in g:
        g.currency = visitor_currency(_valid_currency(request.args.get("currency"))
                                      or session.get("currency"), current_locale(), request.accept_languages)
    return g.currency


def template_context():
    return {
        "current_locale": current_locale(),
        "current_currency": current_currency(),
        "LOCALES": LOCALES,
        "LOCALE_NAMES": LOCALE_NAMES,
        "CURRENCIES": BUYER_CURRENCIES,
    }
