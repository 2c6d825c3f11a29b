"""The deployment package as AWS Lambda runs it, checked here without an AWS account.

`build_package` runs `chalice package` on a copy of api/ (with freshly generated JSON), as
the stack's Chalice construct does; `unpack` unzips deployment.zip into an empty folder.
`Lambda` starts a fresh interpreter that imports the handler from that folder only (plus
the standard library and what the Lambda Python runtime itself provides) and calls it with
API Gateway proxy and scheduled events, one JSON line each way. `AwsWorld` is the stack's
resources on moto, in this process, reached by the child over HTTP through `MotoEndpoint`
(moto's own server needs Flask, which is not installed), and `Issuer` signs Cognito-style
RS256 ID tokens for a user of moto's pool and serves their JWKS over HTTP.
Used by tests/functional/test_lambda_package.py and bench/lambda_package.py.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "api"
REGION = "eu-west-2"
STAGE = "dev"
SENDER = "dipforms@dev.example.org"
#: What the Lambda Python runtime has without the package vendoring it (boto3 and its own
#: dependencies); the child may import only these from the venv.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil",
                    "six")
#: The signing name of a request -> the host prefix moto's URL patterns expect.
HOST_PREFIX = {"ses": "email"}
CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
#: A bare Chalice app importing boto3: the baseline a cold start is compared with.
BARE_APP = ("import boto3  # noqa: F401\nfrom chalice import Chalice\n\n"
            "app = Chalice(app_name='bare')\n\n\n@app.route('/v1/health')\n"
            "def health():\n    return {'ok': True}\n")
#: The same app making the one DynamoDB read any app that keeps data pays for on its first
#: request (client, endpoint rules, signing, a call): the floor beside the issue's baseline.
BARE_READ_APP = ("import os\n\nimport boto3\nfrom chalice import Chalice\n\n"
                 "app = Chalice(app_name='bare')\n\n\n@app.route('/v1/health')\n"
                 "def health():\n    boto3.client('dynamodb').get_item(\n"
                 "        TableName=os.environ['DIPFORMS_TABLE'],\n"
                 "        Key={'pk': {'S': 'HEALTH'}, 'sk': {'S': 'HEALTH'}})\n"
                 "    return {'ok': True}\n")


# -- the package ----------------------------------------------------------------------------

def copy_api(target: Path) -> Path:
    """api/ as Chalice sees it, with chalicelib/generated/ built now from forms/."""
    from tests.api_harness import write_generated

    target.mkdir(parents=True)
    for name in ("app.py", "requirements.txt"):
        shutil.copy2(API / name, target / name)
    shutil.copytree(API / "chalicelib", target / "chalicelib",
                    ignore=shutil.ignore_patterns("generated", "__pycache__"))
    shutil.copytree(API / ".chalice", target / ".chalice",
                    ignore=shutil.ignore_patterns("deployments"))
    write_generated(target / "chalicelib" / "generated")
    # the stack gives each function its role (deploy/stack.py); the copy names a test one
    config_file = target / ".chalice" / "config.json"
    config = json.loads(config_file.read_text("utf-8"))
    config["stages"][STAGE] = {"manage_iam_role": False,
                               "iam_role_arn": "arn:aws:iam::123456789012:role/test"}
    config_file.write_text(json.dumps(config), "utf-8")
    return target


def bare_app(target: Path, source: str = BARE_APP) -> Path:
    """The baseline app, packaged the same way: no requirements of its own."""
    (target / ".chalice").mkdir(parents=True)
    (target / "app.py").write_text(source, "utf-8")
    (target / "requirements.txt").write_text("", "utf-8")
    (target / ".chalice" / "config.json").write_text(json.dumps(
        {"version": "2.0", "app_name": "bare", "stages": {STAGE: {}}}), "utf-8")
    return target


def build_package(app_dir: Path, out: Path, *, bytecode: bool = True) -> Path:
    """`chalice package --stage dev` with a region and no credentials -> deployment.zip,
    with its bytecode compiled in as the stack deploys it (deploy/package.py) unless
    `bytecode` is False."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": str(out.parent / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(out.parent / "no-credentials")}
    chalice = Path(sys.executable).parent / "chalice"
    run = subprocess.run([str(chalice), "package", "--stage", STAGE, str(out)], cwd=app_dir,
                         env=env, capture_output=True, text=True, timeout=900)
    if run.returncode != 0 or "could not" in (run.stdout + run.stderr).lower():
        raise RuntimeError(f"chalice package failed:\n{run.stdout}\n{run.stderr[-3000:]}")
    if bytecode:
        from deploy.package import add_bytecode

        add_bytecode(out / "deployment.zip")
    return out / "deployment.zip"


