"""`dipforms check | build | serve`: exit codes, messages, never a traceback for a DAT.

Exit codes: 0 success, 1 the definitions have errors, 2 wrong usage, 3 internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .workspace import Workspace, site_auth

#: web.serve.serve(workspace, host=, port=) -> exit code
Serve = Callable[..., int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dipforms", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="the project folder holding forms/ (default: here)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("check", help="check every YAML file and report every problem")
    sub.add_parser("build", help="check, then write schemas/, site/ and the API's manifest")
    for name, what in (("rules", "print every rule (form, severity, source), then the notes"),
                       ("protocol", "print the protocol's notification routes and access")):
        review = sub.add_parser(name, help=what)
        review.add_argument("--csv", action="store_true", help="CSV instead of columns")
        if name == "protocol":
            review.add_argument("--matrix-csv", action="store_true",
                                help="only the access matrix, as CSV")
    serve = sub.add_parser("serve", help="build, serve the site, rebuild when YAML changes")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    return parser


def main(argv: list[str] | None = None, *, serve: Serve | None = None) -> int:
    """`serve` is web.serve.serve, handed in by dipforms_cli.py: the page server lives in
    web/, above the compiler, so generator/ never imports it."""
    args = _parser().parse_args(argv)
    try:
        return _run(args, serve)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a DAT never sees a traceback unless they ask for one
        if os.environ.get("DIPFORMS_DEBUG"):
            raise
        print(f"dipforms: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in dipforms, not in your YAML. "
              "Run again with DIPFORMS_DEBUG=1 for details.", file=sys.stderr)
        return 3


def _run(args: argparse.Namespace, serve: Serve | None) -> int:
    workspace = Workspace(args.root.resolve())
    if not (workspace.root / "forms").is_dir():
        print(f"dipforms: no forms/ folder in {workspace.root}", file=sys.stderr)
        return 2
    if args.command in ("rules", "protocol"):
        return _review(workspace, args.command,
                       "matrix" if getattr(args, "matrix_csv", False) else args.csv)
    if args.command != "check":
        try:
            workspace.auth = site_auth(os.environ)   # how the pages sign in (docs/auth.md)
        except ValueError as error:
            print(f"dipforms: {error}", file=sys.stderr)
            return 2
    if args.command == "check":
        from ..diagnostics import format_all

        result, sources = workspace.build(site=False)
        report = format_all(result.diagnostics, sources)
        if report:
            print(report, file=sys.stderr if not result.ok else sys.stdout)
        if result.ok:
            print(f"ok: {len(result.project.forms)} forms, "
                  f"{len(result.project.codelists)} code lists")
        return 0 if result.ok else 1
    if args.command == "build":
        started = time.perf_counter()
        result, report, changed = workspace.build_and_write()
        if report:
            print(report, file=sys.stderr if not result.ok else sys.stdout)
        if not result.ok:
            print("nothing was written", file=sys.stderr)
            return 1
        elapsed = (time.perf_counter() - started) * 1000
        print(f"built {len(result.project.forms)} forms in {elapsed:.0f} ms; "
              f"{changed} file(s) changed")
        if workspace.auth and workspace.auth.mode == "cognito":
            print(f"the pages sign in through the Cognito hosted UI at {workspace.auth.domain}")
        return 0
    if args.command == "serve" and serve is not None:
        return serve(workspace, host=args.host, port=args.port)
    return 2


def _review(workspace: Workspace, command: str, as_csv: bool | str) -> int:
    """`dipforms rules | protocol`: the tables a DAT reviews, from checked definitions only."""
    from .. import review
    from ..diagnostics import format_all

    result, sources = workspace.build(site=False)
    if not result.ok:
        print(format_all(result.diagnostics, sources), file=sys.stderr)
        print("fix these first: the tables are printed from checked definitions only",
              file=sys.stderr)
        return 1
    project = result.project
    if command == "rules":
        print(review.table(review.RULE_HEADER, review.rule_rows(project), as_csv=as_csv),
              end="")
        notes = review.note_rows(project)
        if notes and not as_csv:   # the forms' notes for the DAT, which no page shows
            print()
            print(review.table(review.NOTE_HEADER, notes), end="")
        return 0
    if as_csv == "matrix":
        print(review.table(review.MATRIX_HEADER, review.matrix_rows(project), as_csv=True),
              end="")
        return 0
    print(review.table(review.ROUTE_HEADER, review.route_rows(project), as_csv=as_csv), end="")
    if not as_csv:
        if project.process is not None:
            from ..process.steps import STEP_HEADER, step_rows

            print()
            print("How a case moves: each step, and whether a form makes it (submitting it "
                  "is the only way) or a button does (asking what it records)")
            print(review.table(STEP_HEADER, step_rows(project.process)), end="")
        print()
        print(review.table(review.ACCESS_HEADER, review.access_rows(project)), end="")
        print()
        print("Who reads what: each agency type's staff, by role, of a record another agency "
              "made on a case their agency is party to (their own agency's records: whole; "
              "a case they are not party to: nothing)")
        print(review.table(review.MATRIX_HEADER, review.matrix_rows(project)), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
