"""Turn an uploaded photo into public derivatives with no metadata at all.

Steps: verify it is an image, refuse bombs, apply EXIF orientation, convert to sRGB, drop every bit
of metadata (GPS!), write WebP and JPEG at 160/320/640/1280 px named by the content hash.
"""
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from storefront.media.storage import private_dir, public_dir, write_atomically

# 160: a catalog card or a portrait on a 360 px phone (two cards a row) at one device pixel per CSS
# pixel, a quarter of the bytes of the 320 a denser screen picks. After adding a width, run
# `flask media derivatives` once to make it for the photos already stored.
WIDTHS = (160, 320, 640, 1280)
FORMATS = {
    "webp": ("WEBP", {"quality": 72, "method": 4}),
    "jpg": ("JPEG", {"quality": 78, "optimize": True, "progressive": True}),
}
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Refuse bombs at open time too (Pillow only warns between its limit and twice it).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False

REJECTION_MESSAGES = {
    "empty": _l("This file is empty. Choose the photo again."),
    "too_big": _l("This photo is too big (more than 20 MB). Take it again or choose a smaller one."),
    "too_many_pixels": _l("This photo has too many pixels (more than 40 megapixels). Choose a smaller one."),
    "format": _l("This file is not a photo we can use. Send a JPEG, PNG or WebP photo."),
    "not_an_image": _l("This file is not a photo. Choose a photo from the camera or the gallery."),
    "truncated": _l("This photo arrived incomplete. Send it again."),
    "too_many_uploads": _l("Several photos are still on their way. Wait until they arrive, then send "
                           "this one."),
    "uploads_too_big": _l("The photos on their way are too big together. Wait until they arrive, then "
                          "send this one."),
}


def rejection_message(code):
    """The plain-language message for an ImageRejected code."""
    return REJECTION_MESSAGES.get(code, REJECTION_MESSAGES["not_an_image"])


class ImageRejected(ValueError):
    """The upload is not an acceptable photo; `code` picks the message shown to the user."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StoredImage:
    content_hash: str
    original_path: str
    width: int
    height: int


def derivative_name(content_hash, width, ext):
    return f"{content_hash}-{width}.{ext}"


def derivative_widths(original_width):
    """Widths to produce: never upscale, but always at least the smallest."""
    widths = [w for w in WIDTHS if w <= original_width]
    return widths or [original_width]


def open_verified(data: bytes) -> Image.Image:
    """Open bytes as an image, whatever the file name said; raise ImageRejected otherwise.

    JPEGs are decoded in draft mode at the smallest DCT scale still covering the largest derivative
    on both sides (whatever the EXIF orientation), which makes a 12 MP photo cheap to decode.
    """
    if not data:
        raise ImageRejected("empty")
    if len(data) > MAX_BYTES:
        raise ImageRejected("too_big")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ImageRejected("format")
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRejected("too_many_pixels")
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format == "JPEG":
            largest = WIDTHS[-1]
            image.draft("RGB" if image.mode == "RGB" else None, (largest, largest))
        image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("too_many_pixels") from None
    except OSError as error:
        if "truncated" in str(error) or "broken data stream" in str(error):
            raise ImageRejected("truncated") from None
        raise ImageRejected("not_an_image") from None
    except (UnidentifiedImageError, SyntaxError, ValueError, EOFError, MemoryError):
        raise ImageRejected("not_an_image") from None
    return image


def to_srgb(image: Image.Image) -> Image.Image:
    """Apply EXIF orientation and convert to sRGB RGB (transparency flattened on white)."""
    image = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the pixels as they are rather than refuse the photo
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    return image


def without_metadata(image: Image.Image) -> Image.Image:
    """A fresh image with the same pixels and an empty info dict: no EXIF, XMP, ICC, GPS or comments."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def render_derivatives(image: Image.Image, content_hash: str) -> dict:
    """name -> encoded bytes for every width and format; nothing written yet.

    Widths are made largest first, each from the previous one, so the big decode is resized once.
    """
    files = {}
    source = image
    for width in sorted(derivative_widths(image.width), reverse=True):
        height = max(1, round(image.height * width / image.width))
        if width != source.width:
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)
        clean = without_metadata(source)
        for ext, (fmt, options) in FORMATS.items():
            buffer = io.BytesIO()
            clean.save(buffer, fmt, **options)
            files[derivative_name(content_hash, width, ext)] = buffer.getvalue()
    return files


@dataclass(frozen=True)
class ProcessedImage:
    """A photo turned into derivatives in memory, not yet written anywhere."""
    content_hash: str
    width: int
    height: int
    derivatives: dict


def process_image(data: bytes) -> ProcessedImage:
    """Verify and convert an upload; pure (no files). Raises ImageRejected."""
    image = to_srgb(open_verified(data))
    content_hash = hashlib.sha256(data).hexdigest()[:32]
    return ProcessedImage(content_hash=content_hash, width=image.width, height=image.height,
                          derivatives=render_derivatives(image, content_hash))


def original_relpath(content_hash: str) -> str:
    return f"{content_hash[:2]}/{content_hash}"


def store_image(data: bytes) -> StoredImage:
    """Process an upload and write the private original and public derivatives; returns what to record.

    Raises ImageRejected before any file is written; a failed write removes what it wrote.
    """
    processed = process_image(data)
    original_rel = original_relpath(processed.content_hash)
    written = []
    try:
        original = private_dir() / original_rel
        if not original.exists():
            write_atomically(original, data)
            written.append(original)
        for name, payload in processed.derivatives.items():
            path = public_dir() / name
            if not path.exists():
                write_atomically(path, payload)
                written.append(path)
    except BaseException:
        for path in written:
            Path(path).unlink(missing_ok=True)
        raise
    return StoredImage(content_hash=processed.content_hash, original_path=original_rel, width=processed.width,
                       height=processed.height)


def complete_derivatives() -> tuple[int, int]:
    """Make every derivative missing from the public folder (a width added since a photo was stored)
    from the private originals; returns (originals read, files written). Idempotent."""
    originals = written = 0
    for original in sorted(private_dir().glob("??/*")):
        smallest = public_dir() / derivative_name(original.name, WIDTHS[0], "webp")
        if not original.is_file() or smallest.exists():
            continue
        try:
            processed = process_image(original.read_bytes())
        except ImageRejected:
            continue  # kept private and never shown: nothing to derive
        originals += 1
        for name, payload in processed.derivatives.items():
            path = public_dir() / name
            if not path.exists():
                write_atomically(path, payload)
                written += 1
    return originals, written


def delete_files(content_hash: str, original_path: str) -> None:
    """Remove an image's files (used when the database write that needed them fails)."""
    (private_dir() / original_path).unlink(missing_ok=True)
    for path in public_dir().glob(f"{content_hash}-*"):
        path.unlink(missing_ok=True)