def unpack(archive: Path, folder: Path) -> Path:
    """deployment.zip unzipped into `folder`, which must be new (empty)."""
    folder.mkdir(parents=True)
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)
    return folder


def runtime_folder(folder: Path) -> Path:
    """A folder of links to the venv's copies of RUNTIME_PACKAGES, and nothing else."""
    import importlib.util

    folder.mkdir(parents=True)
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, name
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (folder / source.name).symlink_to(source)
    return folder


def unzipped_bytes(archive: Path) -> int:
    with zipfile.ZipFile(archive) as opened:
        return sum(info.file_size for info in opened.infolist())


# -- AWS on moto, over HTTP -----------------------------------------------------------------

class _Forward(BaseHTTPRequestHandler):
    """One AWS API call from the child, handed to moto's in-process dispatcher as if it had
    gone to the service's real endpoint (the signing scope names the service and region)."""

    protocol_version = "HTTP/1.1"
    #: (the call, e.g. "dynamodb TransactWriteItems", milliseconds moto took), every call
    served: list[tuple[str, float]] = []

    def _call(self) -> None:
        from botocore.awsrequest import AWSPreparedRequest
        from botocore.compat import HTTPHeaders
        from moto.core.botocore_stubber import BotocoreStubber

        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        scope = CREDENTIAL.search(self.headers.get("Authorization", ""))
        if scope is None:
            return self._answer(400, {}, b"unsigned request")
        region, service = scope.groups()
        host = f"{HOST_PREFIX.get(service, service)}.{region}.amazonaws.com"
        headers = HTTPHeaders()
        for key, value in self.headers.items():
            headers[key] = host if key.lower() == "host" else value
        request = AWSPreparedRequest(self.command, f"https://{host}{self.path}", headers,
                                     body, stream_output=False)
        begun = time.perf_counter()
        found = BotocoreStubber().process_request(request)
        target = self.headers.get("X-Amz-Target", "").rpartition(".")[2] or \
            f"{self.command} {self.path.split('?')[0]}"
        self.served.append((f"{service} {target}", (time.perf_counter() - begun) * 1000))
        if found is None:
            return self._answer(404, {}, b"not emulated")
        status, out_headers, out_body = found
        self._answer(status, out_headers, out_body)

    def _answer(self, status: int, headers: dict, body: str | bytes) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        self.send_response(int(status))
        for key, value in headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection",
                                   "server", "date"):
                self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _call

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Jwks(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    document = b"{}"

    def do_GET(self) -> None:
        ok = self.path.endswith("/.well-known/jwks.json")
        body = self.document if ok else b"{}"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """http://127.0.0.1:<port> answered by `handler` on threads, until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Issuer:
    """Signs Cognito-style ID tokens for the pool's users; its JWKS is served over HTTP."""

    issuer: str
    client_id: str
    jwks_url: str
    private_key: Any
    kid: str

    def id_token(self, *, sub: str, username: str, groups: list[str], agency: str,
                 now: int, ttl: int = 3600) -> str:
        import jwt

        claims = {"sub": sub, "iss": self.issuer, "aud": self.client_id, "token_use": "id",
                  "cognito:username": username, "cognito:groups": groups,
                  "custom:agency": agency, "auth_time": now, "iat": now, "exp": now + ttl,
                  "jti": str(uuid.uuid4())}
        return jwt.encode(claims, self.private_key, algorithm="RS256",
                          headers={"kid": self.kid})


@dataclass
class AwsWorld:
    """What the stack makes for a stage, on moto: the table, the verified sender, the user
    pool with its role groups and custom:agency, the site parameter and the master secret;
    `environment` is what the stack gives every function (CONTRACT17)."""

    endpoint: str
    table: str
    pool_id: str
    client_id: str
    site_parameter: str
    secret_arn: str
    master: str          # the secret's SecretString
    base_url: str
    issuer: Issuer | None = None
    users: dict[str, dict[str, Any]] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"
        assert self.issuer is not None
        return {
            "DIPFORMS_STORE": "dynamodb", "DIPFORMS_TABLE": self.table,
            "DIPFORMS_CHANNELS": "email=ses,sns=sns", "DIPFORMS_AUTH": "cognito",
            "DIPFORMS_SENDER": SENDER, "DIPFORMS_COGNITO_ISSUER": issuer,
            "DIPFORMS_COGNITO_JWKS_URL": self.issuer.jwks_url,
            "DIPFORMS_COGNITO_USER_POOL_ID": self.pool_id, "DIPFORMS_TOPIC_ARNS": "",
            "DIPFORMS_STAGE": STAGE, "DIPFORMS_SITE_PARAMETER": self.site_parameter,
            "DIPFORMS_SECRET_ARN": self.secret_arn, "AWS_REGION": REGION,
        }

    def new_table(self) -> str:
        """Another empty table for the store, which `environment` names from now on (moto
        copies every table on each transaction, so a growing table slows moto down)."""
        import boto3
        from chalicelib.store.dynamodb import create_table

        self.table = f"dipforms-{STAGE}-{secrets.token_hex(4)}"
        create_table(boto3.client("dynamodb", region_name=REGION), self.table)
        return self.table

    def add_user(self, username: str, role: str, agency: str) -> dict[str, Any]:
        """A user in the pool, in the role's group, with custom:agency (as `dipforms users
        add` makes one); their sub, groups and agency as the pool reports them."""
        import boto3

        cognito = boto3.client("cognito-idp", region_name=REGION)
        cognito.admin_create_user(UserPoolId=self.pool_id, Username=username,
                                  UserAttributes=[
                                      {"Name": "email", "Value": f"{username}@example.org"},
                                      {"Name": "custom:agency", "Value": agency}],
                                  MessageAction="SUPPRESS")
        cognito.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username,
                                        GroupName=role)
        found = cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
        attributes = {a["Name"]: a["Value"] for a in found["UserAttributes"]}
        groups = [g["GroupName"] for g in cognito.admin_list_groups_for_user(
            UserPoolId=self.pool_id, Username=username)["Groups"]]
        self.users[username] = {"sub": attributes["sub"], "groups": groups,
                                "agency": attributes["custom:agency"]}
        return self.users[username]

    def token(self, username: str, now: int) -> str:
        assert self.issuer is not None
        user = self.users[username]
        return self.issuer.id_token(sub=user["sub"], username=username, groups=user["groups"],
                                    agency=user["agency"], now=now)


