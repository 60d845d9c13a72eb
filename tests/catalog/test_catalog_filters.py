"""Finding a garment: filters, sorting, pagination and search, each with a shareable URL."""
import re
from datetime import datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import literal, text, update
from sqlalchemy.dialects import postgresql

from storefront.catalog import queries, search
from storefront.extensions import db
from storefront.catalog.filters import parse_filters, shareable_args
from storefront.models import Artisan, Product


def titles(client, query):
    html = client.get("/products/" + query).get_data(as_text=True)
    return re.findall(r'class="card-title"[^>]*>([^<]+)<', html)


@pytest.fixture
def shelf(data, make):
    make.rate("USD", "0.0500")
    maria = make.artisan(name="María López", community="Chilil", slug="maria")
    juana = make.artisan(name="Juana Pérez", community="Romerillo", slug="juana")
    data.garment(artisan=maria, title="Huipil azul", price_mxn=2000, category="huipil",
                 technique="backstrap_loom")
    data.garment(artisan=juana, title="Blusa bordada", price_mxn=800, category="blouse",
                 technique="hand_embroidery")
    data.garment(artisan=juana, title="Bolsa tejida", price_mxn=450, category="bag", technique="brocade")
    sold = data.garment(artisan=maria, title="Rebozo vendido", price_mxn=1500, category="rebozo")
    data.sale(sold, share_mxn=100)


def test_filters_by_category_technique_community_and_artisan(client, shelf):
    assert titles(client, "?category=blouse") == ["Blusa bordada"]
    assert titles(client, "?technique=brocade") == ["Bolsa tejida"]
    assert sorted(titles(client, "?community=Romerillo")) == ["Blusa bordada", "Bolsa tejida"]
    assert sorted(titles(client, "?artisan=maria")) == ["Huipil azul", "Rebozo vendido"]
    assert titles(client, "?artisan=maria&category=huipil") == ["Huipil azul"]


def test_price_range_is_in_the_currency_shown(client, shelf):
    # At 0.05 USD per peso: 2000 MXN = 100 USD, 800 = 40, 450 = 22.50, 1500 = 75.
    in_range = ["Blusa bordada", "Rebozo vendido"]
    assert sorted(titles(client, "?currency=USD&min_price=40&max_price=80")) == in_range
    assert sorted(titles(client, "?currency=MXN&min_price=40&max_price=80")) == []
    assert titles(client, "?currency=MXN&max_price=500") == ["Bolsa tejida"]
    # Reversed bounds are understood, not refused.
    assert sorted(titles(client, "?currency=USD&min_price=80&max_price=40")) == in_range


def test_available_only_hides_sold_and_reserved(client, shelf, data):
    assert "Rebozo vendido" in titles(client, "")
    assert "Rebozo vendido" not in titles(client, "?available=1")
    held = data.garment(title="Apartada")
    data.hold(held)
    assert "Apartada" not in titles(client, "?available=1")


def test_sorting_by_price_and_newest(client, shelf):
    cheapest_first = ["Bolsa tejida", "Blusa bordada", "Rebozo vendido", "Huipil azul"]
    assert titles(client, "?sort=price_asc") == cheapest_first
    assert titles(client, "?sort=price_desc")[0] == "Huipil azul"
    assert titles(client, "?sort=nonsense") == titles(client, "?sort=newest")


def test_search_titles_stories_techniques_and_artisan_names(client, shelf, data):
    assert titles(client, "?q=blusa") == ["Blusa bordada"]
    assert sorted(titles(client, "?q=juana")) == ["Blusa bordada", "Bolsa tejida"]
    assert titles(client, "?q=brocade") == ["Bolsa tejida"]              # technique label
    assert titles(client, "?q=embroidery") == ["Blusa bordada"]
    assert len(titles(client, "?q=hecho+a+mano")) == 4                  # story words
    assert titles(client, "?q=HUIPIL+maría") == ["Huipil azul"]           # every word must match
    assert titles(client, "?q=zzzz") == []


