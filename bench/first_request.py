"""The API's cold start in AWS's arrangement, from the source tree: a fresh Python process
imports app.py and answers its first request (a submission, a read of a record, one run of
the outbox dispatcher), with the settings the stack gives a function (DynamoDB, SES, SNS,
Cognito, the site parameter and the secret), beside a bare Chalice app importing boto3.

AWS is moto, in this process, answering over loopback HTTP (AWS_ENDPOINT_URL), so the
measured process imports nothing it would not import in Lambda. The packaged function's
figures are bench/lambda_package.py's; this one is for finding where the time goes:
`--importtime` (python -X importtime) and `--profile` (cProfile) for one scenario.

Run: .venv/bin/python -m bench.first_request [--runs 7] [--profile submit] [--importtime read]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-2"
POOL = f"{REGION}_BenchPool"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
CLIENT_ID = "bench-client"
TABLE = "dipforms-bench"
SITE_PARAMETER = "/dipforms/bench/site"
BASE_URL = "https://d123.cloudfront.net"
SENDER = "dipforms@example.org"
#: the signing name in a request's credential scope -> the host moto knows it by
HOSTS = {"ses": "email"}
EXAMPLES_DAY = datetime.date(2026, 11, 25)   # tests/examples.py DEFAULT_TODAY

BARE = """
import boto3
from chalice import Chalice

app = Chalice(app_name="bare")


@app.route("/v1/records/{record_id}")
def read(record_id):
    return {"record_id": record_id}
"""

#: What the measured process runs: nothing imported before the clock starts but json, sys
#: and time. argv: the folder to import app from, the event file, whether to profile.
CHILD = """
import json, sys, time
folder, event_file, scenario, profile = sys.argv[1:5]
sys.path.insert(0, folder)
event = json.load(open(event_file))


class LambdaContext:
    function_name, memory_limit_in_mb, aws_request_id = "bench", 1024, "req-1"

    def get_remaining_time_in_millis(self):
        return 30000


cpu = []


def cold():
    cpu.append(time.process_time())
    started = time.perf_counter()
    import app
    imported = time.perf_counter()
    handler = app.app if scenario != "deliver" else app.deliver_notifications
    answer = handler(event, LambdaContext())
    answered = time.perf_counter()
    cpu.append(time.process_time())
    return started, imported, answered, answer


if profile:
    import cProfile, pstats
    profiler = cProfile.Profile()
    started, imported, answered, answer = profiler.runcall(cold)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(300)
else:
    started, imported, answered, answer = cold()
again = time.perf_counter()
app = sys.modules["app"]
(app.app if scenario != "deliver" else app.deliver_notifications)(event, LambdaContext())
second = time.perf_counter() - again
status = answer.get("statusCode") if isinstance(answer, dict) else None
print(json.dumps({"import_ms": (imported - started) * 1e3,
                  "first_ms": (answered - imported) * 1e3,
                  "second_ms": second * 1e3, "status": status,
                  "cpu_ms": (cpu[1] - cpu[0]) * 1e3,
                  "from": getattr(sys.modules.get("chalicelib"), "__file__", None),
                  "body": answer.get("body", "")[:3000] if isinstance(answer, dict) else ""}))
