"""Each function's IAM policy, read from the synthesized stack, covers every AWS call the app
really makes: the calls are recorded under moto while the app runs as each function runs
in Lambda (the stack's own environment, the DynamoDB store, SES), by function:

- api_handler: a case walked through the Chalice app (submissions of several forms, an
  idempotent replay, a refused submission, reads, lists, a person search, due, a case
  view, a refused step, facts, an appointment, a hand-over, a disclosure, amendments, the
  audit log, the dashboard, dead letters and a retry);
- deliver_notifications: the app's scheduled handler sending the outbox by SES (and SNS
  to every agency topic the stack makes: none today);
- sweep_deadlines: the app's scheduled handler at a moment a deadline is due;
- each: the runtime built from that function's environment in the template, so whatever
  it reads at start (the stage's settings parameter and secret) is recorded for it.

IAM checks some calls as more than one action (each item of a TransactWriteItems as its
own, a secret's and an encrypted topic's key through KMS), so each recorded call becomes
the (action, resource ARN, partition key) checks IAM makes, and those are matched against
the policy's statements with IAM's wildcards, the references resolved to moto's ARNs. A
completeness check reads the store's, channels' and stage config's source for the
operations they name, so the flows cannot silently miss one; the converse finds actions
allowed that nothing makes; and the checker is shown to fail when a policy loses one.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import functools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from deploy import policies
from tests.api_harness import ROOT, Api, write_generated

REGION = "eu-west-2"                # every stage of deploy/stages.yaml (asserted below)
ACCOUNT = "123456789012"            # moto's account
FUNCTIONS = tuple(policies.FUNCTIONS)
#: botocore's service name -> IAM's service prefix, where they differ
IAM_PREFIX = {"sesv2": "ses"}
#: a TransactWriteItems item's kind -> the action IAM checks it as
TRANSACTION_ITEMS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem"}


# -- recording ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    """One API call a botocore client made while `function` ran."""

    function: str
    service: str        # botocore's name: dynamodb, sesv2, sns, ssm, secretsmanager
    operation: str      # the API's: GetItem, TransactWriteItems, SendEmail
    params: dict[str, Any] = field(hash=False, compare=False)


class Recorder:
    """Wraps botocore's BaseClient._make_api_call (every boto3 and botocore client goes
    through it, before moto answers) and keeps each call made inside a `phase`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.function: str | None = None

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        recorder = self

        def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if recorder.function is not None:
                recorder.calls.append(Call(recorder.function,
                                           client.meta.service_model.service_name,
                                           operation, copy.deepcopy(params)))
            return original(client, operation, params)

        monkeypatch.setattr(BaseClient, "_make_api_call", recording)

    @contextmanager
    def phase(self, function: str) -> Iterator[None]:
        assert function in FUNCTIONS
        self.function = function
        try:
            yield
        finally:
            self.function = None


