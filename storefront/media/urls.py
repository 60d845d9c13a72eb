"""URLs of an image's derivatives, for templates (srcset with WebP and a JPEG fallback)."""
from flask import url_for

from storefront.media.pipeline import derivative_name, derivative_widths


def image_src(content_hash, width, ext="jpg"):
    return url_for("media.derivative", name=derivative_name(content_hash, width, ext))


def image_srcset(content_hash, original_width, ext):
    return ", ".join(f"{image_src(content_hash, w, ext)} {w}w" for w in derivative_widths(original_width))