"""


class AwsOnMoto(BaseHTTPRequestHandler):
    """Every AWS call of the measured process, answered by moto here; and the pool's
    JWKS at /jwks.json."""

    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    jwks = b""

    def log_message(self, *args) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()   # headers and body go in two writes: without this, Nagle's wait
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.handle_any()

    do_POST = do_PUT = do_DELETE = do_GET

    def handle_any(self) -> None:
        from botocore.awsrequest import AWSPreparedRequest
        from botocore.compat import HTTPHeaders
        from moto.core.botocore_stubber import BotocoreStubber

        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/jwks.json":
            return self.reply(200, {"Content-Type": "application/json"}, self.jwks)
        scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/",
                          self.headers.get("Authorization", ""))
        region, service = scope.groups()
        host = f"{HOSTS.get(service, service)}.{region}.amazonaws.com"
        headers = HTTPHeaders()
        for name, value in self.headers.items():
            headers[name] = host if name.lower() == "host" else value
        request = AWSPreparedRequest(method=self.command, url=f"https://{host}{self.path}",
                                     headers=headers, body=body, stream_output=False)
        with self.lock:
            status, answer_headers, answer = BotocoreStubber().process_request(request)
        self.reply(status, answer_headers, answer)

    def reply(self, status: int, headers, body) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        self.send_response(status)
        for name, value in dict(headers).items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Aws:
    """moto with the stack's resources, served on a loopback port; tokens for the pool."""

    def __init__(self) -> None:
        import boto3
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa
        from jwt.algorithms import RSAAlgorithm
        from moto import mock_aws

        sys.path.insert(0, str(ROOT / "api"))
        from chalicelib.store.dynamodb import create_table

        self.mock = mock_aws()
        self.mock.start()
        session = boto3.session.Session(region_name=REGION, aws_access_key_id="bench",
                                        aws_secret_access_key="bench")
        create_table(session.client("dynamodb"), TABLE)
        session.client("ssm").put_parameter(
            Name=SITE_PARAMETER, Type="String",
            Value=json.dumps({"base_url": BASE_URL, "cognito_client_id": CLIENT_ID}))
        self.secret_arn = session.client("secretsmanager").create_secret(
            Name="dipforms-bench", SecretString="B" * 64)["ARN"]
        session.client("sesv2").create_email_identity(EmailIdentity=SENDER)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        AwsOnMoto.jwks = json.dumps({"keys": [{
            **RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True), "kid": "k1",
            "alg": "RS256", "use": "sig"}]}).encode()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), AwsOnMoto)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._jwt = jwt

    def token(self) -> str:
        now = int(time.time())
        return self._jwt.encode({
            "sub": "bench-sub-1", "aud": CLIENT_ID, "iss": ISSUER, "token_use": "id",
            "iat": now, "exp": now + 3600, "cognito:groups": ["police"],
            "custom:agency": "northshire_police"}, self.key, algorithm="RS256",
            headers={"kid": "k1"})

    def environment(self) -> dict[str, str]:
        """The stack's environment for a function (CONTRACT17), pointed at moto."""
        return {
            "PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "DIPFORMS_STORE": "dynamodb", "DIPFORMS_TABLE": TABLE,
            "DIPFORMS_CHANNELS": "email=ses,sns=sns", "DIPFORMS_AUTH": "cognito",
            "DIPFORMS_SENDER": SENDER, "DIPFORMS_COGNITO_ISSUER": ISSUER,
            "DIPFORMS_COGNITO_JWKS_URL": f"{self.url}/jwks.json",
            "DIPFORMS_COGNITO_USER_POOL_ID": POOL, "DIPFORMS_TOPIC_ARNS": "",
            "DIPFORMS_STAGE": "bench", "DIPFORMS_SITE_PARAMETER": SITE_PARAMETER,
            "DIPFORMS_SECRET_ARN": self.secret_arn,
            # what a tree without the stage config reads instead (before the change)
            "DIPFORMS_COGNITO_CLIENT_ID": CLIENT_ID, "DIPFORMS_BASE_URL": BASE_URL,
            "DIPFORMS_DRAFT_SECRET": "D" * 64,
        }


def http_event(method: str, resource: str, path: str, token: str, body: str | None = None,
               params: dict[str, str] | None = None, **headers: str) -> dict:
    """An API Gateway (REST, proxy) event as Lambda hands it to Chalice."""
    headers = {"Authorization": f"Bearer {token}", "Host": "api.example.org", **headers}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": params, "stageVariables": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "path": path,
                           "requestId": str(uuid.uuid4()), "stage": "api",
                           "identity": {"sourceIp": "198.51.100.7"}},
        "body": body}


def submission(aws: Aws) -> dict:
    """MG14's minimal example, its dates moved from the examples' day to today's."""
    shift = datetime.date.today() - EXAMPLES_DAY

    def moved(found: re.Match) -> str:
        return (datetime.date.fromisoformat(found.group(0)) + shift).isoformat()

    data = re.sub(r"\d{4}-\d{2}-\d{2}", moved,
                  (ROOT / "tests/cases/mg14/valid/minimal.json").read_text("utf-8"))
    return http_event("POST", "/v1/forms/{form_id}/submissions",
                      "/v1/forms/mg14/submissions", aws.token(), data, {"form_id": "mg14"},
                      **{"Idempotency-Key": str(uuid.uuid4())})


def scheduled_event() -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "123456789012", "time": "2026-12-07T10:00:00Z",
            "region": REGION, "resources": [], "detail": {}}


def run_child(folder: Path, event: dict, env: dict[str, str], scenario: str, *,
              profile: bool = False, importtime: bool = False) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(event, handle)
    flags = ["-X", "importtime"] if importtime else []
    done = subprocess.run([sys.executable, *flags, "-c", CHILD, str(folder), handle.name,
                           scenario, "1" if profile else ""],
                          env=env, capture_output=True, text=True, timeout=120)
    os.unlink(handle.name)
    if done.returncode != 0:
        raise RuntimeError(f"{scenario}: the measured process failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr"] = done.stderr
    return result


