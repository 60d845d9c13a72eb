"""URLs of an image's derivatives, for templates (srcset with WebP and a JPEG fallback)."""
from flask import g, url_for

from storefront.media.pipeline import derivative_name, derivative_widths


def derivatives_prefix():
    """The URL of the derivatives' folder, built once a request (a catalog page shows ~150 URLs)."""
    prefix = g.get("media_derivatives_prefix")
    if prefix is None:
        prefix = g.media_derivatives_prefix = url_for("media.derivative", name="x")[:-1]
    return prefix


def image_src(content_hash, width, ext="jpg"):
    # Names are a hex hash, a width and an extension: nothing to quote.
    return derivatives_prefix() + derivative_name(content_hash, width, ext)


def image_srcset(content_hash, original_width, ext):
    prefix = derivatives_prefix()  # once for every width
    return ", ".join(f"{prefix}{derivative_name(content_hash, w, ext)} {w}w"
                     for w in derivative_widths(original_width))
