"""commission progress voice notes; unpaid balances flagged for the cooperative's decision

Revision ID: 0005_commission_voice
Revises: 0004_speed
Create Date: 2026-12-02

`commission_posts` gains a voice note (Opus in WebM through storefront.media.audio, like her news), and
a post may now be a voice note alone. `commissions.balance_flagged_at` records when `flask commissions
sweep` told the cooperative that a balance went unpaid past its set days (once per commission).
Neither table is one the search triggers of 0011 depend on, so batch mode on SQLite needs no
`create_sqlite_triggers()` here.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_commission_voice"
down_revision = "0004_speed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("commission_posts") as batch:
        batch.add_column(sa.Column("voice_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("voice_duration_ms", sa.Integer(), nullable=True))
        batch.drop_constraint(op.f("ck_commission_posts_note_or_photo"), type_="check")
        batch.create_check_constraint("note_photo_or_voice",
                                      "note <> '' OR photo_hash IS NOT NULL OR voice_hash IS NOT NULL")
    with op.batch_alter_table("commissions") as batch:
        batch.add_column(sa.Column("balance_flagged_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("commissions") as batch:
        batch.drop_column("balance_flagged_at")
    # A voice-only post cannot be kept under the old rule: its note says so, in the cooperative's words.
    op.execute("UPDATE commission_posts SET note = '(nota de voz)' "
               "WHERE note = '' AND photo_hash IS NULL AND voice_hash IS NOT NULL")
    with op.batch_alter_table("commission_posts") as batch:
        batch.drop_constraint(op.f("ck_commission_posts_note_photo_or_voice"), type_="check")
        batch.create_check_constraint("note_or_photo", "note <> '' OR photo_hash IS NOT NULL")
        batch.drop_column("voice_duration_ms")
        batch.drop_column("voice_hash")
