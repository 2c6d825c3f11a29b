"""Every route x every user, against the access matrix (contract/access_matrix.py).

The protocol is forms/protocol.yaml with a second agency of every type (`<id>_b`): the
second police force, CJIT, CPS... are never parties to the case the first ones work, so
what they get is what an outsider gets. A user is made for every (role, agency) pair the
agency types allow, plus users whose role their agency's type does not hold (finding 1).
One case is opened by the first police force's MG14 and assessed by the first CJIT; one
record is on no case. Each route the Chalice app has must be classified below, so a new
route fails this test until someone says who may call it.
"""

from __future__ import annotations

import copy
import json
import re
import uuid

import pytest
import yaml
from chalicelib.contract.access_matrix import NOTHING, REFERENCES, SCOPES, WHOLE, cell
from chalicelib.contract.protocol import CaseRoute, Protocol, RecordRoute
from chalicelib.contract.roles import ADMIN
from chalicelib.tokens import mint_local_token

from tests.api_harness import ROOT, known_user, make_runtime, write_generated
from tests.examples import load_examples

INTRUDERS = [("police", "hmp_northshire_healthcare"), ("cjit", "northshire_treatment"),
             ("dat_admin", "northshire_cjit"), ("police", "northshire_cjit_b")]


def example(form: str, name: str) -> dict:
    return copy.deepcopy(next(e.data for e in load_examples(form) if e.name == name))


def minor_bump(text: str) -> str:
    """The form's `version: "M.N"` as M.N+1."""
    match = re.search(r'^version: "(\d+)\.(\d+)"$', text, re.M)
    major, minor = match.groups()
    return text.replace(match.group(0), f'version: "{major}.{int(minor) + 1}"', 1)