# -- what IAM checks ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One authorisation IAM makes for a call: an action on a resource, and for a DynamoDB
    item the partition key (dynamodb:LeadingKeys)."""

    function: str
    action: str                      # dynamodb:PutItem
    resource: str                    # an ARN
    leading_key: str | None = None
    via: str = ""                    # the call that needs it, for messages

    def __str__(self) -> str:
        key = f" key {self.leading_key}" if self.leading_key else ""
        return f"{self.function}: {self.action} on {self.resource}{key} (for {self.via})"


def table_arn(name: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    return f"{arn}/index/{index}" if index else arn


def key_of(key: dict[str, Any]) -> str:
    return key["pk"]["S"]


@dataclass
class World:
    """What the moto account holds for the stack's resources: the values the stack's
    references (Ref, Fn::GetAtt) stand for, and the keys each service encrypts with."""

    refs: dict[str, dict[str, str]]          # logical id -> {"Ref": ..., "Arn": ...}
    secret_keys: dict[str, str]              # secret ARN -> its KMS key ARN
    topic_keys: dict[str, str]               # topic ARN -> its KMS key ARN
    topics: dict[str, str]                   # logical id -> topic ARN


def checks_of(call: Call, world: World) -> list[Check]:
    """The authorisations IAM makes for one call (raises for a service it cannot place,
    so a new kind of call is taught here rather than passed unchecked)."""
    prefix = IAM_PREFIX.get(call.service, call.service)
    action, p, via = f"{prefix}:{call.operation}", call.params, f"{call.service}.{call.operation}"

    def check(action: str, resource: str, key: str | None = None) -> Check:
        return Check(call.function, action, resource, key, via)

    if call.service == "dynamodb":
        if call.operation == "TransactWriteItems":
            found = []
            for item in p["TransactItems"]:
                (kind, body), = item.items()
                key = key_of(body["Item"] if kind == "Put" else body["Key"])
                found += [check(action, table_arn(body["TableName"]), key),
                          check(f"dynamodb:{TRANSACTION_ITEMS[kind]}",
                                table_arn(body["TableName"]), key)]
            return found
        if call.operation == "BatchGetItem":
            return [check(action, table_arn(table), key_of(key))
                    for table, asked in p["RequestItems"].items() for key in asked["Keys"]]
        if call.operation == "Query":
            return [check(action, table_arn(p["TableName"], p.get("IndexName")))]
        key = p.get("Key") or p.get("Item")
        return [check(action, table_arn(p["TableName"]), key_of(key) if key else None)]
    if call.service in ("sesv2", "ses"):
        sender = p.get("FromEmailAddress") or p.get("Source")
        return [check(action, f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{sender}")]
    if call.service == "sns":
        topic = p["TopicArn"]
        return [check(action, topic)] + [check(f"kms:{kms}", world.topic_keys[topic])
                                         for kms in ("GenerateDataKey", "Decrypt")
                                         if topic in world.topic_keys]
    if call.service == "ssm":
        name = p["Name"]
        return [check(action, f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{name.lstrip('/')}")]
    if call.service == "secretsmanager":
        secret = p["SecretId"]
        return [check(action, secret)] + ([check("kms:Decrypt", world.secret_keys[secret])]
                                          if secret in world.secret_keys else [])
    raise AssertionError(f"{via}: teach checks_of what IAM checks for this call")


# -- the template --------------------------------------------------------------------------

def resolve(value: Any, world: World) -> Any:
    """A template value with its references made the moto account's values; a reference
    to anything else becomes `unresolved:<id>`, which no recorded ARN matches."""
    if isinstance(value, list):
        return [resolve(v, world) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        pseudo = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
                  "AWS::URLSuffix": "amazonaws.com"}
        name = value["Ref"]
        return pseudo.get(name) or world.refs.get(name, {}).get("Ref", f"unresolved:{name}")
    if set(value) == {"Fn::GetAtt"}:
        name, attribute = value["Fn::GetAtt"]
        return world.refs.get(name, {}).get(attribute, f"unresolved:{name}.{attribute}")
    if set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return separator.join(str(resolve(part, world)) for part in parts)
    return {k: resolve(v, world) for k, v in value.items()}


def logical_ids(template: dict, kind: str) -> list[str]:
    return [name for name, resource in template["Resources"].items()
            if resource["Type"] == kind]


def function_policy(template: dict, function: str) -> dict:
    """The policy document of the customer-managed policy attached to the function's role
    (the SAM function's Role is Fn::GetAtt of that role)."""
    resources = template["Resources"]
    role = resources[policies.FUNCTIONS[function]]["Properties"]["Role"]["Fn::GetAtt"]
    assert role[1] == "Arn" and resources[role[0]]["Type"] == "AWS::IAM::Role"
    attached = [resource["Properties"]["PolicyDocument"] for resource in resources.values()
                if resource["Type"] == "AWS::IAM::ManagedPolicy"
                and {"Ref": role[0]} in resource["Properties"].get("Roles", [])]
    inline = resources[role[0]]["Properties"].get("Policies", [])
    assert len(attached) == 1 and not inline, (function, len(attached), inline)
    assert not resources[role[0]]["Properties"].get("ManagedPolicyArns"), \
        f"{function}'s role has AWS managed policies beside its own"
    return attached[0]


def function_environment(template: dict, function: str, world: World) -> dict[str, str]:
    variables = template["Resources"][policies.FUNCTIONS[function]]["Properties"][
        "Environment"]["Variables"]
    resolved = {name: resolve(value, world) for name, value in variables.items()}
    unresolved = {n: v for n, v in resolved.items() if "unresolved:" in str(v)}
    assert not unresolved, f"{function}: a setting the test cannot give: {unresolved}"
    return resolved


# -- IAM's evaluation, for the statements this stack writes ---------------------------------

def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def matches(pattern: str, text: str, *, case: bool) -> bool:
    """IAM's wildcards: * any run of characters (across ':' and '/'), ? one character."""
    if not case:
        pattern, text = pattern.lower(), text.lower()
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def applies(statement: dict, check: Check, world: World) -> bool:
    """Whether the statement's actions and resources name the check (not its condition)."""
    assert "NotAction" not in statement and "NotResource" not in statement, statement
    return (any(matches(a, check.action, case=False) for a in as_list(statement["Action"]))
            and any(matches(str(r), check.resource, case=True)
                    for r in as_list(resolve(statement["Resource"], world))))


def condition_holds(condition: dict, check: Check) -> bool:
    """The only condition this stack's statements use: dynamodb:LeadingKeys StringLike."""
    for operator, keys in condition.items():
        assert operator == "ForAnyValue:StringLike" and set(keys) == {"dynamodb:LeadingKeys"}, \
            f"teach condition_holds {operator} {sorted(keys)}"
        if check.leading_key is None or not any(
                matches(p, check.leading_key, case=True)
                for p in as_list(keys["dynamodb:LeadingKeys"])):
            return False
    return True


def uncovered(document: dict, checks: list[Check], world: World) -> list[Check]:
    """The checks no Allow statement covers, or an unconditional Deny refuses."""
    statements = as_list(document["Statement"])
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert all("Condition" not in s for s in allows), "teach uncovered conditional Allows"
    hard_denies = [s for s in statements if s["Effect"] == "Deny" and "Condition" not in s]
    return [c for c in checks
            if not any(applies(s, c, world) for s in allows)
            or any(applies(s, c, world) for s in hard_denies)]


def denied_by(statement: dict, checks: list[Check], world: World) -> list[Check]:
    return [c for c in checks if applies(statement, c, world)
            and condition_holds(statement.get("Condition", {}), c)]


# -- the flows ----------------------------------------------------------------------------------

@dataclass
class Recording:
    calls: list[Call]
    world: World
    template: dict

    def checks(self, function: str | None = None) -> list[Check]:
        return [check for call in self.calls if function in (None, call.function)
                for check in checks_of(call, self.world)]

    def operations(self) -> set[tuple[str, str]]:
        return {(call.service, call.operation) for call in self.calls}


def moto_world(template: dict, sender: str) -> World:
    """The stack's table, pool, secret (under a key), settings parameter and topics made in
    moto, and the sender's identity verified."""
    import boto3

    refs: dict[str, dict[str, str]] = {}
    kms = boto3.client("kms", region_name=REGION)
    key_arn = kms.create_key(Description="the stage's key")["KeyMetadata"]["Arn"]
    for key in logical_ids(template, "AWS::KMS::Key"):
        refs[key] = {"Ref": key_arn.rsplit("/", 1)[1], "Arn": key_arn}
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    from chalicelib.store.dynamodb import create_table

    (table,) = logical_ids(template, "AWS::DynamoDB::Table")
    create_table(dynamodb, "dipforms-policy-coverage")
    refs[table] = {"Ref": "dipforms-policy-coverage",
                   "Arn": table_arn("dipforms-policy-coverage")}
    (pool,) = logical_ids(template, "AWS::Cognito::UserPool")
    pool_id = boto3.client("cognito-idp", region_name=REGION).create_user_pool(
        PoolName="dipforms-policy-coverage")["UserPool"]["Id"]
    refs[pool] = {"Ref": pool_id,
                  "Arn": f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{pool_id}"}
    (secret,) = logical_ids(template, "AWS::SecretsManager::Secret")
    secret_arn = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="dipforms-policy-coverage", KmsKeyId=key_arn,
        SecretString="k" * 40 + "0123456789ABCDEFGHIJKLMNOPQRSTUV")["ARN"]
    refs[secret] = {"Ref": secret_arn}
    sns = boto3.client("sns", region_name=REGION)
    topics = {}
    for topic in logical_ids(template, "AWS::SNS::Topic"):
        topics[topic] = sns.create_topic(Name=topic, Attributes={
            "KmsMasterKeyId": key_arn})["TopicArn"]
        refs[topic] = {"Ref": topics[topic], "TopicArn": topics[topic]}
    for parameter in logical_ids(template, "AWS::SSM::Parameter"):
        name = template["Resources"][parameter]["Properties"]["Name"]
        boto3.client("ssm", region_name=REGION).put_parameter(
            Name=name, Type="String", Value=json.dumps({
                "base_url": "https://d111111abcdef8.cloudfront.net",
                "cognito_client_id": "policycoverageclient"}))
        refs[parameter] = {"Ref": name}
    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=sender)
    return World(refs, {secret_arn: key_arn}, {arn: key_arn for arn in topics.values()},
                 topics)


