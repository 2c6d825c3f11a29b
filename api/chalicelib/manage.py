"""`dipforms users | token | outbox | sweep | relist | recount`: local administration of the API on
one machine.

Exit codes: 0 done, 1 refused (the message says why), 2 wrong usage. Prints no personal
data and never a password or password hash.
"""

from __future__ import annotations

import argparse
import datetime
import getpass
import sys
from collections.abc import Callable

from .runtime import make_clock
from .settings import load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dipforms", description="API administration")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    users = sub.add_parser("users", help="users: local, or the Cognito pool with Cognito"
                           ).add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="create a user")
    add.add_argument("--id", required=True, dest="user_id")
    add.add_argument("--role", required=True)
    add.add_argument("--agency", required=True)
    add.add_argument("--password", action="store_true",
                     help="ask for a password (for the sign-in page; not with --stage)")
    add.add_argument("--email", help="with --stage: the user's e-mail address, where "
                     "Cognito sends their temporary password")
    listing = users.add_parser("list", help="list users: id, role, agency, enabled or "
                               "disabled")
    stage_options = [add, listing]
    for action, what in (("disable", "refuse the user from their next request on"),
                         ("enable", "let a disabled user in again")):
        switch = users.add_parser(action, help=what)
        switch.add_argument("--id", required=True, dest="user_id")
        stage_options.append(switch)
    for command in stage_options:
        command.add_argument("--stage", help="a deployed stage (deploy/stages.yaml): its "
                             "Cognito user pool and table, found from its stack")
    token = sub.add_parser("token", help="print a signed token for a local user")
    token.add_argument("--user", required=True)
    token.add_argument("--ttl", type=int, default=3600,
                       help="seconds (default 3600; at most the sign-in's lifetime, 8 hours)")
    outbox = sub.add_parser("outbox", help="notifications").add_subparsers(dest="action",
                                                                          required=True)
    listing = outbox.add_parser("list", help="list notifications (default: dead letters)")
    listing.add_argument("--status", default="dead", choices=["pending", "sent", "dead"])
    retry = outbox.add_parser("retry", help="queue a dead letter again")
    retry.add_argument("event_id")
    outbox.add_parser("dispatch", help="deliver every due notification now")
    sub.add_parser("relist", help="put the cases opened before the case lists existed on "
                   "them (GET /v1/cases, /v1/due)")
    sub.add_parser("recount", help="rebuild the DAT view's counts and overdue list from every "
                   "case (a store made before they were kept; run while no case changes)")
    sweep = sub.add_parser("sweep", help="fire due deadlines (reminders) now, once each")
    sweep.add_argument("--on", metavar="YYYY-MM-DD",
                       help="sweep as if it were this date (to rehearse a deadline)")
    return parser


def _store(settings):
    from .store import make_store

    return make_store(settings.store, data_dir=settings.data_dir, table=settings.table,
                      region=settings.region)


def main(argv: list[str] | None = None, *,
         stage_region: Callable[[str], str] | None = None) -> int:
    """`stage_region`: a stage's name -> its AWS region, from deploy/stages.yaml (read by
    dipforms_cli.py, since the API never reads YAML); raises StageProblem for a stage it
    does not know."""
    args = _parser().parse_args(argv)
    settings = load_settings()
    try:
        clock = make_clock(settings)    # the one clock every command below goes by
    except ValueError as error:     # a wrong DIPFORMS_CLOCK: say so, before doing anything
        print(f"refused: {error}", file=sys.stderr)
        return 2
    if args.command == "users" and args.stage:
        return _stage_users(args, settings, clock, stage_region)
    if args.command == "users":
        return _users(args, settings, clock)
    if args.command == "token":
        return _token(args, settings, clock)
    if args.command == "sweep":
        return _sweep(args)
    if args.command == "relist":
        from .casefind import relist
        from .runtime import runtime

        print(f"{relist(runtime().context)} case(s) put on the case lists")
        return 0
    if args.command == "recount":
        from .dashboard_views import recount
        from .runtime import runtime

        print(f"{recount(runtime().context)} case(s) counted for the DAT view")
        return 0
    return _outbox(args, settings, clock)


