"""The deployment package serves the service by itself: `chalice package`'s deployment.zip,
unzipped into an empty folder, is imported by a fresh interpreter that sees only that folder,
the standard library and what the Lambda Python runtime provides (boto3 and its
dependencies), with the stack's environment (CONTRACT17) and AWS on moto. Through the Lambda
handlers, with API Gateway proxy events and a Cognito-style RS256 token for a user of the
pool: a police officer submits an MG14, reads the record back, and the scheduled dispatcher
sends the referral it raised through SES. A dependency missing from api/requirements.txt
fails here, not in AWS.

The child's clock is the example submissions' day (libfaketime moves that process only), so
no test here depends on the day it runs; packaging stays on the real clock (it fetches
wheels over TLS). bin/test-clocks leaves this module out for that reason.
"""

from __future__ import annotations

import datetime
import email
import hashlib
import hmac
import json
import os
import shutil
import uuid
from pathlib import Path

import boto3
import pytest
from chalicelib.drafts import draft_key

from tests.examples import example_data, example_moment
from tests.lambda_package import (
    REGION,
    SENDER,
    Lambda,
    api_event,
    aws_world,
    build_package,
    child_environment,
    copy_api,
    moto_calls,
    runtime_folder,
    schedule_event,
    sent_emails,
    unpack,
)

pytestmark = pytest.mark.slow

SUBMIT = "/v1/forms/{form_id}/submissions"
RECORD = "/v1/records/{record_id}"
OFFICER = ("pc_jones", "police", "northshire_police")
CJIT_SPOC = "spoc@northshire-cjit.example.org"      # forms/protocol.yaml's CJIT contact
SUBMITTED_AT = example_moment()
DELIVERED_AT = SUBMITTED_AT + datetime.timedelta(minutes=5)  # the next schedules' run