def twin_protocol(text: str) -> str:
    """forms/protocol.yaml with a second agency of every type, `<id>_b`, after the first."""
    agencies = yaml.safe_load(text)["agencies"]
    twins = "".join(f"  - {{id: {a['id']}_b, type: {a['type']}, name: \"{a['name']} B\"}}\n"
                    for a in agencies)
    marker = "\n# Which roles may submit and read each form."
    assert marker in text
    return text.replace(marker, twins + marker, 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The API on SQLite over the twin protocol, with the case and records made."""
    import shutil

    import app as api_app
    from chalice.test import Client
    from chalicelib.runtime import set_runtime
    from chalicelib.store.sqlite import SQLiteStore

    root = tmp_path_factory.mktemp("twins")
    shutil.copytree(ROOT / "forms", root / "forms")
    protocol_file = root / "forms" / "protocol.yaml"
    protocol_file.write_text(twin_protocol(protocol_file.read_text()))
    # the consent form and the DIR forms' consent section choose their agencies from the
    # protocol's, so the twins add choices: a compatible change, which each version must
    # say (V001)
    for form in ("consent_to_share_information", "dir_initial_contact",
                 "dir_required_assessment", "dir_continuity_of_care"):
        form_file = root / "forms" / f"{form}.yaml"
        form_file.write_text(minor_bump(form_file.read_text()))
    generated = write_generated(root / "generated", root)
    data = root / "data"
    runtime, secret = make_runtime(data, generated, SQLiteStore(data / "dipforms.sqlite"))
    set_runtime(runtime)
    try:
        with Client(api_app.app) as client:
            world = World(client, runtime, secret)
            world.make_records()
            yield world
    finally:
        set_runtime(None)


class World:
    def __init__(self, client, runtime, secret) -> None:
        self.client, self.runtime, self.secret = client, runtime, secret
        self.protocol: Protocol = runtime.context.catalogue.protocol
        self.users = [(role, agency.id) for agency in self.protocol.agencies
                      for role in self.protocol.roles_of(agency.id)]
        self.records: dict[str, dict] = {}      # id -> {form, agency, data, case}

    def headers(self, role: str, agency: str) -> dict[str, str]:
        # the API refuses a user its directory does not know: every caller is in the file
        # (the intruders too, added without the protocol's check, as Cognito could have them)
        known_user(self.runtime, f"{role}.{agency}", role, agency)
        token = mint_local_token(self.secret, subject=f"{role}.{agency}", role=role,
                                 agency=agency, now=int(self.runtime.clock.now().timestamp()),
                                 ttl_seconds=3600)
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, user: tuple[str, str], body=None):
        headers = self.headers(*user)
        if method == "POST" and "/submissions" in path:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        send = getattr(self.client.http, method.lower())
        response = (send(path, headers=headers) if body is None
                    else send(path, headers=headers, body=json.dumps(body)))
        try:
            return response.status_code, json.loads(response.body)
        except ValueError:        # the dashboard's CSV
            return response.status_code, None

    def submit(self, form: str, data: dict, user: tuple[str, str], case: str | None) -> str:
        status, body = self.call("POST", f"/v1/forms/{form}/submissions", user, data)
        assert status == 201, body
        record_id = body["record"]["id"]
        self.records[record_id] = {"form": form, "agency": user[1], "data": data,
                                   "case": case or body.get("case")}
        return record_id

    def make_records(self) -> None:
        police, cjit = ("police", "northshire_police"), ("cjit", "northshire_cjit")
        self.case = self.submit("mg14", example("mg14", "valid/minimal"), police, None)
        assessment = {**example("dir_required_assessment", "valid/full"),
                      "prompt": "conditional_caution", "cc_case_ref": self.case}
        self.submit("dir_required_assessment", assessment, cjit, self.case)
        self.submit("dip_protocol_checklist", example("dip_protocol_checklist", "valid/full"),
                    ("police", "northshire_police_b"), None)

    # -- what the matrix says -------------------------------------------------------------

    def parties(self) -> set[str]:
        """Worked out here from the definition, not by domain/parties.py: the opening and
        record-making agencies, and every agency the protocol routes to by id."""
        found = {r["agency"] for r in self.records.values() if r["case"] == self.case}
        for route in self.protocol.routes:
            if isinstance(route, RecordRoute | CaseRoute):
                found.add(route.to)
        return {a for a in found if a in self.protocol.agency_ids
                and ADMIN not in self.protocol.roles_of(a)}

    def consented_items(self, agency: str) -> set[str]:
        """The case has no consent form: the MG14's (or the assessment's) `consent_police_cps`
        given names every police and CPS agency for the assessment and the test result
        (docs/consent.md); anyone else has no consent."""
        given = [r for r in self.records.values() if r["case"] == self.case
                 and r["data"].get("consent_police_cps") is not None]
        if not given or given[-1]["data"]["consent_police_cps"] != "given":
            return set()
        kind = self.protocol.agency(agency).type
        return {"assessment", "test_result"} if kind in ("police_custody", "cps") else set()

    def standing(self, user: tuple[str, str]) -> bool:
        return user[0] in self.protocol.roles_of(user[1])

    def seen(self, user: tuple[str, str], record_id: str) -> dict | None | str:
        """What `user` gets of one record: its answers (maybe cut), None (nothing: 404),
        or REFERENCES (the DAT administrator)."""
        role, agency = user
        record = self.records[record_id]
        if not self.standing(user):
            return None
        if role == ADMIN:
            return REFERENCES
        on_case = record["case"] is not None
        if record["agency"] != agency and not (on_case and agency in self.parties()):
            return None
        access = self.protocol.access.get(record["form"])
        if record["agency"] == agency and access and role in access.read:
            return record["data"]
        kind = self.protocol.agency(agency).type
        found = cell(self.protocol, kind, role, record["form"])
        if found.read == WHOLE:
            return record["data"]
        if found.read == NOTHING:
            return None
        assert found.read == SCOPES
        allowed = set()
        consented = self.consented_items(agency)
        scopes = [*found.without_consent, *(found.with_consent if consented else ())]
        for scope_id in scopes:
            scope = self.protocol.scopes[scope_id]
            allowed |= set(scope.fields.get(record["form"], ()))
            for item in (consented if scope.from_consent else scope.items):
                allowed |= set(self.protocol.items.get(item, {}).get(record["form"], ()))
        cut = {k: v for k, v in record["data"].items() if k in allowed}
        return cut or None


#: Every route of the app, classified: what it answers is worked out in `expected`.
ROUTES = {
    ("/v1/health", "GET"): "public", ("/v1/openapi.json", "GET"): "public",
    ("/v1/session", "POST"): "sign_in", ("/v1/draft-key", "GET"): "any_user",
    ("/v1/session", "GET"): "any_user",
    ("/v1/forms", "GET"): "forms", ("/v1/forms/{form_id}/submissions", "POST"): "submit",
    ("/v1/forms/{form_id}/prefill", "GET"): "prefill",
    ("/v1/records", "GET"): "list", ("/v1/records/{record_id}", "GET"): "read",
    ("/v1/records/{record_id}", "PUT"): "amend",
    ("/v1/cases", "GET"): "case_list", ("/v1/due", "GET"): "case_list",
    ("/v1/cases/{case_ref}", "GET"): "case",
    ("/v1/cases/{case_ref}/transitions", "POST"): "act",
    ("/v1/cases/{case_ref}/facts", "POST"): "act",
    ("/v1/cases/{case_ref}/appointments", "POST"): "act",
    ("/v1/cases/{case_ref}/disclosures", "POST"): "act",
    ("/v1/cases/{case_ref}/handovers", "POST"): "act",
    ("/v1/outbox/dead", "GET"): "admin", ("/v1/outbox/{event_id}/retry", "POST"): "admin",
    ("/v1/dashboard", "GET"): "admin", ("/v1/dashboard.csv", "GET"): "admin",
    ("/v1/audit", "GET"): "audit",
}
#: What a party gets for an empty body: each command's own refusal (nothing is changed).
ACT_REFUSAL = {"transitions": 400, "facts": 400, "appointments": 422, "disclosures": 422,
               "handovers": 422}


def test_every_route_of_the_app_is_classified(world):
    import app as api_app

    found = {(path, method) for path, methods in api_app.app.routes.items()
             for method in methods}
    assert found == set(ROUTES), "classify the new route in ROUTES (and in docs/access.md)"


def all_users(world):
    return [*world.users, *INTRUDERS]


def test_the_twin_protocol_has_two_agencies_of_every_type_and_a_user_of_every_pair(world):
    types = [a.type for a in world.protocol.agencies]
    assert all(types.count(t) == 2 for t in set(types)) and len(set(types)) >= 10
    assert len(world.users) == 12 and not any(world.standing(u) for u in INTRUDERS)


def test_records_read_by_id_as_every_user(world):
    unknown = "MG14-9999999999"
    for user in all_users(world):
        code, gone = world.call("GET", f"/v1/records/{unknown}", user)
        assert code == 404
        for record_id in world.records:
            status, body = world.call("GET", f"/v1/records/{record_id}", user)
            want = world.seen(user, record_id)
            where = (user, record_id)
            if want is None:
                assert (status, body) == (404, gone), where     # as an unknown id
            elif want == REFERENCES:
                assert status == 200 and "data" not in body["record"], where
                assert "confirmations" not in body["record"], where
                assert all("reason" not in v for v in body["versions"]), where
            else:
                assert status == 200, where
                assert body["record"]["data"] == want, where


def test_records_listed_by_form_as_every_user(world):
    for user in all_users(world):
        for form in ("mg14", "dir_required_assessment", "dip_protocol_checklist"):
            status, body = world.call("GET", f"/v1/records?form={form}", user)
            access = world.protocol.access.get(form)
            may_read = world.standing(user) and (
                user[0] == ADMIN or (access is not None and user[0] in access.read))
            if not may_read:
                assert status == 403, (user, form)
                continue
            listed = {r["id"] for r in body["records"]}
            want = {rid for rid, r in world.records.items() if r["form"] == form
                    and world.seen(user, rid) is not None}
            assert status == 200 and listed == want, (user, form)
            assert all("data" not in r for r in body["records"])


def test_the_case_read_as_every_user(world):
    for user in all_users(world):
        status, body = world.call("GET", f"/v1/cases/{world.case}", user)
        if not world.standing(user):
            assert status == 403, user
        elif user[0] == ADMIN:
            assert status == 200 and body["records"] == [] and body["case"]["facts"] == {}
        elif user[1] not in world.parties():
            assert status == 404, user          # findings 7 and 8: nothing, not even facts
        else:
            want = {rid: world.seen(user, rid) for rid, r in world.records.items()
                    if r["case"] == world.case}
            shown = {r["id"]: r["data"] for r in body["records"]}
            assert shown == {rid: d for rid, d in want.items() if d is not None}, user


def test_the_case_list_and_due_as_every_user(world):
    """A case is listed for its parties, and for the DAT administrator by reference only;
    anyone else's list lacks it; a user the protocol refuses is refused."""
    for user in all_users(world):
        for path in ("/v1/cases", "/v1/due"):
            status, _ = world.call("GET", path, user)
            assert status == (200 if world.standing(user) else 403), (user, path)
        if not world.standing(user):
            continue
        listed = {c["ref"]: c for c in body_of(world, "/v1/cases", user)}
        if user[0] == ADMIN:
            assert world.case in listed and listed[world.case]["person"] is None
        elif user[1] in world.parties():
            assert world.case in listed, user
        else:
            assert world.case not in listed, user


