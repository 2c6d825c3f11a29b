"""The `dipforms` command: forms commands go to generator/edges/cli.py, API commands to
api/chalicelib/manage.py, `deploy` to deploy/cli.py. The halves never import each other;
only this does."""

from __future__ import annotations

import sys

API_COMMANDS = {"users", "token", "outbox", "sweep", "relist"}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = next((a for a in args if not a.startswith("-")), None)
    if command == "run":
        try:
            return run(args[args.index("run") + 1:])
        except KeyboardInterrupt:
            return 130
        except Exception as exc:  # a DAT never sees a traceback unless they ask for one
            import os

            if os.environ.get("DIPFORMS_DEBUG"):
                raise
            print(f"dipforms: internal error: {type(exc).__name__}\nThis is a bug in "
                  "dipforms, not in your YAML. Run again with DIPFORMS_DEBUG=1 for details.",
                  file=sys.stderr)
            return 3
    if command == "deploy":
        from deploy.cli import main as deploy_main

        return deploy_main(args[args.index("deploy") + 1:])
    if command in API_COMMANDS:
        from chalicelib.manage import main as api_main

        return api_main(args, stage_region=stage_region)
    from generator.edges.cli import main as forms_main

    return forms_main(args, serve=_serve)


def stage_region(stage: str, root=None) -> str:
    """The AWS region of `stage` in deploy/stages.yaml, for `dipforms users --stage`: the
    API half never reads YAML, so this half asks deploy/stages.py (the file `dipforms
    deploy` reads). Raises StageProblem, saying what to fix."""
    from pathlib import Path

    from chalicelib.stage_outputs import StageProblem

    from deploy.stages import StageError, load_stage

    try:
        return load_stage(Path(root or Path.cwd()), stage).region
    except FileNotFoundError:
        raise StageProblem("no deploy/stages.yaml here: run dipforms from the top folder of "
                           "the clone") from None
    except StageError as error:
        raise StageProblem(str(error)) from None


def _serve(*args, **kwargs) -> int:
    """`dipforms serve`: web/ is imported only for it, not for check or build."""
    from web.serve import serve

    return serve(*args, **kwargs)


def run(argv: list[str]) -> int:
    """Build the forms, then serve the site and the API on one port (SQLite, .eml files),
    rebuilding the site when YAML changes, delivering notifications every second and
    sweeping deadlines every DIPFORMS_SWEEP_SECONDS (300). `--workers N` processes answer
    the requests (web/workers.py; by default one per CPU)."""
    import argparse
    import os
    import threading
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="dipforms run")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--workers", type=int, default=None,
                        help="processes answering requests (default: one per CPU, at most "
                             "4; 1 serves from this process alone)")
    # a worker process started by the main one (web/workers.py), not for people to type
    parser.add_argument("--worker-socket", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--ready-fd", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be 1 or more")
    root = args.root.resolve()
    os.environ.setdefault("DIPFORMS_DATA_DIR", str(root / ".data"))
    os.environ.setdefault("DIPFORMS_BASE_URL", f"http://{args.host}:{args.port}")

    from generator.edges.workspace import Workspace, site_auth

    try:
        workspace = Workspace(root, auth=site_auth(os.environ))
    except ValueError as error:          # a wrong DIPFORMS_COGNITO_* setting, named
        print(f"dipforms run: {error}", file=sys.stderr)
        return 2
    from chalicelib.runtime import make_clock
    from chalicelib.settings import load_settings

    try:
        make_clock(load_settings())      # a wrong DIPFORMS_CLOCK, named before anything starts
    except ValueError as error:
        print(f"dipforms run: {error}", file=sys.stderr)
        return 2
    if args.worker_socket is not None:
        return _run_worker(workspace, args, root)
    result, report, _ = workspace.build_and_write()
    if not result.ok:
        print(report, file=sys.stderr)
        print("the forms have errors: fix them, then run again", file=sys.stderr)
        return 1
    sys.path.insert(0, str(root / "api"))
    import app as api_app
    from chalicelib.localserver import ApiBridge, start_dispatcher, start_sweeper
    from chalicelib.runtime import runtime

    from web.serve import serve
    from web.workers import default_workers

    workers = args.workers or default_workers()
    if workers > 1 and os.name != "posix":
        print("dipforms run: one process here (worker processes need a POSIX system)",
              file=sys.stderr)
        workers = 1
    runtime()   # the store, its schema and the token key made once, before any worker
    stop = threading.Event()
    start_dispatcher(runtime(), stop)
    start_sweeper(runtime(), stop, float(os.environ.get("DIPFORMS_SWEEP_SECONDS", "300")))
    print(f"data: {os.environ['DIPFORMS_DATA_DIR']} (records in SQLite, notifications "
          "as .eml files in outbox/)", flush=True)
    if os.environ.get("DIPFORMS_CLOCK"):
        print(f"clock: set to {runtime().clock.now():%Y-%m-%d %H:%M} UTC by DIPFORMS_CLOCK, "
              "and running on", flush=True)
    if workers > 1:
        return _run_workers(workspace, args, root, workers, result, report,
                            on_stop=stop.set)
    return serve(workspace, host=args.host, port=args.port,
                 api=ApiBridge(api_app.app).handle, on_stop=stop.set,
                 checks=page_checks(runtime().context))


