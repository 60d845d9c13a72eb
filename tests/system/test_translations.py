"""The catalogues are complete and the compiled .mo files match them."""
import re

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


LABEL_THEN_COLON = re.compile(r'_\("[^"]*"\) \}\}: ')


def test_labels_take_the_readers_punctuation():
    """"Total: 10 €" is written with labelled() everywhere (French puts a no-break space before the
    colon); a label followed by a bare ':' in a template would read "Total: 10 €" on a French page."""
    offenders = [f"{path.relative_to(REPO_ROOT)}:{number}"
                 for path in sorted((REPO_ROOT / "templates").rglob("*")) if path.is_file()
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if LABEL_THEN_COLON.search(line)]
    assert offenders == []


def test_what_the_buyer_paid_is_not_what_was_paid_out():
    """German: the confirmation's total is what she paid ("bezahlt"), not a payout ("ausgezahlt")."""
    with (CATALOGUES / "de" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="de")
    assert catalogue["Total paid"].string == "Insgesamt bezahlt"
    assert "ausgezahlt" not in catalogue["Total"].string
