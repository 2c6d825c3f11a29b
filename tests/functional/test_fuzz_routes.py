"""Property-based fuzzing (Hypothesis) of the submission and case routes, through the Chalice
app on a real SQLite store: whatever the body (deep nesting, lone surrogates, huge or
non-finite numbers, wrong types, bytes that are not JSON), the answer is never a 5xx; a
refused request stores nothing (no record, version, case change, timeline line, outbox
event; at most its own denial in the audit log) and no request leaves an idempotency key
claimed. Derandomized with no example database, so a run is the same every time."""

from __future__ import annotations

import json
import sqlite3
import uuid
from contextlib import closing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api_harness import Api, make_runtime
from tests.examples import load_examples

MG14 = next(e.data for e in load_examples("mg14") if e.name == "valid/minimal")
TABLES = ("record_heads", "records", "outbox", "cases", "case_records", "case_entries",
          "deadlines", "idempotency")
EXAMPLES = 50   # per route: a second or two each

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

# -- bodies --------------------------------------------------------------------------------
#: mostly valid text; else any character at all, lone surrogates ("\ud800") included
TEXT = st.one_of(st.text(max_size=12), st.text(max_size=12),
                 st.text(st.characters(codec=None, exclude_categories=()), max_size=12))
NUMBERS = st.one_of(st.integers(), st.integers(min_value=-(10 ** 400), max_value=10 ** 400),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.floats(allow_nan=True, allow_infinity=True))
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


def _deep(depth: int, opener: str) -> bytes:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return (opener * depth + "1" + closer * depth).encode()


def _encoded(value, ascii_only: bool) -> bytes:
    """JSON text of `value`; without ensure_ascii a surrogate is sent as raw UTF-8 bytes."""
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def _mutated(base: dict) -> st.SearchStrategy[dict]:
    """`base` with one answer replaced, removed or added: bodies that reach validation."""
    keys = sorted(base)
    return st.one_of(
        st.just(base),  # as sent: made (201), or replayed with a reused key
        st.builds(lambda k, v: {**base, k: v}, st.sampled_from(keys), VALUES),
        st.builds(lambda k: {n: v for n, v in base.items() if n != k}, st.sampled_from(keys)),
        st.builds(lambda k, v: {**base, k: v}, TEXT, VALUES),
    )


def bodies(shape: st.SearchStrategy) -> st.SearchStrategy[bytes]:
    """Raw bodies: mostly the route's own shape with wild values (to reach its checks), else
    any JSON, deep nesting, bytes that are not JSON, or JSON no store can keep."""
    hostile = st.one_of(
        st.builds(_deep, st.integers(1, 3_000), st.sampled_from(["[", '{"a":'])),
        st.binary(max_size=64),
        st.sampled_from([b"NaN", b"[Infinity]", b'{"a": -Infinity}', b"1e999", b"",
                         b'"\\ud800"', b'{"\\udfff": 1}', b"9" * 5000]))
    shaped = st.builds(_encoded, shape, st.booleans())
    return st.one_of(shaped, shaped, shaped, shaped, st.builds(_encoded, VALUES, st.booleans()),
                     hostile)


def _plausible(*choices) -> st.SearchStrategy:
    """Mostly a value the route knows (so the request reaches its deeper checks), else any."""
    return st.one_of(st.sampled_from(choices), st.sampled_from(choices), VALUES)


MOMENTS = _plausible("2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", "2026-12-01T09:00:00+00:00",
                     "2026-02-30T10:00:00Z", "2026-12-01")
CASE_SHAPES = {
    "transitions": st.fixed_dictionaries(
        {"transition": _plausible("arrange_ra", "offer_voluntary_assessment",
                                  "not_a_drug_misuser", "refer_without_assessment")},
        optional={"base_version": _plausible(1, 2), "reason": _plausible("a reason", "", 7)}),
    "facts": st.fixed_dictionaries({
        "fact": _plausible("release_date", "supervision_start", "ppo_or_high_rosh"),
        "value": _plausible("2026-12-24", True, "2026-13-01")}),
    "appointments": st.fixed_dictionaries({"starts_at": MOMENTS, "ends_at": MOMENTS}),
    "disclosures": st.fixed_dictionaries(
        {"recipient": _plausible("northshire_probation", "northshire_police", "nowhere"),
         "ground": _plausible("consent", "risk_of_harm", "custody_crime_prevention"),
         "items": st.one_of(st.lists(_plausible("test_result", "assessment",
                                                "previous_convictions"), max_size=3), VALUES),
         "reason": _plausible("a reason", "")},
        optional={"custody": _plausible(True, False),
                  "drug_use_linked_to_offending": _plausible(True, False)}),
}


