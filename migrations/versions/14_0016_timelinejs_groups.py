"""What TimelineJS files say that the kiosk's eras cannot: each slide's group and its unique_id as written,
and which eras an import made only to hold slides that its file put in no era.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 01:20:00.000000

"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE … ADD COLUMN (no batch): SQLite then keeps the tables as they are.
    op.add_column("event", sa.Column("timelinejs_group", sa.String(length=80), nullable=True))
    op.add_column(
        "event", sa.Column("timelinejs_id", sa.String(length=120), nullable=False, server_default="")
    )
    op.add_column("era", sa.Column("import_holder", sa.Boolean(), nullable=False, server_default=sa.false()))


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    """SQLite drops a column by building the table anew and dropping the old one (Alembic's batch mode):
    while it enforces foreign keys, that would delete the rows referring to it (an event's translations)
    or refuse. So enforcement is off around the change (outside a transaction, where SQLite allows it),
    on again after, and every reference checked."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")
    broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"references that lead nowhere after dropping the columns: {broken[:5]}")


def downgrade():
    with _foreign_keys_off():
        with op.batch_alter_table("era", schema=None) as batch_op:
            batch_op.drop_column("import_holder")
        with op.batch_alter_table("event", schema=None) as batch_op:
            batch_op.drop_column("timelinejs_id")
            batch_op.drop_column("timelinejs_group")