def test_another_police_force_cannot_find_the_case_by_the_persons_name(world):
    """The force that made the MG14 and the CJIT it was referred to find it by surname;
    the twin force, whose staff may read MG14s but is not party to this case, does not."""
    surname = example("mg14", "valid/minimal")["surname"]
    for user, finds in ((("police", "northshire_police"), True),
                        (("cjit", "northshire_cjit"), True),
                        (("police", "northshire_police_b"), False),
                        (("cjit", "northshire_cjit_b"), False)):
        found = [c["ref"] for c in body_of(world, f"/v1/cases?q={surname.lower()}", user)]
        assert (world.case in found) is finds, user
        by_ref = [c["ref"] for c in body_of(world, f"/v1/cases?q={world.case}", user)]
        assert (world.case in by_ref) is finds, user


def body_of(world, path, user):
    status, body = world.call("GET", path, user)
    return body["cases"] if status == 200 else []


def test_case_commands_as_every_user(world):
    for user in all_users(world):
        for command, refusal in ACT_REFUSAL.items():
            status, _ = world.call("POST", f"/v1/cases/{world.case}/{command}", user, {})
            if not world.standing(user) or user[0] == ADMIN:
                assert status == 403, (user, command)
            elif user[1] not in world.parties():
                assert status == 404, (user, command)     # finding 1: no moving others' cases
            else:
                assert status == refusal, (user, command)


