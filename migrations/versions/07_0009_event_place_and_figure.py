"""Events may have a place (name, coordinates, note) and a figure (a small bar chart of numbers).

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-29 03:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("figure", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("figure")
        batch_op.drop_column("place")
