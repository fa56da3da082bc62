"""``ato-desktop channel add|list|remove|disable|enable|send``: webhook channels (Teams, Slack, generic JSON)."""

from __future__ import annotations

from ato_desktop.cli import CliError


def _run(args, fn):
    from ato_desktop.cli.commands_db import db_path, open_db_or_fail
    from ato_desktop.services.errors import ServiceError

    db = open_db_or_fail(db_path(args))
    try:
        return fn(db)
    except ServiceError as exc:
        raise CliError(str(exc)) from None
    finally:
        db.close()


def cmd_add(args) -> int:
    from ato_desktop.services import channels

    def run(db):
        c = channels.add_channel(db, args.name, args.kind, args.url, args.events)
        print(f"Channel {c.name!r} ({c.kind}) added for {', '.join(c.events)}; its address is in the keychain.")
        return 0

    return _run(args, run)


def cmd_list(args) -> int:
    from ato_desktop.services import channels

    def run(db):
        rows = channels.list_channels(db)
        if not rows:
            print("No webhook channels.")
        for c in rows:
            print(f"  {c.name} ({c.kind}): {', '.join(c.events)}" + ("" if c.enabled else " [disabled]")
                  + ("" if c.has_url else " [address missing from this computer's keychain]"))
        return 0

    return _run(args, run)


def cmd_remove(args) -> int:
    from ato_desktop.services import channels

    def run(db):
        channels.remove_channel(db, args.name)
        print(f"Channel {args.name!r} removed (and its address from the keychain).")
        return 0

    return _run(args, run)


def cmd_enable(args, enabled: bool = True) -> int:
    from ato_desktop.services import channels

    def run(db):
        c = channels.set_channel_enabled(db, args.name, enabled)
        print(f"Channel {c.name!r} " + ("enabled: it receives its notices again." if c.enabled
                                         else "disabled: it queues nothing until it is enabled again."))
        return 0

    return _run(args, run)


def cmd_disable(args) -> int:
    return cmd_enable(args, False)


def cmd_send(args) -> int:
    from ato_desktop.services import channels

    def run(db):
        r = channels.deliver_webhooks(db)
        print(r.summary()[:1].upper() + r.summary()[1:] + "." + (f" {r.errors[0]}" if r.errors else ""))
        return 0

    return _run(args, run)


def register(sub) -> None:
    from ato_desktop.storage.models import CHANNEL_EVENTS, CHANNEL_KINDS

    ch = sub.add_parser("channel", help="webhook channels for notices: Microsoft Teams, Slack, generic JSON",
                        description="Notices (substitutions, …) posted to webhooks through the outbox. The "
                                    "webhook address is a secret kept in the system keychain.")
    csub = ch.add_subparsers(dest="channel_command", metavar="ACTION", required=True)
    p = csub.add_parser("add", help="add a webhook channel")
    p.add_argument("--db", dest="sub_db", metavar="PATH")
    p.add_argument("--name", required=True)
    p.add_argument("--kind", required=True, choices=CHANNEL_KINDS)
    p.add_argument("--url", required=True, help="the incoming-webhook address (https://…)")
    p.add_argument("--events", default="substitution", help=f"comma-separated: {', '.join(CHANNEL_EVENTS)}")
    p.set_defaults(func=cmd_add)
    p = csub.add_parser("list", help="the channels")
    p.add_argument("--db", dest="sub_db", metavar="PATH")
    p.set_defaults(func=cmd_list)
    p = csub.add_parser("remove", help="remove a channel")
    p.add_argument("--db", dest="sub_db", metavar="PATH")
    p.add_argument("--name", required=True)
    p.set_defaults(func=cmd_remove)
    for action, fn, what in (("disable", cmd_disable, "stop queuing notices for a channel (it is kept)"),
                             ("enable", cmd_enable, "queue notices for a disabled channel again")):
        p = csub.add_parser(action, help=what)
        p.add_argument("--db", dest="sub_db", metavar="PATH")
        p.add_argument("--name", required=True)
        p.set_defaults(func=fn)
    p = csub.add_parser("send", help="post every due webhook message now")
    p.add_argument("--db", dest="sub_db", metavar="PATH")
    p.set_defaults(func=cmd_send)
