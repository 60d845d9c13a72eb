"""Voice fixtures: the studio's people and logins, a list of media files, recordings made on the fly."""
from tests.studio.conftest import garment, login, media_files, people  # noqa: F401
from tests.studio.conftest import _english_interface  # noqa: F401
