"""``ato-desktop versions list|show|compare|submit|approve|return|publish|archive|history|copy --db DB``:
timetable versions, headless.

* ``versions compare A B [--json]``: two versions side by side and the sessions that moved
  (``services.compare``);
* ``versions submit|approve|return|archive NAME [--comment TEXT] [--as WHO]``: the review steps
  (``services.approval``); a step the version's status does not allow is refused (exit 2, one sentence);
* ``versions history NAME``: every step with who, when and the comment;

* ``versions list``: name, status, hard, soft, unscheduled (checked now against the data), created,
  published;
* ``versions show NAME``: the summary the GUI's publish confirmation shows, with sessions per day;
* ``versions publish NAME [--force] [--by WHO]``: prints that summary; a version with hard conflicts or
  unscheduled sessions is refused (exit 2) unless ``--force``, which records the override with it;
  e-mails are queued as when publishing from the app (send them with ``notify send-now`` or the app);
* ``versions copy NAME [--as NEW]``: a new draft copied from a version (a published one is frozen).
"""

from __future__ import annotations

from ato_desktop.cli import CliError
from ato_desktop.cli.commands_db import open_db_or_fail


def _db(args):
    return open_db_or_fail(getattr(args, "sub_db", None) or getattr(args, "db", None))


def _service_errors():
    from ato_desktop.services.errors import ServiceError
    from ato_desktop.storage.database import DatabaseError

    return (ServiceError, DatabaseError)


def _run(fn):
    def wrapper(args):
        try:
            return fn(args)
        except _service_errors() as exc:
            raise CliError(str(exc)) from None

    return wrapper


def _when(t) -> str:
    return t.strftime("%Y-%m-%d %H:%M") if t is not None else "-"


@_run
def cmd_list(args) -> int:
    from ato_desktop.services import timetables as tts
    from ato_desktop.services import version_lifecycle as versions

    with _db(args) as db:
        infos = tts.list_timetables(db)
        if not infos:
            print("No timetable versions yet.")
            return 0
        rows = []
        for t in infos:
            c = versions.check_version(db, t.id)
            rows.append((t.name, t.status, str(c.hard), str(c.soft), str(c.unscheduled), _when(t.created_at),
                         _when(t.published_at)))
    head = ("name", "status", "hard", "soft", "unscheduled", "created", "published")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    return 0


def _print_check(check) -> None:
    for line in check.summary_lines():
        print(line)
    print("Sessions per day: " + ", ".join(f"{d} {n}" for d, n in check.per_day))


@_run
def cmd_show(args) -> int:
    from ato_desktop.services import timetables as tts
    from ato_desktop.services import version_lifecycle as versions

    with _db(args) as db:
        info = tts.get_timetable(db, args.name)
        check = versions.check_version(db, info.id)
        _print_check(check)
        if info.published_at is not None:
            print(f"Published: {_when(info.published_at)} UTC")
        with db.read_session() as s:
            from ato_desktop.storage import models as m

            override = s.get(m.Timetable, info.id).publish_override
        if override:
            print(f"Override: {override}")
    return 0


@_run
def cmd_publish(args) -> int:
    from ato_desktop.services import version_lifecycle as versions

    with _db(args) as db:
        check = versions.check_version(db, args.name)
        _print_check(check)
        if check.status == "published":
            raise CliError(f"{check.name!r} is already published")
        if check.blocked and not args.force:
            raise CliError(str(versions.PublishRefused(check)).replace("publish anyway", "use --force to publish "
                                                                                         "anyway"))
        out = versions.publish_version(db, check.timetable_id, force=args.force, by=args.by or None, check=check)
    print(f"Published {check.name}: {out.queued} e-mail(s) queued.")
    if out.override:
        print(f"Override recorded: {out.override}")
    return 0


@_run
def cmd_copy(args) -> int:
    from ato_desktop.services import version_lifecycle as versions

    with _db(args) as db:
        info = versions.copy_to_draft(db, args.name, args.as_name)
    print(f"Copied {args.name} to the new draft {info.name} ({info.scheduled} of {info.sessions} sessions placed).")
    return 0


@_run
def cmd_compare(args) -> int:
    import json

    from ato_desktop.services import compare

    with _db(args) as db:
        cmp = compare.compare_versions(db, args.a, args.b)
    if args.json:
        print(json.dumps(cmp.as_dict(), indent=2, ensure_ascii=False))
    else:
        for line in cmp.text_lines():
            print(line)
    return 0


