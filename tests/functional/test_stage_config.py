"""A deployed stage's settings come from the stack (CONTRACT17): the site parameter in SSM
and the stage's secret in Secrets Manager, read once per process, the draft and search
secrets derived from it; a parameter or secret that cannot be had stops the runtime with
an error naming the variable, and requests answer 503. Only the AWS clients a request uses
are made; the dispatcher prints its counts as one EMF line. Everything on moto."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
from collections import Counter

import botocore.session
import jwt
import pytest
from chalice.test import Client
from chalicelib.aws_clients import AwsClients
from chalicelib.clock import FixedClock, epoch_seconds
from chalicelib.drafts import draft_key
from chalicelib.runtime import make_runtime, runtime, set_runtime
from chalicelib.settings import load_settings
from chalicelib.stage_config import StageConfigUnavailable
from chalicelib.store.base import AuditEntry
from chalicelib.store.dynamodb import create_table
from chalicelib.tokens import CognitoVerifier
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import PyJWKSet
from jwt.algorithms import RSAAlgorithm
from moto import mock_aws

from tests.functional.test_channels import PROTOCOL
from tests.functional.test_outbox import START, submission

REGION = "eu-west-2"
POOL = f"{REGION}_Stage1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
PARAMETER = "/dipforms/prod/site"
SITE = {"base_url": "https://d123.cloudfront.net/", "cognito_client_id": "hosted-ui-client"}
MASTER = "Zq7" * 21 + "x"            # 64 letters and digits, as the stack makes it
SENDER = "no-reply@dip.example.org"
SCHEDULED = {"version": "0", "id": "e-1", "detail-type": "Scheduled Event",
             "source": "aws.events", "account": "123456789012", "time": "2026-11-25T10:30:00Z",
             "region": REGION, "resources": [], "detail": {}}


def derived(purpose: bytes) -> str:
    """The contract's derivation, written out here rather than imported."""
    return hmac.new(MASTER.encode(), purpose, hashlib.sha256).hexdigest()


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        setup = botocore.session.get_session()
        create_table(setup.create_client("dynamodb", region_name=REGION), "dipforms-prod")
        setup.create_client("ssm", region_name=REGION).put_parameter(
            Name=PARAMETER, Type="String", Value=json.dumps(SITE))
        arn = setup.create_client("secretsmanager", region_name=REGION).create_secret(
            Name="dipforms-prod", SecretString=MASTER)["ARN"]
        setup.create_client("sesv2", region_name=REGION).create_email_identity(
            EmailIdentity=SENDER)
        yield arn


def stack_environment(arn: str, data_dir) -> dict[str, str]:
    """What the stack sets on a function (CONTRACT17), and nothing by hand."""
    return {"DIPFORMS_STORE": "dynamodb", "DIPFORMS_TABLE": "dipforms-prod",
            "DIPFORMS_CHANNELS": "email=ses,sns=sns", "DIPFORMS_AUTH": "cognito",
            "DIPFORMS_SENDER": SENDER, "DIPFORMS_COGNITO_ISSUER": ISSUER,
            "DIPFORMS_COGNITO_JWKS_URL": f"{ISSUER}/.well-known/jwks.json",
            "DIPFORMS_COGNITO_USER_POOL_ID": POOL, "DIPFORMS_TOPIC_ARNS": "",
            "DIPFORMS_STAGE": "prod", "DIPFORMS_SITE_PARAMETER": PARAMETER,
            "DIPFORMS_SECRET_ARN": arn, "AWS_REGION": REGION,
            "DIPFORMS_DATA_DIR": str(data_dir)}


def counted_clients() -> tuple[AwsClients, Counter[str]]:
    """The runtime's clients from one session that counts every AWS call made through it."""
    session = botocore.session.get_session()
    calls: Counter[str] = Counter()
    session.register("before-call", lambda model, **_: calls.update([model.name]))
    return AwsClients(REGION, session), calls