def test_submissions_and_amendments_as_every_user(world):
    mg14 = world.case
    for user in all_users(world):
        for form in ("mg14", "dir_required_assessment", "dip_protocol_checklist"):
            status, _ = world.call("POST", f"/v1/forms/{form}/submissions", user, {})
            access = world.protocol.access.get(form)
            may_submit = world.standing(user) and access is not None and user[0] in access.submit
            assert status == (422 if may_submit else 403), (user, form)
        status, _ = world.call("PUT", f"/v1/records/{mg14}", user,
                               {"reason": "r", "base_version": 99, "data": {}})
        may_submit = world.standing(user) and user[0] in world.protocol.access["mg14"].submit
        sees = world.seen(user, mg14) is not None
        assert status == (409 if may_submit and sees else 403 if sees else 404), user


def test_the_prefill_as_every_user(world):
    """A form started from the case: who may submit it and is a party gets the case
    reference and, of the MG14's person, only what they may see of the MG14; anyone else
    what the case read answers (404), or 403 for a form they may not submit."""
    for user in all_users(world):
        for form in ("dir_required_assessment", "consent_to_share_information"):
            status, body = world.call("GET", f"/v1/forms/{form}/prefill?case={world.case}",
                                      user)
            may_submit = world.standing(user) and user[0] in world.protocol.access[form].submit
            if not may_submit:
                assert status == 403, (user, form)
            elif user[1] not in world.parties():
                assert status == 404, (user, form)
            else:
                assert status == 200, (user, form)
                answers = body["answers"]
                assert answers[body["case_field"]] == world.case, (user, form)
                seen = world.seen(user, world.case)
                seen = seen if isinstance(seen, dict) else {}
                if form == "dir_required_assessment":
                    assert answers.get("surname") == seen.get("surname"), user
                    assert answers.get("forenames") == seen.get("forenames"), user
                else:
                    assert "surname" not in answers, user


