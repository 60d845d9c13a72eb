"""The catalogues are complete and the compiled .mo files match them."""
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from storefront.config import REPO_ROOT

CATALOGUES = REPO_ROOT / "translations"


@pytest.mark.parametrize("locale", ["es", "en", "fr", "de"])
def test_every_string_is_translated_and_compiled(locale):
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    with (CATALOGUES / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    missing = [m.id for m in catalogue if m.id and (not m.string or (isinstance(m.string, tuple)
                                                                     and not all(m.string)))]
    assert missing == []
    assert set(_pairs(template)) <= set(_pairs(catalogue)), "run `make translations`"
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    assert _pairs(compiled) == _pairs(catalogue), "run `make compile-translations`"


def _pairs(catalogue):
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value
    return {key(m.id): key(m.string) for m in catalogue if m.id}