@pytest.fixture
def deployed(aws, tmp_path, generated):
    """The runtime a function builds from the stack's environment, signing in with our own
    key in place of the pool's, on the examples' day."""
    clients, calls = counted_clients()
    built = make_runtime(load_settings(stack_environment(aws, tmp_path)), clients,
                         generated=generated)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = {"keys": [{**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": "k1",
                      "alg": "RS256", "use": "sig"}]}
    built.verifier = CognitoVerifier(issuer=ISSUER, client_id=built.verifier.client_id,
                                     jwks=PyJWKSet.from_dict(jwks))
    built.context.clock = FixedClock(START)
    now = epoch_seconds(built.clock)
    token = jwt.encode({"sub": "sub-jo", "aud": SITE["cognito_client_id"], "iss": ISSUER,
                        "token_use": "id", "iat": now, "exp": now + 3600,
                        "cognito:groups": ["police"], "custom:agency": "northshire_police"},
                       key, algorithm="RS256", headers={"kid": "k1"})
    import app as api_app

    set_runtime(built)
    try:
        with Client(api_app.app) as client:
            yield dataclasses.make_dataclass("Deployed", ["runtime", "calls", "client",
                                                          "token", "app"])(
                built, calls, client, token, api_app)
    finally:
        set_runtime(None)


def test_the_site_parameter_and_the_secret_fill_the_settings(deployed):
    settings = deployed.runtime.settings
    assert settings.base_url == "https://d123.cloudfront.net"
    assert settings.cognito_client_id == "hosted-ui-client"
    assert deployed.runtime.verifier.client_id == "hosted-ui-client"
    assert deployed.runtime.context.base_url == "https://d123.cloudfront.net"
    assert settings.stage == "prod"
    assert settings.draft_secret == derived(b"dipforms draft secret v1")
    assert settings.search_secret == derived(b"dipforms search secret v1")
    assert len(settings.draft_secret) == 64 and settings.draft_secret != settings.search_secret
    assert MASTER not in (settings.draft_secret, settings.search_secret)
    assert deployed.runtime.context.search_key == derived(b"dipforms search secret v1").encode()


def test_they_are_read_once_and_a_request_makes_only_the_clients_it_uses(deployed):
    headers = {"Authorization": f"Bearer {deployed.token}"}
    for _ in range(3):
        assert deployed.client.http.get("/v1/forms", headers=headers).status_code == 200
    answer = deployed.client.http.get("/v1/draft-key", headers=headers)
    assert answer.status_code == 200
    expected = draft_key(derived(b"dipforms draft secret v1").encode(), "sub-jo")
    assert {name: json.loads(answer.body)[name] for name in expected} == expected
    assert deployed.calls["GetParameter"] == 1 and deployed.calls["GetSecretValue"] == 1
    assert deployed.runtime.aws.made == ("dynamodb", "secretsmanager", "ssm")  # no SES, SNS
    assert deployed.runtime.context.catalogue._schemas == {}   # no form compiled yet