def test_the_forms_list_and_the_admin_routes_as_every_user(world):
    for user in all_users(world):
        status, body = world.call("GET", "/v1/forms", user)
        assert status == 200
        for form in body["forms"]:
            access = world.protocol.access.get(form["id"])
            want = (world.standing(user) and access is not None
                    and user[0] in access.submit)
            assert form["may_submit"] is want, (user, form["id"])
        admin = world.standing(user) and user[0] == ADMIN
        for path in ("/v1/outbox/dead", "/v1/dashboard", "/v1/dashboard.csv"):
            assert world.call("GET", path, user)[0] == (200 if admin else 403), (user, path)
        retry = world.call("POST", "/v1/outbox/0000000000/retry", user, {})[0]
        assert retry == (404 if admin else 403), user
        assert world.call("GET", "/v1/draft-key", user)[0] in (200, 503)
        reader = world.standing(user) and user[0] in world.protocol.audit.readers
        assert world.call("GET", "/v1/audit", user)[0] == (200 if reader else 403), user


def test_public_routes_answer_without_a_token(world):
    assert world.client.http.get("/v1/health").status_code == 200
    assert world.client.http.get("/v1/openapi.json").status_code == 200
    assert world.client.http.post("/v1/session", headers={"Content-Type": "application/json"},
                                  body="{}").status_code in (400, 401, 404)


def test_a_hand_over_makes_a_second_agency_a_party_and_is_on_the_timeline(world):
    """The first CJIT hands the case to the second CARAT: now it sees and acts; the reason
    is on the timeline for the parties, never for the DAT."""
    carat = ("carat", "hmp_northshire_carats_b")
    assert world.call("GET", f"/v1/cases/{world.case}", carat)[0] == 404
    status, body = world.call("POST", f"/v1/cases/{world.case}/handovers",
                              ("cjit", "northshire_cjit"),
                              {"agency": "hmp_northshire_carats_b", "reason": "Remanded"})
    assert status == 200, body
    status, body = world.call("GET", f"/v1/cases/{world.case}", carat)
    assert status == 200
    [handed] = [e for e in body["timeline"] if e["kind"] == "handover"]
    assert (handed["to"], handed["reason"]) == ("hmp_northshire_carats_b", "Remanded")
    admin = world.call("GET", f"/v1/cases/{world.case}", ("dat_admin", "northshire_dat"))[1]
    assert [("reason" in e) for e in admin["timeline"] if e["kind"] == "handover"] == [False]
    audit = [a for a in world.runtime.context.store.list_audit(world.case)
             if a.action == "handover"]
    assert [(a.agency, a.reason) for a in audit] == [("northshire_cjit",
                                                      "to hmp_northshire_carats_b")]
    refused = world.call("POST", f"/v1/cases/{world.case}/handovers",
                         ("cjit", "northshire_cjit"), {"agency": "northshire_magistrates"})
    assert refused[0] == 422     # a court's staff hold no role: nobody there to hand it to


def test_a_linked_form_naming_a_case_of_which_the_agency_is_no_party_is_refused(world):
    """Naming a reference does not join a case: a party hands it over first."""
    outsider = ("cjit", "northshire_cjit_b")
    data = {**example("dir_required_assessment", "valid/full"), "prompt": "conditional_caution",
            "cc_case_ref": world.case}
    status, body = world.call("POST", "/v1/forms/dir_required_assessment/submissions",
                              outsider, data)
    assert status == 422 and body["errors"][0]["code"] == "unknown_case"
    unknown = world.call("POST", "/v1/forms/dir_required_assessment/submissions", outsider,
                         {**data, "cc_case_ref": "MG14-9999999999"})
    assert unknown[1]["errors"] == body["errors"]       # alike: no oracle

