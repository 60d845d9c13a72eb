"""voice: recorded stories of garments and artisans, with transcripts and translations; spoken
guides of the studio's screens; news from her loom; an idempotency key per garment draft

Revision ID: 0005_voice
Revises: 0004_voice
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_voice"
down_revision = "0004_voice"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "voice_stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artisan_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("spoken_language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("duration_ms > 0 AND size_bytes > 0", name=op.f("ck_voice_stories_recording_not_empty")),
        sa.ForeignKeyConstraint(["artisan_id"], ["artisans.id"], name=op.f("fk_voice_stories_artisan_id_artisans"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name=op.f("fk_voice_stories_product_id_products"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_stories")),
    )
    with op.batch_alter_table("voice_stories") as batch:
        batch.create_index("ix_voice_stories_artisan_product", ["artisan_id", "product_id"])
        batch.create_index(op.f("ix_voice_stories_product_id"), ["product_id"])
        batch.create_index(op.f("ix_voice_stories_content_hash"), ["content_hash"])
    op.create_table(
        "voice_story_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["voice_stories.id"],
                                name=op.f("fk_voice_story_texts_story_id_voice_stories"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_story_texts")),
        sa.UniqueConstraint("story_id", "locale", name=op.f("uq_voice_story_texts_story_id_locale")),
    )
    op.create_table(
        "screen_guides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screen", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("duration_ms > 0 AND size_bytes > 0", name=op.f("ck_screen_guides_recording_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_guides")),
        sa.UniqueConstraint("screen", "language", name=op.f("uq_screen_guides_screen_language")),
    )
    op.create_table(
        "artisan_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artisan_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("photo_hash", sa.String(length=64), nullable=True),
        sa.Column("photo_path", sa.String(length=255), nullable=True),
        sa.Column("photo_width", sa.Integer(), nullable=True),
        sa.Column("voice_hash", sa.String(length=64), nullable=True),
        sa.Column("voice_duration_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("body <> '' OR photo_hash IS NOT NULL OR voice_hash IS NOT NULL",
                           name=op.f("ck_artisan_updates_not_empty")),
        sa.ForeignKeyConstraint(["artisan_id"], ["artisans.id"], name=op.f("fk_artisan_updates_artisan_id_artisans"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artisan_updates")),
    )
    with op.batch_alter_table("artisan_updates") as batch:
        batch.create_index("ix_artisan_updates_artisan_created", ["artisan_id", "created_at"])
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("draft_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_products_draft_key"), ["draft_key"])


def downgrade():
    with op.batch_alter_table("products") as batch:
        batch.drop_constraint(op.f("uq_products_draft_key"), type_="unique")
        batch.drop_column("draft_key")
    with op.batch_alter_table("artisan_updates") as batch:
        batch.drop_index("ix_artisan_updates_artisan_created")
    op.drop_table("artisan_updates")
    op.drop_table("screen_guides")
    op.drop_table("voice_story_texts")
    with op.batch_alter_table("voice_stories") as batch:
        batch.drop_index("ix_voice_stories_content_hash")
        batch.drop_index("ix_voice_stories_product_id")
        batch.drop_index("ix_voice_stories_artisan_product")
    op.drop_table("voice_stories")
