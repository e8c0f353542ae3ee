"""Event time of day, slide background and embedded media, kept from TimelineJS imports.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29 03:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_time", sa.String(length=8), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("end_time", sa.String(length=8), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("background_colour", sa.String(length=7), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("background_url", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("media_embed", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        for column in ("media_embed", "background_url", "background_colour", "end_time", "start_time"):
            batch_op.drop_column(column)