def importtime_top(stderr: str, count: int = 25) -> list[str]:
    """The slowest imports by cumulative time from python -X importtime's lines."""
    rows = []
    for line in stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if found:
            rows.append((int(found.group(2)), len(found.group(3)), found.group(4)))
    top = sorted(rows, reverse=True)[:count]
    return [f"  {total / 1000:8.1f} ms  {' ' * (depth - 1)}{name}" for total, depth, name in top]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--api", type=Path, default=ROOT / "api",
                        help="the api/ folder to measure (another tree's, to compare)")
    parser.add_argument("--profile", choices=("submit", "read", "deliver"))
    parser.add_argument("--importtime", choices=("submit", "read", "deliver", "bare"))
    args = parser.parse_args()
    if not (ROOT / "api/chalicelib/generated/manifest.json").is_file():
        sys.exit("run `dipforms build` first")
    aws = Aws()
    env = aws.environment()
    api = args.api.resolve()
    bare = Path(tempfile.mkdtemp()) / "bare"
    bare.mkdir()
    (bare / "app.py").write_text(BARE, "utf-8")
    seeded = run_child(api, submission(aws), env, "submit")
    assert seeded["status"] == 201, seeded["body"]
    assert seeded["from"].startswith(str(api)), seeded["from"]   # not an installed copy
    record_id = json.loads(seeded["body"])["record"]["id"]
    events = {
        "bare": (bare, lambda: http_event("GET", "/v1/records/{record_id}",
                                          "/v1/records/x", aws.token(), None,
                                          {"record_id": "x"})),
        "read": (api, lambda: http_event("GET", "/v1/records/{record_id}",
                                         f"/v1/records/{record_id}", aws.token(), None,
                                         {"record_id": record_id})),
        "submit": (api, lambda: submission(aws)),
        "deliver": (api, scheduled_event),
    }
    chosen = args.profile or args.importtime
    if chosen:
        folder, event = events[chosen]
        result = run_child(folder, event(), env, chosen, profile=bool(args.profile),
                           importtime=bool(args.importtime))
        print(*(importtime_top(result["stderr"]) if args.importtime else [result["stderr"]]),
              sep="\n")
        print(f"{chosen}: import {result['import_ms']:.0f} ms, first {result['first_ms']:.0f}"
              f" ms, status {result['status']}")
        return
    print(f"cold start (import app + first request, ms) from the source tree, AWS settings, "
          f"moto over loopback;\nmedian of {args.runs} fresh processes (min in brackets); "
          f"CPU: the measured process's own (steadier on a busy machine)")
    print(f"  {'':12} {'import':>14} {'first request':>16} {'cold start':>14} "
          f"{'x bare':>7} {'cold CPU':>14} {'x bare':>7} {'second':>7}")
    results: dict[str, dict[str, list[float]]] = {name: {} for name in events}
    for _ in range(args.runs):
        for name, (folder, event) in events.items():
            found = run_child(folder, event(), env, name)
            assert name in ("bare", "deliver") or found["status"] in (200, 201), found["body"]
            for key in ("import_ms", "first_ms", "second_ms", "cpu_ms"):
                results[name].setdefault(key, []).append(found[key])
            results[name].setdefault("cold", []).append(found["import_ms"] + found["first_ms"])
    bare_cold = statistics.median(results["bare"]["cold"])
    bare_cpu = statistics.median(results["bare"]["cpu_ms"])
    for name, figures in results.items():
        def show(key: str, figures=figures) -> str:
            return f"{statistics.median(figures[key]):6.1f} ({min(figures[key]):5.1f})"
        ratio = statistics.median(figures["cold"]) / bare_cold
        cpu_ratio = statistics.median(figures["cpu_ms"]) / bare_cpu
        print(f"  {name:12} {show('import_ms'):>14} {show('first_ms'):>16} {show('cold'):>14}"
              f" {ratio:7.2f} {show('cpu_ms'):>14} {cpu_ratio:7.2f}"
              f" {statistics.median(figures['second_ms']):7.1f}")
    worst = max(statistics.median(results[name]["cold"]) for name in ("read", "submit"))
    print(f"  measured {api}; goal, read and submit within 1.25x of bare: "
          f"{'met' if worst <= 1.25 * bare_cold else 'MISSED'} ({worst / bare_cold:.2f}x)")


if __name__ == "__main__":
    main()