def _sweep(args) -> int:
    """Fire due deadlines now; the events go to the outbox for the dispatcher to deliver."""
    from .runtime import runtime
    from .sweep import run_sweep

    now = runtime().clock.now()
    if args.on:
        try:
            day = datetime.date.fromisoformat(args.on)
        except ValueError:
            print(f"refused: --on {args.on!r} is not a date like 2026-12-24", file=sys.stderr)
            return 2
        now = datetime.datetime.combine(day, datetime.time(12), datetime.UTC)
    report = run_sweep(runtime().context, now)
    print(f"due {report.due}, fired {report.fired}, skipped {report.skipped}")
    return 0


def _protocol():
    """The compiled local protocol (generated/protocol.json), which a user's agency and
    role must fit; `dipforms build` writes it."""
    from .catalogue import Catalogue

    return Catalogue().protocol


def _users(args, settings, clock) -> int:
    from .users import UserDirectory, UserDirectoryError

    if args.action in ("list", "disable", "enable"):
        return _accounts(args, settings, clock)
    if args.email:
        print("refused: --email is for a deployed stage's users (--stage); a local user "
              "has none", file=sys.stderr)
        return 2
    directory = UserDirectory.in_data_dir(settings.data_dir, clock)
    try:
        protocol = _protocol()
    except FileNotFoundError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    from .domain.access import membership_problem

    problem = membership_problem(protocol, args.role, args.agency)
    if problem is not None:           # said before a password is asked for
        print(f"refused: {problem}; nothing was saved", file=sys.stderr)
        return 1
    password = None
    if args.password:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            print("the passwords differ; nothing was saved", file=sys.stderr)
            return 1
    try:
        user = directory.add(args.user_id, args.role, args.agency, password,
                             protocol=protocol)
    except UserDirectoryError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    print(f"added {user.user_id} ({user.role}, {user.agency})")
    return 0


def _stage_users(args, settings, clock, stage_region) -> int:
    """`users add|list|disable|enable --stage S`: on the stage's Cognito pool and table,
    found from the outputs of its stack (stage_outputs.py), with the credentials of the
    environment (AWS_PROFILE, ...)."""
    import boto3

    from .stage_outputs import StageProblem, read_outputs, stage_settings

    if args.action == "add" and args.password:
        print("refused: with --stage, Cognito e-mails the user a temporary password; "
              "leave out --password", file=sys.stderr)
        return 2
    if args.action == "add" and not args.email:
        print("refused: --email is needed with --stage: Cognito sends the user's temporary "
              "password there", file=sys.stderr)
        return 2
    if args.action == "add":
        problem = _membership_problem(args)   # before AWS is asked anything
        if problem is not None:
            print(f"refused: {problem}; nothing was created", file=sys.stderr)
            return 1
    try:
        if stage_region is None:
            raise StageProblem("no stage is known here: run `dipforms users` from the top "
                               "folder of the clone, beside deploy/stages.yaml")
        region = stage_region(args.stage)
        print(f"stage {args.stage}: reading the stack dipforms-{args.stage} in {region}",
              file=sys.stderr, flush=True)
        session = boto3.session.Session(region_name=region)
        outputs = read_outputs(args.stage, region, session)
    except StageProblem as problem:
        print(f"refused: {problem}", file=sys.stderr)
        return 1
    staged = stage_settings(settings, outputs)
    clients = {"cognito": session.client("cognito-idp"),
               "dynamodb": session.client("dynamodb")}
    if args.action != "add":
        return _accounts(args, staged, clock, **clients)
    return _cognito_add(args, staged, clock, outputs, clients)


def _membership_problem(args) -> str | None:
    """Why the protocol does not let a user of this role belong to this agency (None: it
    does), as the local `users add` checks it."""
    from .domain.access import membership_problem

    try:
        protocol = _protocol()
    except FileNotFoundError as error:
        return str(error)
    return membership_problem(protocol, args.role, args.agency)


