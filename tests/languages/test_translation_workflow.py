"""The cooperative's translation workflow: export, checked import (refused whole), compile, coverage."""
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from storefront.cooperative import get_settings
from storefront.languages.catalogues import CatalogueRejected, coverage, export_catalogue, import_catalogue

HEADER = 'msgid ""\nmsgstr ""\n"Language: tzo\\n"\n\n'


def _entry(msgid, msgstr, source="# source: test fixture (not a real translation)\n"):
    msgid = msgid.replace('"', '\\"')
    msgstr = msgstr.replace('"', '\\"')
    return f'{source}msgid "{msgid}"\nmsgstr "{msgstr}"\n\n'


def _po(tmp_path, *entries, header=HEADER):
    path = tmp_path / "in.po"
    path.write_text(header + "".join(entries), encoding="utf-8")
    return path


def _tzo(catalogues):
    with (catalogues / "tzo" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="tzo")


def test_export_lists_the_studio_strings_with_spanish_as_a_guide(catalogues, tmp_path):
    out = tmp_path / "studio-tzo.po"
    total, translated = export_catalogue("tzo", out, root=catalogues)
    exported = {m.id: m for m in read_po(out.open("rb")) if m.id}
    assert total == len(exported) and translated == 0
    assert "es: Mis prendas" in exported["My garments"].auto_comments
    assert "Checkout" not in exported  # a buyer's string, not the studio's


def test_a_checked_translation_is_imported_and_compiled(catalogues, tmp_path):
    source = _po(tmp_path, _entry("%(file)s: %(problem)s", "%(file)s XTEST %(problem)s"),
                 _entry("Not a string of ours", "XTEST"))
    result = import_catalogue("tzo", source, root=catalogues)
    assert result.imported == 1 and len(result.skipped) == 1
    message = _tzo(catalogues).get("%(file)s: %(problem)s")
    assert message.string == "%(file)s XTEST %(problem)s"
    assert message.user_comments == ["source: test fixture (not a real translation)"]
    with (catalogues / "tzo" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        assert read_mo(handle).get("%(file)s: %(problem)s").string == "%(file)s XTEST %(problem)s"


@pytest.mark.parametrize("entry, problem", [
    (_entry("%(file)s: %(problem)s", "%(file)s XTEST"), "placeholders differ"),
    (_entry("%(file)s: %(problem)s", "%(file)s %(problme)s"), "placeholders differ"),
    (_entry("Add a garment", "XTEST <script>alert(1)</script>"), "markup differs"),
    (_entry("Add a garment", "XTEST <b"), "markup differs"),
    (_entry("Add a garment", "XTEST", source=""), "source"),
])
def test_a_broken_translation_is_refused_and_nothing_changes(catalogues, tmp_path, entry, problem):
    before = (catalogues / "tzo" / "LC_MESSAGES" / "messages.po").read_bytes()
    good = _entry("My garments", "XTEST")
    with pytest.raises(CatalogueRejected) as refused:
        import_catalogue("tzo", _po(tmp_path, good, entry), root=catalogues)
    assert problem in str(refused.value)
    assert (catalogues / "tzo" / "LC_MESSAGES" / "messages.po").read_bytes() == before


def test_a_file_for_another_language_or_not_a_catalogue_is_refused(catalogues, tmp_path):
    with pytest.raises(CatalogueRejected, match="not 'tzo'"):
        import_catalogue("tzo", _po(tmp_path, _entry("My garments", "X"),
                                    header=HEADER.replace("tzo", "tzh")), root=catalogues)
    with pytest.raises(CatalogueRejected, match="not a language"):
        import_catalogue("en", _po(tmp_path, _entry("My garments", "X")), root=catalogues)
    garbage = tmp_path / "garbage.po"
    garbage.write_bytes(b"\x00\xff msgid \"")
    with pytest.raises(CatalogueRejected):
        import_catalogue("tzo", garbage, root=catalogues)


def test_the_cli_refuses_with_every_problem_listed(runner, tmp_path):
    source = _po(tmp_path, _entry("Add a garment", "XTEST <i>"), _entry("My garments", "X", source=""))
    result = runner.invoke(args=["translate", "import", "--lang", "tzo", str(source)])
    assert result.exit_code == 1
    assert "nothing imported" in result.output and "markup" in result.output and "source" in result.output


def test_shipped_catalogues_hold_only_cited_translations():
    for language in ("tzo", "tzh"):
        rows = {code: (translated, total) for code, translated, total in coverage()}
        assert language in rows
        from storefront.config import REPO_ROOT
        with (REPO_ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        assert "Sources of the translations" in catalogue.header_comment
        for message in catalogue:
            if message.id and any(message.string if isinstance(message.string, tuple) else [message.string]):
                assert any(c.startswith("source:") for c in message.user_comments), message.id


def test_staff_see_how_much_is_translated_and_the_admin_opens_public_pages(app, client, auth, people, login):
    login("rosa")
    assert client.get("/coop/languages/").status_code in (403, 404)
    auth.logout()
    login("boss")
    page = client.get("/coop/languages/?lang=en").get_data(as_text=True)
    assert 'id="coverage-tzo"' in page and 'id="coverage-tzh"' in page and 'id="coverage-fr"' in page
    from tests.conftest import csrf_token
    token = csrf_token(client, "/coop/languages/")
    response = client.post("/coop/languages/public", data={"csrf_token": token, "public": ["0", "1"]})
    assert response.status_code == 302
    with app.app_context():
        assert get_settings().public_indigenous_languages is True
