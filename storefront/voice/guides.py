"""Listen instead of read: a short spoken explanation of each studio screen, per language.

Staff record them (any interface language); the studio plays the one in her interface language,
else the Spanish one, else none.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from storefront.accounts.services import audit
from storefront.extensions import db
from storefront.i18n import INDIGENOUS_LOCALES, INTERFACE_FALLBACK, LOCALES
from storefront.media.audio import StoredAudio
from storefront.models import ScreenGuide
from storefront.voice.stories import remove_unused_files

# The screen a studio page is, by endpoint (the new and edit forms are one screen).
SCREEN_OF_ENDPOINT = {"studio.index": "garments", "studio.new_garment": "garment_form",
                      "studio.edit_garment": "garment_form", "studio.price_calculator": "calculator",
                      "studio.profile": "profile"}
SCREEN_NAMES = {"garments": _l("My garments"), "garment_form": _l("Add a garment"),
                "calculator": _l("Fair price"), "profile": _l("My story")}
GUIDE_LANGUAGES = INDIGENOUS_LOCALES + tuple(code for code in LOCALES)


def guide_for(endpoint, language):
    """The guide of the screen at `endpoint` in `language`, else in Spanish, else None."""
    screen = SCREEN_OF_ENDPOINT.get(endpoint)
    if screen is None:
        return None
    rows = db.session.scalars(select(ScreenGuide).where(
        ScreenGuide.screen == screen, ScreenGuide.language.in_({language, INTERFACE_FALLBACK}))).all()
    by_language = {row.language: row for row in rows}
    return by_language.get(language) or by_language.get(INTERFACE_FALLBACK)


def all_guides():
    """{(screen, language): guide} for the staff page."""
    return {(g.screen, g.language): g for g in db.session.scalars(select(ScreenGuide))}


def record_guide(screen, language, stored: StoredAudio):
    """Keep a recording as the guide of `screen` in `language`, replacing the previous one."""
    if screen not in SCREEN_NAMES or language not in GUIDE_LANGUAGES:
        raise ValueError("unknown screen or language")
    guide = db.session.scalar(select(ScreenGuide).where(ScreenGuide.screen == screen,
                                                        ScreenGuide.language == language))
    old_hash = guide.content_hash if guide is not None else None
    if guide is None:
        guide = ScreenGuide(screen=screen, language=language)
        db.session.add(guide)
    guide.content_hash, guide.duration_ms, guide.size_bytes = (stored.content_hash, stored.duration_ms,
                                                               stored.size_bytes)
    db.session.flush()
    audit("guide.record", "screen_guide", guide.id, changes={"screen": [None, screen],
                                                             "language": [None, language]})
    db.session.commit()
    if old_hash and old_hash != stored.content_hash:
        remove_unused_files({old_hash})
    return guide


def remove_guide(guide):
    content_hash = guide.content_hash
    audit("guide.remove", "screen_guide", guide.id)
    db.session.delete(guide)
    db.session.commit()
    remove_unused_files({content_hash})