def faketime_moment(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture(scope="session")
def package(tmp_path_factory) -> Path:
    """deployment.zip, made once per test session from this checkout's api/."""
    work = tmp_path_factory.mktemp("lambda-package")
    return build_package(copy_api(work / "api"), work / "out")


@pytest.fixture(scope="module")
def unpacked(package, tmp_path_factory) -> tuple[Path, Path]:
    """(the zip unzipped into an empty folder, the runtime's own packages)."""
    work = tmp_path_factory.mktemp("lambda-task")
    return unpack(package, work / "task"), runtime_folder(work / "runtime")


@pytest.fixture(scope="module")
def world():
    with aws_world() as made:
        made.add_user(*OFFICER)
        yield made


@pytest.fixture(scope="module")
def round_trip(unpacked, world):
    """A submission and its read in one API container, then the dispatcher in another (the
    two functions of the stack), each a fresh interpreter."""
    task, runtime = unpacked
    env = child_environment(world)
    token = world.token(OFFICER[0], int(SUBMITTED_AT.timestamp()))
    bearer = {"Authorization": f"Bearer {token}"}
    answers = example_data("mg14")
    moto_calls().clear()
    with Lambda(task, runtime, env, clock=faketime_moment(SUBMITTED_AT)) as api:
        submitted = api.call(api_event(
            "POST", SUBMIT, "/v1/forms/mg14/submissions", body=answers,
            headers={**bearer, "Content-Type": "application/json",
                     "Idempotency-Key": str(uuid.uuid4())}))
        assert submitted.error is None, submitted.error
        record_id = submitted.body["record"]["id"]
        read = api.call(api_event("GET", RECORD, f"/v1/records/{record_id}", headers=bearer))
        key = api.call(api_event("GET", "/v1/draft-key", "/v1/draft-key", headers=bearer))
    api_calls = [name for name, _ in moto_calls()]
    moto_calls().clear()
    deliver_env = {**env, "AWS_LAMBDA_FUNCTION_NAME": "dipforms-dev-deliver_notifications"}
    with Lambda(task, runtime, deliver_env, clock=faketime_moment(DELIVERED_AT)) as job:
        delivered = job.call(schedule_event(), handler="deliver_notifications")
    return {"answers": answers, "submitted": submitted, "read": read, "draft_key": key,
            "delivered": delivered, "record_id": record_id, "api_calls": api_calls,
            "deliver_calls": [name for name, _ in moto_calls()]}


def test_a_submission_through_the_packaged_handler_is_stored_in_dynamodb(round_trip, world):
    submitted = round_trip["submitted"]
    assert submitted.status == 201, submitted.result
    record = submitted.body["record"]
    assert record["form"] == "mg14"
    assert record["created_by"] == world.users["pc_jones"]["sub"]   # the token's subject
    assert record["agency"] == "northshire_police"                   # its custom:agency
    table = boto3.client("dynamodb", region_name=REGION)
    items = table.scan(TableName=world.table)["Items"]
    assert any(round_trip["record_id"] in json.dumps(item) for item in items)
    assert any(item["pk"]["S"].startswith("OUTBOX#") for item in items)


def test_the_record_reads_back_with_its_answers(round_trip):
    read = round_trip["read"]
    assert read.error is None, read.error
    assert read.status == 200, read.result
    assert read.body["record"]["id"] == round_trip["record_id"]
    assert read.body["record"]["data"] == round_trip["answers"]


def test_the_dispatcher_sends_the_referral_through_ses(round_trip):
    delivered = round_trip["delivered"]
    assert delivered.error is None, delivered.error
    [sent] = [m for m in sent_emails() if round_trip["record_id"] in m.raw_data]
    assert sent.source == SENDER
    message = email.message_from_string(sent.raw_data)
    assert CJIT_SPOC in message["To"]
    assert message["From"] == SENDER
    assert "sent 1, failed 0, dead 0" in delivered.stdout


def test_the_dispatcher_prints_its_counts_as_one_metric_line(round_trip):
    """The dead-letter alarm's metric (CONTRACT17): one EMF line, namespace dipforms."""
    lines = [json.loads(line) for line in round_trip["delivered"].stdout.splitlines()
             if line.startswith("{")]
    [metrics] = [line for line in lines if "_aws" in line]
    [directive] = metrics["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "dipforms"
    assert directive["Dimensions"] == [["Stage"]]
    assert (metrics["Stage"], metrics["Delivered"], metrics["DeadLettered"]) == ("dev", 1, 0)


def test_the_site_settings_and_secrets_come_from_the_stack(round_trip, world):
    """No base URL, client id or secret in the environment: the site parameter and the
    stage's secret are read once per process, and what they give is used."""
    env = child_environment(world)
    assert not {"DIPFORMS_BASE_URL", "DIPFORMS_COGNITO_CLIENT_ID", "DIPFORMS_DRAFT_SECRET",
                "DIPFORMS_SEARCH_SECRET"} & set(env)
    for calls in (round_trip["api_calls"], round_trip["deliver_calls"]):
        assert calls.count("ssm GetParameter") == 1, calls
        assert calls.count("secretsmanager GetSecretValue") == 1, calls
    [sent] = [m for m in sent_emails() if round_trip["record_id"] in m.raw_data]
    assert world.base_url in sent.raw_data          # the case's link, from the parameter
    key = round_trip["draft_key"]
    assert key.status == 200, key.result
    secret = hmac.new(world.master.encode(), b"dipforms draft secret v1",
                      hashlib.sha256).hexdigest().encode()
    user = world.users[OFFICER[0]]["sub"]
    assert key.body == {"ok": True, "status": 200, **draft_key(secret, user)}


def test_the_children_imported_nothing_from_outside_the_package(round_trip):
    for name in ("submitted", "read", "draft_key", "delivered"):
        assert round_trip[name].outside == [], name


def test_a_dependency_the_package_does_not_vendor_fails_to_import(unpacked, world, tmp_path):
    """Take PyJWT out of the unzipped package: the venv has it, the child must not find it,
    and the request fails as it would in AWS (a 500, the failure's type logged)."""
    import jwt  # noqa: F401  (the venv has it)

    task, runtime = unpacked
    cut = tmp_path / "task"
    shutil.copytree(task, cut, copy_function=os.link,
                    ignore=lambda folder, names: ["jwt"] if Path(folder) == task else [])
    token = world.token(OFFICER[0], int(SUBMITTED_AT.timestamp()))
    with Lambda(cut, runtime, child_environment(world),
                clock=faketime_moment(SUBMITTED_AT)) as api:
        answer = api.call(api_event("GET", RECORD, "/v1/records/MG14-0000000000",
                                    headers={"Authorization": f"Bearer {token}"}))
        assert api.import_error("jwt") == "ModuleNotFoundError: No module named 'jwt'"
        assert api.import_error("chalicelib.tokens") is not None
        assert api.import_error("jsonschema_rs") is None     # the rest is still there
    assert answer.status == 500
    assert "unhandled ModuleNotFoundError" in answer.stdout


def test_the_child_cannot_reach_the_venv_or_the_source_tree(unpacked, world):
    task, runtime = unpacked
    with Lambda(task, runtime, child_environment(world)) as child:
        for module in ("moto", "yaml", "generator", "pytest", "tests"):
            assert child.import_error(module) is not None, module
        assert child.import_error("boto3") is None
        assert child.import_error("chalicelib.tokens") is None