def lambda_runtime(monkeypatch, environment: dict[str, str], data_dir: Path,
                   generated: Path, clock):
    """The runtime one Lambda process builds from the stack's environment (runtime.py's
    make_runtime, with whatever it reads at start), with two things no test can have:
    Cognito's signing keys (tokens are signed locally instead: fetching JWKS is HTTPS,
    no IAM action) and the real day (the injected clock)."""
    from chalicelib import catalogue, runtime
    from chalicelib.settings import load_settings
    from chalicelib.tokens import LocalVerifier, ensure_local_secret

    built = catalogue.Catalogue
    monkeypatch.setattr(catalogue, "Catalogue", lambda folder=generated: built(folder))
    for name, value in {**environment, "AWS_REGION": REGION,
                        "DIPFORMS_DATA_DIR": str(data_dir)}.items():
        monkeypatch.setenv(name, value)
    made = runtime.make_runtime(load_settings())
    secret = ensure_local_secret(data_dir)
    made.verifier = LocalVerifier(secret)
    made.context.clock = clock
    runtime.set_runtime(made)
    return made, secret


def api_flow(api: Api) -> list[str]:
    """The API as the agencies use it along one case (and a second opened); returns the
    cases' references."""
    from tests.functional.test_cases_api import (
        COMPLIED,
        MG14,
        Case,
        northshire_police_consent,
        to_programme,
        with_assessment,
    )

    def ok(response, *statuses: int) -> dict:
        assert response.status_code in (statuses or (200,)), response.body
        return json.loads(response.body) if response.body.startswith(b"{") else {}

    for path in ("/v1/health", "/v1/forms", "/v1/session", "/v1/draft-key"):
        ok(api.get(path))
    smith = {**MG14, "surname": "Smith", "forenames": "Anne Marie"}
    case = Case(api, smith)
    replay = {**smith, "surname": "Jones"}
    key = "6f1c2b0e-8d4a-4c5e-9b7a-1e2d3c4b5a69"
    first = ok(api.submit("mg14", replay, key=key), 201)      # a second case
    assert ok(api.submit("mg14", replay, key=key), 201) == first   # replayed
    ok(api.submit("mg14", {**smith, "surname": ""}), 422)          # refused: key released
    with_assessment(case)
    to_programme(case)
    consent = ok(case.attach("consent_to_share_information", northshire_police_consent()),
                 201)["record"]["id"]
    ok(api.put(f"/v1/records/{consent}", {"data": {**northshire_police_consent(),
                                                   "case_ref": case.ref},
                                          "reason": "Typo", "base_version": 1}, role="cjit"))
    ok(case.post("appointments", {"starts_at": "2026-12-07T10:00",
                                  "ends_at": "2026-12-07T11:00"}, "cjit"))
    case.hand_over("hmp_northshire_carats")
    ok(case.post("facts", {"fact": "release_date", "value": "2026-12-04"}, "carat"))
    ok(case.post("disclosures", {"recipient": "northshire_police",
                                 "ground": "custody_crime_prevention",
                                 "items": ["interventions"], "custody": True,
                                 "drug_use_linked_to_offending": True,
                                 "reason": "Offending linked to drug use"}, "carat"))
    # a step asked for by button: a form's step at this state, refused and audited (the
    # case commands above go through the same change of the case as a step that is made)
    ok(case.step("first_contact", "cjit"), 409, 422)
    assert ok(case.attach("compliance_report", COMPLIED), 201)
    # the person's name changes: the old search words are deleted, the new ones put
    ok(case.amend_mg14(smith, surname="Smyth"))
    for path in ("/v1/records?form=mg14", f"/v1/records/{case.ref}",
                 f"/v1/records/{case.ref}?version=1", "/v1/cases", "/v1/cases?q=smyth",
                 f"/v1/cases?q={case.ref}", "/v1/due", f"/v1/cases/{case.ref}"):
        ok(api.get(path))
    for path in (f"/v1/audit?case={case.ref}", "/v1/audit?user=pc_jones", "/v1/audit",
                 "/v1/dashboard", "/v1/dashboard.csv", "/v1/outbox/dead"):
        ok(api.get(path, role="dat_admin"))
    return [case.ref, first["case"]]


