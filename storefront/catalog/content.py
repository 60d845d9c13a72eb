"""Per-language content: pick the visitor's language, else the one that exists, and say so."""
from dataclasses import dataclass

FALLBACK_ORDER = ("en", "es", "fr", "de")


@dataclass(frozen=True)
class Localized:
    value: object        # the translation row
    locale: str          # the language it is in
    is_fallback: bool    # True when the visitor's language was missing


def pick_translation(translations, locale):
    """The translation in `locale`, else English, else Spanish, else any."""
    by_locale = {t.locale: t for t in translations}
    if locale in by_locale:
        return Localized(by_locale[locale], locale, False)
    for candidate in FALLBACK_ORDER:
        if candidate in by_locale:
            return Localized(by_locale[candidate], candidate, True)
    return None
