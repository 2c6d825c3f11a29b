"""Lambda package benchmark: the deployment package's size, and the cold start of its API
handler with the stack's AWS settings, beside a bare Chalice app importing boto3 packaged the
same way, in this one run.

Both are made by `chalice package` and unzipped into an empty folder; each cold start is a
fresh interpreter that sees only that folder, the standard library and the Lambda runtime's
own boto3 (tests/lambda_package.py), against AWS on moto in this process over loopback HTTP.
Cold start = `import app` plus the first request through the Lambda handler, timed inside the
process (the interpreter's own start is the runtime's, the same for both):
  - ours: a police officer's MG14 submission (POST /v1/forms/mg14/submissions) with a
    Cognito-style token, the JWKS fetched over HTTP; DynamoDB, SSM and Secrets Manager on moto;
  - bare: GET /v1/health answering {"ok": true}.
The runs alternate between the two. Every child's clock starts on the example submissions'
day through libfaketime (the MG14 example is dated for it), baseline and subject alike.
Loopback HTTP to moto has no TLS handshakes, which real endpoints (DynamoDB, Cognito's
JWKS) add to the first request in AWS; and moto, in this process, answers slower than the
services: the time each call waited on moto is shown, and the ratio given with and without
it (in AWS the services' own latency takes its place).

Run: .venv/bin/python -m bench.lambda_package [--runs 7] [--imports 15] [--profile 40]
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "api"))  # chalicelib, as the app and the tests import it

from tests.examples import example_data, example_moment  # noqa: E402
from tests.lambda_package import (  # noqa: E402
    BARE_READ_APP,
    Lambda,
    api_event,
    aws_world,
    bare_app,
    build_package,
    child_environment,
    copy_api,
    moto_calls,
    runtime_folder,
    schedule_event,
    slowest_imports,
    unpack,
    unzipped_bytes,
)

RUNS = 7
GOAL = 1.25
OFFICER = ("pc_jones", "police", "northshire_police")
MOMENT = example_moment()
CLOCK = MOMENT.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


def goal(met: bool) -> str:
    return "met" if met else "MISSED"


def mb(size: int) -> str:
    return f"{size / 1e6:7.1f} MB"


def packages(work: Path) -> dict[str, tuple[Path, Path]]:
    """name -> (deployment.zip, the folder it is unzipped into)."""
    made = {}
    for name, source in (("ours", copy_api(work / "api")),
                         ("bare", bare_app(work / "bare")),
                         ("bare-read", bare_app(work / "bare-read", BARE_READ_APP))):
        started = time.perf_counter()
        archive = build_package(source, work / f"{name}-out")
        made[name] = archive, unpack(archive, work / f"{name}-task")
        print(f"  chalice package ({name}): {time.perf_counter() - started:.1f} s")
    # the package as `chalice package` alone made it, before deploy/package.py's bytecode
    sources = work / "ours-src-task"
    shutil.copytree(made["ours"][1], sources)
    for cache in sorted(sources.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    made["ours-src"] = made["ours"][0], sources
    return made


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def sizes(made: dict[str, tuple[Path, Path]]) -> None:
    print("\n(a) deployment package (Lambda's limits: 50 MB zipped, 250 MB unzipped)")
    print(f"  {'':44} {'zip':>10} {'unzipped':>10} {'files':>7}")
    for name, label in (("ours", "api/ (app.py, chalicelib/, requirements.txt)"),
                        ("bare", "bare Chalice app importing boto3")):
        archive = made[name][0]
        with zipfile.ZipFile(archive) as opened:
            files = len(opened.infolist())
        print(f"  {label:44} {mb(archive.stat().st_size)} {mb(unzipped_bytes(archive))} "
              f"{files:7d}")
    compiled = made["ours"][1]
    pyc = sum(1 for _ in compiled.rglob("*.pyc"))
    sources = made["ours-src"][1]
    print(f"  {'  of which .pyc (deploy/package.py)':44} {'':>10} {'':>10} {pyc:7d}")
    print(f"  {'  the same without them (chalice package)':44} {'':>10} "
          f"{mb(folder_bytes(sources))} {len(list(sources.rglob('*'))):7d}")


Sample = tuple[float, float, float]   # import ms, first call ms, of which moto's ms
LABELS = {"ours": "API handler, first request an MG14 submission",
          "ours-src": "  the same without .pyc (chalice package alone)",
          "bare": "bare Chalice app + boto3, GET /v1/health (baseline)",
          "bare-real": "  the baseline without libfaketime (its cost)",
          "bare-read": "bare app + boto3 + one DynamoDB GetItem (the floor)",
          "deliver": "deliver_notifications, first scheduled run"}


def submission_event(token: str, answers: dict) -> dict:
    return api_event("POST", "/v1/forms/{form_id}/submissions", "/v1/forms/mg14/submissions",
                     body=answers, headers={"Authorization": f"Bearer {token}",
                                            "Content-Type": "application/json",
                                            "Idempotency-Key": str(uuid.uuid4())})


def breakdown(made, world, runtime: Path, imports: int, profile: int) -> None:
    """Where the first submission's time goes: its slowest imports, and its profile."""
    env = child_environment(world)
    token = world.token(OFFICER[0], int(MOMENT.timestamp()))
    answers = example_data("mg14")

    def submission() -> dict:
        return submission_event(token, answers)

    if imports:
        with Lambda(made["ours"][1], runtime, env, clock=CLOCK,
                    python_options=("-X", "importtime")) as child:
            call = child.call(submission())
            log = child.close()
        assert call.status == 201, call.result
        rows = slowest_imports(log, 10_000)
        print(f"\n(c) the first submission's imports (-X importtime, no .pyc; interpreter "
              f"start included): the {imports} slowest, each with what it imports")
        for module, ms in rows[:imports]:
            print(f"  {module:52} {ms:7.1f} ms")
        packages: dict[str, float] = {}
        for module, ms in rows:
            packages[module.split(".")[0]] = packages.get(module.split(".")[0], 0) + ms
        print(f"  by top-level package ({sum(packages.values()):.0f} ms in all): " + ", ".join(
            f"{name} {ms:.0f}" for name, ms in sorted(packages.items(), key=lambda p: -p[1])
            if ms >= 5))
    if profile:
        with Lambda(made["ours"][1], runtime, env, clock=CLOCK) as child:
            call = child.call(submission(), profile=profile)
        print(f"\n(d) the first submission's import and request under cProfile, the {profile} "
              "functions taking longest (cumulative)\n")
        print(call.profile)


