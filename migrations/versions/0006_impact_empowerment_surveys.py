"""empowerment surveys: the questionnaire recorded for each artisan at baseline and at the end of a period

Revision ID: 0004_impact
Revises: 0004_security
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_impact"
down_revision = "0004_security"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "empowerment_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artisan_id", sa.Integer(), nullable=False),
        sa.Column("wave", sa.String(length=8), nullable=False),
        sa.Column("surveyed_on", sa.Date(), nullable=False),
        sa.Column("sets_own_prices", sa.Integer(), nullable=False),
        sa.Column("earns_on_her_own", sa.Integer(), nullable=False),
        sa.Column("sells_by_phone", sa.Integer(), nullable=False),
        sa.Column("checks_payments_online", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("wave IN ('baseline', 'end')", name=op.f("ck_empowerment_surveys_wave_known")),
        sa.CheckConstraint("sets_own_prices BETWEEN 1 AND 4 AND earns_on_her_own BETWEEN 1 AND 4 "
                           "AND sells_by_phone BETWEEN 1 AND 4 AND checks_payments_online BETWEEN 1 AND 4",
                           name=op.f("ck_empowerment_surveys_answers_on_scale")),
        sa.ForeignKeyConstraint(["artisan_id"], ["artisans.id"],
                                name=op.f("fk_empowerment_surveys_artisan_id_artisans")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_empowerment_surveys_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_empowerment_surveys")),
        sa.UniqueConstraint("artisan_id", "wave", "surveyed_on",
                            name=op.f("uq_empowerment_surveys_artisan_id_wave_surveyed_on")),
    )
    with op.batch_alter_table("empowerment_surveys") as batch:
        batch.create_index("ix_empowerment_surveys_artisan_id", ["artisan_id"])


def downgrade():
    with op.batch_alter_table("empowerment_surveys") as batch:
        batch.drop_index("ix_empowerment_surveys_artisan_id")
    op.drop_table("empowerment_surveys")
