# ruff: noqa: F811 (the fixtures imported from the other suites are parameter names)
"""What the stack's IAM Deny statements forbid, the DynamoDB store never asks: no DeleteItem
(alone, in a transaction or in a batch) of a RECORD#, AUDIT#, OUTBOX# or CASE# item, and
no UpdateItem of an AUDIT# one. IAM checks each item of a TransactWriteItems as its own
action against `dynamodb:LeadingKeys` (the partition key), so every request the client
sends is read on its way out (botocore's before-call event) while the flows run on moto."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from chalicelib.store.base import ALL_CASES, CaseQuery, Completion
from chalicelib.store.dynamodb import DynamoDBStore, create_table
from moto import mock_aws

from tests.functional.test_cases_api import COMPLIED, RA_ATTENDED, SESSION1, Case
from tests.functional.test_store_case_lists_builders import listed_change, opened
from tests.functional.test_store_cases_contract import fired
from tests.functional.test_store_contract import (  # noqa: F401 - fixtures used by name
    FAKE_AWS,
    TABLE,
    at,
    audit,
    event,
    moto_client,
    version,
)

DENIED_DELETES = ("RECORD#", "AUDIT#", "OUTBOX#", "CASE#")   # the stack's Deny on DeleteItem
DENIED_UPDATES = ("AUDIT#",)                                # and on UpdateItem
DELETABLE = ("IDEM#", "CASEINDEX#")                         # all that is ever deleted


@dataclass(frozen=True)
class Write:
    action: str      # what IAM checks it as: DeleteItem or UpdateItem
    pk: str
    sk: str
    sent_as: str     # the API operation that carried it


class WriteLog:
    """Every delete and update a boto3 DynamoDB client sends, as IAM sees each."""

    def __init__(self, client: Any) -> None:
        self.writes: list[Write] = []
        client.meta.events.register("before-call.dynamodb.*", self._note)

    def _note(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        body, operation = json.loads(params.get("body") or b"{}"), model.name
        if operation in ("DeleteItem", "UpdateItem"):
            self._add(operation, body["Key"], operation)
        elif operation == "TransactWriteItems":
            for item in body["TransactItems"]:
                for kind in ("Delete", "Update"):
                    if kind in item:
                        self._add(f"{kind}Item", item[kind]["Key"], operation)
        elif operation == "BatchWriteItem":
            for requests in body["RequestItems"].values():
                for request in requests:
                    if "DeleteRequest" in request:
                        self._add("DeleteItem", request["DeleteRequest"]["Key"], operation)

    def _add(self, action: str, key: dict[str, Any], operation: str) -> None:
        self.writes.append(Write(action, key["pk"]["S"], key["sk"]["S"], operation))

    def deleted(self) -> list[Write]:
        return [w for w in self.writes if w.action == "DeleteItem"]

    def denied(self) -> list[Write]:
        """The writes the stack's Deny statements would refuse."""
        return [w for w in self.writes
                if (w.action == "DeleteItem" and w.pk.startswith(DENIED_DELETES))
                or (w.action == "UpdateItem" and w.pk.startswith(DENIED_UPDATES))]


