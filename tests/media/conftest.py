from tests.studio.conftest import login, media_files, people  # noqa: F401
