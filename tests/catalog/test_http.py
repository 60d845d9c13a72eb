"""Light and fast: compression, ETags, cache headers, one small stylesheet."""
import gzip
import re
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def test_pages_are_gzipped_for_clients_that_accept_it(client, data):
    data.garment()
    plain = client.get("/products/")
    assert "Content-Encoding" not in plain.headers
    compressed = client.get("/products/", headers={"Accept-Encoding": "gzip, br"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert gzip.decompress(compressed.data) == plain.data
    assert len(compressed.data) < len(plain.data) / 2


def test_pages_carry_an_etag_and_answer_304_when_unchanged(client, data):
    data.garment()
    first = client.get("/products/")
    etag = first.headers["ETag"]
    again = client.get("/products/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    gz = client.get("/products/", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["ETag"] != etag
    assert client.get("/products/", headers={"Accept-Encoding": "gzip",
                                             "If-None-Match": gz.headers["ETag"]}).status_code == 304


def test_fingerprinted_static_files_are_cached_forever_and_compressed(client):
    html = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(href, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == STYLESHEET.read_bytes()
    assert "immutable" not in client.get("/static/css/site.css").headers.get("Cache-Control", "")


def test_one_stylesheet_under_20_kb_and_no_third_party_resources(client, data):
    data.garment()
    assert STYLESHEET.stat().st_size < 20 * 1024
    html = client.get("/products/").get_data(as_text=True)
    assert len(re.findall(r'rel="stylesheet"', html)) == 1
    for url in re.findall(r'(?:src|href|srcset)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")) or url.startswith("http://localhost/"), url


def test_media_derivatives_are_immutable(client, data):
    product = data.garment()
    html = client.get(f"/products/{product.slug}").get_data(as_text=True)
    src = re.search(r'src="(/media/[^"]+)"', html).group(1)
    assert client.get(src).headers["Cache-Control"] == "public, max-age=31536000, immutable"