def test_the_dispatcher_sends_with_the_clients_it_makes_then_and_prints_its_counts(
        deployed, capsys):
    store = deployed.runtime.context.store
    record, events = submission(0, PROTOCOL)   # an email to the CJIT, an SNS to the CPS
    store.commit(record, AuditEntry(record.created_at, "user-1", "police", "police",
                                    "submit", record.record_id), events)
    capsys.readouterr()
    deployed.app.deliver_notifications(SCHEDULED, None)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    metrics = json.loads(lines[0])
    # the CPS has no topic ARN (none in the stage): dead-lettered at once, and counted
    assert (metrics["Delivered"], metrics["DeadLettered"], metrics["Stage"]) == (1, 1, "prod")
    assert metrics["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "dipforms"
    assert metrics["_aws"]["Timestamp"] == int(START.timestamp() * 1000)
    # SES's client made for its send; no SNS client for an event that had nowhere to go
    assert deployed.runtime.aws.made == ("dynamodb", "secretsmanager", "sesv2", "ssm")
    for secret in ("Jones", "1990-04-01", "possession"):
        assert secret not in lines[0]


# -- what fails, and how ------------------------------------------------------------------

def built_from(aws_arn: str, tmp_path, generated, **changes: str):
    env = {**stack_environment(aws_arn, tmp_path), **changes}
    clients, _ = counted_clients()
    return make_runtime(load_settings(env), clients, generated=generated)


@pytest.mark.parametrize(("changes", "named"), [
    ({"DIPFORMS_SITE_PARAMETER": "/dipforms/prod/nothing"},
     "DIPFORMS_SITE_PARAMETER: the SSM parameter cannot be read (ParameterNotFound)"),
    ({"DIPFORMS_SECRET_ARN": f"arn:aws:secretsmanager:{REGION}:123456789012:secret:gone"},
     "DIPFORMS_SECRET_ARN: the secret cannot be read (ResourceNotFoundException)"),
])
def test_a_missing_parameter_or_secret_names_its_variable(aws, tmp_path, generated,
                                                          changes, named):
    with pytest.raises(StageConfigUnavailable) as failed:
        built_from(aws, tmp_path, generated, **changes)
    assert str(failed.value) == named


@pytest.mark.parametrize(("value", "problem"), [
    ("not json", "is not JSON with base_url and cognito_client_id"),
    (json.dumps({"base_url": "https://d1.cloudfront.net"}), "is not JSON with base_url"),
    (json.dumps({"base_url": "d1.cloudfront.net", "cognito_client_id": "c"}), "not JSON"),
])
def test_a_parameter_that_does_not_fit_is_refused(aws, tmp_path, generated, value, problem):
    botocore.session.get_session().create_client("ssm", region_name=REGION).put_parameter(
        Name=PARAMETER, Type="String", Value=value, Overwrite=True)
    with pytest.raises(StageConfigUnavailable, match=problem) as failed:
        built_from(aws, tmp_path, generated)
    assert str(failed.value).startswith("DIPFORMS_SITE_PARAMETER: ")
    assert "cloudfront" not in str(failed.value)      # never the value read


def test_a_short_secret_is_refused_without_showing_it(aws, tmp_path, generated):
    botocore.session.get_session().create_client(
        "secretsmanager", region_name=REGION).put_secret_value(SecretId=aws,
                                                               SecretString="short-one")
    with pytest.raises(StageConfigUnavailable, match="shorter than 32") as failed:
        built_from(aws, tmp_path, generated)
    assert "short-one" not in str(failed.value)


def test_requests_answer_503_and_the_log_names_the_variable(aws, tmp_path, monkeypatch,
                                                            caplog):
    """The process-wide runtime, built from the environment on the first request: with
    the parameter missing nothing is built and every request answers 503 (each one tries
    again, so the parameter made later is read by the next request)."""
    import app as api_app

    for name, value in stack_environment(aws, tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DIPFORMS_SITE_PARAMETER", "/dipforms/prod/not-yet")
    set_runtime(None)
    try:
        with Client(api_app.app) as client, caplog.at_level(logging.ERROR):
            for _ in range(2):
                answer = client.http.get("/v1/forms",
                                         headers={"Authorization": "Bearer x.y.z"})
                assert answer.status_code == 503
                assert json.loads(answer.body)["error"] == "unavailable"
        logged = [record.getMessage() for record in caplog.records]
        assert logged == ["stage settings unavailable: DIPFORMS_SITE_PARAMETER: the SSM "
                          "parameter cannot be read (ParameterNotFound)"] * 2
        with pytest.raises(StageConfigUnavailable):     # the schedules fail the same way
            runtime()
    finally:
        set_runtime(None)


def test_one_machine_keeps_its_own_variables_and_reads_nothing(tmp_path, generated):
    clients, calls = counted_clients()
    built = make_runtime(load_settings({
        "DIPFORMS_DATA_DIR": str(tmp_path), "DIPFORMS_DRAFT_SECRET": "d" * 40,
        "DIPFORMS_SEARCH_SECRET": "s" * 40, "DIPFORMS_BASE_URL": "http://127.0.0.1:9000/"}),
        clients, generated=generated)
    assert (built.settings.draft_secret, built.settings.search_secret) == ("d" * 40, "s" * 40)
    assert built.settings.base_url == "http://127.0.0.1:9000"
    assert not calls and built.aws.made == ()
