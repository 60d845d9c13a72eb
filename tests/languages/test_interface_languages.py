"""Tsotsil and Tseltal interfaces: chosen in the studio, formatted as es_MX, falling back to Spanish."""
import re

import pytest
from flask import render_template_string
from flask_babel import force_locale, get_locale, gettext

from storefront.cooperative import get_settings
from storefront.extensions import db
from storefront.languages.catalogues import import_catalogue

pytestmark = pytest.mark.spanish_interface


def _html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("language", ["tzo", "tzh"])
def test_the_studio_in_tsotsil_or_tseltal_shows_spanish_for_what_is_untranslated(client, people, login,
                                                                                 language):
    login("rosa")
    response = client.get(f"/studio/?lang={language}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _html_lang(response) == language
    assert "Mis prendas" in page and "My garments" not in page  # Spanish, never the English source
    assert "$1,234.00" in page  # money formatted as es_MX
    # The choice is remembered for the next page.
    assert _html_lang(client.get("/studio/price")) == language


def test_babel_is_never_handed_tsotsil(app, people):
    with app.test_request_context("/studio/?lang=tzo"):
        assert str(get_locale()) == "es"
        assert gettext("My garments") == "Mis prendas"


def test_an_email_written_during_a_tsotsil_page_is_in_the_readers_language(app, people):
    """force_locale (an email in the buyer's language) wins over the page's Tsotsil, in code and in
    templates, and the page's own text is Spanish again after the block."""
    page_text = "{{ _('My garments') }}"
    with app.test_request_context("/studio/?lang=tzo"):
        assert render_template_string(page_text) == "Mis prendas"
        with force_locale("en"):
            assert gettext("My garments") == render_template_string(page_text) == "My garments"
        with force_locale("fr"):
            assert render_template_string(page_text) == gettext("My garments") != "My garments"
        assert render_template_string(page_text) == gettext("My garments") == "Mis prendas"


def test_a_translated_string_shows_in_tsotsil_and_the_rest_in_spanish(app_config, catalogues, tmp_path):
    from storefront import create_app
    source = tmp_path / "in.po"
    source.write_text('msgid ""\nmsgstr ""\n"Language: tzo\\n"\n\n'
                      '# source: test fixture (not a real translation)\n'
                      'msgid "My garments"\nmsgstr "XTEST-TZO"\n', encoding="utf-8")
    with create_app({**app_config, "BABEL_TRANSLATION_DIRECTORIES": str(catalogues)}).app_context():
        import_catalogue("tzo", source, root=catalogues)
    app = create_app({**app_config, "BABEL_TRANSLATION_DIRECTORIES": str(catalogues)})
    with app.test_request_context("/studio/?lang=tzo"):
        assert gettext("My garments") == "XTEST-TZO"
        assert gettext("Add a garment") == "Agregar una prenda"
    with app.test_request_context("/studio/?lang=es"):
        assert gettext("My garments") == "Mis prendas"


def test_public_pages_offer_tsotsil_only_when_the_cooperative_allows(app, client, people):
    page = client.get("/?lang=tzo")
    assert _html_lang(page) == "es"  # she chose tzo: the public page falls back to Spanish
    assert 'value="tzo"' not in page.get_data(as_text=True)
    with app.app_context():
        get_settings().public_indigenous_languages = True
        db.session.commit()
    page = client.get("/")
    assert _html_lang(page) == "tzo"
    assert 'value="tzo"' in page.get_data(as_text=True)


def test_a_stranger_picking_an_unknown_language_gets_the_usual_one(client, people):
    assert _html_lang(client.get("/?lang=xx", headers={"Accept-Language": "fr"})) == "fr"
    assert _html_lang(client.get("/login?lang=tzo-MX")) == "tzo"
