"""Photos on their way into a garment: resumable uploads and signed "pending photo" tokens.

A slow 3G link drops: the phone sends a photo in chunks to `incoming/<id>.part`, asks how much arrived
and carries on from there. A finished upload goes through the pipeline at once and comes back as a
pending token, which the garment form carries in a hidden field; a failed form submit keeps its
accepted photos that way, so she does not send them again. Tokens are signed and bound to one user.
"""
import json
import re
import secrets
import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from storefront.media.pipeline import MAX_BYTES, ImageRejected, StoredImage, store_image
from storefront.media.storage import media_root, private_dir

UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_CHUNK = 1024 * 1024
# One person's open (unfinished) uploads: the form sends photos one after another, so a few leave room
# for a retry after a dropped connection, and nobody can reserve the disk with hundreds of them.
MAX_OPEN_UPLOADS = 4
MAX_OPEN_BYTES = 2 * MAX_BYTES
OPEN_UPLOAD_SECONDS = 24 * 3600  # older ones are abandoned (pruned), and no longer count
MAX_BYTES_PLUS_ONE = MAX_BYTES + 1  # read one byte more than allowed, to tell "too big"


class UploadNotFound(LookupError):
    """No such upload for this user (or it expired)."""


class OffsetMismatch(Exception):
    """The chunk does not start where the upload stands; the client resumes from `received`."""

    def __init__(self, received):
        super().__init__(received)
        self.received = received


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="telar-pending-photo")


def pending_token(stored: StoredImage, user_id: int) -> str:
    return _serializer().dumps({"h": stored.content_hash, "p": stored.original_path, "w": stored.width,
                                "y": stored.height, "u": user_id})


def read_pending_token(token: str, user_id: int):
    """The StoredImage behind a token made for this user whose files still exist, else None."""
    try:
        data = _serializer().loads(token or "")
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id:
        return None
    stored = StoredImage(content_hash=data["h"], original_path=data["p"], width=data["w"], height=data["y"])
    if not (private_dir() / stored.original_path).exists():
        return None
    return stored


def incoming_dir():
    return media_root() / "incoming"


def _paths(upload_id):
    if not UPLOAD_ID.match(upload_id or ""):
        raise UploadNotFound(upload_id)
    base = incoming_dir() / upload_id
    return base.with_suffix(".part"), base.with_suffix(".json")


def _meta(upload_id, user_id):
    part, meta_path = _paths(upload_id)
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        raise UploadNotFound(upload_id) from None
    if meta.get("user") != user_id:
        raise UploadNotFound(upload_id)
    return part, meta_path, meta


def start_upload(user_id: int, size: int) -> str:
    """Open a resumable upload of `size` bytes; refused at once when the photo is too big or empty."""
    if size <= 0:
        raise ImageRejected("empty")
    if size > MAX_BYTES:
        raise ImageRejected("too_big")
    open_sizes = open_upload_sizes(user_id)
    if len(open_sizes) >= MAX_OPEN_UPLOADS:
        raise ImageRejected("too_many_uploads")
    if sum(open_sizes) + size > MAX_OPEN_BYTES:
        raise ImageRejected("uploads_too_big")
    upload_id = secrets.token_hex(16)
    part, meta_path = _paths(upload_id)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"")
    meta_path.write_text(json.dumps({"user": user_id, "size": size, "started": time.time()}))
    return upload_id


def open_upload_sizes(user_id: int) -> list[int]:
    """Announced sizes of this person's unfinished uploads of the last day."""
    if not incoming_dir().exists():
        return []
    cutoff = time.time() - OPEN_UPLOAD_SECONDS
    sizes = []
    for meta_path in incoming_dir().glob("*.json"):
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            continue
        if meta.get("user") == user_id and meta.get("started", 0) >= cutoff:
            sizes.append(int(meta.get("size", 0)))
    return sizes


def upload_status(upload_id: str, user_id: int) -> tuple[int, int]:
    """(bytes received, bytes expected)."""
    part, _, meta = _meta(upload_id, user_id)
    return part.stat().st_size, meta["size"]


def append_chunk(upload_id: str, user_id: int, offset: int, data: bytes) -> int:
    """Add a chunk at `offset`; a repeated or early chunk raises OffsetMismatch with where to resume."""
    part, _, meta = _meta(upload_id, user_id)
    received = part.stat().st_size
    if offset != received:
        raise OffsetMismatch(received)
    if len(data) > MAX_CHUNK or received + len(data) > meta["size"]:
        discard_upload(upload_id, user_id)
        raise ImageRejected("too_big")
    with part.open("ab") as handle:
        handle.write(data)
    return received + len(data)


def finish_upload(upload_id: str, user_id: int) -> StoredImage:
    """Run the complete upload through the pipeline; the staging files are removed either way."""
    part, _, meta = _meta(upload_id, user_id)
    try:
        data = part.read_bytes()
    finally:
        discard_upload(upload_id, user_id)
    if len(data) != meta["size"]:
        raise ImageRejected("truncated")
    return store_image(data)


def discard_upload(upload_id: str, user_id: int) -> None:
    part, meta_path = _paths(upload_id)
    part.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


def prune_incoming(older_than_seconds: int = 24 * 3600) -> int:
    """Remove abandoned uploads; returns how many files were removed."""
    removed = 0
    cutoff = time.time() - older_than_seconds
    if not incoming_dir().exists():
        return 0
    for path in incoming_dir().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def prune_unused(older_than_seconds: int = 24 * 3600) -> int:
    """Remove photos (original + derivatives) that no garment, portrait or commission uses, once old enough.

    These are pending photos of forms never saved; the age keeps a form being filled in right now safe.
    """
    from sqlalchemy import select

    from storefront.extensions import db
    from storefront.media.pipeline import delete_files
    from storefront.models import Artisan, ArtisanUpdate, Commission, CommissionPost, ProductImage

    used = set(db.session.scalars(select(ProductImage.content_hash)))
    used |= {h for h in db.session.scalars(select(Artisan.portrait_hash)) if h}
    used |= {h for h in db.session.scalars(select(ArtisanUpdate.photo_hash)) if h}
    used |= {h for h in db.session.scalars(select(Commission.reference_photo_hash)) if h}
    used |= {h for h in db.session.scalars(select(CommissionPost.photo_hash)) if h}
    cutoff = time.time() - older_than_seconds
    removed = 0
    if not private_dir().exists():
        return 0
    for original in private_dir().glob("*/*"):
        content_hash = original.name
        if content_hash in used or original.stat().st_mtime >= cutoff:
            continue
        delete_files(content_hash, f"{original.parent.name}/{content_hash}")
        removed += 1
    return removed
