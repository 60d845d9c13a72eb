"""Named actions on voice stories: record (replacing the previous one), write texts, find for a page.

The recording itself is checked and stored by storefront.media.audio; these functions keep the rows
and remove a replaced recording's file once no row uses it.
"""
from sqlalchemy import bindparam, select

from storefront.accounts.services import audit
from storefront.extensions import db
from storefront.kept import CATALOG, kept_while
from storefront.media.audio import StoredAudio, audio_path
from storefront.models import ArtisanUpdate, CommissionPost, ScreenGuide, VoiceStory, VoiceStoryText

SPOKEN_LANGUAGES = ("tzo", "tzh", "es")
TEXT_LOCALES = ("tzo", "tzh", "es", "en", "fr", "de")
MAX_TEXT = 5000


# Built once (a garment's page asks on every visit): her profile story, or a garment's.
_NEWEST_STORY = select(VoiceStory).where(VoiceStory.artisan_id == bindparam("artisan_id"))
PROFILE_STORY = _NEWEST_STORY.where(VoiceStory.product_id.is_(None)).order_by(VoiceStory.id.desc()).limit(1)
GARMENT_STORY = (_NEWEST_STORY.where(VoiceStory.product_id == bindparam("product_id"))
                 .order_by(VoiceStory.id.desc()).limit(1))


def story_of(artisan_id, product_id=None):
    """Her profile story (product_id None) or the story of one garment, with its texts."""
    if product_id is None:
        return db.session.scalars(PROFILE_STORY, {"artisan_id": artisan_id}).first()
    return db.session.scalars(GARMENT_STORY, {"artisan_id": artisan_id, "product_id": product_id}).first()


def public_story_of(artisan_id, product_id=None):
    """story_of() for public pages, which show it on every visit while most garments have none: whether
    there is one (its id) is kept in memory until a story or the catalog changes (storefront.kept)."""
    story_id = kept_while(CATALOG, ("voice_story", artisan_id, product_id),
                          lambda: getattr(story_of(artisan_id, product_id), "id", None))
    return db.session.get(VoiceStory, story_id) if story_id is not None else None


def record_story(artisan_id, stored: StoredAudio, spoken_language, product_id=None, commit=True):
    """Keep a new recording as her story (of a garment, or of herself); the old one goes."""
    if spoken_language not in SPOKEN_LANGUAGES:
        spoken_language = ""
    replaced = [s for s in db.session.scalars(select(VoiceStory).where(
        VoiceStory.artisan_id == artisan_id,
        VoiceStory.product_id.is_(None) if product_id is None else VoiceStory.product_id == product_id))]
    for old in replaced:
        db.session.delete(old)
    story = VoiceStory(artisan_id=artisan_id, product_id=product_id, content_hash=stored.content_hash,
                       duration_ms=stored.duration_ms, size_bytes=stored.size_bytes,
                       spoken_language=spoken_language)
    db.session.add(story)
    db.session.flush()
    audit("voice.record", "voice_story", story.id, artisan_id=artisan_id,
          changes={"product_id": [None, product_id], "seconds": [None, stored.duration_ms // 1000]})
    if commit:
        db.session.commit()
        remove_unused_files({old.content_hash for old in replaced})
    return story


def remove_story(story, commit=True):
    content_hash = story.content_hash
    audit("voice.remove", "voice_story", story.id, artisan_id=story.artisan_id)
    db.session.delete(story)
    if commit:
        db.session.commit()
        remove_unused_files({content_hash})


def set_texts(story, texts):
    """Transcript and translations: {locale: text}; an empty text removes that locale."""
    current = {t.locale: t for t in story.texts}
    changes = {}
    for locale, text in texts.items():
        if locale not in TEXT_LOCALES:
            continue
        text = (text or "").strip()[:MAX_TEXT]
        row = current.get(locale)
        if row is not None and not text:
            story.texts.remove(row)
            changes[locale] = ["set", None]
        elif row is None and text:
            story.texts.append(VoiceStoryText(locale=locale, text=text))
            changes[locale] = [None, "set"]
        elif row is not None and row.text != text:
            row.text = text
            changes[locale] = ["set", "changed"]
    if changes:
        audit("voice.texts", "voice_story", story.id, artisan_id=story.artisan_id, changes=changes)
    db.session.commit()
    return changes


def remove_unused_files(hashes):
    """Delete recordings no story, screen guide, news or commission post uses any more (after the commit
    that let go)."""
    for content_hash in hashes:
        used = db.session.scalar(select(VoiceStory.id)
                                 .where(VoiceStory.content_hash == content_hash).limit(1))
        used = used or db.session.scalar(select(ScreenGuide.id)
                                         .where(ScreenGuide.content_hash == content_hash).limit(1))
        used = used or db.session.scalar(select(ArtisanUpdate.id)
                                         .where(ArtisanUpdate.voice_hash == content_hash).limit(1))
        used = used or db.session.scalar(select(CommissionPost.id)
                                         .where(CommissionPost.voice_hash == content_hash).limit(1))
        if used is None:
            audio_path(content_hash).unlink(missing_ok=True)


def text_for_reader(story, locale):
    """(transcript, translation in the reader's language or None)."""
    transcript = story.text_in(story.spoken_language) if story.spoken_language else None
    translation = story.text_in(locale) if locale != story.spoken_language else None
    if translation is None and transcript is None:
        translation = story.text_in("es")
    return transcript, translation
