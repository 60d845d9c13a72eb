"""catalog sort indexes: walk garments by publication date or price and stop after one page

Revision ID: 0003_catalog
Revises: 0002_defaults
Create Date: 2026-11-21
"""
from alembic import op

revision = "0003_catalog"
down_revision = "0002_defaults"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("products") as batch:
        batch.create_index("ix_products_published_at_id", ["published_at", "id"])
        batch.create_index("ix_products_price_amount_id", ["price_amount", "id"])


def downgrade():
    with op.batch_alter_table("products") as batch:
        batch.drop_index("ix_products_price_amount_id")
        batch.drop_index("ix_products_published_at_id")
