"""Kiosks enrolled with a token (and waiting requests), report limits shared by every worker, refused
reports kept, and analytics summed as events arrive: a session table, totals for every kiosk together
(kiosk "*"), and the daily totals' key led by the kiosk.

Kiosks that reported before keep their rows but have no token: they ask to report again and an
administrator approves them on the Kiosks page. Days not yet summed (every day still marked stale,
today's among them) are summed from their raw events by the app (kiosk.telemetry.analytics.sum_again,
which `flask analytics rollup` and the Analytics page run).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:03:34.399417

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

EVERY_KIOSK = "*"


def upgrade():
    op.create_table(
        "analytics_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk", sa.String(length=64), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("interactions", sa.Integer(), nullable=False),
        sa.Column("last_open", sa.String(length=120), nullable=False),
        sa.Column("last_open_at", sa.DateTime(), nullable=True),
        sa.Column("length_ms", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_session")),
        sa.UniqueConstraint("kiosk", "uid", name=op.f("uq_analytics_session_kiosk")),
    )
    with op.batch_alter_table("analytics_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_session_day"), ["day"], unique=False)

    op.create_table(
        "kiosk_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("last_asked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_request")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_kiosk_request_token_hash")),
    )
    op.create_table(
        "report_count",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "minute", name=op.f("pk_report_count")),
    )
    op.create_table(
        "report_refusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_refusal")),
    )
    with op.batch_alter_table("report_refusal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_refusal_kiosk"), ["kiosk"], unique=False)

    with op.batch_alter_table("analytics_daily_total", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_analytics_daily_total_day"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_analytics_daily_total_kiosk"), ["kiosk", "day", "metric", "subject"]
        )
    # The figures of every kiosk together, for the days already summed.
    op.execute(
        "INSERT INTO analytics_daily_total (day, kiosk, metric, subject, count, total_ms) "
        f"SELECT day, '{EVERY_KIOSK}', metric, subject, SUM(count), SUM(total_ms) "
        "FROM analytics_daily_total GROUP BY day, metric, subject"
    )

    with op.batch_alter_table("kiosk_station", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label", sa.String(length=80), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("enrolled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch_op.alter_column("first_seen", existing_type=sa.DateTime(), nullable=True)
        batch_op.alter_column("last_seen", existing_type=sa.DateTime(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_kiosk_station_token_hash"), ["token_hash"])
    with op.batch_alter_table("kiosk_station", schema=None) as batch_op:
        batch_op.alter_column("label", existing_type=sa.String(length=80), server_default=None)


def downgrade():
    op.execute("UPDATE kiosk_station SET first_seen = COALESCE(first_seen, enrolled_at, CURRENT_TIMESTAMP)")
    op.execute("UPDATE kiosk_station SET last_seen = COALESCE(last_seen, first_seen)")
    with op.batch_alter_table("kiosk_station", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_kiosk_station_token_hash"), type_="unique")
        batch_op.alter_column("last_seen", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("first_seen", existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_column("published_at")
        batch_op.drop_column("enrolled_at")
        batch_op.drop_column("token_hash")
        batch_op.drop_column("label")

    op.execute(f"DELETE FROM analytics_daily_total WHERE kiosk = '{EVERY_KIOSK}'")
    with op.batch_alter_table("analytics_daily_total", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_analytics_daily_total_kiosk"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_analytics_daily_total_day"), ["day", "kiosk", "metric", "subject"]
        )

    with op.batch_alter_table("report_refusal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_refusal_kiosk"))
    op.drop_table("report_refusal")
    op.drop_table("report_count")
    op.drop_table("kiosk_request")
    with op.batch_alter_table("analytics_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_session_day"))
    op.drop_table("analytics_session")