def test_the_log_sees_denied_writes_alone_and_inside_a_transaction(moto_client):
    """The check itself: the old layout's delete of a former party's row, under CASE#, and
    an update of an audit entry are caught, whichever operation carries them."""
    log = WriteLog(moto_client)
    key = {"pk": {"S": "CASE#MG14-1"}, "sk": {"S": "PARTY#cjit"}}
    moto_client.transact_write_items(TransactItems=[
        {"Delete": {"TableName": TABLE, "Key": key}},
        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "AUDIT#MG14-1"}, "sk": {"S": "x"}},
                    "UpdateExpression": "SET #a = :a", "ExpressionAttributeNames": {"#a": "a"},
                    "ExpressionAttributeValues": {":a": {"S": "changed"}}}}])
    moto_client.delete_item(TableName=TABLE, Key={"pk": {"S": "RECORD#MG14-1"},
                                                  "sk": {"S": "LATEST"}})
    moto_client.batch_write_item(RequestItems={TABLE: [
        {"DeleteRequest": {"Key": {"pk": {"S": "OUTBOX#EV-1"}, "sk": {"S": "EVENT"}}}}]})
    moto_client.delete_item(TableName=TABLE, Key={"pk": {"S": "CASEINDEX#MG14-1"},
                                                  "sk": {"S": "PARTY#cjit"}})
    assert [(w.action, w.pk, w.sent_as) for w in log.denied()] == [
        ("DeleteItem", "CASE#MG14-1", "TransactWriteItems"),
        ("UpdateItem", "AUDIT#MG14-1", "TransactWriteItems"),
        ("DeleteItem", "RECORD#MG14-1", "DeleteItem"),
        ("DeleteItem", "OUTBOX#EV-1", "BatchWriteItem")]


def test_the_store_deletes_only_idempotency_keys_and_case_index_rows(moto_client):
    """A case's parties and person terms change (a commit, a change, a relist), its
    deadlines are cleared and fired, its events sent, failed, dead-lettered and requeued, a
    key is claimed and released: only IDEM# and CASEINDEX# items are deleted."""
    log, store = WriteLog(moto_client), DynamoDBStore(TABLE, moto_client)
    opened(store, "MG14-1", parties=("police", "cjit"), terms=("t-smith", "t-dob"), when=1)
    store.change_case(listed_change("MG14-1", 2, when=2, parties=("police",),
                                    terms=("t-smyth", "t-dob")), audit("MG14-1", 2), [])
    store.relist_case(listed_change("MG14-1", 2, when=2, parties=("police",),
                                    terms=("t-dob",)))
    opened(store, "MG14-2", when=3)
    pending = store.case_deadlines("MG14-2")[0]
    assert store.fire_deadlines([fired(pending, 4)], at(4)) == [("MG14-2", pending.reason)]
    opened(store, "MG14-3", when=5)
    cleared = listed_change("MG14-3", 2, when=6, due=None)
    store.change_case(cleared, audit("MG14-3", 6), [])
    claim = store.claim_key("user-1", "key-1", "print-1", at(7), 3600, 60)
    store.release_key("user-1", "key-1", claim.claim_id)
    claim = store.claim_key("user-1", "key-2", "print-2", at(8), 3600, 60)
    store.commit(version("MG14-4", when=8), audit("MG14-4", 8), [event("EV-4", "MG14-4", 8)],
                 Completion("user-1", "key-2", {"created": True}, fingerprint="print-2",
                            claim_id=claim.claim_id))
    for name in ("EV-MG14-1", "EV-MG14-2", "EV-4"):
        assert store.lease_event(name, at(9), at(69))
    store.mark_sent("EV-MG14-1", at(10))
    store.mark_failed("EV-MG14-2", "refused", at(20))
    store.mark_failed("EV-4", "refused", None)     # dead-lettered
    assert store.requeue("EV-4", at(30))

    assert log.denied() == []
    assert {(w.pk, w.sk) for w in log.deleted()} == {
        ("CASEINDEX#MG14-1", "PARTY#cjit"), ("CASEINDEX#MG14-1", "TERM#t-smith"),
        ("CASEINDEX#MG14-1", "TERM#t-smyth"), ("IDEM#user-1#key-1", "IDEM"),
        # the DAT view's row of the deadline the change no longer wants
        ("CASEINDEX#MG14-3", "OUTSTANDING#contact_by_passed")}
    assert all(w.pk.startswith(DELETABLE) for w in log.deleted())
    assert {w.pk.split("#")[0] for w in log.writes if w.action == "UpdateItem"} == {
        "RECORD", "CASE", "OUTBOX", "IDEM",
        "DASHBOARD"}   # the DAT view's counters; none AUDIT; the others are allowed
    # and the reads still find what the changes left
    assert [r.case_ref for r in store.list_cases(CaseQuery("police"), 10).items] == [
        "MG14-3", "MG14-2", "MG14-1"]
    assert store.list_cases(CaseQuery("cjit"), 10).items[0].case_ref == "MG14-3"
    assert "MG14-1" not in [r.case_ref for r in store.list_cases(CaseQuery("cjit"), 10).items]
    assert [r.case_ref for r in store.listed_cases(ALL_CASES, ["MG14-1", "MG14-9"])] == [
        "MG14-1"]
    assert store.cases_with_term("t-dob", 10) == ["MG14-1"]
    assert store.cases_with_term("t-smith", 10) == store.cases_with_term("t-smyth", 10) == []
    assert [r.case_ref for r in store.due_cases("police", "2026-12-31", 10)] == [
        "MG14-1", "MG14-2"]   # by due date, then ref; MG14-3 wants none now


