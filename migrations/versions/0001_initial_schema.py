"""initial schema

Revision ID: 0001_initial
Revises: 
Create Date: 2026-11-23 09:57:39.576270
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('constraint_instance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('is_hard', sa.Boolean(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_constraint_instance_weight_nonneg')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_constraint_instance')),
    sa.UniqueConstraint('type', name=op.f('uq_constraint_instance_type'))
    )
    op.create_table('day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('short_name', sa.String(length=10), nullable=False),
    sa.CheckConstraint('position >= 0', name=op.f('ck_day_position_nonneg')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day')),
    sa.UniqueConstraint('name', name=op.f('uq_day_name')),
    sa.UniqueConstraint('position', name=op.f('uq_day_position'))
    )
    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_home', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('code', name=op.f('uq_department_code'))
    )
    op.create_table('elective_basket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elective_basket')),
    sa.UniqueConstraint('code', name=op.f('uq_elective_basket_code'))
    )
    op.create_table('period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=30), nullable=False),
    sa.Column('start_time', sa.String(length=5), nullable=False),
    sa.Column('end_time', sa.String(length=5), nullable=False),
    sa.Column('is_break', sa.Boolean(), nullable=False),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_period_ends_after_start')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_period_position_nonneg')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period')),
    sa.UniqueConstraint('position', name=op.f('uq_period_position'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('timetable',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('hard_cost', sa.Integer(), nullable=True),
    sa.Column('soft_cost', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published', 'archived')", name=op.f('ck_timetable_status_valid')),
    sa.ForeignKeyConstraint(['parent_id'], ['timetable.id'], name=op.f('fk_timetable_parent_id_timetable'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timetable')),
    sa.UniqueConstraint('name', name=op.f('uq_timetable_name'))
    )
    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('credits', sa.Integer(), nullable=False),
    sa.Column('lecture_hours', sa.Integer(), nullable=False),
    sa.Column('tutorial_hours', sa.Integer(), nullable=False),
    sa.Column('practical_hours', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("category IN ('major', 'minor', 'multidisciplinary', 'ability_enhancement', 'skill_enhancement', 'value_added', 'elective', 'project')", name=op.f('ck_course_category_valid')),
    sa.CheckConstraint('credits >= 0', name=op.f('ck_course_credits_nonneg')),
    sa.CheckConstraint('lecture_hours >= 0 AND tutorial_hours >= 0 AND practical_hours >= 0', name=op.f('ck_course_ltp_nonneg')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_course_department_id_department'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course')),
    sa.UniqueConstraint('code', name=op.f('uq_course_code'))
    )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_department_id'), ['department_id'], unique=False)

    op.create_table('faculty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('designation', sa.String(length=60), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('max_weekly_periods', sa.Integer(), nullable=False),
    sa.Column('max_daily_periods', sa.Integer(), nullable=False),
    sa.Column('max_consecutive', sa.Integer(), nullable=False),
    sa.Column('max_days', sa.Integer(), nullable=False),
    sa.CheckConstraint('max_consecutive >= 0', name=op.f('ck_faculty_consecutive_nonneg')),
    sa.CheckConstraint('max_daily_periods >= 0', name=op.f('ck_faculty_daily_nonneg')),
    sa.CheckConstraint('max_days >= 0', name=op.f('ck_faculty_days_nonneg')),
    sa.CheckConstraint('max_weekly_periods >= 0', name=op.f('ck_faculty_weekly_nonneg')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_faculty_department_id_department'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faculty')),
    sa.UniqueConstraint('code', name=op.f('uq_faculty_code'))
    )
    with op.batch_alter_table('faculty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faculty_department_id'), ['department_id'], unique=False)

    op.create_table('room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('building', sa.String(length=100), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('features', sa.JSON(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('classroom', 'lab', 'tutorial_room', 'seminar_hall', 'auditorium')", name=op.f('ck_room_kind_valid')),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_room_capacity_positive')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_room_department_id_department'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room')),
    sa.UniqueConstraint('code', name=op.f('uq_room_code'))
    )
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_department_id'), ['department_id'], unique=False)

    op.create_table('student_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=100), nullable=False),
    sa.Column('semester', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=10), nullable=False),
    sa.Column('strength', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('semester >= 1 AND semester <= 12', name=op.f('ck_student_group_semester_range')),
    sa.CheckConstraint('strength > 0', name=op.f('ck_student_group_strength_positive')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_student_group_department_id_department'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['parent_id'], ['student_group.id'], name=op.f('fk_student_group_parent_id_student_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_group')),
    sa.UniqueConstraint('code', name=op.f('uq_student_group_code'))
    )
    with op.batch_alter_table('student_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_group_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_student_group_parent_id'), ['parent_id'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=1), nullable=False),
    sa.Column('sessions_per_week', sa.Integer(), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('room_kind', sa.String(length=20), nullable=False),
    sa.Column('required_features', sa.JSON(), nullable=False),
    sa.Column('preferred_room_id', sa.Integer(), nullable=True),
    sa.Column('min_days', sa.Integer(), nullable=False),
    sa.Column('basket_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint("kind IN ('L', 'T', 'P')", name=op.f('ck_activity_kind_valid')),
    sa.CheckConstraint("room_kind IN ('classroom', 'lab', 'tutorial_room', 'seminar_hall', 'auditorium')", name=op.f('ck_activity_room_kind_valid')),
    sa.CheckConstraint('duration >= 1 AND duration <= 6', name=op.f('ck_activity_duration_range')),
    sa.CheckConstraint('min_days >= 0', name=op.f('ck_activity_min_days_nonneg')),
    sa.CheckConstraint('sessions_per_week >= 1 AND sessions_per_week <= 20', name=op.f('ck_activity_sessions_range')),
    sa.ForeignKeyConstraint(['basket_id'], ['elective_basket.id'], name=op.f('fk_activity_basket_id_elective_basket'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_activity_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['preferred_room_id'], ['room.id'], name=op.f('fk_activity_preferred_room_id_room'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_basket_id'), ['basket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_course_id'), ['course_id'], unique=False)

    op.create_table('basket_cohort',
    sa.Column('basket_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['basket_id'], ['elective_basket.id'], name=op.f('fk_basket_cohort_basket_id_elective_basket'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['student_group.id'], name=op.f('fk_basket_cohort_group_id_student_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('basket_id', 'group_id', name=op.f('pk_basket_cohort'))
    )
    op.create_table('faculty_availability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('faculty_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.CheckConstraint("state IN ('unavailable', 'undesired', 'preferred')", name=op.f('ck_faculty_availability_state_valid')),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], name=op.f('fk_faculty_availability_day_id_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['faculty_id'], ['faculty.id'], name=op.f('fk_faculty_availability_faculty_id_faculty'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_faculty_availability_period_id_period'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faculty_availability')),
    sa.UniqueConstraint('faculty_id', 'day_id', 'period_id', name=op.f('uq_faculty_availability_faculty_id_day_id_period_id'))
    )
    op.create_table('group_availability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.CheckConstraint("state IN ('unavailable', 'undesired', 'preferred')", name=op.f('ck_group_availability_state_valid')),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], name=op.f('fk_group_availability_day_id_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['student_group.id'], name=op.f('fk_group_availability_group_id_student_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_group_availability_period_id_period'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_availability')),
    sa.UniqueConstraint('group_id', 'day_id', 'period_id', name=op.f('uq_group_availability_group_id_day_id_period_id'))
    )
    op.create_table('room_availability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.CheckConstraint("state IN ('unavailable', 'undesired', 'preferred')", name=op.f('ck_room_availability_state_valid')),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], name=op.f('fk_room_availability_day_id_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_room_availability_period_id_period'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_room_availability_room_id_room'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_availability')),
    sa.UniqueConstraint('room_id', 'day_id', 'period_id', name=op.f('uq_room_availability_room_id_day_id_period_id'))
    )
    op.create_table('activity_faculty',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('faculty_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_faculty_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['faculty_id'], ['faculty.id'], name=op.f('fk_activity_faculty_faculty_id_faculty'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'faculty_id', name=op.f('pk_activity_faculty'))
    )
    op.create_table('activity_group',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_group_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['student_group.id'], name=op.f('fk_activity_group_group_id_student_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'group_id', name=op.f('pk_activity_group'))
    )
    op.create_table('activity_time_pref',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.CheckConstraint("state IN ('unavailable', 'undesired', 'preferred')", name=op.f('ck_activity_time_pref_state_valid')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_time_pref_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], name=op.f('fk_activity_time_pref_day_id_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_activity_time_pref_period_id_period'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_time_pref')),
    sa.UniqueConstraint('activity_id', 'day_id', 'period_id', name=op.f('uq_activity_time_pref_activity_id_day_id_period_id'))
    )
    op.create_table('session_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('timetable_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=True),
    sa.Column('period_id', sa.Integer(), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(day_id IS NULL) = (period_id IS NULL)', name=op.f('ck_session_assignment_slot_complete')),
    sa.CheckConstraint('occurrence >= 0', name=op.f('ck_session_assignment_occurrence_nonneg')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_session_assignment_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], name=op.f('fk_session_assignment_day_id_day'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_session_assignment_period_id_period'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_session_assignment_room_id_room'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetable.id'], name=op.f('fk_session_assignment_timetable_id_timetable'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_assignment')),
    sa.UniqueConstraint('timetable_id', 'activity_id', 'occurrence', name=op.f('uq_session_assignment_timetable_id_activity_id_occurrence'))
    )
    with op.batch_alter_table('session_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_assignment_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_assignment_timetable_id'), ['timetable_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('session_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_assignment_timetable_id'))
        batch_op.drop_index(batch_op.f('ix_session_assignment_activity_id'))

    op.drop_table('session_assignment')
    op.drop_table('activity_time_pref')
    op.drop_table('activity_group')
    op.drop_table('activity_faculty')
    op.drop_table('room_availability')
    op.drop_table('group_availability')
    op.drop_table('faculty_availability')
    op.drop_table('basket_cohort')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_course_id'))
        batch_op.drop_index(batch_op.f('ix_activity_basket_id'))

    op.drop_table('activity')
    with op.batch_alter_table('student_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_group_parent_id'))
        batch_op.drop_index(batch_op.f('ix_student_group_department_id'))

    op.drop_table('student_group')
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_department_id'))

    op.drop_table('room')
    with op.batch_alter_table('faculty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faculty_department_id'))

    op.drop_table('faculty')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_department_id'))

    op.drop_table('course')
    op.drop_table('timetable')
    op.drop_table('setting')
    op.drop_table('period')
    op.drop_table('elective_basket')
    op.drop_table('department')
    op.drop_table('day')
    op.drop_table('constraint_instance')