def retry_a_dead_letter(api: Api, event_id: str) -> None:
    """A DAT administrator's retry of an event that is not dead (a conditional update that
    fails, then the read that says why)."""
    response = api.client.http.post(f"/v1/outbox/{event_id}/retry",
                                    headers=api.headers("dat_admin"), body="{}")
    assert response.status_code in (404, 409), response.body


def by_sns(runtime, environment: dict[str, str]) -> list[str]:
    """An event for each agency the stack gives a topic, sent by sns (a copy of one the
    flow made by email), so the dispatcher publishes to every topic; returns the agencies.
    None today: no route of protocol.yaml sends by sns, so the stack makes no topic."""
    from chalicelib.store.dynamodb.outbox import event_item

    agencies = sorted(pair.split("=", 1)[0]
                      for pair in environment["DIPFORMS_TOPIC_ARNS"].split(",") if "=" in pair)
    store = runtime.context.store
    model = store.list_events("pending", 1)[0]
    for agency in agencies:
        event = dataclasses.replace(model, event_id=f"{model.event_id}-sns-{agency}",
                                    channel="sns", recipient={"agency": agency})
        store.client.put_item(TableName=store.table, Item=event_item(event))
    return agencies


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return write_generated(tmp_path_factory.mktemp("generated"))


def record(synthesis, tmp_path: Path, generated: Path) -> Recording:
    """Every call of the three functions, on moto, with the stage's template's settings."""
    import app as api_app
    from chalice.test import Client
    from chalicelib.runtime import set_runtime
    from moto import mock_aws

    from tests.examples import example_clock

    template = synthesis.template
    assert synthesis.stage.region == REGION
    recorder = Recorder()
    monkeypatch = pytest.MonkeyPatch()
    try:
        with mock_aws():
            sender = resolve(template["Resources"]["APIHandler"]["Properties"]["Environment"][
                "Variables"]["DIPFORMS_SENDER"], World({}, {}, {}, {}))
            world = moto_world(template, sender)
            recorder.install(monkeypatch)

            def start(function: str, clock) -> tuple[Any, bytes]:
                return lambda_runtime(monkeypatch, function_environment(
                    template, function, world), tmp_path / function, generated, clock)

            with Client(api_app.app) as client:
                schedule = client.events.generate_cw_event(
                    source="aws.events", detail_type="Scheduled Event", detail={},
                    resources=[], region=REGION)
                with recorder.phase("api_handler"):
                    runtime, secret = start("api_handler", example_clock())
                    api = Api(client, runtime, secret)
                    cases = api_flow(api)
                published = by_sns(runtime, function_environment(
                    template, "deliver_notifications", world))
                with recorder.phase("deliver_notifications"):
                    start("deliver_notifications", runtime.clock)    # the same day
                    client.lambda_.invoke("deliver_notifications", schedule)
                sent = runtime.context.store.list_events("sent", 1000)
                assert {e.channel for e in sent} == {"email", *(["sns"] if published else [])}
                with recorder.phase("api_handler"):
                    set_runtime(runtime)        # the API's process, again
                    retry_a_dead_letter(api, sent[0].event_id)
                after = datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC)
                with recorder.phase("sweep_deadlines"):
                    from chalicelib.clock import SetClock

                    start("sweep_deadlines", SetClock(after))
                    client.lambda_.invoke("sweep_deadlines", schedule)
                fired = [d for ref in cases for d in runtime.context.store.case_deadlines(ref)
                         if d.status == "fired"]
                assert fired, "the sweep fired no deadline"
    finally:
        set_runtime(None)
        monkeypatch.undo()
    return Recording(recorder.calls, world, template)