@pytest.fixture
def any_store(monkeypatch):
    """The API's store (see conftest.py), here DynamoDB on moto only."""
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-2")
        create_table(client, TABLE)
        yield DynamoDBStore(TABLE, client)


@pytest.fixture
def write_log(any_store) -> WriteLog:
    return WriteLog(any_store.client)


def test_whole_cases_through_the_api_ask_for_no_denied_write(api, write_log, tmp_path):
    """Cases walked through the API as the agencies do: opened by an MG14, records
    attached, handed to the CARAT, the person's name corrected (their terms replaced), a
    refused submission (its key never claimed: a key is claimed in the commit, so nothing is
    released), the sweep and the dispatcher, relist."""
    import datetime

    from chalicelib.casefind import relist
    from chalicelib.notify.channels.file import FileChannel
    from chalicelib.notify.outbox import dispatch
    from chalicelib.sweep import run_sweep

    from tests.functional.test_find_work_api import SMITH, listed

    store = api.runtime.context.store
    case, other = Case(api, SMITH), Case(api)
    assert case.attach("dir_required_assessment", {**RA_ATTENDED, "prompt":
                       "conditional_caution"}, field="cc_case_ref").status_code == 201
    assert case.attach("dip_session1_triage", SESSION1).status_code == 201
    assert case.attach("compliance_report", COMPLIED).status_code == 201
    case.hand_over("hmp_northshire_carats")
    assert case.amend_mg14({**SMITH, "surname": "Smyth"}).status_code == 200
    refused = api.submit("compliance_report", {**COMPLIED, "case_ref": "MG14-NOSUCHCASE"},
                         role="cjit")
    assert refused.status_code == 422, refused.body
    ctx = api.runtime.context
    assert run_sweep(ctx, datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC)).fired
    dispatch(store, {"email": FileChannel(tmp_path / "outbox", "dipforms@localhost")},
             now=api.runtime.clock.now)
    assert write_log.denied() == []
    # `other` as a case opened before the lists existed (removed by a client of our own)
    surgery = boto3.client("dynamodb", region_name="eu-west-2")
    for item in surgery.query(TableName=TABLE, KeyConditionExpression="pk = :pk",
                              ExpressionAttributeValues={":pk": {"S": f"CASEINDEX#{other.ref}"}}
                              )["Items"]:
        surgery.delete_item(TableName=TABLE, Key={"pk": item["pk"], "sk": item["sk"]})
    assert relist(ctx) == 1

    assert write_log.denied() == []
    deleted = {(w.pk.split("#")[0], w.sk.split("#")[0]) for w in write_log.deleted()}
    assert deleted == {("CASEINDEX", "TERM"),          # the old surname
                       ("CASEINDEX", "OUTSTANDING")}   # the DAT view's rows no longer wanted
    assert listed(api, "police", "?q=smyth") == [case.ref]
    assert listed(api, "police", "?q=smith") == []
    assert listed(api, "carat") == [case.ref]
    assert set(listed(api, "dat_admin")) == {case.ref, other.ref}
