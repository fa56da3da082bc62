"""substitutions: the term's exceptional days, absences and daily substitutions

Revision ID: 0004_substitutions
Revises: 0003_trust
Create Date: 2026-12-06 09:40:00

- ``term_day``: holidays and days that follow another weekday's timetable (the term's start, end and
  time zone are rows of the ``setting`` table: ``term_start``, ``term_end``, ``time_zone``).
- ``absence``: a faculty member away on a date, the whole day or some periods, with a reason.
- ``substitution``: how one lesson of an absence is covered (substitute, self-study, swap, merge),
  with the lesson's course, groups and period copied for the term's register.
- ``notify_channel``: webhook channels (Microsoft Teams, Slack, generic JSON) and the events each receives;
  the URLs are secrets in the OS keychain. ``outbox_message.channel`` ("" = e-mail) and ``payload`` let the
  same outbox hold webhook messages.
- ``student_group.email``: the class representative's address or the class mailing list.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_substitutions'
down_revision = '0003_trust'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('term_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('follows_day_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'follows')", name=op.f('ck_term_day_kind_valid')),
    sa.CheckConstraint("(kind = 'follows') = (follows_day_id IS NOT NULL)", name=op.f('ck_term_day_follows_complete')),
    sa.ForeignKeyConstraint(['follows_day_id'], ['day.id'], name=op.f('fk_term_day_follows_day_id_day'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term_day')),
    sa.UniqueConstraint('date', name=op.f('uq_term_day_date'))
    )
    op.create_table('absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('faculty_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('periods', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("reason IN ('leave', 'duty', 'other')", name=op.f('ck_absence_reason_valid')),
    sa.ForeignKeyConstraint(['faculty_id'], ['faculty.id'], name=op.f('fk_absence_faculty_id_faculty'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absence'))
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_absence_faculty_id'), ['faculty_id'], unique=False)
    op.create_table('substitution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('absence_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('timetable_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('occurrence', sa.Integer(), nullable=False),
    sa.Column('course_code', sa.String(length=20), nullable=False),
    sa.Column('activity_kind', sa.String(length=1), nullable=False),
    sa.Column('groups', sa.String(length=300), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('absent_faculty_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('substitute_id', sa.Integer(), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('other_activity_id', sa.Integer(), nullable=True),
    sa.Column('other_occurrence', sa.Integer(), nullable=True),
    sa.Column('other_date', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('substitute', 'self_study', 'swap', 'merge')", name=op.f('ck_substitution_kind_valid')),
    sa.CheckConstraint('period >= 0 AND duration >= 1', name=op.f('ck_substitution_slot_valid')),
    sa.ForeignKeyConstraint(['absence_id'], ['absence.id'], name=op.f('fk_substitution_absence_id_absence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['absent_faculty_id'], ['faculty.id'], name=op.f('fk_substitution_absent_faculty_id_faculty'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_substitution_activity_id_activity'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['other_activity_id'], ['activity.id'], name=op.f('fk_substitution_other_activity_id_activity'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_substitution_room_id_room'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['substitute_id'], ['faculty.id'], name=op.f('fk_substitution_substitute_id_faculty'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetable.id'], name=op.f('fk_substitution_timetable_id_timetable'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_substitution')),
    sa.UniqueConstraint('absence_id', 'activity_id', 'occurrence', name=op.f('uq_substitution_absence_id_activity_id_occurrence'))
    )
    with op.batch_alter_table('substitution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_substitution_absence_id'), ['absence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_substitution_absent_faculty_id'), ['absent_faculty_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_substitution_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_substitution_substitute_id'), ['substitute_id'], unique=False)
    op.create_table('notify_channel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('teams', 'slack', 'json')", name=op.f('ck_notify_channel_kind_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_channel')),
    sa.UniqueConstraint('name', name=op.f('uq_notify_channel_name'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('payload', sa.Text(), nullable=True))
    with op.batch_alter_table('student_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('student_group', schema=None) as batch_op:
        batch_op.drop_column('email')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('payload')
        batch_op.drop_column('channel')
    op.drop_table('notify_channel')
    with op.batch_alter_table('substitution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_substitution_substitute_id'))
        batch_op.drop_index(batch_op.f('ix_substitution_date'))
        batch_op.drop_index(batch_op.f('ix_substitution_absent_faculty_id'))
        batch_op.drop_index(batch_op.f('ix_substitution_absence_id'))
    op.drop_table('substitution')
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_faculty_id'))
        batch_op.drop_index(batch_op.f('ix_absence_date'))
    op.drop_table('absence')
    op.drop_table('term_day')