@pytest.fixture(scope="module", params=["dev", "prod"])
def recording(request, tmp_path_factory, generated) -> Recording:
    synthesis = request.getfixturevalue(request.param)
    return record(synthesis, tmp_path_factory.mktemp(f"calls-{request.param}"), generated)


# -- the tests ----------------------------------------------------------------------------------

def test_every_function_made_calls_in_its_flow(recording):
    made = {call.function for call in recording.calls}
    assert made == set(FUNCTIONS)
    sent = {(c.service, c.operation) for c in recording.calls
            if c.function == "deliver_notifications"}
    assert ("sesv2", "SendEmail") in sent


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_functions_policy_allows_every_call_it_makes(recording, function):
    document = function_policy(recording.template, function)
    missing = uncovered(document, recording.checks(function), recording.world)
    assert not missing, "not allowed by the policy:\n" + "\n".join(
        sorted({str(c) for c in missing}))


DENIES = [(action, pattern)
          for action, patterns in (("dynamodb:DeleteItem", policies.NEVER_DELETED),
                                   ("dynamodb:UpdateItem", policies.NEVER_UPDATED))
          for pattern in patterns]


@pytest.mark.parametrize(("action", "pattern"), DENIES)
def test_the_history_denies_hold_against_every_call(recording, action, pattern):
    """Each Deny on dynamodb:LeadingKeys is in every function's policy, and no call of any
    function is one it refuses (what the app does, the Deny never has to stop)."""
    for function in FUNCTIONS:
        denies = [s for s in as_list(function_policy(recording.template, function)[
            "Statement"]) if s["Effect"] == "Deny" and action in as_list(s["Action"])
            and pattern in as_list(s.get("Condition", {}).get(
                "ForAnyValue:StringLike", {}).get("dynamodb:LeadingKeys", []))]
        assert denies, f"{function}'s policy does not deny {action} on {pattern}"
        refused = denied_by({**denies[0], "Condition": {"ForAnyValue:StringLike": {
            "dynamodb:LeadingKeys": [pattern]}}}, recording.checks(function), recording.world)
        assert not refused, "\n".join(sorted({str(c) for c in refused}))


def test_the_flow_writes_what_the_denies_are_about(recording):
    """So the Deny test above cannot pass for want of writes: the flows delete (a case's old
    search words and list rows) and update (records, outbox events, deadlines). A refused
    submission deletes no idempotency key and none is updated: a key is put, with its answer,
    only in the submission's commit."""
    checks = recording.checks()
    deleted = {c.leading_key.split("#")[0] + "#" for c in checks
               if c.action == "dynamodb:DeleteItem"}
    assert deleted == {"CASEINDEX#"}
    for prefix in ("RECORD#", "OUTBOX#", "CASE#"):
        assert any(c.action == "dynamodb:UpdateItem" and c.leading_key.startswith(prefix)
                   for c in checks), prefix


