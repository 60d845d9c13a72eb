"""The number of SQL statements per page does not grow with the number of garments shown."""
import pytest

from storefront.catalog import queries


def _fill(data, make, how_many):
    artisans = [make.artisan(), make.artisan()]
    for n in range(how_many):
        data.garment(artisan=artisans[n % 2], title_en=f"Garment {n}", with_image=n % 2 == 0)


@pytest.mark.parametrize("path", ["/", "/products/", "/products/?q=garment&sort=price_asc&available=1",
                                  "/artisans/", "/feeds/products.csv", "/sitemap.xml"])
def test_list_pages_use_a_constant_number_of_queries(client, data, make, count_queries, path):
    make.rate("USD", "0.05")
    _fill(data, make, 2)
    client.get(path + ("&" if "?" in path else "?") + "currency=USD")  # warm up the session
    with count_queries() as few:
        assert client.get(path).status_code == 200
    _fill(data, make, queries.PAGE_SIZE + 2)
    client.get(path)  # the writes moved the catalog version (storefront.kept): figures are read again
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many.count == few.count, (few.count, many.count)
    assert few.count <= 12


def test_product_page_query_count_does_not_depend_on_photos(client, data, make, count_queries):
    plain = data.garment(with_image=False)
    data.garment(artisan=plain.artisan, with_image=False)
    rich = data.garment(title_en="Rich")
    for colour in ((1, 2, 3), (4, 5, 6), (7, 8, 9)):
        data.garment(artisan=rich.artisan, colour=colour, title_en="More")
    client.get("/")
    with count_queries() as first:
        client.get(f"/products/{plain.slug}")
    with count_queries() as second:
        client.get(f"/products/{rich.slug}")
    assert first.count == second.count