def test_search_reads_words_and_ignores_punctuation(client, data):
    data.garment(title="Descuento 100% algodón")
    data.garment(title="Otra prenda")
    assert titles(client, "?q=100%25") == ["Descuento 100% algodón"]
    assert titles(client, "?q=%25") == []                                  # no word: nothing, not everything
    assert titles(client, "?q=_") == []
    assert titles(client, "?q=\\") == []
    assert titles(client, '?q="prenda') == ["Otra prenda"]                 # FTS5/tsquery syntax is not parsed
    # With another filter too (on PostgreSQL the tsquery then goes into the statement as a constant).
    assert titles(client, "?q=100%25&category=huipil") == ["Descuento 100% algodón"]
    assert titles(client, "?q='prenda'%3B--&category=huipil") == ["Otra prenda"]
    assert titles(client, "?q=%25&category=huipil") == []


def garment_with_story(data, title, story, **kwargs):
    garment = data.garment(title=title, with_image=False, **kwargs)
    garment.translations[0].story = story
    db.session.commit()
    return garment


def test_search_forgives_accents_and_case(client, shelf, data, make):
    garment_with_story(data, "Rebozo de añil", "Teñido con añil de la región.")
    assert sorted(titles(client, "?q=maria")) == ["Huipil azul", "Rebozo vendido"]  # María López's
    assert titles(client, "?q=MARÍA+huipil") == ["Huipil azul"]
    assert titles(client, "?q=anil") == ["Rebozo de añil"]
    assert titles(client, "?q=AÑIL") == ["Rebozo de añil"]
    assert titles(client, "?q=perez+bolsa") == ["Bolsa tejida"]
    assert titles(client, "?q=chilil+azul") == ["Huipil azul"]            # her community


def test_search_is_stemmed_and_ranked(client, data):
    garment_with_story(data, "Blusa de flores", "Flores de la milpa.", published_at=datetime(2026, 1, 1))
    garment_with_story(data, "Camino de mesa", "Con bordados de flores y rombos.",
                       published_at=datetime(2026, 2, 1))
    # Plural and singular find each other; a word in the title ranks above one in the story.
    assert titles(client, "?q=flor") == ["Blusa de flores", "Camino de mesa"]
    assert titles(client, "?q=flores") == ["Blusa de flores", "Camino de mesa"]
    assert titles(client, "?q=flores&sort=newest") == ["Camino de mesa", "Blusa de flores"]
    assert 'value="relevance" selected' in client.get("/products/?q=flores").get_data(as_text=True)


def test_search_follows_every_change(client, data, make, app):
    artisan = make.artisan(name="Rosa Díaz", community="Yashanal", slug="rosa")
    garment = data.garment(artisan=artisan, title="Falda negra", with_image=False)
    assert titles(client, "?q=falda") == ["Falda negra"]
    garment.translations[0].title = "Falda de lana"
    db.session.commit()
    assert titles(client, "?q=lana") == ["Falda de lana"] and titles(client, "?q=negra") == []
    artisan.display_name, artisan.community = "Rosa Gómez", "Chilil"
    db.session.commit()
    assert titles(client, "?q=gomez+chilil") == ["Falda de lana"] and titles(client, "?q=diaz") == []
    with app.app_context():
        assert search.indexed_count() == 1
    db.session.delete(garment)
    db.session.commit()
    assert titles(client, "?q=falda") == []
    with app.app_context():
        assert search.indexed_count() == 0