# -- completeness: the operations the code names were all made ----------------------------------

#: Operations the code names that no function makes, each with why.
NOT_MADE_BY_FUNCTIONS = {
    ("dynamodb", "CreateTable"): "create_table: development and tests; the stack makes the "
                                 "table",
    ("dynamodb", "UpdateTimeToLive"): "create_table's TTL; the stack sets it on the table",
    ("ses", "SendRawEmail"): "the SES v1 client's path; the functions' channel is made with "
                             "sesv2 (ses.from_config)",
}
#: Services only the CLI calls, on an admin's machine with their credentials.
CLI_SERVICES = {"cognito-idp": "`dipforms users` (cognito_directory.py): the API's requests "
                               "never call Cognito, they read the user's mark in the table"}
#: Operations a function's code can make that no flow of the app reaches today, each with why
#: (the policy still allows them: the code path is there).
NOT_REACHED_TODAY = {
    ("dynamodb+item", "ConditionCheckItem"):
        "case_writes checks that the records a change attaches exist, except the one "
        "committed with it; every change the API makes attaches only that one (an MG14 "
        "opens the case named by its own id, a linked form joins in its own commit), so "
        "only the store's contract tests reach it",
    ("dynamodb", "DeleteItem"):
        "release_key frees a key claimed before its commit (claim_key); a submission claims "
        "its key in the commit itself, so nothing is claimed early to free, and only the "
        "store's contract tests reach it",
}
#: While no route of protocol.yaml sends by sns, the stack makes no topic and allows no
#: sns:Publish, so no flow can publish; the day a route does, this exemption ends.
SNS_UNUSED_REASON = "no route of protocol.yaml sends by sns: no topic, no sns:Publish"

#: source file (under api/) -> the botocore service its clients are of
SOURCES = {
    **{f"chalicelib/store/dynamodb/{p.name}": "dynamodb"
       for p in sorted((ROOT / "api/chalicelib/store/dynamodb").glob("*.py"))},
    "chalicelib/notify/channels/ses.py": "sesv2",
    "chalicelib/notify/channels/sns.py": "sns",
    "chalicelib/cognito_directory.py": "cognito-idp",
    "chalicelib/stage_config.py": None,       # the service is named at each call
}
#: (pattern of a call in the source, the service it is of: None for the file's own)
CALLS = (
    (re.compile(r"_(?:call|conditional|pages)\(\s*\"(\w+)\""), None),   # _call("get_item"
    (re.compile(r"\bclient\.(\w+)\("), None),                            # self.client.put_item(
    (re.compile(r"\bdynamodb\.(\w+)\("), "dynamodb"),                    # TableMarks
    (re.compile(r"\bcognito\.(\w+)\("), "cognito-idp"),
    (re.compile(r"\b_query\(()"), "dynamodb"),                           # Table._query
    (re.compile(r"clients\(\s*\"([\w-]+)\"\s*\)\.(\w+)\("), "named"),      # clients("ssm").get_
)
DYNAMODB_ITEMS = re.compile(r"\{\"(Put|Update|Delete|ConditionCheck)\":")


