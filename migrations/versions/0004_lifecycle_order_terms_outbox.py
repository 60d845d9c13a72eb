"""lifecycle: money terms frozen on each order, refunds kept per order, the durable email outbox

Revision ID: 0004_lifecycle
Revises: 0003_catalog
Create Date: 2026-12-02

Orders placed before this revision get the commission and card-fee estimate in force now (the best
record there is of the terms they were sold under).
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_lifecycle"
down_revision = "0003_catalog"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("commission_bp", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("card_fee_bp", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("card_fee_fixed_amount", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE orders SET commission_bp = (SELECT commission_bp FROM cooperative_settings WHERE id = 1),"
               " card_fee_bp = (SELECT card_fee_bp FROM cooperative_settings WHERE id = 1),"
               " card_fee_fixed_amount = (SELECT card_fee_fixed_amount FROM cooperative_settings WHERE id = 1)"
               " WHERE EXISTS (SELECT 1 FROM cooperative_settings WHERE id = 1)")
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("promised_artisan_share_mxn", sa.Integer(), nullable=True))

    op.create_table(
        "order_refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("stripe_refund_id", sa.String(length=255), nullable=False),
        sa.Column("stripe_charge_id", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("restock", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_order_refunds_amount_positive")),
        sa.CheckConstraint("status IN ('pending', 'applied')", name=op.f("ck_order_refunds_status_known")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_refunds_order_id_orders"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["order_line_id"], ["order_lines.id"],
                                name=op.f("fk_order_refunds_order_line_id_order_lines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_refunds")),
        sa.UniqueConstraint("stripe_refund_id", name=op.f("uq_order_refunds_stripe_refund_id")),
    )
    op.create_index(op.f("ix_order_refunds_order_id"), "order_refunds", ["order_id"])

    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=True),
        sa.Column("template", sa.String(length=80), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f("ck_email_outbox_status_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_email_outbox_key")),
    )
    op.create_index("ix_email_outbox_status_next_attempt_at", "email_outbox", ["status", "next_attempt_at"])


def downgrade():
    op.drop_index("ix_email_outbox_status_next_attempt_at", table_name="email_outbox")
    op.drop_table("email_outbox")
    op.drop_index(op.f("ix_order_refunds_order_id"), table_name="order_refunds")
    op.drop_table("order_refunds")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("promised_artisan_share_mxn")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("card_fee_fixed_amount")
        batch.drop_column("card_fee_bp")
        batch.drop_column("commission_bp")
