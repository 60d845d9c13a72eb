"""One formatter: pesos never a bare `$` to a buyer, dates in Chiapas, names sorted as readers expect."""
from datetime import date, datetime

from storefront import formatting
from storefront.checkout.shipping import band_text
from storefront.models import ShippingRate


def test_a_peso_is_never_a_bare_dollar_to_a_buyer():
    assert formatting.money(264416, "MXN", "es", buyer=True) == "2.644,16\u00a0MXN"
    assert formatting.money(264416, "MXN", "es_MX", buyer=True) == "$2,644.16 MXN"
    assert formatting.money(264416, "MXN", "en", buyer=True) == "MX$2,644.16"
    assert formatting.money(264416, "MXN", "fr", buyer=True) == "2\u202f644,16\u00a0$MX"
    assert formatting.money(264416, "MXN", "de", buyer=True) == "2.644,16\u00a0MX$"
    # The cooperative, in Mexico, reads its own pesos the Mexican way.
    assert formatting.money(264416, "MXN", "es", buyer=False) == "$2,644.16"
    assert formatting.money(None, "MXN", "es") == "—"
    assert formatting.money(-45000, "MXN", "es", buyer=False) == "-$450.00"


def test_languages_without_cldr_data_format_as_mexican_spanish():
    assert formatting.format_locale("tzo") == formatting.format_locale("es", buyer=False) == "es_MX"
    assert formatting.format_locale("es", buyer=True) == "es"  # a buyer may be in Madrid
    assert formatting.number(1234567, "tzh") == "1,234,567"


def test_dates_are_the_cooperatives_calendar_day():
    # 03:30 UTC on 2 December is still the evening of 1 December in Chiapas.
    assert formatting.date(datetime(2026, 12, 2, 3, 30), "yyyy-MM-dd", "en") == "2026-12-01"
    assert formatting.datetime(datetime(2026, 12, 2, 3, 30), "HH:mm", "en") == "21:30"
    assert formatting.date(date(2026, 12, 2), "long", "fr") == "2 décembre 2026"


def test_french_country_list_puts_accented_names_in_place():
    codes = ["ZW", "US", "EG", "ES", "FJ", "IM", "IN"]
    names = [name for _code, name in formatting.country_names("fr", codes)]
    assert names == ["Égypte", "Espagne", "États-Unis", "Fidji", "Île de Man", "Inde", "Zimbabwe"]


def test_names_sort_by_the_alphabet_not_code_points():
    names = ["Zoila", "Álvarez", "ana", "Beatriz"]
    assert formatting.sorted_by_name(names) == ["Álvarez", "ana", "Beatriz", "Zoila"]


def test_shipping_bands_read_with_their_unit(ctx):
    from flask_babel import force_locale
    band = ShippingRate(name="DHL", basis="weight", min_value=0, max_value=1000, amount=1, currency="MXN")
    open_ended = ShippingRate(name="DHL", basis="weight", min_value=3001, max_value=None, amount=1,
                              currency="MXN")
    with force_locale("es"):
        assert band_text(band, "es_MX") == "0–1,000 g"  # the admin's shipping page
        assert band_text(open_ended, "es_MX") == "3,001 g o más"
    with force_locale("fr"):
        assert band_text(band, "fr") == "0–1\u202f000\u202fg"
    with force_locale("de"):
        assert band_text(open_ended, "de") == "ab 3.001 g"
