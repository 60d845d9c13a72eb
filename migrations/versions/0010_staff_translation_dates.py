"""translation dates: when each language's text of a garment or an artisan was last written

The content model stays a translations table keyed by language (product_translations,
artisan_translations), not per-language columns: a shop language is a row, not a migration, and what
is missing is an absent row that one anti-join finds for the translation queue. The es and en rows
already there stay as they are; they get today's date, so none is reported out of date at first.

Revision ID: 0004_staff
Revises: 0004_commissions
Create Date: 2026-12-02
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0004_staff"
down_revision = "0004_commissions"
branch_labels = None
depends_on = None

TABLES = ("product_translations", "artisan_translations")


def upgrade():
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        op.execute(sa.table(table, sa.column("updated_at", sa.DateTime())).update().values(updated_at=now))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_at")