def _cognito_add(args, settings, clock, outputs, clients) -> int:
    from botocore.exceptions import NoCredentialsError

    from .cognito_directory import CognitoDirectory, MissingGroup, UserLeftWithoutGroup
    from .directory import DirectoryUnavailable
    from .stage_outputs import NO_CREDENTIALS
    from .users import UserDirectoryError, UserExists

    directory = CognitoDirectory.from_settings(settings, clock, **clients)
    try:
        account = directory.add(args.user_id, args.role, args.agency, args.email)
    except UserExists:
        print(f"refused: a user '{args.user_id}' exists already in the pool of stage "
              f"{outputs.stage} (dipforms users list --stage {outputs.stage}); nothing was "
              "changed", file=sys.stderr)
        return 1
    except MissingGroup as error:
        print(f"refused: {error}: deploy the stage again (dipforms deploy --stage "
              f"{outputs.stage}); nothing was created", file=sys.stderr)
        return 1
    except UserDirectoryError as error:
        print(f"refused: {error}; nothing was created", file=sys.stderr)
        return 1
    except NoCredentialsError:
        print(f"refused: {NO_CREDENTIALS}", file=sys.stderr)
        return 1
    except UserLeftWithoutGroup as error:
        print(f"failed: {error}", file=sys.stderr)
        return 1
    except DirectoryUnavailable as error:
        print(f"failed: {error}; nothing was created, try again", file=sys.stderr)
        return 1
    print(f"added {account.user_id} ({account.role}, {account.agency}) to stage "
          f"{outputs.stage}: Cognito has e-mailed them a temporary password, which they "
          f"change when they first sign in at {outputs.site_url}")
    return 0


def _accounts(args, settings, clock, **clients) -> int:
    """`users list|disable|enable`, on the directory the API checks (directory.py): the
    users file on one machine, the Cognito pool (and the table) with Cognito."""
    from .directory import DirectoryUnavailable, make_directory
    from .users import UserDirectoryError

    try:
        directory = make_directory(settings, clock, **clients)
        if args.action == "list":
            for account in directory.accounts():
                print(f"{account.user_id}\t{account.role}\t{account.agency}\t"
                      f"{'enabled' if account.enabled else 'disabled'}")
            return 0
        account = getattr(directory, args.action)(args.user_id)
    except (UserDirectoryError, ValueError) as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    except DirectoryUnavailable as error:
        print(f"failed: {error}; try again", file=sys.stderr)
        return 1
    if args.action == "disable":
        print(f"disabled {account.user_id}: their next request is refused")
    else:
        print(f"enabled {account.user_id}")
    return 0


def _token(args, settings, clock) -> int:
    from .clock import epoch_seconds
    from .tokens import ensure_local_secret, mint_local_token
    from .users import UserDirectory

    if not 0 < args.ttl <= settings.session_seconds:
        print(f"refused: --ttl must be 1 to {settings.session_seconds} seconds, the "
              "sign-in's lifetime", file=sys.stderr)
        return 2
    user = UserDirectory.in_data_dir(settings.data_dir).get(args.user)
    if user is None or user.disabled:
        print(f"refused: no active user '{args.user}' (dipforms users add)", file=sys.stderr)
        return 1
    print(mint_local_token(ensure_local_secret(settings.data_dir), subject=user.user_id,
                           role=user.role, agency=user.agency,
                           now=epoch_seconds(clock),
                           ttl_seconds=args.ttl))
    return 0


def _outbox(args, settings, clock) -> int:
    from .notify.outbox import dead_letters, dispatch, retry_dead_letter

    store = _store(settings)
    now = clock.now()
    if args.action == "list":
        events = dead_letters(store) if args.status == "dead" else store.list_events(args.status)
        for event in events:
            print(f"{event.event_id}\t{event.status}\t{event.event}\t{event.form_id}\t"
                  f"{event.record_id}\t{event.recipient.get('agency')}\t{event.attempts}\t"
                  f"{event.last_error or ''}")
        return 0
    if args.action == "retry":
        if not retry_dead_letter(store, args.event_id, now):
            print(f"refused: {args.event_id} is not a dead letter", file=sys.stderr)
            return 1
        print(f"queued {args.event_id} again")
        return 0
    from .runtime import make_channels

    report = dispatch(store, make_channels(settings), now=clock.now)
    print(f"sent {report.sent}, failed {report.failed}, dead {report.dead}")
    return 0
