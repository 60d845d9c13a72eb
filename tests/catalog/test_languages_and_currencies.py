"""The buyer's language and currency: explicit choice, remembered, with honest fallbacks."""
import pytest


def test_lang_parameter_sets_html_lang_and_is_remembered(client, data):
    assert '<html lang="fr">' in client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in client.get("/products/").get_data(as_text=True)
    assert '<html lang="de">' in client.get("/products/?lang=de").get_data(as_text=True)


def test_accept_language_then_english_by_default(client, data):
    assert '<html lang="es">' in client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(True)
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)


@pytest.mark.parametrize("accept_language, lang, currency_sign", [
    ("en-US,en;q=0.9", "en", "$55.00"),
    ("en-GB,en;q=0.9", "en", "£43.00"),
    ("fr-CA,fr;q=0.8", "fr", "76,00\xa0$CA"),
    ("fr-FR", "fr", "50,50\xa0€"),
    ("ja-JP,ja;q=0.9", "en", "¥8,200"),      # no Japanese interface yet, but yen prices
    ("ja", "en", "¥8,200"),
    ("es-ES", "es", "50,50\xa0€"),
    ("es", "es", "1.000,00\xa0MXN"),         # a bare "es" is more often a Mexican visitor: pesos
    ("de-CH", "de", "50,50\xa0€"),           # no Swiss francs on sale: her language's default
    ("xx-;;q=abc", "en", "$55.00"),
])
def test_her_country_sets_the_currency_until_she_chooses(client, data, make, accept_language, lang,
                                                         currency_sign):
    for code, rate in {"USD": "0.055", "EUR": "0.0505", "GBP": "0.043", "CAD": "0.076", "JPY": "8.2"}.items():
        make.rate(code, rate)
    product = data.garment(price_mxn=1000)
    headers = {"Accept-Language": accept_language}
    html = client.get(f"/products/{product.slug}", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f'<p class="price big-price">{currency_sign}</p>' in html
    chosen = client.get(f"/products/{product.slug}?currency=USD", headers=headers).get_data(as_text=True)
    assert '<option value="USD" selected' in chosen and "£" not in chosen.split("<main")[1]


def test_switcher_keeps_the_current_filters_and_marks_the_choice(client, data):
    html = client.get("/products/?category=bag&lang=de&currency=EUR").get_data(as_text=True)
    switcher = html.split('class="switchers"')[1].split("</form>")[0]
    assert 'action="/products/"' in switcher
    assert 'name="category" value="bag"' in switcher
    assert '<option value="de" selected' in switcher and '<option value="EUR" selected' in switcher


def test_hreflang_alternates_and_canonical_carry_lang(client, data):
    product = data.garment()
    html = client.get(f"/products/{product.slug}?lang=fr").get_data(as_text=True)
    for code in ("en", "es", "fr", "de"):
        assert f'hreflang="{code}" href="http://localhost/products/{product.slug}?lang={code}"' in html
    assert f'hreflang="x-default" href="http://localhost/products/{product.slug}"' in html
    assert f'rel="canonical" href="http://localhost/products/{product.slug}?lang=fr"' in html


def test_missing_translation_falls_back_and_says_so(client, data):
    spanish_only = data.garment(title="Huipil de rombos")
    html = client.get(f"/products/{spanish_only.slug}?lang=en").get_data(as_text=True)
    assert '<h1 lang="es">Huipil de rombos</h1>' in html
    assert "Shown in Spanish" in html
    both = data.garment(title="Blusa", title_en="Blouse")
    html = client.get(f"/products/{both.slug}?lang=en").get_data(as_text=True)
    garment_part = html.split('class="artisan-card"')[0]
    assert "<h1>Blouse</h1>" in html and "Shown in" not in garment_part
    assert "Shown in Spanish" in html.split('class="artisan-card"')[1]  # her story exists only in Spanish


@pytest.mark.parametrize("currency, expected", [
    ("USD", "$55.00"), ("EUR", "€50.50"), ("GBP", "£43.00"), ("CAD", "CA$76.00"), ("JPY", "¥8,200"),
    ("MXN", "MX$1,000.00"),
])
def test_prices_in_each_currency(client, data, make, currency, expected):
    for code, rate in {"USD": "0.055", "EUR": "0.0505", "GBP": "0.043", "CAD": "0.076", "JPY": "8.2"}.items():
        make.rate(code, rate)
    product = data.garment(price_mxn=1000)
    html = client.get(f"/products/{product.slug}?lang=en&currency={currency}").get_data(as_text=True)
    assert f'<p class="price big-price">{expected}</p>' in html


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es"])
def test_pesos_are_never_a_bare_dollar_sign(client, data, lang):
    product = data.garment(price_mxn=1000)
    html = client.get(f"/products/{product.slug}?lang={lang}&currency=MXN").get_data(as_text=True)
    price = html.split('<p class="price big-price">')[1].split("</p>")[0]
    assert "MX" in price or "MXN" in price, price


def test_unknown_currency_is_ignored_and_missing_rate_shows_pesos(client, data, make):
    make.rate("USD", "0.05")
    product = data.garment(price_mxn=1000)
    html = client.get(f"/products/{product.slug}?lang=en&currency=XYZ").get_data(as_text=True)
    assert "$50.00" in html  # English default: USD
    html = client.get(f"/products/{product.slug}?lang=en&currency=GBP").get_data(as_text=True)
    assert "MX$1,000.00" in html and "no exchange rate is set for GBP" in html


def test_currency_choice_is_remembered(client, data, make):
    make.rate("EUR", "0.05")
    product = data.garment(price_mxn=1000)
    client.get("/?currency=EUR&lang=en")
    assert "€50.00" in client.get(f"/products/{product.slug}").get_data(as_text=True)