def test_search_follows_status_and_artisan(client, data, make):
    """Only visible garments are found, whichever way they stop or start being visible: the studio,
    a bulk SQL update, her artisan's deactivation; with or without other filters."""
    artisan = make.artisan(name="Petrona Ruiz", slug="petrona")
    garment = data.garment(artisan=artisan, title="Huipil de tortugas", with_image=False)
    other = data.garment(title="Rebozo de tortugas", with_image=False, category="rebozo")
    assert titles(client, "?q=tortugas&category=huipil") == ["Huipil de tortugas"]
    garment.status = "archived"
    db.session.commit()
    assert titles(client, "?q=tortugas") == ["Rebozo de tortugas"]
    assert titles(client, "?q=tortugas&category=huipil") == []
    garment.status = "sold_out"                        # sold garments stay in the catalog
    db.session.commit()
    assert sorted(titles(client, "?q=tortugas")) == ["Huipil de tortugas", "Rebozo de tortugas"]
    db.session.execute(update(Product).where(Product.id.in_([garment.id, other.id])).values(status="draft"))
    db.session.commit()
    assert titles(client, "?q=tortugas") == []
    db.session.execute(update(Product).values(status="published"))
    db.session.commit()
    assert sorted(titles(client, "?q=tortugas")) == ["Huipil de tortugas", "Rebozo de tortugas"]
    artisan.active = False
    db.session.commit()
    assert titles(client, "?q=tortugas") == ["Rebozo de tortugas"]
    assert titles(client, "?q=petrona") == [] and titles(client, "?q=tortugas&category=huipil") == []
    db.session.execute(update(Artisan).where(Artisan.id == artisan.id).values(active=True))
    db.session.commit()
    assert titles(client, "?q=petrona") == ["Huipil de tortugas"]
    garment.artisan = make.artisan(name="Manuela Gómez", slug="manuela")
    artisan.active = False                             # her old artisan leaves; the garment stays
    db.session.commit()
    assert titles(client, "?q=manuela+tortugas") == ["Huipil de tortugas"]


def test_search_ranks_title_then_people_then_story_and_newest_first(client, data, make):
    """A word in the title ranks first, in the artisan's name or community next, in the story last;
    equal matches newest first, following a change of publication date."""
    weaver = make.artisan(name="Xunka Colibrí", slug="xunka")
    garment_with_story(data, "Bolsa tejida", "Un colibrí en el telar.", published_at=datetime(2026, 3, 1))
    data.garment(artisan=weaver, title="Camino de mesa", with_image=False, published_at=datetime(2026, 2, 1))
    data.garment(title="Colibrí azul", with_image=False, published_at=datetime(2026, 1, 1))
    older = data.garment(title="Colibrí rojo", with_image=False, published_at=datetime(2025, 1, 1))
    ranked = ["Colibrí azul", "Colibrí rojo", "Camino de mesa", "Bolsa tejida"]
    assert titles(client, "?q=colibri") == ranked
    assert titles(client, "?q=COLIBRÍ") == ranked
    assert titles(client, "?q=colibri&sort=newest") == ["Bolsa tejida", "Camino de mesa", "Colibrí azul",
                                                        "Colibrí rojo"]
    older.published_at = datetime(2026, 4, 1)
    db.session.commit()
    assert titles(client, "?q=colibri") == ["Colibrí rojo", "Colibrí azul", "Camino de mesa", "Bolsa tejida"]
    assert titles(client, "?q=colibri&sort=newest")[0] == "Colibrí rojo"


def test_search_answers_the_same_when_its_statement_is_prepared(client, data):
    """psycopg prepares a statement run five times; the search then gives the same answer."""
    garment_with_story(data, "Rebozo de añil", "Teñido con añil.")
    garment_with_story(data, "Blusa", "Sin tinte.")
    for _ in range(8):
        assert titles(client, "?q=anil") == ["Rebozo de añil"]
        assert titles(client, "?q=anil&category=huipil") == ["Rebozo de añil"]


