"""full-text search: PostgreSQL tsvector (unaccent, per-language stemming) and SQLite FTS5, kept by triggers

Revision ID: 0004_speed
Revises: 0004_staff
Create Date: 2026-12-02

One row per garment in `product_search`, rebuilt by triggers whenever a garment, one of its
translations or its artisan's name or community changes, so every write path (studio, demo, bulk
SQL, restore) keeps it current. storefront.catalog.search reads it.

SQLite caution: a later batch migration that recreates `products`, `product_translations` or
`artisans` drops their triggers; such a migration must call `create_sqlite_triggers()` again.
"""
from alembic import op

revision = "0004_speed"
down_revision = "0004_staff"
branch_labels = None
depends_on = None

# --- PostgreSQL ---------------------------------------------------------------------------------

PG_LANGUAGES = {"es": "spanish", "en": "english", "fr": "french", "de": "german"}

PG_DOCUMENT = """
    setweight(to_tsvector('telar_simple', a.display_name || ' ' || a.community), 'B')
    || setweight(to_tsvector('telar_simple', replace(p.technique, '_', ' ') || ' '
                                              || replace(p.category, '_', ' ')), 'B')
    || coalesce((SELECT telar_tsvector_agg(
                     setweight(to_tsvector(telar_search_config(t.locale), t.title), 'A')
                     || setweight(to_tsvector(telar_search_config(t.locale),
                                  coalesce(t.story, '') || ' ' || coalesce(t.materials, '')), 'C'))
                 FROM product_translations t WHERE t.product_id = p.id), '')
"""


def _pg_upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    configs = {**{f"telar_{code}": dictionary for code, dictionary in PG_LANGUAGES.items()},
               "telar_simple": "simple"}
    for name, base in configs.items():
        stem = "simple" if base == "simple" else f"{base}_stem"
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base})")
        op.execute(f"ALTER TEXT SEARCH CONFIGURATION {name} "
                   f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stem}")
    cases = " ".join(f"WHEN '{code}' THEN 'telar_{code}'::regconfig" for code in PG_LANGUAGES)
    op.execute(f"""
        CREATE FUNCTION telar_search_config(locale text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE split_part(locale, '_', 1) {cases} ELSE 'telar_simple'::regconfig END
        $$""")
    op.execute("CREATE AGGREGATE telar_tsvector_agg(tsvector) "
               "(SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '')")
    op.execute("""
        CREATE TABLE product_search (
            product_id integer PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
            document tsvector NOT NULL
        )""")
    op.execute("CREATE INDEX ix_product_search_document ON product_search USING gin (document)")
    op.execute(f"""
        CREATE FUNCTION telar_refresh_product_search(ids integer[]) RETURNS void LANGUAGE sql AS $$
            INSERT INTO product_search (product_id, document)
            SELECT p.id, {PG_DOCUMENT}
            FROM products p JOIN artisans a ON a.id = p.artisan_id
            WHERE p.id = ANY(ids)
            ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document
        $$""")
    # Inserts and translation changes per statement (a bulk load refreshes each garment once);
    # updates of a garment or an artisan per row, only when a searched column changes.
    op.execute("""
        CREATE FUNCTION telar_product_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM telar_refresh_product_search(ARRAY(SELECT id FROM new_rows));
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE FUNCTION telar_product_search_translations() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM telar_refresh_product_search(ARRAY(SELECT DISTINCT product_id FROM new_rows));
            ELSIF TG_OP = 'UPDATE' THEN
                PERFORM telar_refresh_product_search(ARRAY(
                    SELECT product_id FROM new_rows UNION SELECT product_id FROM old_rows));
            ELSE
                PERFORM telar_refresh_product_search(ARRAY(SELECT DISTINCT product_id FROM old_rows));
            END IF;
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE FUNCTION telar_product_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'artisans' THEN
                PERFORM telar_refresh_product_search(
                    ARRAY(SELECT id FROM products WHERE artisan_id = NEW.id));
            ELSE
                PERFORM telar_refresh_product_search(ARRAY[NEW.id]);
            END IF;
            RETURN NULL;
        END $$""")
    op.execute("""CREATE TRIGGER product_search_products_insert AFTER INSERT ON products
                  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
                  EXECUTE FUNCTION telar_product_search_inserted()""")
    op.execute("""CREATE TRIGGER product_search_products_update
                  AFTER UPDATE OF artisan_id, technique, category ON products FOR EACH ROW
                  EXECUTE FUNCTION telar_product_search_row()""")
    op.execute("""CREATE TRIGGER product_search_artisans_update
                  AFTER UPDATE OF display_name, community ON artisans FOR EACH ROW
                  EXECUTE FUNCTION telar_product_search_row()""")
    op.execute("""CREATE TRIGGER product_search_translations_insert AFTER INSERT ON product_translations
                  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
                  EXECUTE FUNCTION telar_product_search_translations()""")
    op.execute("""CREATE TRIGGER product_search_translations_update AFTER UPDATE ON product_translations
                  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
                  EXECUTE FUNCTION telar_product_search_translations()""")
    op.execute("""CREATE TRIGGER product_search_translations_delete AFTER DELETE ON product_translations
                  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
                  EXECUTE FUNCTION telar_product_search_translations()""")
    op.execute("SELECT telar_refresh_product_search(ARRAY(SELECT id FROM products))")