def _step(action):
    @_run
    def cmd(args) -> int:
        from ato_desktop.services import approval

        who = args.who if args.who is not None else None
        with _db(args) as db:
            if action == "return":
                t = approval.return_with_comment(db, args.name, args.comment or "", who=who)
            else:
                t = getattr(approval, action)(db, args.name, who=who, comment=args.comment or "")
        print(t.sentence + (f" Comment: {t.comment}" if t.comment else ""))
        return 0

    return cmd


@_run
def cmd_history(args) -> int:
    from ato_desktop.services import approval
    from ato_desktop.services import timetables as tts

    with _db(args) as db:
        info = tts.get_timetable(db, args.name)
        entries = approval.history(db, info.id)
    print(f"{info.name}: {approval.STATUS_NAMES.get(info.status, info.status)}")
    if not entries:
        print("No review or publication step recorded yet.")
    for e in entries:
        print("  " + e.text)
    return 0


@_run
def cmd_review_package(args) -> int:

    from ato_desktop.cli.commands_report import pdf_out
    from ato_desktop.reports.data import ReportError
    from ato_desktop.services.reports import write_review_package

    out = pdf_out(args.out)
    with _db(args) as db:
        try:
            pkg = write_review_package(db, args.name, out, against=args.against)
        except (ReportError, OSError) as exc:
            raise CliError(f"{out}: {exc}") from None
    vs = f", compared with {pkg.against} ({pkg.moved} session(s) moved)" if pkg.against else ""
    print(f"{pkg.pages} page(s) written to {pkg.path}: the review package of {pkg.timetable}{vs}.")
    return 0


def register(sub) -> None:
    p = sub.add_parser("versions", help="timetable versions: list, show, compare, submit, approve, return, "
                                        "publish (with a fresh check), archive, history, copy")
    actions = p.add_subparsers(dest="versions_command", metavar="ACTION", required=True)

    def db_arg(parser):
        parser.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")

    ls = actions.add_parser("list", help="every version with its score checked now")
    db_arg(ls)
    ls.set_defaults(func=cmd_list)
    sh = actions.add_parser("show", help="a version's summary: conflicts, unscheduled sessions, sessions per day")
    db_arg(sh)
    sh.add_argument("name", metavar="NAME")
    sh.set_defaults(func=cmd_show)
    pb = actions.add_parser("publish", help="publish a version (refused with conflicts unless --force)")
    db_arg(pb)
    pb.add_argument("name", metavar="NAME")
    pb.add_argument("--force", action="store_true",
                    help="publish even with hard conflicts or unscheduled sessions (recorded with the version)")
    pb.add_argument("--by", "--as", dest="by", default="", metavar="WHO",
                    help="who publishes (recorded in the history, and with --force; default: the system user name)")
    pb.set_defaults(func=cmd_publish)
    cp = actions.add_parser("copy", help="copy a version to a new draft")
    db_arg(cp)
    cp.add_argument("name", metavar="NAME")
    cp.add_argument("--as", dest="as_name", metavar="NEW", help="the new draft's name")
    cp.set_defaults(func=cmd_copy)
    cm = actions.add_parser("compare", help="two versions side by side: scores, faculty and group figures, "
                                            "room utilization, and the sessions that moved")
    db_arg(cm)
    cm.add_argument("a", metavar="A", help="the version before")
    cm.add_argument("b", metavar="B", help="the version after")
    cm.add_argument("--json", action="store_true", help="print the comparison as JSON")
    cm.set_defaults(func=cmd_compare)
    for action, text in (("submit", "submit a draft (or a returned version) for review; it is frozen until "
                                    "returned"),
                         ("approve", "approve a submitted version (the approver's name is recorded: --as)"),
                         ("return", "return a submitted or approved version for changes (--comment says why)"),
                         ("archive", "archive a published version")):
        ap = actions.add_parser(action, help=text)
        db_arg(ap)
        ap.add_argument("name", metavar="NAME")
        ap.add_argument("--comment", default="", metavar="TEXT", help="recorded in the version's history")
        ap.add_argument("--as", dest="who", default=None, metavar="WHO",
                        help="who takes this step (default: the system user name)")
        ap.set_defaults(func=_step(action))
    rp = actions.add_parser("review-package", help="one PDF for the approver: the check, the comparison with "
                                                   "the latest published version, the history, then the book")
    db_arg(rp)
    rp.add_argument("name", metavar="NAME")
    rp.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF to write")
    rp.add_argument("--against", metavar="OTHER", help="compare with this version (default: the latest published)")
    rp.set_defaults(func=cmd_review_package)
    hi = actions.add_parser("history", help="a version's review and publication steps: who, when, comment")
    db_arg(hi)
    hi.add_argument("name", metavar="NAME")
    hi.set_defaults(func=cmd_history)
