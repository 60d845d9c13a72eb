"""made to order: commissions, their progress posts, the artisan's and the cooperative's commission settings,
and the "advance" ledger entry

Revision ID: 0004_commissions
Revises: 0004_lifecycle (the lead re-chains heads at merge time)
Create Date: 2026-12-02

Defaults: a deposit of at least 50 % (WFTO principle 3: an interest-free prepayment of at least half on
the producer's request); a cancelled advance is reversed against her future earnings unless the
cooperative chooses to write it off; 30 days after the balance link before an unpaid balance may be
decided; quotes valid 14 days. Artisans do not take commissions until they say so, two open at most.
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_commissions"
down_revision = "0005_voice"
branch_labels = None
depends_on = None

STATUSES = ("requested", "quoted", "accepted", "in_progress", "finished", "completed", "declined", "expired",
            "cancelled", "not_finished", "sold_in_shop", "refunded")
OLD_SIGN = ("(kind = 'sale' AND amount >= 0) OR (kind IN ('refund', 'payout') AND amount <= 0)"
            " OR (kind = 'adjustment' AND reason IS NOT NULL AND reason <> '')")
NEW_SIGN = OLD_SIGN + " OR (kind = 'advance' AND commission_id IS NOT NULL)"
OLD_KINDS = "kind IN ('sale', 'refund', 'payout', 'adjustment')"
NEW_KINDS = "kind IN ('sale', 'refund', 'payout', 'adjustment', 'advance')"


def upgrade():
    op.create_table(
        "commissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_token", sa.String(length=64), nullable=False),
        sa.Column("artisan_id", sa.Integer(), nullable=False),
        sa.Column("reference_product_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("size", sa.String(length=80), nullable=False),
        sa.Column("colours", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("reference_photo_hash", sa.String(length=64), nullable=True),
        sa.Column("reference_photo_path", sa.String(length=255), nullable=True),
        sa.Column("reference_photo_width", sa.Integer(), nullable=True),
        sa.Column("buyer_email", sa.String(length=254), nullable=False),
        sa.Column("buyer_country", sa.String(length=2), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("materials_cost_mxn", sa.Integer(), nullable=True),
        sa.Column("hours_of_work", sa.Integer(), nullable=True),
        sa.Column("hourly_rate_mxn", sa.Integer(), nullable=True),
        sa.Column("price_mxn", sa.Integer(), nullable=True),
        sa.Column("weeks_of_work", sa.Integer(), nullable=True),
        sa.Column("deposit_bp", sa.Integer(), nullable=True),
        sa.Column("quote_message", sa.Text(), nullable=True),
        sa.Column("quoted_at", sa.DateTime(), nullable=True),
        sa.Column("quoted_by_id", sa.Integer(), nullable=True),
        sa.Column("quote_expires_at", sa.DateTime(), nullable=True),
        sa.Column("exchange_rate", sa.Numeric(precision=18, scale=8), nullable=True),
        sa.Column("exchange_rate_id", sa.Integer(), nullable=True),
        sa.Column("total_amount", sa.Integer(), nullable=True),
        sa.Column("deposit_amount", sa.Integer(), nullable=True),
        sa.Column("balance_amount", sa.Integer(), nullable=True),
        sa.Column("deposit_mxn", sa.Integer(), nullable=True),
        sa.Column("balance_mxn", sa.Integer(), nullable=True),
        sa.Column("commission_bp", sa.Integer(), nullable=True),
        sa.Column("artisan_share_mxn", sa.Integer(), nullable=True),
        sa.Column("advance_mxn", sa.Integer(), nullable=True),
        sa.Column("remaining_share_mxn", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("deposit_session_id", sa.String(length=255), nullable=True),
        sa.Column("deposit_payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("deposit_paid_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("balance_session_id", sa.String(length=255), nullable=True),
        sa.Column("balance_payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("balance_paid_at", sa.DateTime(), nullable=True),
        sa.Column("amount_refunded", sa.Integer(), nullable=False),
        sa.Column("made_product_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN (%s)" % ", ".join(f"'{s}'" for s in STATUSES),
                           name=op.f("ck_commissions_status_known")),
        sa.CheckConstraint("deposit_bp IS NULL OR (deposit_bp >= 5000 AND deposit_bp <= 10000)",
                           name=op.f("ck_commissions_deposit_at_least_half")),
        sa.CheckConstraint("price_mxn IS NULL OR price_mxn > 0", name=op.f("ck_commissions_price_positive")),
        sa.CheckConstraint("total_amount IS NULL OR deposit_amount + balance_amount = total_amount",
                           name=op.f("ck_commissions_deposit_plus_balance_is_total")),
        sa.CheckConstraint("artisan_share_mxn IS NULL OR advance_mxn + remaining_share_mxn = artisan_share_mxn",
                           name=op.f("ck_commissions_advance_plus_rest_is_share")),
        sa.CheckConstraint("amount_refunded >= 0", name=op.f("ck_commissions_refund_not_negative")),
        sa.ForeignKeyConstraint(["artisan_id"], ["artisans.id"], name=op.f("fk_commissions_artisan_id_artisans")),
        sa.ForeignKeyConstraint(["reference_product_id"], ["products.id"],
                                name=op.f("fk_commissions_reference_product_id_products")),
        sa.ForeignKeyConstraint(["made_product_id"], ["products.id"],
                                name=op.f("fk_commissions_made_product_id_products")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_commissions_order_id_orders")),
        sa.ForeignKeyConstraint(["quoted_by_id"], ["users.id"], name=op.f("fk_commissions_quoted_by_id_users")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_commissions_decided_by_id_users")),
        sa.ForeignKeyConstraint(["exchange_rate_id"], ["exchange_rates.id"],
                                name=op.f("fk_commissions_exchange_rate_id_exchange_rates")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissions")),
        sa.UniqueConstraint("public_token", name=op.f("uq_commissions_public_token")),
        sa.UniqueConstraint("deposit_session_id", name=op.f("uq_commissions_deposit_session_id")),
        sa.UniqueConstraint("balance_session_id", name=op.f("uq_commissions_balance_session_id")),
    )
    with op.batch_alter_table("commissions") as batch:
        batch.create_index("ix_commissions_status_created_at", ["status", "created_at"])
        batch.create_index("ix_commissions_artisan_id_status", ["artisan_id", "status"])
        batch.create_index(batch.f("ix_commissions_deposit_payment_intent_id"), ["deposit_payment_intent_id"])
        batch.create_index(batch.f("ix_commissions_balance_payment_intent_id"), ["balance_payment_intent_id"])
    op.create_table(
        "commission_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commission_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("photo_hash", sa.String(length=64), nullable=True),
        sa.Column("photo_path", sa.String(length=255), nullable=True),
        sa.Column("photo_width", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("note <> '' OR photo_hash IS NOT NULL", name=op.f("ck_commission_posts_note_or_photo")),
        sa.ForeignKeyConstraint(["commission_id"], ["commissions.id"], ondelete="CASCADE",
                                name=op.f("fk_commission_posts_commission_id_commissions")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_commission_posts_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_posts")),
    )
    with op.batch_alter_table("commission_posts") as batch:
        batch.create_index(batch.f("ix_commission_posts_commission_id"), ["commission_id"])
    with op.batch_alter_table("artisans") as batch:
        batch.add_column(sa.Column("accepts_commissions", sa.Boolean(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("commission_cap", sa.Integer(), nullable=False, server_default="2"))
    with op.batch_alter_table("cooperative_settings") as batch:
        batch.add_column(sa.Column("commission_deposit_min_bp", sa.Integer(), nullable=False,
                                   server_default="5000"))
        batch.add_column(sa.Column("advance_cancellation_policy", sa.String(length=16), nullable=False,
                                   server_default="reverse"))
        batch.add_column(sa.Column("balance_decision_days", sa.Integer(), nullable=False, server_default="30"))
        batch.add_column(sa.Column("quote_valid_days", sa.Integer(), nullable=False, server_default="14"))
        batch.create_check_constraint(
            "deposit_at_least_half", "commission_deposit_min_bp >= 5000 AND commission_deposit_min_bp <= 10000")
        batch.create_check_constraint("advance_policy_known",
                                      "advance_cancellation_policy IN ('reverse', 'write_off')")
        batch.create_check_constraint("commission_days_positive",
                                      "balance_decision_days > 0 AND quote_valid_days > 0")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(sa.Column("commission_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_ledger_entries_commission_id_commissions"), "commissions",
                                 ["commission_id"], ["id"])
        batch.create_index(batch.f("ix_ledger_entries_commission_id"), ["commission_id"])
        batch.drop_constraint(op.f("ck_ledger_entries_kind_known"), type_="check")
        batch.drop_constraint(op.f("ck_ledger_entries_sign_matches_kind"), type_="check")
        batch.create_check_constraint("kind_known", NEW_KINDS)
        batch.create_check_constraint("sign_matches_kind", NEW_SIGN)


def downgrade():
    op.execute("DELETE FROM ledger_entries WHERE kind = 'advance'")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_constraint(op.f("ck_ledger_entries_sign_matches_kind"), type_="check")
        batch.drop_constraint(op.f("ck_ledger_entries_kind_known"), type_="check")
        batch.create_check_constraint("kind_known", OLD_KINDS)
        batch.create_check_constraint("sign_matches_kind", OLD_SIGN)
        batch.drop_index(batch.f("ix_ledger_entries_commission_id"))
        batch.drop_constraint(op.f("fk_ledger_entries_commission_id_commissions"), type_="foreignkey")
        batch.drop_column("commission_id")
    with op.batch_alter_table("cooperative_settings") as batch:
        batch.drop_constraint(op.f("ck_cooperative_settings_commission_days_positive"), type_="check")
        batch.drop_constraint(op.f("ck_cooperative_settings_advance_policy_known"), type_="check")
        batch.drop_constraint(op.f("ck_cooperative_settings_deposit_at_least_half"), type_="check")
        batch.drop_column("quote_valid_days")
        batch.drop_column("balance_decision_days")
        batch.drop_column("advance_cancellation_policy")
        batch.drop_column("commission_deposit_min_bp")
    with op.batch_alter_table("artisans") as batch:
        batch.drop_column("commission_cap")
        batch.drop_column("accepts_commissions")
    op.drop_table("commission_posts")
    op.drop_table("commissions")