# -- the store, before and after -------------------------------------------------------------
def snapshot(path) -> dict:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        counts["case_versions"] = db.execute("SELECT coalesce(sum(version), 0) FROM cases"
                                             ).fetchone()[0]
        counts["in_flight"] = db.execute("SELECT count(*) FROM idempotency WHERE status = "
                                         "'in_flight'").fetchone()[0]
        audit = [row[0] for row in db.execute("SELECT action FROM audit ORDER BY seq")]
    return {"counts": counts, "audit": audit}


def check_answer(api, path, before: dict, response) -> None:
    assert response.status_code < 500, (response.status_code, response.body[:300])
    after = snapshot(path)
    assert after["counts"]["in_flight"] == 0  # no request leaves its key claimed
    if response.status_code >= 400:
        assert after["counts"] == before["counts"], response.body[:300]
        added = after["audit"][len(before["audit"]):]
        assert after["audit"][:len(before["audit"])] == before["audit"]
        assert all(action.endswith("_denied") for action in added), added


@pytest.fixture
def fuzzed(tmp_path, generated):
    import app as api_app
    from chalice.test import Client
    from chalicelib.runtime import set_runtime
    from chalicelib.store.sqlite import SQLiteStore

    path = tmp_path / "dipforms.sqlite3"
    store = SQLiteStore(path)
    runtime, secret = make_runtime(tmp_path, generated, store)
    set_runtime(runtime)
    with Client(api_app.app) as client:
        api = Api(client, runtime, secret)
        made = json.loads(api.submit("mg14", MG14).body)
        yield api, path, made["record"]["id"], made["case"]
    set_runtime(None)
    store.close()


KEYS = st.one_of(st.builds(lambda: str(uuid.uuid4())), st.just(
    "00000000-0000-4000-8000-000000000001"), st.just(""), TEXT.filter(lambda t: t.isascii()))


@FUZZ
@given(raw=bodies(_mutated(MG14)), key=KEYS)
def test_fuzzed_submissions_never_fail_the_server_nor_keep_a_refusal(fuzzed, raw, key):
    api, path, _, _ = fuzzed
    before = snapshot(path)
    headers = api.headers("police", **({"Idempotency-Key": key} if key else {}))
    response = api.client.http.post("/v1/forms/mg14/submissions", headers=headers, body=raw)
    check_answer(api, path, before, response)


@FUZZ
@given(raw=bodies(st.fixed_dictionaries({
    "reason": VALUES, "base_version": st.one_of(st.just(1), VALUES),
    "data": st.one_of(_mutated(MG14), VALUES)})))
def test_fuzzed_amendments_never_fail_the_server_nor_keep_a_refusal(fuzzed, raw):
    api, path, record, _ = fuzzed
    before = snapshot(path)
    response = api.client.http.put(f"/v1/records/{record}", headers=api.headers("police"),
                                   body=raw)
    check_answer(api, path, before, response)


@pytest.mark.parametrize("command", sorted(CASE_SHAPES))
def test_fuzzed_case_commands_never_fail_the_server_nor_keep_a_refusal(fuzzed, command):
    api, path, _, case = fuzzed

    @FUZZ
    @given(raw=bodies(CASE_SHAPES[command]), role=st.sampled_from(
        ["police", "cps", "cjit", "probation", "dat_admin"]))
    def call(raw, role):
        before = snapshot(path)
        response = api.client.http.post(f"/v1/cases/{case}/{command}",
                                        headers=api.headers(role), body=raw)
        check_answer(api, path, before, response)

    call()
