"""Translations of eras; on every translation the hash of the text it was made from, and a version.

Revision ID: 0006
Revises: 0008
Create Date: 2026-11-29 02:54:39.670102

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "era_translation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("era_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["era_id"], ["era.id"], name=op.f("fk_era_translation_era_id_era"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_era_translation")),
        sa.UniqueConstraint("era_id", "locale", name=op.f("uq_era_translation_era_id")),
    )
    # Existing translations get empty new fields and count as made from an unknown text (out of date).
    with op.batch_alter_table("event_translation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidence", sa.String(length=80), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("image_alt", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("image_caption", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("source_hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("updated_at", sa.DateTime(), nullable=False, server_default=sa.func.current_timestamp())
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    with op.batch_alter_table("event_translation", schema=None) as batch_op:
        for column in ("version", "updated_at", "source_hash", "image_caption", "image_alt", "confidence"):
            batch_op.drop_column(column)
    op.drop_table("era_translation")