def _make_world(endpoint: str) -> AwsWorld:
    import boto3
    from chalicelib.domain.access import ROLES
    from chalicelib.store.dynamodb import create_table

    table = f"dipforms-{STAGE}-{secrets.token_hex(4)}"
    create_table(boto3.client("dynamodb", region_name=REGION), table)
    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=SENDER)
    cognito = boto3.client("cognito-idp", region_name=REGION)
    pool_id = cognito.create_user_pool(
        PoolName=f"dipforms-{STAGE}",
        Schema=[{"Name": "agency", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]["Id"]
    for role in ROLES:
        cognito.create_group(UserPoolId=pool_id, GroupName=role)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="site", GenerateSecret=False)["UserPoolClient"][
        "ClientId"]
    base_url = "https://d111111abcdef8.cloudfront.net"
    parameter = f"/dipforms/{STAGE}/site"
    boto3.client("ssm", region_name=REGION).put_parameter(
        Name=parameter, Type="String",
        Value=json.dumps({"base_url": base_url, "cognito_client_id": client_id}))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    master = "".join(secrets.choice(alphabet) for _ in range(64))
    secret_arn = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name=f"dipforms/{STAGE}/master", SecretString=master)["ARN"]
    return AwsWorld(endpoint=endpoint, table=table, pool_id=pool_id, client_id=client_id,
                    site_parameter=parameter, secret_arn=secret_arn, master=master,
                    base_url=base_url)


