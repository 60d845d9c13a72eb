"""Which language and currency a visitor sees.

Locale: an explicit choice (`?lang=` , remembered in the session) > the logged-in user's preference >
Accept-Language > the area's default (Spanish in the studio and cooperative pages, English for buyers).
Tsotsil (`tzo`) and Tseltal (`tzh`) are interface languages without CLDR data: Babel cannot format for
them, so Flask-Babel's locale is Spanish (formatted as es_MX) while the interface text comes from their
catalogue with Spanish as the fallback (InterfaceDomain, below). They are offered in the studio and
cooperative pages, and on public pages only when the cooperative turns that on.
Currency: `?currency=` (remembered) > the currency of the country her browser names (en-GB → GBP,
fr-CA → CAD, ja → JPY) when the shop sells in it > a default for the locale. Unknown codes are ignored.
"""
from functools import lru_cache

from babel import support
from babel.core import Locale, UnknownLocaleError, get_global
from babel.numbers import get_territory_currencies
from flask import current_app, g, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale, get_translations
from flask_login import current_user

from storefront.cooperative import settings_values
from storefront.money import BUYER_CURRENCIES

LOCALES = ("en", "es", "fr", "de")
BUYER_DEFAULT_LOCALE = "en"
STAFF_DEFAULT_LOCALE = "es"
STAFF_BLUEPRINTS = ("studio", "accounts", "earnings", "orders", "staff")
CURRENCY_FOR_LOCALE = {"en": "USD", "es": "MXN", "fr": "EUR", "de": "EUR"}
LOCALE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch",
                # Each language by its own name (autonym), then the name Spanish readers know.
                "tzo": "Batsʼi kʼop (tsotsil)", "tzh": "Batsʼil kʼop (tseltal)"}
# Languages CLDR lacks: never handed to Babel (UnknownLocaleError); formatted as Spanish (es_MX) and
# their untranslated strings shown in Spanish.
INDIGENOUS_LOCALES = ("tzo", "tzh")
INTERFACE_FALLBACK = "es"


def _valid_locale(value):
    value = (value or "").strip().lower().replace("-", "_").split("_")[0]
    return value if value in LOCALES else None


def _valid_currency(value):
    value = (value or "").strip().upper()
    return value if value in BUYER_CURRENCIES else None


def _valid_interface_language(value):
    """A Babel locale of the interface, or tzo / tzh."""
    value = (value or "").strip().lower().replace("-", "_").split("_")[0]
    return value if value in LOCALES or value in INDIGENOUS_LOCALES else None


def remember_choices():
    """Store an explicit `lang` or `currency` choice from the query string in the session."""
    lang = _valid_interface_language(request.args.get("lang"))
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


def indigenous_languages_offered():
    """tzo and tzh are offered here: always in the studio and staff pages, on public pages by choice."""
    if is_staff_area():
        return True
    return bool(settings_values().public_indigenous_languages)


def interface_language():
    """The language of this page's text: a Babel locale, or tzo / tzh where they are offered."""
    if "interface_language" not in g:
        g.interface_language = _choose_interface_language()
    return g.interface_language


def _choose_interface_language():
    chosen = (_valid_interface_language(request.args.get("lang"))
              or _valid_interface_language(session.get("lang")))
    if chosen is None and current_user and current_user.is_authenticated:
        chosen = _valid_interface_language(current_user.locale)
    if chosen in INDIGENOUS_LOCALES:
        # Not offered here (a public page the cooperative keeps in Babel's languages): Spanish, the
        # language she reads second, rather than the browser's.
        return chosen if indigenous_languages_offered() else INTERFACE_FALLBACK
    if chosen:
        return chosen
    if is_staff_area():
        return STAFF_DEFAULT_LOCALE
    return visitor_locale(None, request.accept_languages)


def select_locale():
    """Flask-Babel locale selector: never tzo or tzh (Babel has no data for them), Spanish instead."""
    language = interface_language()
    return INTERFACE_FALLBACK if language in INDIGENOUS_LOCALES else language


def interface_languages():
    """The languages the switcher offers on this page."""
    return LOCALES + INDIGENOUS_LOCALES if indigenous_languages_offered() else LOCALES


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
    """What every page template may read about the visitor; outside a request (a command rendering a
    page for a test, say) only what does not depend on a visitor."""
    if not has_request_context():
        return {"LOCALES": LOCALES, "LOCALE_NAMES": LOCALE_NAMES, "CURRENCIES": BUYER_CURRENCIES}
    return {
        "current_locale": current_locale(),
        "interface_language": interface_language(),
        "INTERFACE_LANGUAGES": interface_languages(),
        "current_currency": current_currency(),
        "LOCALES": LOCALES,
        "LOCALE_NAMES": LOCALE_NAMES,
        "CURRENCIES": BUYER_CURRENCIES,
    }


class InterfaceDomain(Domain):
    """The message domain of every page: Babel's for its locales; for tzo and tzh their catalogue,
    each string it lacks looked up in Spanish (never English), as SearXNG does for languages CLDR lacks."""

    def get_translations(self):
        if not has_request_context() or interface_language() not in INDIGENOUS_LOCALES or _forced_locale():
            return super().get_translations()
        language = interface_language()
        cache = self.get_translations_cache(None)
        key = (language, self.domain[0])
        if key not in cache:
            translations = self._load(language)
            translations.add_fallback(self._load(INTERFACE_FALLBACK))
            cache[key] = translations
        return cache[key]

    def get_translations_cache(self, ctx):
        """Loaded catalogues, kept per app (each app may read its own translation directories)."""
        return current_app.extensions.setdefault("interface_translations", {})

    def _load(self, language):
        """One language's catalogues from every translation directory (tzo is a plain directory name
        for gettext: no Locale is built from it)."""
        merged = support.Translations()
        for dirname in self.translation_directories:
            catalogue = support.Translations.load(dirname, [language], self.domain[0])
            if isinstance(catalogue, support.Translations):
                merged.merge(catalogue)
                merged.plural = catalogue.plural
        return merged


def _forced_locale():
    """The locale of an enclosing `force_locale` block (an email in the buyer's language), or None."""
    return getattr(g.get("_flask_babel"), "forced_babel_locale", None)


def page_translations():
    """The catalogue of the text being rendered, looked up once per locale and request.

    A page translates some sixty strings; Flask-Babel finds the catalogue again for each through a
    dozen context lookups. The copy is keyed by the Babel locale object in force, so a `force_locale`
    block (an email in the buyer's language) gets its own.
    """
    babel_context = g.get("_flask_babel")
    locale, forced = getattr(babel_context, "babel_locale", None), _forced_locale()
    memo = g.get("page_translations")
    if memo is None or locale is None or memo[0] is not locale or memo[1] is not forced:
        translations = get_translations()  # sets the locale in Babel's context when it was not yet
        locale = getattr(g.get("_flask_babel"), "babel_locale", None)
        memo = g.page_translations = (locale, forced, translations)
    return memo[2]


def install_template_gettext(app):
    """Templates translate through page_translations (the same catalogue Flask-Babel would find)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True)


class InterfaceBabel(Babel):
    """Flask-Babel whose message domain follows the interface language (see InterfaceDomain)."""

    _interface_domain = None

    @property
    def domain_instance(self):
        if self._interface_domain is None:
            self._interface_domain = InterfaceDomain(domain=self.domain)
        return self._interface_domain


babel = InterfaceBabel()  # tzo and tzh fall back to Spanish
