"""voice: the cooperative may offer the Tsotsil and Tseltal interfaces on public pages too

Revision ID: 0004_voice
Revises: 0004_impact
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_voice"
down_revision = "0004_impact"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cooperative_settings") as batch:
        batch.add_column(sa.Column("public_indigenous_languages", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("cooperative_settings") as batch:
        batch.drop_column("public_indigenous_languages")