def _pg_downgrade():
    op.execute("DROP TRIGGER product_search_translations_delete ON product_translations")
    op.execute("DROP TRIGGER product_search_translations_update ON product_translations")
    op.execute("DROP TRIGGER product_search_translations_insert ON product_translations")
    op.execute("DROP TRIGGER product_search_artisans_update ON artisans")
    op.execute("DROP TRIGGER product_search_products_update ON products")
    op.execute("DROP TRIGGER product_search_products_insert ON products")
    op.execute("DROP FUNCTION telar_product_search_row()")
    op.execute("DROP FUNCTION telar_product_search_translations()")
    op.execute("DROP FUNCTION telar_product_search_inserted()")
    op.execute("DROP FUNCTION telar_refresh_product_search(integer[])")
    op.execute("DROP TABLE product_search")
    op.execute("DROP AGGREGATE telar_tsvector_agg(tsvector)")
    op.execute("DROP FUNCTION telar_search_config(text)")
    for name in [f"telar_{code}" for code in PG_LANGUAGES] + ["telar_simple"]:
        op.execute(f"DROP TEXT SEARCH CONFIGURATION {name}")
    # unaccent stays: other objects of the database may use it, and it is harmless.


# --- SQLite -------------------------------------------------------------------------------------

def _sqlite_refresh(where):
    """Statements that rebuild the FTS rows of the garments `where` selects (alias p)."""
    return f"""
        DELETE FROM product_search WHERE rowid IN (SELECT p.id FROM products p WHERE {where});
        INSERT INTO product_search (rowid, title, artisan, vocabulary, story)
        SELECT p.id,
               coalesce((SELECT group_concat(t.title, ' ') FROM product_translations t
                         WHERE t.product_id = p.id), ''),
               a.display_name || ' ' || a.community,
               replace(p.technique, '_', ' ') || ' ' || replace(p.category, '_', ' '),
               coalesce((SELECT group_concat(coalesce(t.story, '') || ' ' || coalesce(t.materials, ''), ' ')
                         FROM product_translations t WHERE t.product_id = p.id), '')
        FROM products p JOIN artisans a ON a.id = p.artisan_id WHERE {where};"""


SQLITE_TRIGGERS = {
    "product_search_products_insert": ("AFTER INSERT ON products", _sqlite_refresh("p.id = NEW.id")),
    "product_search_products_update": ("AFTER UPDATE OF artisan_id, technique, category ON products",
                                       _sqlite_refresh("p.id = NEW.id")),
    "product_search_products_delete": ("AFTER DELETE ON products",
                                       "DELETE FROM product_search WHERE rowid = OLD.id;"),
    "product_search_artisans_update": ("AFTER UPDATE OF display_name, community ON artisans",
                                       _sqlite_refresh("p.artisan_id = NEW.id")),
    "product_search_translations_insert": ("AFTER INSERT ON product_translations",
                                           _sqlite_refresh("p.id = NEW.product_id")),
    "product_search_translations_update": ("AFTER UPDATE ON product_translations",
                                           _sqlite_refresh("p.id IN (OLD.product_id, NEW.product_id)")),
    "product_search_translations_delete": ("AFTER DELETE ON product_translations",
                                           _sqlite_refresh("p.id = OLD.product_id")),
}


def create_sqlite_triggers():
    for name, (when, body) in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {body} END")


def _sqlite_upgrade():
    # Weights in storefront.catalog.search follow this column order.
    op.execute("CREATE VIRTUAL TABLE product_search USING fts5("
               "title, artisan, vocabulary, story, "
               "tokenize = 'porter unicode61 remove_diacritics 2')")
    create_sqlite_triggers()
    op.execute(_sqlite_refresh("1 = 1").split(";", 1)[1])


def _sqlite_downgrade():
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE product_search")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
