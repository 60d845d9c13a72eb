"""Turn an uploaded photo into public derivatives with no metadata at all.

Steps: verify it is an image, refuse bombs, apply EXIF orientation, convert to sRGB, drop every bit
of metadata (GPS!), write WebP and JPEG at 320/640/1280 px named by the content hash.
"""
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from storefront.media.storage import private_dir, public_dir, write_atomically

WIDTHS = (320, 640, 1280)
FORMATS = {"webp": ("WEBP", {"quality": 72, "method": 4}), "jpg": ("JPEG", {"quality": 78, "optimize": True,
                                                                           "progressive": True})}
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000


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
    """Open bytes as an image, whatever the file name said; raise ImageRejected otherwise."""
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
            # Decode at reduced scale when the largest derivative is much smaller (JPEG draft mode).
            scale = max(1, image.width // (WIDTHS[-1] * 2))
            if scale >= 2:
                image.draft("RGB", (image.width // scale, image.height // scale))
        image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRejected("not_an_image") from None
    return image


def to_srgb(image: Image.Image) -> Image.Image:
    """Apply EXIF orientation and convert to sRGB RGB, dropping the embedded profile afterwards."""
    image = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                              outputMode="RGB")
        except (ImageCms.PyCMSError, OSError):
            pass
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    # A fresh image carries no info dict: no EXIF, no XMP, no ICC, no comments.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def render_derivatives(image: Image.Image, content_hash: str) -> dict:
    """name -> encoded bytes for every width and format; nothing written yet."""
    files = {}
    for width in derivative_widths(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS,
                                                                  reducing_gap=3.0)
        for ext, (fmt, options) in FORMATS.items():
            buffer = io.BytesIO()
            resized.save(buffer, fmt, **options)
            files[derivative_name(content_hash, width, ext)] = buffer.getvalue()
    return files


def store_image(data: bytes) -> StoredImage:
    """Process an upload and write the private original and public derivatives; returns what to record.

    Raises ImageRejected before any file is written.
    """
    image = open_verified(data)
    clean = to_srgb(image)
    content_hash = hashlib.sha256(data).hexdigest()[:32]
    files = render_derivatives(clean, content_hash)
    original_rel = f"{content_hash[:2]}/{content_hash}"
    written = []
    try:
        original = private_dir() / original_rel
        if not original.exists():
            write_atomically(original, data)
            written.append(original)
        for name, payload in files.items():
            path = public_dir() / name
            if not path.exists():
                write_atomically(path, payload)
                written.append(path)
    except BaseException:
        for path in written:
            Path(path).unlink(missing_ok=True)
        raise
    return StoredImage(content_hash=content_hash, original_path=original_rel, width=clean.width,
                       height=clean.height)


def delete_files(content_hash: str, original_path: str) -> None:
    """Remove an image's files (used when the database write that needed them fails)."""
    (private_dir() / original_path).unlink(missing_ok=True)
    for path in public_dir().glob(f"{content_hash}-*"):
        path.unlink(missing_ok=True)