def _run_workers(workspace, args, root, count: int, result, report, on_stop) -> int:
    """The main process of `dipforms run --workers N` (web/workers.py): it keeps the
    dispatcher and the sweeper, rebuilds on change and supervises the workers."""
    import secrets

    from chalicelib.clock import SetClock
    from chalicelib.runtime import runtime

    from web.serve import BuildState
    from web.workers import serve_with_workers

    state = BuildState()   # the watcher's; the workers load their own
    state.update(result.ok, report, tuple(result.project.forms), result.project)
    clock = runtime().clock
    shared = {"csrf_key": secrets.token_hex(32),
              "clock": clock.shared() if isinstance(clock, SetClock) else None}
    command = [sys.executable, "-m", "dipforms_cli", "run", "--root", str(root)]
    return serve_with_workers(workspace, state, host=args.host, port=args.port, count=count,
                              command=command, shared=shared, on_stop=on_stop)


def _run_worker(workspace, args, root) -> int:
    """One worker process of `dipforms run --workers N`: the API and the pages, on the
    main process's socket, with its form key and its clock; no dispatcher or sweeper."""
    sys.path.insert(0, str(root / "api"))
    import app as api_app
    from chalicelib.clock import SetClock
    from chalicelib.localserver import ApiBridge
    from chalicelib.runtime import runtime

    from web.workers import read_shared, serve_worker

    shared = read_shared()
    clock = runtime().clock
    if shared.get("clock") and isinstance(clock, SetClock):
        clock.follow(shared["clock"])
    return serve_worker(workspace, host=args.host, port=args.port,
                        socket_fd=args.worker_socket, ready_fd=args.ready_fd,
                        api=ApiBridge(api_app.app).handle,
                        checks=page_checks(runtime().context))


def page_checks(context):
    """The API's rule evaluator, validators and clock, lent to the pages posted without
    JavaScript (web/nojs.py), so a page and the API never disagree about an answer."""
    from chalicelib.domain import rules
    from chalicelib.domain.validation import validate

    from web.nojs import Checks

    catalogue = context.catalogue

    def holds(rule: dict, data: dict, item: dict | None = None) -> bool:
        try:
            return rules.holds(rule, data, today=context.today(), item=item)
        except Exception:  # noqa: BLE001 - as rules.js: a rule that cannot be read shows
            return True

    def check(form_id: str, data: dict, lang: str) -> list[dict]:
        form = catalogue.current(form_id)
        if form is None:
            return []
        errors, _ = validate(form.schema, form.detailed, data, today=context.today(),
                             lang=lang, fast=form.fast)
        return [e.as_json() for e in errors]

    return Checks(holds, check, context.now)


if __name__ == "__main__":
    sys.exit(main())