@functools.cache
def client_methods(service: str) -> dict[str, str]:
    """A botocore client's methods -> the API operations they call (get_item -> GetItem)."""
    import botocore.session

    client = botocore.session.get_session().create_client(
        service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return dict(client.meta.method_to_api_mapping)


def named_operations(source: str, service: str | None) -> set[tuple[str, str]]:
    """The (service, operation) pairs a source file's calls name; ("dynamodb+item", action)
    for the kinds of TransactWriteItems item it writes."""
    found: set[tuple[str, str]] = set()
    for pattern, of in CALLS:
        for match in pattern.findall(source):
            if of == "named":
                each, method = match
            else:
                each, method = of or service, match or "query"
            if each is None:
                continue
            if each == "sesv2" and method not in client_methods("sesv2"):
                each = "ses"              # ses.py sends with either client
            if method in client_methods(each):
                found.add((each, client_methods(each)[method]))
    if service == "dynamodb" and DYNAMODB_ITEMS.search(source):
        found.add(("dynamodb", "TransactWriteItems"))
        found |= {("dynamodb+item", TRANSACTION_ITEMS[kind])
                  for kind in DYNAMODB_ITEMS.findall(source)}
    return found


#: Modules that make AWS clients and call nothing with them (they hand them on).
MAKE_CLIENTS_ONLY = ("chalicelib/store/__init__.py", "chalicelib/aws_clients.py")
#: Modules of the CLI, run on an admin's machine with their credentials, never by a
#: function (a call of theirs in a flow would fail checks_of, which knows no cloudformation).
CLI_MODULES = {
    "chalicelib/manage.py": "`dipforms users | token | outbox | sweep | relist`",
    "chalicelib/stage_outputs.py": "the stack's outputs (CloudFormation) for `dipforms "
                                   "users --stage` and `dipforms deploy`",
}


def test_every_module_that_uses_aws_is_read_for_its_calls():
    """A module of the app that imports boto3 or botocore, or asks for a client, is read by
    the completeness test below, or only makes clients."""
    uses = sorted(str(path.relative_to(ROOT / "api")) for path in (ROOT / "api").rglob("*.py")
                  if "generated" not in path.parts
                  and re.search(r"\bboto3\b|\bbotocore\b|\bclients\(\s*\"", path.read_text()))
    unread = [path for path in uses if path not in SOURCES and path not in MAKE_CLIENTS_ONLY
              and path not in CLI_MODULES]
    assert not unread, f"add to SOURCES (or MAKE_CLIENTS_ONLY, CLI_MODULES): {unread}"


def test_the_sources_are_read_for_the_calls_they_name():
    """The scan finds what it is meant to (else the completeness test is empty)."""
    named = set()
    for path, service in SOURCES.items():
        if (ROOT / "api" / path).exists():
            named |= named_operations((ROOT / "api" / path).read_text(), service)
    for expected in (("dynamodb", "GetItem"), ("dynamodb", "UpdateItem"),
                     ("dynamodb", "DeleteItem"), ("dynamodb", "Query"),
                     ("dynamodb", "BatchGetItem"), ("dynamodb", "PutItem"),
                     ("dynamodb", "TransactWriteItems"), ("dynamodb", "CreateTable"),
                     ("dynamodb+item", "ConditionCheckItem"), ("dynamodb+item", "DeleteItem"),
                     ("sesv2", "SendEmail"), ("ses", "SendRawEmail"), ("sns", "Publish"),
                     ("ssm", "GetParameter"), ("secretsmanager", "GetSecretValue"),
                     ("cognito-idp", "AdminDisableUser"), ("cognito-idp", "ListUsers")):
        assert expected in named, expected


def test_every_operation_the_code_names_is_made_by_a_function(recording):
    named: dict[tuple[str, str], str] = {}
    for path, service in SOURCES.items():
        if (ROOT / "api" / path).exists():
            for operation in named_operations((ROOT / "api" / path).read_text(), service):
                named.setdefault(operation, path)
    made = recording.operations() | {
        ("dynamodb+item", c.action.split(":")[1]) for c in recording.checks()
        if c.via == "dynamodb.TransactWriteItems" and c.action != "dynamodb:TransactWriteItems"}
    exempt = NOT_MADE_BY_FUNCTIONS | NOT_REACHED_TODAY
    if not any(name.startswith("Topic") for name in recording.world.topics):  # agencies' topics
        exempt[("sns", "Publish")] = SNS_UNUSED_REASON
    missing = sorted(f"{service}.{op} (named in api/{path})"
                     for (service, op), path in named.items()
                     if (service, op) not in made and (service, op) not in exempt
                     and service not in CLI_SERVICES)
    assert not missing, "named in the code but made by no flow here: teach the flows, or " \
                        "say why only the CLI makes it:\n" + "\n".join(missing)
    stale = sorted(f"{s}.{o}" for (s, o) in exempt if (s, o) in made)
    stale += sorted(f"{s}.{o}" for (s, o) in made if s in CLI_SERVICES)
    assert not stale, f"exempted as never made, but a function makes it: {stale}"


# -- the converse: nothing allowed that is never used ---------------------------------------

#: Prefixes of actions the Lambda service uses with the function's role on its behalf (its
#: logs, traces and the schedules' dead-letter queue), and KMS's, which the services use
#: for the app's calls in ways no call shows: not compared with what the app makes.
ON_ITS_BEHALF = ("logs:", "xray:", "sqs:", "kms:")
#: Actions allowed that no flow makes, where the function's code still can.
ALLOWED_FOR_CODE_NOT_REACHED = {
    "api_handler": {"dynamodb:ConditionCheckItem"},    # NOT_REACHED_TODAY
    # mark_failed reads the event when its conditional update fails (it was sent or
    # dead-lettered meanwhile, or is gone): no flow here makes a delivery fail
    "deliver_notifications": {"dynamodb:GetItem"},
}
@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_function_is_allowed_an_action_it_never_makes(recording, function):
    """Least privilege, the converse of coverage: every action the policy allows the app
    is one its flow makes (the Lambda service's own, and KMS's, aside)."""
    document = function_policy(recording.template, function)
    allowed = {action for s in as_list(document["Statement"]) if s["Effect"] == "Allow"
               for action in as_list(s["Action"]) if not action.startswith(ON_ITS_BEHALF)}
    made = {c.action for c in recording.checks(function)}
    unused = allowed - made - ALLOWED_FOR_CODE_NOT_REACHED.get(function, set())
    assert not unused, f"{function} is allowed what it never does: {sorted(unused)}"


def test_every_function_reads_its_stage_settings_and_secret(recording):
    """The contract: each function reads DIPFORMS_SITE_PARAMETER and DIPFORMS_SECRET_ARN
    once per process; the coverage test above then holds their policies to it."""
    for function in FUNCTIONS:
        made = [(c.service, c.operation) for c in recording.calls if c.function == function]
        assert made.count(("ssm", "GetParameter")) == 1, function
        assert made.count(("secretsmanager", "GetSecretValue")) == 1, function


# -- SNS: no route sends by it today, so the stack makes no topic ------------------------------

def with_agency_topic(template: dict, agency: str) -> dict:
    """The template as the stack makes it once a route of protocol.yaml sends to `agency` by
    sns (stack._topics and _role): the agency's topic, DIPFORMS_TOPIC_ARNS naming it, and
    sns:Publish on it for the dispatcher."""
    template = copy.deepcopy(template)
    resources = template["Resources"]
    topic = "Topic" + "".join(part.title() for part in agency.split("_"))
    resources[topic] = {"Type": "AWS::SNS::Topic", "Properties": {}}
    for logical in policies.FUNCTIONS.values():
        resources[logical]["Properties"]["Environment"]["Variables"]["DIPFORMS_TOPIC_ARNS"] = {
            "Fn::Join": ["", [f"{agency}=", {"Ref": topic}]]}
    function_policy(template, "deliver_notifications")["Statement"].append(
        {"Sid": "Topics", "Effect": "Allow", "Action": "sns:Publish",
         "Resource": [{"Ref": topic}]})
    return template


def test_an_agencys_topic_is_published_to_and_covered(dev, generated, tmp_path):
    """The flows publish to every topic the stack names (its key through KMS too), and the
    check holds the dispatcher's policy to it: without the Topics statement it fails."""
    template = with_agency_topic(dev.template, "northshire_cps")
    recording = record(dataclasses.replace(dev, template=template), tmp_path, generated)
    published = [c for c in recording.checks("deliver_notifications")
                 if c.via == "sns.Publish"]
    assert {c.action for c in published} == {"sns:Publish", "kms:GenerateDataKey",
                                              "kms:Decrypt"}
    for function in FUNCTIONS:
        assert not uncovered(function_policy(template, function),
                             recording.checks(function), recording.world), function
    document = copy.deepcopy(function_policy(template, "deliver_notifications"))
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "Topics"]
    missing = uncovered(document, recording.checks("deliver_notifications"), recording.world)
    assert {c.action for c in missing} == {"sns:Publish"}


