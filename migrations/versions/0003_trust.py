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
- the ready-made ``timetable`` template, when still as 0002 wrote it, says "$published" and
  "$changes_since" instead of "has been published" / "since the previous published version", so a
  message about a draft never claims it was published (the variables fill in the right words).
- ``published_session``: the frozen snapshot of a published version (its sessions and the names printed
  about them at publish time: course, kind, groups, faculty, room, day and period labels).
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_trust'
down_revision = '0002_notifications'
branch_labels = None
depends_on = None

_OLD_OUTBOX = "status IN ('queued', 'sending', 'sent', 'failed')"
_NEW_OUTBOX = "status IN ('queued', 'sending', 'sent', 'failed', 'uncertain')"


_WORDING = [  # (0002's text, this revision's text) in the ready-made "timetable" template
    ('has been published ($week)', '$published ($week)'),
    ('Changes to your classes since the previous published version:', 'Changes to your classes $changes_since:'),
]


def _reword(forward: bool) -> None:
    t = sa.table('mail_template', sa.column('name', sa.String), sa.column('body_text', sa.Text),
                 sa.column('body_html', sa.Text))
    conn = op.get_bind()
    row = conn.execute(sa.select(t.c.body_text, t.c.body_html).where(t.c.name == 'timetable')).first()
    if row is None:
        return
    text, html = row
    pairs = _WORDING if forward else [(b, a) for a, b in _WORDING]
    if not all(a in text and a in html for a, _b in pairs):
        return  # edited by the coordinator: left as it is
    for a, b in pairs:
        text, html = text.replace(a, b), html.replace(a, b)
    conn.execute(t.update().where(t.c.name == 'timetable').values(body_text=text, body_html=html))


def upgrade() -> None:
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score_fingerprint', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('publish_override', sa.Text(), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_status_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_message_status_valid'), _NEW_OUTBOX)
    op.create_table(
        'published_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('timetable_id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('occurrence', sa.Integer(), nullable=False),
        sa.Column('course_code', sa.String(length=40), nullable=False),
        sa.Column('course_title', sa.String(length=300), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('duration', sa.Integer(), nullable=False),
        sa.Column('basket', sa.String(length=40), nullable=True),
        sa.Column('group_codes', sa.JSON(), nullable=False),
        sa.Column('group_names', sa.JSON(), nullable=False),
        sa.Column('faculty_codes', sa.JSON(), nullable=False),
        sa.Column('faculty_names', sa.JSON(), nullable=False),
        sa.Column('room_code', sa.String(length=40), nullable=True),
        sa.Column('room_name', sa.String(length=200), nullable=True),
        sa.Column('day', sa.Integer(), nullable=True),
        sa.Column('period', sa.Integer(), nullable=True),
        sa.Column('day_name', sa.String(length=40), nullable=True),
        sa.Column('day_short', sa.String(length=20), nullable=True),
        sa.Column('period_label', sa.String(length=60), nullable=True),
        sa.Column('start_time', sa.String(length=10), nullable=True),
        sa.Column('end_time', sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(['timetable_id'], ['timetable.id'],
                                name=op.f('fk_published_session_timetable_id_timetable'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_session')),
        sa.UniqueConstraint('timetable_id', 'activity_id', 'occurrence',
                            name=op.f('uq_published_session_timetable_id_activity_id_occurrence')),
    )
    with op.batch_alter_table('published_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_session_timetable_id'), ['timetable_id'], unique=False)
    _reword(True)


def downgrade() -> None:
    _reword(False)
    with op.batch_alter_table('published_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_session_timetable_id'))
    op.drop_table('published_session')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_status_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_message_status_valid'), _OLD_OUTBOX)
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.drop_column('publish_override')
        batch_op.drop_column('score_fingerprint')
