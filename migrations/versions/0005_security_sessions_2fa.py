"""security: session tokens (log out everywhere), two-factor for staff, visible login blocks

Revision ID: 0004_security
Revises: 0004_lifecycle
Create Date: 2026-12-02

Every existing user gets a random session token, so sessions made before this migration end once
(a cookie without the token is refused): everyone logs in again after the upgrade.
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004_security"
down_revision = "0004_lifecycle"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_token", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_confirmed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("totp_last_counter", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recovery_code_hashes", sa.JSON(), nullable=True))
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(16)))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_token", existing_type=sa.String(length=32), nullable=False)

    op.create_table(
        "login_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("blocked_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["cleared_by_id"], ["users.id"], name=op.f("fk_login_blocks_cleared_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_blocks")),
    )
    with op.batch_alter_table("login_blocks") as batch:
        batch.create_index(batch.f("ix_login_blocks_blocked_until"), ["blocked_until"], unique=False)


def downgrade():
    with op.batch_alter_table("login_blocks") as batch:
        batch.drop_index(batch.f("ix_login_blocks_blocked_until"))
    op.drop_table("login_blocks")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("recovery_code_hashes")
        batch.drop_column("totp_last_counter")
        batch.drop_column("totp_confirmed_at")
        batch.drop_column("totp_secret")
        batch.drop_column("session_token")
