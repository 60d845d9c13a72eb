"""Being found and shared: social tags, JSON-LD, sitemap, robots and the merchant feed."""
import csv
import io
import json
import re


def jsonld(html):
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)


def test_product_page_has_open_graph_twitter_and_product_jsonld(client, data, make):
    make.rate("USD", "0.05")
    product = data.garment(title="Huipil", title_en="Diamond huipil", price_mxn=2000)
    html = client.get(f"/products/{product.slug}?lang=en&currency=USD").get_data(as_text=True)
    assert '<meta property="og:type" content="product">' in html
    assert '<meta property="og:title" content="Diamond huipil' in html
    assert re.search(r'<meta property="og:image" content="http://localhost/media/[0-9a-f]{32}-640\.jpg">', html)
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="product:price:amount" content="100.00">' in html
    assert '<meta property="product:availability" content="in stock">' in html
    ld = jsonld(html)
    assert ld["@type"] == "Product" and ld["name"] == "Diamond huipil"
    assert ld["offers"] == {"@type": "Offer", "url": f"http://localhost/products/{product.slug}?lang=en",
                            "priceCurrency": "USD", "price": "100.00",
                            "availability": "https://schema.org/InStock",
                            "itemCondition": "https://schema.org/NewCondition"}


def test_sitemap_lists_public_pages_with_language_alternates(client, data, make):
    artisan = make.artisan()
    public = data.garment(artisan=artisan)
    draft = data.garment(artisan=artisan, status="draft")
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    xml = response.get_data(as_text=True)
    assert f"<loc>http://localhost/products/{public.slug}</loc>" in xml
    assert f"<loc>http://localhost/artisans/{artisan.slug}</loc>" in xml
    assert draft.slug not in xml
    assert f'hreflang="fr" href="http://localhost/products/{public.slug}?lang=fr"' in xml


def test_robots_points_to_the_sitemap_and_keeps_private_areas_out(client, data):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in text
    assert "Disallow: /studio" in text and "Disallow: /coop" in text


def test_product_feed_has_the_merchant_catalogue_columns(client, data, make):
    make.rate("USD", "0.0550")
    product = data.garment(title="Huipil", title_en="Diamond huipil", price_mxn=1234, category="huipil")
    sold = data.garment(title="Vendido", price_mxn=500)
    data.sale(sold, share_mxn=100)
    data.garment(status="draft", title="Borrador")
    response = client.get("/feeds/products.csv?currency=USD&lang=en")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2
    row = next(r for r in rows if r["id"] == str(product.id))
    for column in ("id", "title", "description", "availability", "condition", "price", "link", "image_link",
                   "brand", "google_product_category"):
        assert row[column], column
    assert row["title"] == "Diamond huipil" and row["price"] == "67.87 USD"
    assert row["availability"] == "in stock" and row["condition"] == "new"
    assert row["link"] == f"http://localhost/products/{product.slug}?lang=en&currency=USD"
    assert row["image_link"].startswith("http://localhost/media/") and row["image_link"].endswith(".jpg")
    assert next(r for r in rows if r["id"] == str(sold.id))["availability"] == "out of stock"


def test_feed_neutralises_spreadsheet_formulas(client, data):
    data.garment(title="=HYPERLINK(\"http://evil\")")
    rows = list(csv.DictReader(io.StringIO(client.get("/feeds/products.csv").get_data(as_text=True))))
    assert rows[0]["title"].startswith("'=")
