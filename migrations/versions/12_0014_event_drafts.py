"""An event's unpublished changes: the number of the revision that holds them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_number", sa.Integer(), nullable=True))


def downgrade():
    # Not a batch (which copies the table on SQLite, and dropping the old one would delete its
    # translations through their foreign key): SQLite drops a plain column in place.
    op.execute("ALTER TABLE event DROP COLUMN draft_number")