def cold_starts(made, world, runtime: Path, runs: int) -> dict[str, list[Sample]]:
    """name -> [(import ms, first call ms, moto's ms)] over `runs` fresh processes each;
    each run's submission and dispatch on a table of their own."""
    token = world.token(OFFICER[0], int(MOMENT.timestamp()))
    answers = example_data("mg14")
    found: dict[str, list[Sample]] = {name: [] for name in LABELS}
    first_calls: list[tuple[str, float]] = []

    def submission() -> dict:
        return submission_event(token, answers)

    health = api_event("GET", "/v1/health", "/v1/health")
    for run in range(runs):
        world.new_table()
        env = child_environment(world)
        for name, event, handler, status in (("ours", submission(), "app", 201),
                                             ("ours-src", submission(), "app", 201),
                                             ("bare", health, "app", 200),
                                             ("bare-real", health, "app", 200),
                                             ("bare-read", health, "app", 200),
                                             ("deliver", schedule_event(),
                                              "deliver_notifications", None)):
            task = made["ours" if name == "deliver" else name.replace("-real", "")][1]
            moto_calls().clear()
            with Lambda(task, runtime, env,
                        clock=None if name == "bare-real" else CLOCK) as child:
                call = child.call(event, handler=handler)
            assert call.error is None, call.error
            assert call.outside == [], call.outside
            assert status is None or call.status == status, call.result
            served = list(moto_calls())
            found[name].append((call.import_ms, call.call_ms, sum(ms for _, ms in served)))
            if name == "ours" and run == 0:
                first_calls = served
    print("\nAWS calls of the API handler's first request (the first run), with moto's time:")
    for operation, ms in first_calls:
        print(f"  {operation:52} {ms:6.1f} ms")
    return found


def medians(values: list[Sample]) -> tuple[float, float, float, float, float]:
    """import, first call, moto's share, total, total less moto's share (medians)."""
    return tuple(statistics.median(pick(v) for v in values) for pick in (
        lambda v: v[0], lambda v: v[1], lambda v: v[2], lambda v: v[0] + v[1],
        lambda v: v[0] + v[1] - v[2]))


def report(found: dict[str, list[Sample]], runs: int) -> None:
    print(f"\n(b) cold start in a fresh process, with the AWS settings, median of {runs}")
    print(f"  {'':52} {'import':>9} {'1st call':>9} {'in moto':>9} {'total':>9} "
          f"{'less moto':>10}")
    for name, label in LABELS.items():
        values = medians(found[name])
        print(f"  {label:52} " + " ".join(f"{v:6.1f} ms" for v in values))
    ours, bare = medians(found["ours"]), medians(found["bare"])
    for label, index in (("as measured", 3), ("less the time moto took to answer", 4)):
        ratio = ours[index] / bare[index]
        print(f"  ratio {label}: {ratio:.2f}x; goal: within {GOAL}x: "
              f"{goal(ratio <= GOAL)}")
    floor = medians(found["bare-read"])
    print(f"  for scale: the bare app making one DynamoDB read is {floor[4] / bare[4]:.2f}x "
          f"the baseline, and the API's first submission {ours[4] / floor[4]:.2f}x that "
          "(less moto's time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="fresh processes each")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also print the N functions the first submission spends most in")
    parser.add_argument("--imports", type=int, default=15, metavar="N",
                        help="the N slowest imports of the first submission (0: none)")
    options = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; clock of each Lambda "
          f"process: {CLOCK} UTC (libfaketime)")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        made = packages(work)
        sizes(made)
        runtime = runtime_folder(work / "runtime")
        with aws_world() as world:
            world.add_user(*OFFICER)
            found = cold_starts(made, world, runtime, options.runs)
            report(found, options.runs)
            breakdown(made, world, runtime, options.imports, options.profile)


if __name__ == "__main__":
    main()
