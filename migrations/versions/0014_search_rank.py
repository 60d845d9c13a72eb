"""search reads one table: product_search keeps whether a garment is visible and when it was published

Revision ID: 0014_search_rank
Revises: 0013_data_versions
Create Date: 2026-12-02

PostgreSQL: `product_search` gains `visible` (status published or sold out, and her artisan active:
storefront.catalog.queries.VISIBLE_STATUSES) and `published_at`, so a text search ranks the ids of
the visible garments without joining products and artisans for every match (bench.catalog: a word
in all 10,000 garments). The same refresh function writes them with the document; two lighter
triggers follow a status or publication change and an artisan's (de)activation, which leave the
words alone. The GIN index stops using its pending list (fastupdate off): garments change seldom,
and every search would otherwise scan the list of entries not yet merged, whatever its length.

SQLite: nothing changes (FTS5 joins products by rowid, which is cheap there).
"""
from alembic import op

revision = "0014_search_rank"
down_revision = "0013_data_versions"
branch_labels = None
depends_on = None

# As in 0011_speed_search (a migration keeps its own copy: that one must stay as it ran).
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
# The catalog's rule (queries.VISIBLE_STATUSES and an active artisan), for rows p (products), a (artisans).
PG_VISIBLE = "p.status IN ('published', 'sold_out') AND a.active"


def _pg_refresh_function(columns, values, updates):
    return f"""
        CREATE OR REPLACE FUNCTION telar_refresh_product_search(ids integer[]) RETURNS void
        LANGUAGE sql AS $$
            INSERT INTO product_search ({columns})
            SELECT {values}
            FROM products p JOIN artisans a ON a.id = p.artisan_id
            WHERE p.id = ANY(ids)
            ON CONFLICT (product_id) DO UPDATE SET {updates}
        $$"""


OLD_REFRESH = _pg_refresh_function("product_id, document", f"p.id, {PG_DOCUMENT}",
                                   "document = EXCLUDED.document")
NEW_REFRESH = _pg_refresh_function(
    "product_id, document, visible, published_at", f"p.id, {PG_DOCUMENT}, {PG_VISIBLE}, p.published_at",
    "document = EXCLUDED.document, visible = EXCLUDED.visible, published_at = EXCLUDED.published_at")


def _pg_upgrade():
    op.execute("ALTER TABLE product_search ADD COLUMN visible boolean NOT NULL DEFAULT false, "
               "ADD COLUMN published_at timestamp without time zone")
    op.execute("ALTER TABLE product_search ALTER COLUMN visible DROP DEFAULT")
    op.execute(NEW_REFRESH)
    op.execute(f"""
        CREATE FUNCTION telar_refresh_product_listing(ids integer[]) RETURNS void LANGUAGE sql AS $$
            UPDATE product_search s SET visible = {PG_VISIBLE}, published_at = p.published_at
            FROM products p JOIN artisans a ON a.id = p.artisan_id
            WHERE s.product_id = p.id AND p.id = ANY(ids)
        $$""")
    op.execute("""
        CREATE FUNCTION telar_product_search_listing() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'artisans' THEN
                PERFORM telar_refresh_product_listing(
                    ARRAY(SELECT id FROM products WHERE artisan_id = NEW.id));
            ELSE
                PERFORM telar_refresh_product_listing(ARRAY[NEW.id]);
            END IF;
            RETURN NULL;
        END $$""")
    # Per row, and only when a value really changes: checkout's stock updates do not fire these.
    op.execute("""CREATE TRIGGER product_search_products_listing
                  AFTER UPDATE OF status, published_at ON products FOR EACH ROW
                  WHEN (OLD.status IS DISTINCT FROM NEW.status
                        OR OLD.published_at IS DISTINCT FROM NEW.published_at)
                  EXECUTE FUNCTION telar_product_search_listing()""")
    op.execute("""CREATE TRIGGER product_search_artisans_listing
                  AFTER UPDATE OF active ON artisans FOR EACH ROW
                  WHEN (OLD.active IS DISTINCT FROM NEW.active)
                  EXECUTE FUNCTION telar_product_search_listing()""")
    op.execute("SELECT telar_refresh_product_listing(ARRAY(SELECT id FROM products))")
    op.execute("ALTER INDEX ix_product_search_document SET (fastupdate = off)")
    op.execute("SELECT gin_clean_pending_list('ix_product_search_document'::regclass)")


def _pg_downgrade():
    op.execute("ALTER INDEX ix_product_search_document RESET (fastupdate)")
    op.execute("DROP TRIGGER product_search_artisans_listing ON artisans")
    op.execute("DROP TRIGGER product_search_products_listing ON products")
    op.execute("DROP FUNCTION telar_product_search_listing()")
    op.execute("DROP FUNCTION telar_refresh_product_listing(integer[])")
    op.execute(OLD_REFRESH)
    op.execute("ALTER TABLE product_search DROP COLUMN published_at, DROP COLUMN visible")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