# -- the checker fails when it should ---------------------------------------------------------

@pytest.mark.parametrize(("function", "action"), [
    ("api_handler", "dynamodb:DeleteItem"), ("api_handler", "dynamodb:BatchGetItem"),
    ("api_handler", "dynamodb:TransactWriteItems"), ("deliver_notifications", "dynamodb:Query"),
    ("deliver_notifications", "ses:SendEmail"), ("sweep_deadlines", "dynamodb:PutItem"),
    ("sweep_deadlines", "ssm:GetParameter"), ("api_handler", "secretsmanager:GetSecretValue"),
    ("deliver_notifications", "kms:Decrypt")])     # the secret's key, through Secrets Manager
def test_the_check_reports_an_action_taken_out_of_a_policy(recording, function, action):
    document = copy.deepcopy(function_policy(recording.template, function))
    for statement in as_list(document["Statement"]):
        if statement["Effect"] == "Allow":
            statement["Action"] = [a for a in as_list(statement["Action"]) if a != action]
    missing = uncovered(document, recording.checks(function), recording.world)
    assert missing and {c.action for c in missing} == {action}


def test_the_check_reports_a_resource_narrowed_and_an_unconditional_deny(recording):
    """Without the table's /index/* the index queries are not allowed; a Deny without a
    condition refuses what an Allow grants."""
    document = copy.deepcopy(function_policy(recording.template, "api_handler"))
    table = next(s for s in document["Statement"] if s.get("Sid") == "Table")
    table["Resource"] = [r for r in table["Resource"] if "Fn::Join" not in r]
    missing = uncovered(document, recording.checks("api_handler"), recording.world)
    assert missing and all("/index/" in c.resource for c in missing)
    document = copy.deepcopy(function_policy(recording.template, "deliver_notifications"))
    document["Statement"].append({"Effect": "Deny", "Action": "ses:Send*", "Resource": "*"})
    missing = uncovered(document, recording.checks("deliver_notifications"), recording.world)
    assert {c.action for c in missing} == {"ses:SendEmail"}
