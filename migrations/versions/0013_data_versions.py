"""data versions: one number per group of tables, moved by triggers on every committed change; the
studio's newest-first indexes

Revision ID: 0013_data_versions
Revises: 0005_commission_voice
Create Date: 2026-12-02

Figures that pages read on every visit and that change only when their tables do (the catalog's
totals, the communities, the texts to translate, which garment has a voice story, the cooperative's
sales figures) are kept in each process's memory (storefront.kept.kept_while) until the version of
their group moves. Triggers move it, so every write path moves it: the studio, staff pages,
commands, webhooks, bulk SQL, a restore.

PostgreSQL: a deferred constraint trigger per table runs at commit, once per transaction and group (a
transaction-local setting remembers it was done), so the version row is the last lock a transaction
takes and holds only while it commits: no deadlock with the rows the transaction wrote, no writer
waiting on another for longer than a commit. It locks every group's row in one order at once, so two
transactions that changed the groups in opposite orders do not deadlock either. The version becomes
visible with the data, atomically. The triggers' WHEN lets only a group's first changed row in a
transaction queue an event: a bulk statement of a million rows queues one.

A deferred event still pending forbids DDL on its table in the same transaction ("cannot CREATE
INDEX ... because it has pending trigger events"): migrations run with `SET CONSTRAINTS ALL
IMMEDIATE` (migrations/env.py), and a script that loads rows then builds an index must do the same.

Two indexes let the studio read one page of garments newest first (hers, or everyone's for staff)
without sorting them all.

SQLite has one writer at a time: plain row triggers. A later batch migration that recreates one of
these tables drops its triggers there; such a migration must call `create_sqlite_triggers()` again.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_data_versions"
down_revision = "0005_commission_voice"
branch_labels = None
depends_on = None

GROUPS = {
    "catalog": ("products", "product_translations", "product_images", "artisans", "artisan_translations",
                "voice_stories"),
    "sales": ("orders", "order_lines", "order_refunds", "ledger_entries", "payouts"),
}


def _triggers():
    """(trigger name, table, group) of every trigger this migration makes."""
    return [(f"data_version_{table}", table, group) for group, tables in GROUPS.items() for table in tables]


def _pg_upgrade():
    # True for a group's first change in a transaction, false after: the WHEN of the triggers, so a
    # transaction queues one event per group, not one per row (a bulk load of a million rows, one).
    op.execute("""
        CREATE FUNCTION telar_data_version_first_change(grp text) RETURNS boolean
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            queued text := 'telar.data_version_queued_' || grp;
        BEGIN
            IF coalesce(current_setting(queued, true), '') = '' THEN
                PERFORM set_config(queued, 'yes', true);  -- true: forgotten when the transaction ends
                RETURN true;
            END IF;
            RETURN false;
        END $$""")
    op.execute("""
        CREATE FUNCTION telar_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Every group's row, always in the same order, at the first bump of the transaction:
            -- two commits that changed the groups in opposite orders cannot wait on each other.
            IF coalesce(current_setting('telar.data_versions_locked', true), '') = '' THEN
                PERFORM 1 FROM data_versions ORDER BY name FOR UPDATE;
                PERFORM set_config('telar.data_versions_locked', 'yes', true);
            END IF;
            UPDATE data_versions SET version = version + 1 WHERE name = TG_ARGV[0];
            RETURN NULL;
        END $$""")
    for name, table, group in _triggers():
        op.execute(f"""CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table}
                       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                       WHEN (telar_data_version_first_change('{group}'))
                       EXECUTE FUNCTION telar_bump_data_version('{group}')""")


def _pg_downgrade():
    for name, table, _group in _triggers():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION telar_bump_data_version()")
    op.execute("DROP FUNCTION telar_data_version_first_change(text)")


def create_sqlite_triggers():
    for name, table, group in _triggers():
        for event in ("insert", "update", "delete"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {name}_{event} AFTER {event.upper()} ON {table} "
                       f"BEGIN UPDATE data_versions SET version = version + 1 WHERE name = '{group}'; END")


def _sqlite_downgrade():
    for name, _table, _group in _triggers():
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")


def upgrade():
    versions = op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    op.bulk_insert(versions, [{"name": group, "version": 0} for group in GROUPS])
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        create_sqlite_triggers()
    op.create_index(op.f("ix_products_artisan_id_created_at_id"), "products",
                    ["artisan_id", "created_at", "id"])
    op.create_index(op.f("ix_products_created_at_id"), "products", ["created_at", "id"])


def downgrade():
    op.drop_index(op.f("ix_products_created_at_id"), table_name="products")
    op.drop_index(op.f("ix_products_artisan_id_created_at_id"), table_name="products")
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
    op.drop_table("data_versions")
