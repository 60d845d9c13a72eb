from tests.studio.conftest import garment, login, media_files, people  # noqa: F401
