"""approval: a version is submitted, returned or approved before it is published; its history

Revision ID: 0005_approval
Revises: 0004_substitutions
Create Date: 2026-12-06 10:55:00

- ``timetable.status`` may also be 'submitted', 'returned' and 'approved' (the CHECK constraint is
  rebuilt with ``batch_alter_table``: SQLite cannot alter a constraint in place).
- ``timetable_event``: each transition of a version (from and to status, who, when, comment).
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_approval'
down_revision = '0004_substitutions'
branch_labels = None
depends_on = None

OLD = "status IN ('draft', 'published', 'archived')"
NEW = "status IN ('draft', 'submitted', 'returned', 'approved', 'published', 'archived')"


def upgrade() -> None:
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_timetable_status_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_timetable_status_valid'), sa.text(NEW))
    op.create_table('timetable_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('timetable_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('who', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint("to_status IN ('draft', 'submitted', 'returned', 'approved', 'published', 'archived')",
                       name=op.f('ck_timetable_event_to_status_valid')),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetable.id'], name=op.f('fk_timetable_event_timetable_id_timetable'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timetable_event'))
    )
    with op.batch_alter_table('timetable_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timetable_event_timetable_id'), ['timetable_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('timetable_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timetable_event_timetable_id'))
    op.drop_table('timetable_event')
    op.execute("UPDATE timetable SET status = 'draft' WHERE status IN ('submitted', 'returned', 'approved')")
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_timetable_status_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_timetable_status_valid'), sa.text(OLD))