@contextmanager
def aws_world() -> Iterator[AwsWorld]:
    """moto in this process (fake credentials), an HTTP endpoint into it for children, the
    stage's resources, and a token issuer with its JWKS served over HTTP."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from moto import mock_aws

    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION})
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_hex(8)
    jwk = {**jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True),
           "kid": kid, "alg": "RS256", "use": "sig"}
    jwks_handler = type("Jwks", (_Jwks,), {"document": json.dumps({"keys": [jwk]}).encode()})
    try:
        with mock_aws(), serving(_Forward) as endpoint, serving(jwks_handler) as jwks:
            world = _make_world(endpoint)
            world.issuer = Issuer(
                issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{world.pool_id}",
                client_id=world.client_id,
                jwks_url=f"{jwks}/{world.pool_id}/.well-known/jwks.json",
                private_key=key, kid=kid)
            yield world
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def moto_calls() -> list[tuple[str, float]]:
    """Every AWS call the children made so far, with the milliseconds moto took to answer
    it (time a child spent waiting on moto, not on its own code); clear() it to start."""
    return _Forward.served


def sent_emails() -> list[Any]:
    """What reached SES (moto's record), oldest first."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


# -- events ---------------------------------------------------------------------------------

def api_event(method: str, resource: str, path: str, *, headers: dict[str, str] | None = None,
              body: Any = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway REST proxy event, as the APIHandler function receives one."""
    names = re.findall(r"{(\w+)}", resource)
    values = re.fullmatch(re.sub(r"{\w+}", "([^/]+)", resource), path)
    assert values is not None, (resource, path)
    sent = {"Host": "abc123.execute-api.eu-west-2.amazonaws.com",
            "X-Forwarded-Proto": "https", "User-Agent": "lambda-package-test",
            **(headers or {})}
    text = None if body is None else body if isinstance(body, str) else json.dumps(body)
    return {
        "resource": resource, "path": path, "httpMethod": method,
        "headers": sent, "multiValueHeaders": {k: [v] for k, v in sent.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": None if query is None
        else {k: [v] for k, v in query.items()},
        "pathParameters": dict(zip(names, values.groups(), strict=True)) or None,
        "stageVariables": None, "body": text, "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": resource, "httpMethod": method, "path": f"/api{path}",
            "stage": "api", "requestId": str(uuid.uuid4()), "accountId": "123456789012",
            "apiId": "abc123", "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "203.0.113.10", "userAgent": "lambda-package-test"},
            "domainName": "abc123.execute-api.eu-west-2.amazonaws.com"},
    }


def schedule_event(rule: str = "DeliverNotifications") -> dict[str, Any]:
    """An EventBridge scheduled event, as a scheduled function receives one."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "123456789012",
            "time": "1970-01-01T00:00:00Z", "region": REGION,
            "resources": [f"arn:aws:events:{REGION}:123456789012:rule/{rule}"], "detail": {}}


# -- the child ------------------------------------------------------------------------------

#: Runs in the child with `python -I -S`: the package folder first on sys.path, then the
#: runtime's packages; an import finder refuses any top-level module found anywhere else but
#: the standard library, so a dependency the package does not vendor fails to import.
CHILD = r'''
import importlib, importlib.abc, importlib.machinery, io, json, os, sys, time

started = time.perf_counter()
package, runtime, stdlib = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = [package, runtime]
linked = [os.path.join(runtime, name) for name in os.listdir(runtime)]
allowed = tuple(os.path.realpath(p) + os.sep for p in [package, runtime, *linked, *stdlib])


class OnlyThePackage(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if path is not None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name)
        if spec is None or spec.origin in (None, "built-in", "frozen"):
            return None
        where = os.path.realpath(spec.origin if spec.has_location else
                                 list(spec.submodule_search_locations or [""])[0])
        if not (where + os.sep).startswith(allowed):
            raise ImportError(f"{name} is not in the package ({where})", name=name)
        return None


sys.meta_path.insert(0, OnlyThePackage())
protocol = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)                        # stray writes to fd 1 go to stderr, not the protocol


class Context:
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "dipforms-dev-api_handler")
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:" + function_name
    aws_request_id = "c0ffee00-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "local"

    def get_remaining_time_in_millis(self):
        return 30000


def reply(message):
    protocol.write(json.dumps(message, default=str) + "\n")


modules = {}
reply({"ready": (time.perf_counter() - started) * 1000})
for line in sys.stdin:
    call = json.loads(line)
    if "probe" in call:              # can this module be imported here? (None: yes)
        try:
            importlib.import_module(call["probe"])
            reply({"probe": None})
        except ImportError as exc:
            reply({"probe": f"{type(exc).__name__}: {exc}"})
        continue
    captured, real = io.StringIO(), sys.stdout
    profiler = None
    if call.get("profile"):          # the stdlib's profiler, for bench --profile only
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    sys.stdout = captured
    begun = time.perf_counter()
    try:
        module = modules.get(call["module"])
        if module is None:
            module = modules[call["module"]] = importlib.import_module(call["module"])
        imported = time.perf_counter()
        handler = getattr(module, call["handler"])
        result = handler(call["event"], Context())
        error = None
    except Exception as exc:         # reported to the parent, which fails the test
        import traceback
        imported, result, error = time.perf_counter(), None, traceback.format_exc()
    finally:
        sys.stdout = real
    done = time.perf_counter()
    profile = ""
    if profiler is not None:
        import pstats
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(call["profile"])
        profile = text.getvalue()
    outside = sorted({name.split(".")[0] for name, m in list(sys.modules.items())
                      if getattr(m, "__file__", None) and not
                      (os.path.realpath(m.__file__) + os.sep).startswith(allowed)})
    reply({"result": result, "error": error, "stdout": captured.getvalue(), "profile": profile,
           "import_ms": (imported - begun) * 1000, "call_ms": (done - imported) * 1000,
           "outside": outside})
'''


def stdlib_paths() -> list[str]:
    paths = sysconfig.get_paths()
    return sorted({paths["stdlib"], paths["platstdlib"],
                   str(Path(paths["platstdlib"]) / "lib-dynload")})


@dataclass
class Call:
    """What the child answered for one event."""

    result: Any
    error: str | None
    stdout: str
    import_ms: float
    call_ms: float
    outside: list[str]
    profile: str = ""

    @property
    def status(self) -> int:
        return self.result["statusCode"]

    @property
    def body(self) -> Any:
        text = self.result["body"]
        if self.result.get("isBase64Encoded"):
            text = base64.b64decode(text).decode("utf-8")
        return json.loads(text)


class Lambda:
    """A fresh interpreter serving the unpacked package, like one Lambda container.

    It writes no bytecode (-B): Lambda's /var/task is read-only, so a package without .pyc
    files compiles every module it imports from source on every cold start.
    `env` is the whole environment it gets (plus PATH, LANG and TZ); `clock` an optional
    moment for libfaketime (`faketime '@YYYY-MM-DD HH:MM:SS'`: the clock starts there and
    runs on), which moves the child's clock only.
    """

    def __init__(self, package: Path, runtime: Path, env: dict[str, str],
                 clock: str | None = None, python_options: tuple[str, ...] = ()) -> None:
        self.package = package
        self.log = ""
        base = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
                "LAMBDA_TASK_ROOT": str(package)}
        command = [sys.executable, *python_options, "-I", "-S", "-B", "-c", CHILD, str(package),
                   str(runtime), json.dumps(stdlib_paths())]
        if clock is not None:
            command = ["faketime", "-f", f"@{clock}", *command]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, cwd=package, env={**base, **env},
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, bufsize=1)
        ready = self._read()
        self.ready_ms = ready["ready"]

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the Lambda child stopped: " + self.stderr())
        return json.loads(line)

    def stderr(self) -> str:
        self.process.kill()
        assert self.process.stderr is not None
        return self.process.stderr.read()[-4000:]

    def call(self, event: dict[str, Any], handler: str = "app", module: str = "app",
             profile: int = 0) -> Call:
        """The handler's answer to `event`; with `profile`, that many of the functions
        taking longest (cumulative), the first call's import included."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"module": module, "handler": handler,
                                             "event": event, "profile": profile}) + "\n")
        self.process.stdin.flush()
        return Call(**self._read())

    def import_error(self, module: str) -> str | None:
        """Why `module` cannot be imported in the child (None if it can)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"probe": module}) + "\n")
        self.process.stdin.flush()
        return self._read()["probe"]

    def close(self) -> str:
        """Stop the child; what it wrote to stderr."""
        if self.process.returncode is not None:
            return self.log
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        self.log = err
        return err

    def __enter__(self) -> Lambda:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def slowest_imports(stderr: str, count: int) -> list[tuple[str, float]]:
    """From `-X importtime` output: the `count` modules imported at top level (not by
    another module's import) that took longest, with their milliseconds, imports included."""
    found = []
    for line in stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            found.append((parts[2].strip(), int(parts[1]) / 1000))
    return sorted(found, key=lambda pair: -pair[1])[:count]


def child_environment(world: AwsWorld, **extra: str) -> dict[str, str]:
    """The contract's variables, with the Lambda-style credentials (fake) and the moto
    endpoint every boto3 client of the child uses (AWS_ENDPOINT_URL)."""
    return {**world.environment(), "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_ENDPOINT_URL": world.endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": f"dipforms-{STAGE}-api_handler",
            **extra}

