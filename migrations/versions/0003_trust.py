"""trust: score freshness, publish overrides, 'may have been sent' mail

Revision ID: 0003_trust
Revises: 0002_notifications
Create Date: 2026-12-06 09:30:00

- ``timetable.score_fingerprint``: a digest of the data a version's stored hard/soft score was computed on;
  a score whose fingerprint differs from the data's current one is out of date and is rechecked.
- ``timetable.publish_override``: when a version with conflicts or unscheduled sessions was published on the
  coordinator's explicit override, what was overridden (kept with the version).
- ``outbox_message.status`` may be ``uncertain``: the message's data was sent but the server's reply was lost,
  so it may have been delivered; it is never re-sent automatically.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_trust'
down_revision = '0002_notifications'
branch_labels = None
depends_on = None

_OLD_OUTBOX = "status IN ('queued', 'sending', 'sent', 'failed')"
_NEW_OUTBOX = "status IN ('queued', 'sending', 'sent', 'failed', 'uncertain')"


def upgrade() -> None:
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score_fingerprint', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('publish_override', sa.Text(), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_status_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_message_status_valid'), _NEW_OUTBOX)


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_status_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_message_status_valid'), _OLD_OUTBOX)
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.drop_column('publish_override')
        batch_op.drop_column('score_fingerprint')
