"""notifications: mail templates and the outbox

Revision ID: 0002_notifications
Revises: 0001_initial
Create Date: 2026-11-23 10:30:00

Also inserts the ready-made templates ``timetable`` (sent on publish),
``weekly_reminder`` and ``daily_digest``. Their text is frozen here on
purpose: a migration must not depend on application code that may change.
The APScheduler job table ``apscheduler_jobs`` lives in the same file but is
created and owned by APScheduler, not by these migrations.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_notifications'
down_revision = '0001_initial'
branch_labels = None
depends_on = None

_SIGNATURE = """Regards,
Timetable coordinator, $department
$institution"""

DEFAULT_TEMPLATES = [
    {
        "name": "timetable",
        "subject": "Your timetable: $version ($term)",
        "body_text": """Dear $faculty_name,

The timetable "$version" for $term has been published ($week).

Changes to your classes since the previous published version:
$changes

Your classes this week:
$classes

Your own timetable is attached as a PDF.

""" + _SIGNATURE + "\n",
        "body_html": """<p>Dear $faculty_name,</p>
<p>The timetable <b>$version</b> for $term has been published ($week).</p>
<p>Changes to your classes since the previous published version:</p>
$changes
<p>Your classes this week:</p>
$classes
<p>Your own timetable is attached as a PDF.</p>
<p>Regards,<br>Timetable coordinator, $department<br>$institution</p>
""",
        "attach_pdf": True,
    },
    {
        "name": "weekly_reminder",
        "subject": "Your classes for $week",
        "body_text": """Dear $faculty_name,

Your classes for $week (timetable "$version", $term):
$classes

Your own timetable is attached as a PDF.

""" + _SIGNATURE + "\n",
        "body_html": "",
        "attach_pdf": True,
    },
    {
        "name": "daily_digest",
        "subject": "Your classes tomorrow ($day)",
        "body_text": """Dear $faculty_name,

Your classes tomorrow, $day (timetable "$version"):
$classes

""" + _SIGNATURE + "\n",
        "body_html": "",
        "attach_pdf": False,
    },
]


def upgrade() -> None:
    mail_template = op.create_table('mail_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('attach_pdf', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_template')),
    sa.UniqueConstraint('name', name=op.f('uq_mail_template_name'))
    )
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=300), nullable=False),
    sa.Column('event', sa.String(length=100), nullable=False),
    sa.Column('template_name', sa.String(length=100), nullable=False),
    sa.Column('timetable_id', sa.Integer(), nullable=True),
    sa.Column('faculty_id', sa.Integer(), nullable=True),
    sa.Column('faculty_code', sa.String(length=20), nullable=False),
    sa.Column('recipient_name', sa.String(length=200), nullable=False),
    sa.Column('recipient_email', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('attach_pdf', sa.Boolean(), nullable=False),
    sa.Column('message_id', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_message_status_valid')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_message_attempts_nonneg')),
    sa.ForeignKeyConstraint(['faculty_id'], ['faculty.id'], name=op.f('fk_outbox_message_faculty_id_faculty'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetable.id'], name=op.f('fk_outbox_message_timetable_id_timetable'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_message_idempotency_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_faculty_id'), ['faculty_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_timetable_id'), ['timetable_id'], unique=False)

    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    op.bulk_insert(mail_template, [dict(t, updated_at=now) for t in DEFAULT_TEMPLATES])


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_timetable_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_faculty_id'))

    op.drop_table('outbox_message')
    op.drop_table('mail_template')
