import re

from flask import abort, send_from_directory

from storefront.accounts.permissions import PUBLIC, allow
from storefront.media import bp
from storefront.media.storage import public_dir

DERIVATIVE = re.compile(r"^[0-9a-f]{32}-\d{2,4}\.(webp|jpg)$")
ONE_YEAR = 365 * 24 * 3600


@bp.route("/media/<name>")
@allow(PUBLIC)
def derivative(name):
    """Public derivatives only; names carry the content hash, so they never change: cache forever."""
    if not DERIVATIVE.match(name):
        abort(404)
    response = send_from_directory(public_dir(), name, max_age=ONE_YEAR)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


AUDIO = re.compile(r"^[0-9a-f]{32}\.webm$")


@bp.route("/media/audio/<name>")
@allow(PUBLIC)
def audio(name):
    """A voice story (Opus in WebM); named by content hash like the photos, so cached forever.
    Served with ranges, so a player fetches only what it plays."""
    if not AUDIO.match(name):
        abort(404)
    response = send_from_directory(public_dir() / "audio", name, max_age=ONE_YEAR, mimetype="audio/webm",
                                   conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
