"""Image pipeline (Pillow) and storage: private originals, public derivatives named by content hash."""
from flask import Blueprint

bp = Blueprint("media", __name__)

from storefront.media import routes  # noqa: E402,F401
