"""Revisions are numbered by version: no event or era may have a version below its highest revision.

Before this, a revision took the next free number and a save that changed nothing recorded one without
bumping the version, so an older database can hold revision numbers above the version. Raising such
versions (a data change only) keeps the next revision's number, the new version, free. Revisions of
deleted eras are removed too (their deletion is in the audit log): a new era may get the same id, and
its revision 1 must be free.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 03:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("event", "era"):
        orphaned = f"entity_type = '{table}' AND entity_id NOT IN (SELECT id FROM {table})"
        op.execute(f"DELETE FROM revision WHERE {orphaned}")
        highest = (
            "SELECT MAX(revision.number) FROM revision "
            f"WHERE revision.entity_type = '{table}' AND revision.entity_id = {table}.id"
        )
        op.execute(f"UPDATE {table} SET version = ({highest}) WHERE version < ({highest})")


def downgrade():
    pass  # versions only ever go up; the old code reads the raised ones as it read any other
