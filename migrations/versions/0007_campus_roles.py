"""campus roles: each login's kind (coordinator, head of department, viewer, administrator)

Revision ID: 0007_campus_roles
Revises: 0006_campus
Create Date: 2026-12-06 13:40:00

- ``campus_member.kind``: ``coordinator`` (edits its department, submits, commits; the default, what every
  login granted before was), ``hod`` (the head of department: approves, returns, publishes and archives its
  department's versions), ``viewer`` (reads) or ``admin`` (every step). The approval service checks it.
- On PostgreSQL the database checks it too: a viewer's login writes no department rows (the row-level
  security policies of 0006_campus, recreated without viewers), a trigger refuses a version's status
  change that the login's kind may not make (a coordinator moves a version only between draft, submitted
  and returned; a viewer not at all), and a history row written by a campus login records that login.
  The database owner and logins without a ``campus_member`` row are not subject to it.
"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = '0007_campus_roles'
down_revision = '0006_campus'
branch_labels = None
depends_on = None


def _campus_0006():
    spec = importlib.util.spec_from_file_location("_ato_0006_campus", Path(__file__).with_name("0006_campus.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


WRITERS = "(SELECT department_id FROM campus_member WHERE role_name = current_user AND kind <> 'viewer')"

STATUS_CHECK = """
CREATE FUNCTION campus_check_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
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

RECORD_LOGIN = """
CREATE FUNCTION campus_event_who() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM campus_member WHERE role_name = current_user) THEN
        NEW.who := current_user;
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    with op.batch_alter_table('campus_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), server_default='coordinator', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_campus_member_kind_valid'),
                                         "kind IN ('admin', 'coordinator', 'hod', 'viewer')")
    if op.get_bind().dialect.name == 'postgresql':
        old = _campus_0006()
        for table, mine in old.OWNED.items():
            mine = mine.replace(old.MINE, WRITERS)
            op.execute(f"DROP POLICY {table}_own_department ON {table}")
            op.execute(f"CREATE POLICY {table}_own_department ON {table} FOR ALL USING ({mine}) WITH CHECK ({mine})")
        op.execute(STATUS_CHECK)
        op.execute("CREATE TRIGGER timetable_status_by_role BEFORE UPDATE OF status ON timetable "
                   "FOR EACH ROW EXECUTE FUNCTION campus_check_status_change()")
        op.execute(RECORD_LOGIN)
        op.execute("CREATE TRIGGER timetable_event_who BEFORE INSERT ON timetable_event "
                   "FOR EACH ROW EXECUTE FUNCTION campus_event_who()")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS timetable_event_who ON timetable_event")
        op.execute("DROP FUNCTION IF EXISTS campus_event_who()")
        op.execute("DROP TRIGGER IF EXISTS timetable_status_by_role ON timetable")
        op.execute("DROP FUNCTION IF EXISTS campus_check_status_change()")
        old = _campus_0006()
        for table, mine in old.OWNED.items():
            op.execute(f"DROP POLICY {table}_own_department ON {table}")
            op.execute(f"CREATE POLICY {table}_own_department ON {table} FOR ALL USING ({mine}) WITH CHECK ({mine})")
    with op.batch_alter_table('campus_member', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_campus_member_kind_valid'), type_='check')
        batch_op.drop_column('kind')
