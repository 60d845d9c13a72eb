import pytest
from tests.studio.conftest import garment, login, people  # noqa: F401


@pytest.fixture(autouse=True)
def _english_interface(english_interface):
    """See tests/conftest.py: these tests read English messages unless marked spanish_interface."""