@pytest.mark.postgres_only
def test_search_stems_the_words_once_not_per_matching_row(app):
    """Even in a generic plan (what a statement that psycopg prepares ends up with) no row stems the
    words: an InitPlan computes the tsquery once (words only), or it comes as a constant (with other
    filters). Written inline, each matching row stemmed every word in five languages, twice."""
    dialect = postgresql.psycopg.dialect(paramstyle="numeric_dollar")
    with app.test_request_context():
        filters = queries.CatalogFilters(q="huipil flores", sort="price_asc")
        query_words = [(word, []) for word in search.words(filters.q)]
        alone, relevance, newest = search.visible_matching(query_words)
        joined, _ = search.matching(queries._filtered_ids(filters), Product.id, query_words)
        db.session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        for n, ranked in enumerate((alone.order_by(relevance.desc(), *newest),
                                    joined.order_by(*queries.ORDERINGS["price_asc"]))):
            compiled = ranked.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
            values = ", ".join(str(literal(compiled.params[name]).compile(
                dialect=dialect, compile_kwargs={"literal_binds": True})) for name in compiled.positiontup)
            db.session.execute(text(f"PREPARE ranked_{n} AS {compiled.string}"))
            plan = "\n".join(db.session.execute(text(f"EXPLAIN EXECUTE ranked_{n}({values})")).scalars())
            assert "plainto_tsquery" not in plan, plan
            assert ("InitPlan" in plan) == (n == 0), plan


def test_search_rank_migration_indexes_the_garments_already_there(app, client, data, make):
    """0014_search_rank, down and up again over existing garments: what it adds to the index (on
    PostgreSQL, visibility and publication date) is filled in for them."""
    data.garment(title="Huipil guardado", status="archived", with_image=False)
    data.garment(artisan=make.artisan(name="Lucía Méndez", slug="lucia"), title="Huipil visible",
                 with_image=False)
    db.session.close()
    downgrade(revision="0013_data_versions")
    upgrade()
    assert titles(client, "?q=huipil") == ["Huipil visible"]
    assert titles(client, "?q=lucia+huipil") == ["Huipil visible"]
    assert search.indexed_count() == 2


def test_pagination_is_stable_and_clamped(client, data, make):
    artisan = make.artisan()
    for n in range(queries.PAGE_SIZE + 3):
        data.garment(artisan=artisan, title=f"Prenda {n:02d}", with_image=False, price_mxn=500 + n)
    first = titles(client, "?sort=price_asc")
    second = titles(client, "?sort=price_asc&page=2")
    assert len(first) == queries.PAGE_SIZE and len(second) == 3 and not set(first) & set(second)
    html = client.get("/products/?sort=price_asc").get_data(as_text=True)
    assert 'rel="next" href="/products/?sort=price_asc&amp;page=2"' in html
    assert titles(client, "?sort=price_asc&page=999999999999") == second


def test_filter_urls_are_shareable_and_unknown_arguments_dropped(app):
    with app.test_request_context("/products/?category=bag&utm_source=x&page=2&q=lana"):
        from flask import request
        assert shareable_args(request.args, page=3) == {"q": "lana", "category": "bag", "page": 3}
        assert shareable_args(request.args, page=None) == {"q": "lana", "category": "bag"}


def test_parse_filters_is_forgiving(app):
    with app.test_request_context():
        filters = parse_filters({"category": "spaceship", "technique": "x", "min_price": "-5",
                                 "max_price": "abc",
                                 "page": "-4", "sort": "drop table", "available": "maybe", "q": "a" * 10_000},
                                "MXN")
        assert filters.category == "" and filters.technique == ""
        assert filters.min_price_mxn is None and filters.max_price_mxn is None
        assert filters.page == 1 and filters.sort == "relevance" and filters.available is False
        assert len(filters.q) == 100
        assert parse_filters({"min_price": "12,50"}, "MXN").min_price_mxn == 1250
        assert parse_filters({"min_price": "NaN"}, "MXN").min_price_mxn is None
        assert parse_filters({"min_price": "1e400"}, "MXN").min_price_mxn is None
