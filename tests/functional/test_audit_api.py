"""Finding 12 of issue 15, and the audit part of finding 4, through the API on SQLite and on
DynamoDB (moto): a case read (which returns answers) leaves a read entry like a record read,
exports do too, the audit log pages by case, user and England dates for the roles the
protocol names and is refused to everyone else, and no entry carries an answer or a reason's
text, an amendment's included."""

from __future__ import annotations

import copy
import json

import pytest

from tests.functional.test_cases_api import MG14, Case

HEPATITIS = "client disclosed hepatitis C"   # a reason that explains answers the police may not see


def answer(response) -> dict:
    return json.loads(response.body)


def audit(api, role: str = "dat_admin", **filters: str):
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return api.get(f"/v1/audit{'?' + query if query else ''}", role=role)


def entries(api, **filters: str) -> list[dict]:
    response = audit(api, **filters)
    assert response.status_code == 200, response.body
    return answer(response)["entries"]


def amended(api, record_id: str, reason: str = HEPATITIS) -> None:
    changed = copy.deepcopy(MG14)
    changed["station"] = "Northtown East"
    response = api.put(f"/v1/records/{record_id}", {"reason": reason, "base_version": 1,
                                                    "data": changed})
    assert response.status_code == 200, response.body


def test_a_case_read_leaves_a_read_entry_with_who_when_and_the_request(api):
    case = Case(api)
    before = len(api.runtime.context.store.list_audit(case.ref))
    case.view("cjit")
    logged = api.runtime.context.store.list_audit(case.ref)
    assert len(logged) == before + 1
    read = logged[0]
    assert (read.action, read.target, read.actor, read.role, read.agency) == (
        "case_read", case.ref, "cjit_worker", "cjit", "northshire_cjit")
    assert read.at == api.runtime.context.store.list_audit(case.ref)[0].at and read.request_id
    [shown] = [e for e in entries(api, case=case.ref) if e["action"] == "case_read"]
    assert shown == {"at": read.at, "user": "cjit_worker", "role": "cjit",
                     "agency": "northshire_cjit", "action": "case_read", "outcome": "allowed",
                     "target": case.ref, "reason_ref": None, "request_id": read.request_id}


def test_a_read_of_a_case_that_does_not_exist_leaves_no_entry(api):
    assert api.get("/v1/cases/MG14-NOSUCHCASE", role="cjit").status_code == 404
    assert api.runtime.context.store.list_audit("MG14-NOSUCHCASE") == []


def test_the_log_by_case_holds_the_case_and_its_records_newest_first(api):
    case, other = Case(api), Case(api)
    api.get(f"/v1/records/{case.ref}", role="cps")
    case.view("police")
    other.view("police")
    found = entries(api, case=case.ref)
    assert [(e["action"], e["user"]) for e in found] == [
        ("case_read", "pc_jones"), ("read", "cps_lawyer"), ("submit", "pc_jones")]
    assert {e["target"] for e in found} == {case.ref}
    assert [e["at"] for e in found] == sorted((e["at"] for e in found), reverse=True)


def test_the_log_by_user_and_by_england_dates(api):
    clock = api.runtime.clock
    case = Case(api)                               # 10:00 on the examples' day, in England
    first_day = api.runtime.context.today()
    clock.advance(days=2)
    case.view("cjit")
    later_day = api.runtime.context.today()
    by_police = entries(api, user="pc_jones")
    assert {e["user"] for e in by_police} == {"pc_jones"} and by_police[-1]["action"] == "submit"
    on_first = entries(api, **{"from": first_day.isoformat(), "to": first_day.isoformat()})
    assert [e["action"] for e in on_first] == ["submit"]
    since_later = entries(api, **{"from": later_day.isoformat()})
    assert [e["action"] for e in since_later] == ["audit_read", "audit_read", "audit_read",
                                                  "case_read"]  # this read and the two before
    both = entries(api, case=case.ref, user="cjit_worker", to=later_day.isoformat())
    assert [e["action"] for e in both] == ["case_read"]


