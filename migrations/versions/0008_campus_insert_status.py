"""campus insert status: a version inserted by hand with a status its login may not give is refused

Revision ID: 0008_campus_insert_status
Revises: 0007_campus_roles
Create Date: 2026-12-06 15:20:00

0007_campus_roles checked a version's status on UPDATE only: a coordinator's login could still INSERT a
timetable row already 'approved' (or 'published') with hand-made SQL, and approval is the head of
department's. On PostgreSQL the trigger function now checks an INSERT too (a coordinator inserts a version
only as draft, submitted or returned; the administrator, the head of department and logins without a
``campus_member`` row as before), and the trigger fires BEFORE INSERT OR UPDATE OF status. The UPDATE rule of
0007 is unchanged. SQLite (a department's own file, one coordinator, no logins) has no trigger to change.

Both dialects: ``timetable.replaced_id``, the department's version whose commitment this version's commit
replaced (a plain number, no foreign key: that version may have been deleted since). Withdrawing a commitment
puts the replaced one back (services/campus.py ``withdraw``).
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_campus_insert_status'
down_revision = '0007_campus_roles'
branch_labels = None
depends_on = None

CHECK = """
CREATE OR REPLACE FUNCTION campus_check_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k text;
DECLARE was text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
            RETURN NEW;
        END IF;
        was := OLD.status;
    ELSE
        was := 'draft';
    END IF;
    SELECT kind INTO k FROM campus_member WHERE role_name = current_user;
    IF k IS NULL OR k IN ('admin', 'hod') THEN
        RETURN NEW;
    END IF;
    IF k = 'coordinator' AND was IN ('draft', 'submitted', 'returned')
            AND NEW.status IN ('draft', 'submitted', 'returned') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        RAISE EXCEPTION 'the login % (%) may not create a version as %', current_user, k, NEW.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'the login % (%) may not move a version from % to %', current_user, k, OLD.status, NEW.status
        USING ERRCODE = 'insufficient_privilege';
END $$
"""

OLD_CHECK = """
CREATE OR REPLACE FUNCTION campus_check_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k text;
BEGIN
    IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;
    SELECT kind INTO k FROM campus_member WHERE role_name = current_user;
    IF k IS NULL OR k IN ('admin', 'hod') THEN
        RETURN NEW;
    END IF;
    IF k = 'coordinator' AND OLD.status IN ('draft', 'submitted', 'returned')
            AND NEW.status IN ('draft', 'submitted', 'returned') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the login % (%) may not move a version from % to %', current_user, k, OLD.status, NEW.status
        USING ERRCODE = 'insufficient_privilege';
END $$
"""


def upgrade() -> None:
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(CHECK)
        op.execute("DROP TRIGGER timetable_status_by_role ON timetable")
        op.execute("CREATE TRIGGER timetable_status_by_role BEFORE INSERT OR UPDATE OF status ON timetable "
                   "FOR EACH ROW EXECUTE FUNCTION campus_check_status_change()")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER timetable_status_by_role ON timetable")
        op.execute(OLD_CHECK)
        op.execute("CREATE TRIGGER timetable_status_by_role BEFORE UPDATE OF status ON timetable "
                   "FOR EACH ROW EXECUTE FUNCTION campus_check_status_change()")
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.drop_column('replaced_id')
