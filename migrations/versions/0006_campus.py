"""campus: departments own timetable versions; committed occupancy, double bookings refused by the database

Revision ID: 0006_campus
Revises: 0005_approval
Create Date: 2026-12-06 12:20:00

- ``timetable.department_id``: the department that owns a version (NULL in a department's own file: the
  home department); ``timetable.committed_at``: when the version was last committed to the campus.
- ``committed_occupancy``: each room and faculty member a committed version occupies, day by day, as a
  range of period positions (first and last, inclusive), with the lesson's label for the clash list.
  On PostgreSQL two exclusion constraints (``btree_gist``) make the database refuse two committed rows
  of the same room, or of the same faculty member, on the same day with overlapping periods: two
  clients committing at once cannot both win. On SQLite (one file, one writer) the commit service makes
  the same check inside its write transaction.
- ``campus_member``: which database login coordinates which department. On PostgreSQL, row-level
  security lets a login write only its department's rows (faculty, groups, courses, activities,
  versions and what hangs on them, its committed occupancy) and none of the campus-level ones (days,
  periods, rooms, departments); everyone reads everything. The database owner is not subject to it.
- ``room_share``: a room's sharing grid (day × period): ``free`` for every department, one
  ``department`` may use it, or ``unavailable``; a cell without a row is the owner department's (a
  room of no department, or a shared one, is free for all). Used when a campus version is compiled.
- ``campus_slot``: the campus's elective slots (e.g. Wed P5–P6 for multidisciplinary courses): lessons of
  that category are placed inside them, and the groups that take such a course keep them free.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_campus'
down_revision = '0005_approval'
branch_labels = None
depends_on = None

# Row-level security (PostgreSQL only): a coordinator's login (a row of ``campus_member``) writes only its
# department's rows, even with hand-made SQL; everyone reads everything. The database owner (the campus
# administrator, who runs the migrations) is not subject to these policies.
MINE = "(SELECT department_id FROM campus_member WHERE role_name = current_user)"
OWNED = {  # table -> the condition that a row is the current login's department's
    'faculty': f"department_id IN {MINE}",
    'student_group': f"department_id IN {MINE}",
    'course': f"department_id IN {MINE}",
    'timetable': f"department_id IN {MINE}",
    'committed_occupancy': f"department_id IN {MINE}",
    'activity': f"course_id IN (SELECT id FROM course WHERE department_id IN {MINE})",
    'activity_group': f"activity_id IN (SELECT a.id FROM activity a JOIN course c ON c.id = a.course_id WHERE c.department_id IN {MINE})",
    'activity_faculty': f"activity_id IN (SELECT a.id FROM activity a JOIN course c ON c.id = a.course_id WHERE c.department_id IN {MINE})",
    'activity_time_pref': f"activity_id IN (SELECT a.id FROM activity a JOIN course c ON c.id = a.course_id WHERE c.department_id IN {MINE})",
    'faculty_availability': f"faculty_id IN (SELECT id FROM faculty WHERE department_id IN {MINE})",
    'group_availability': f"group_id IN (SELECT id FROM student_group WHERE department_id IN {MINE})",
    'session_assignment': f"timetable_id IN (SELECT id FROM timetable WHERE department_id IN {MINE})",
    'published_session': f"timetable_id IN (SELECT id FROM timetable WHERE department_id IN {MINE})",
    'timetable_event': f"timetable_id IN (SELECT id FROM timetable WHERE department_id IN {MINE})",
}
CAMPUS_LEVEL = ('department', 'day', 'period', 'room', 'room_availability', 'room_share', 'campus_slot',
                'campus_member')  # the administrator's

EXCLUSIONS = {  # constraint name -> the resource column (PostgreSQL only)
    'ex_committed_occupancy_room_overlap': 'room_id',
    'ex_committed_occupancy_faculty_overlap': 'faculty_id',
}


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('committed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_timetable_department_id_department'), 'department',
                                    ['department_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_index(batch_op.f('ix_timetable_department_id'), ['department_id'], unique=False)
    op.create_table('committed_occupancy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('timetable_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('faculty_id', sa.Integer(), nullable=True),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Integer(), nullable=False),
    sa.Column('period_to', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('committed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(room_id IS NULL) <> (faculty_id IS NULL)', name=op.f('ck_committed_occupancy_one_resource')),
    sa.CheckConstraint('period_from <= period_to', name=op.f('ck_committed_occupancy_periods_ordered')),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], name=op.f('fk_committed_occupancy_day_id_day'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_committed_occupancy_department_id_department'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['faculty_id'], ['faculty.id'], name=op.f('fk_committed_occupancy_faculty_id_faculty'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_committed_occupancy_room_id_room'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetable.id'], name=op.f('fk_committed_occupancy_timetable_id_timetable'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committed_occupancy'))
    )
    with op.batch_alter_table('committed_occupancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committed_occupancy_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committed_occupancy_faculty_id'), ['faculty_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committed_occupancy_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committed_occupancy_timetable_id'), ['timetable_id'], unique=False)
    op.create_table('campus_member',
    sa.Column('role_name', sa.String(length=63), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_campus_member_department_id_department'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('role_name', name=op.f('pk_campus_member'))
    )
    op.create_table('room_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("mode IN ('free', 'department', 'unavailable')", name=op.f('ck_room_share_mode_valid')),
    sa.CheckConstraint("(mode = 'department') = (department_id IS NOT NULL)", name=op.f('ck_room_share_department_complete')),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], name=op.f('fk_room_share_day_id_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_room_share_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_room_share_period_id_period'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_room_share_room_id_room'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_share')),
    sa.UniqueConstraint('room_id', 'day_id', 'period_id', name=op.f('uq_room_share_room_id_day_id_period_id'))
    )
    op.create_table('campus_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Integer(), nullable=False),
    sa.Column('period_to', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.CheckConstraint('period_from <= period_to', name=op.f('ck_campus_slot_periods_ordered')),
    sa.ForeignKeyConstraint(['day_id'], ['day.id'], name=op.f('fk_campus_slot_day_id_day'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campus_slot'))
    )
    if postgresql:
        for table, mine in OWNED.items():
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (true)")
            op.execute(f"CREATE POLICY {table}_own_department ON {table} FOR ALL USING ({mine}) WITH CHECK ({mine})")
        for table in CAMPUS_LEVEL:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (true)")
        # btree_gist lets a GiST index compare plain integers with '=' beside a range's '&&'.
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
        for name, column in EXCLUSIONS.items():
            op.execute(f"ALTER TABLE committed_occupancy ADD CONSTRAINT {name} EXCLUDE USING gist "
                       f"({column} WITH =, day_id WITH =, int4range(period_from, period_to, '[]') WITH &&) "
                       f"WHERE ({column} IS NOT NULL)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in (*OWNED, *CAMPUS_LEVEL):
            if table in ('campus_member', 'room_share', 'campus_slot'):
                continue  # dropped below, with its policy (the others' policies refer to it: dropped first)
            op.execute(f"DROP POLICY IF EXISTS {table}_read ON {table}")
            op.execute(f"DROP POLICY IF EXISTS {table}_own_department ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_table('campus_slot')
    op.drop_table('room_share')
    op.drop_table('campus_member')
    with op.batch_alter_table('committed_occupancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committed_occupancy_timetable_id'))
        batch_op.drop_index(batch_op.f('ix_committed_occupancy_room_id'))
        batch_op.drop_index(batch_op.f('ix_committed_occupancy_faculty_id'))
        batch_op.drop_index(batch_op.f('ix_committed_occupancy_department_id'))
    op.drop_table('committed_occupancy')  # its exclusion constraints go with it
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timetable_department_id'))
        batch_op.drop_constraint(batch_op.f('fk_timetable_department_id_department'), type_='foreignkey')
        batch_op.drop_column('committed_at')
        batch_op.drop_column('department_id')