def test_the_log_pages_with_a_cursor_and_a_cursor_for_other_filters_is_refused(api):
    case = Case(api)
    for role in ("police", "cjit", "cps"):
        case.view(role)
    first = answer(audit(api, case=case.ref, limit="2"))
    assert [e["action"] for e in first["entries"]] == ["case_read", "case_read"]
    rest = answer(audit(api, case=case.ref, limit="2", cursor=first["next_cursor"]))
    assert [e["action"] for e in rest["entries"]] == ["case_read", "submit"]
    assert rest["next_cursor"] is None
    wrong = audit(api, user="pc_jones", limit="2", cursor=first["next_cursor"])
    assert wrong.status_code == 400
    assert [(e["field"], e["code"]) for e in answer(wrong)["errors"]] == [("cursor", "invalid")]


@pytest.mark.parametrize("filters, errors", [
    ({"from": "yesterday"}, [("from", "format")]),
    ({"to": "2026-13-01"}, [("to", "format")]),
    ({"from": "2026-11-26", "to": "2026-11-25"}, [("to", "order")]),
    ({"limit": "0", "case": "MG14 1"}, [("case", "pattern"), ("limit", "min")]),
    ({"limit": "5000"}, [("limit", "max")]),
    ({"limit": "ten"}, [("limit", "type")]),
    ({"users": "pc_jones"}, [("users", "unknown_field")]),
    ({"cursor": "bm90IG1pbmU"}, [("cursor", "invalid")]),
])
def test_a_bad_filter_is_a_400_naming_the_field(api, filters, errors):
    response = audit(api, **filters)
    assert response.status_code == 400, response.body
    assert [(e["field"], e["code"]) for e in answer(response)["errors"]] == errors


@pytest.mark.parametrize("role", ["police", "cps", "cjit", "probation", "carat"])
def test_only_the_roles_the_protocol_names_read_the_log_and_a_refusal_is_logged(api, role):
    Case(api)
    refused = audit(api, role)
    assert refused.status_code == 403 and answer(refused)["error"] == "forbidden"
    assert "entries" not in answer(refused)
    [denied] = [e for e in entries(api) if e["outcome"] == "denied"]
    assert (denied["action"], denied["target"], denied["role"]) == ("audit_read", "audit", role)


def test_an_export_of_the_dat_view_is_in_the_log(api):
    Case(api)
    assert api.get("/v1/dashboard.csv?table=overdue", role="dat_admin").status_code == 200
    assert api.get("/v1/dashboard.csv", role="police").status_code == 403
    exports = [(e["outcome"], e["user"], e["reason_ref"]) for e in entries(api)
               if e["action"] == "dashboard_export"]
    assert exports == [("denied", "pc_jones", "counts"), ("allowed", "dat_admin", "overdue")]


def test_no_entry_holds_an_answer_or_an_amendments_reason(api):
    case = Case(api)
    amended(api, case.ref)
    case.view("cjit")
    api.get(f"/v1/records/{case.ref}", role="cps")
    case.step("arrange_ra", "police")
    shown = audit(api, case=case.ref)
    listed = answer(shown)["entries"]
    [amend] = [e for e in listed if e["action"] == "amend"]
    assert amend["reason_ref"] == f"{case.ref}@v2"   # where the reason is kept, not the text
    kept = json.dumps([e.__dict__ for e in api.runtime.context.store.list_audit()])
    for text in (shown.body.decode("utf-8"), kept):
        assert HEPATITIS not in text
        for value in ("Example", "12 Sample Street", "1990-04-12", "Northtown Central",
                      "Northtown East", "Alex Prosecutor", "01632 960123"):
            assert value not in text
    assert api.runtime.context.store.get_version(case.ref).reason == HEPATITIS  # kept there


def test_an_entry_written_with_a_reasons_text_never_shows_it(api):
    """Entries from before reason_ref kept an amendment's reason in `reason`: readable,
    but the route answers only the reference."""
    from chalicelib.domain.access import Principal
    from chalicelib.domain.audit import audit_entry

    case = Case(api)
    who = Principal("om_smith", "probation", "northshire_probation")
    api.runtime.context.store.append_audit(audit_entry(
        who, "amend", case.ref, api.runtime.context.timestamp(), reason=HEPATITIS))
    shown = audit(api, case=case.ref)
    assert answer(shown)["entries"][0]["action"] == "amend"
    assert HEPATITIS not in shown.body.decode("utf-8")
    assert "reason" not in answer(shown)["entries"][0]
