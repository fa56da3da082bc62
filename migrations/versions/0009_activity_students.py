"""activity students: how many students an activity has, where it is not the sum of its groups' strengths

Revision ID: 0009_activity_students
Revises: 0008_campus_insert_status
Create Date: 2026-12-06 22:00:00

``activity.student_count`` (nullable): the number of students the room must seat for this activity; NULL (every
activity before this revision) means the sum of its student groups' strengths, as before. A FET file states it
per activity (``<Number_Of_Students>``) or counts a students set's own number rather than its subgroups' (the
Hopwood example), and the FET import keeps that number here; the activity form edits it (0 = from the groups).
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_activity_students'
down_revision = '0008_campus_insert_status'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('student_count', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('student_count')
