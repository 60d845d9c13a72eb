"""News from her loom: dated updates on her profile, newest first, with an Atom feed per artisan."""
from sqlalchemy import select

from storefront.accounts.services import audit
from storefront.extensions import db
from storefront.media import audio
from storefront.media.pipeline import ImageRejected, delete_files, rejection_message, store_image
from storefront.models import Artisan, ArtisanUpdate, ProductImage
from storefront.voice.stories import remove_unused_files

MAX_BODY = 500
PAGE_UPDATES = 10


class UpdateRejected(ValueError):
    """Nothing to post, or a photo or recording refused; `message` is for her."""

    def __init__(self, code, message=None):
        super().__init__(code)
        self.code = code
        self.message = message


def post_update(artisan_id, body, photo_bytes=b"", voice_bytes=b""):
    """Check and keep an update; a refused photo or recording leaves no file behind."""
    body = (body or "").strip()[:MAX_BODY]
    if not body and not photo_bytes and not voice_bytes:
        raise UpdateRejected("empty")
    voice = photo = None
    try:
        if voice_bytes:
            voice = audio.store_audio(voice_bytes)
        if photo_bytes:
            photo = store_image(photo_bytes)
    except audio.AudioRejected as error:
        raise UpdateRejected("voice", audio.rejection_message(error.code)) from None
    except ImageRejected as error:
        if voice is not None:
            remove_unused_files({voice.content_hash})
        raise UpdateRejected("photo", rejection_message(error.code)) from None
    update = ArtisanUpdate(artisan_id=artisan_id, body=body,
                           photo_hash=photo.content_hash if photo else None,
                           photo_path=photo.original_path if photo else None,
                           photo_width=photo.width if photo else None,
                           voice_hash=voice.content_hash if voice else None,
                           voice_duration_ms=voice.duration_ms if voice else None)
    db.session.add(update)
    db.session.flush()
    audit("update.post", "artisan_update", update.id, artisan_id=artisan_id)
    db.session.commit()
    return update


def remove_update(update):
    photo = (update.photo_hash, update.photo_path)
    voice = update.voice_hash
    audit("update.remove", "artisan_update", update.id, artisan_id=update.artisan_id)
    db.session.delete(update)
    db.session.commit()
    if voice:
        remove_unused_files({voice})
    if photo[0] and not _photo_used(photo[0]):
        delete_files(*photo)


def _photo_used(content_hash):
    return any(db.session.scalar(select(column).where(column == content_hash).limit(1)) is not None
               for column in (ProductImage.content_hash, Artisan.portrait_hash, ArtisanUpdate.photo_hash))


def updates_of(artisan_id, limit=PAGE_UPDATES):
    """Her updates, newest first."""
    return db.session.scalars(select(ArtisanUpdate).where(ArtisanUpdate.artisan_id == artisan_id)
                              .order_by(ArtisanUpdate.created_at.desc(), ArtisanUpdate.id.desc())
                              .limit(limit)).all()
