"""A form started from its case without JavaScript (`dipforms run`): the first page posted
from ?case=<ref> carries the case reference and the person from the MG14 on to the next
pages, as the page script fills them; the MG14's section L (`asked: later`) is not asked."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from chalicelib.users import UserDirectory

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.fields.posted import write_fields
from tests.examples import example_data
from tests.functional.test_nojs import PASSWORD, Browser, hidden, page_id, post_page
from tests.local_run import ROOT, LocalRun

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def forms():
    return {f.id: f for f in build_project(read_forms_dir(ROOT), {}).project.forms}


def opened_and_signed_in(run: LocalRun, mg14: dict) -> tuple[str, Browser]:
    """The MG14's case (opened through the API) and a CJIT worker signed in without
    JavaScript (the user cjit_nojs)."""
    token = run.user_token("pc_opener", "police", "northshire_police")
    status, body = run.request("POST", "/v1/forms/mg14/submissions", mg14, token,
                               {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, body
    browser = Browser(run.url)
    browser.post("/sign-in.html", {"user": "cjit_nojs", "password": PASSWORD})
    return body["case"], browser


def test_the_first_page_posted_from_the_case_carries_the_reference_and_the_person(
        tmp_path, forms):
    users = UserDirectory.in_data_dir(tmp_path)
    users.add("pc_jones", "police", "northshire_police", PASSWORD)
    users.add("cjit_nojs", "cjit", "northshire_cjit", PASSWORD)
    mg14 = example_data("mg14")
    with LocalRun(tmp_path) as run:
        case, browser = opened_and_signed_in(run, mg14)
        form = forms["dir_required_assessment"]
        first = browser.get(f"/forms/dir_required_assessment/assessor.html?case={case}")
        answers = {"agency_code": "NS01", "worker": {"given_names": "Jo", "family_name": "Bloggs"}}
        status, path, page = browser.post(
            f"/forms/dir_required_assessment/assessor.html?case={case}",
            write_fields(form.pages[0].fields, answers))
        assert status == 200 and page_id(page) == "client", (status, path)
        assert re.search(rf'name="surname"[^>]*value="{mg14["surname"]}"', page) or \
            re.search(rf'value="{mg14["surname"]}"[^>]*name="surname"', page)
        assert case in hidden(page, "_answers")
        assert first     # the static page itself is served as ever
        # onward, the browser posting the inputs as filled: the reference is filled in too
        status, _, page = post_page(browser, form, page, mg14)
        assert page_id(page) == "assessment_prompt"
        assert re.search(rf'value="{case}"', page)
        # the reference is shown read-only, and a changed one is not taken: the case stays
        field = re.search(r'<input[^>]*name="cc_case_ref"[^>]*>', page).group(0)
        assert "readonly" in field, field
        assert hidden(page, "_case") == case and hidden(page, "_case_field") == "cc_case_ref"
        changed = {**example_data("dir_required_assessment"), "cc_case_ref": "MG14-OTHER00000",
                   "prompt": "conditional_caution"}
        status, _, after = post_page(browser, form, page, changed)
        assert status == 200 and page_id(after) != "assessment_prompt", page_id(after)
        assert case in hidden(after, "_answers") and "MG14-OTHER" not in after


def test_section_l_is_not_asked_at_first_submission_without_javascript(forms):
    outcome = next(p for p in forms["mg14"].pages if p.id == "outcome")
    assert outcome.asked == "later"


def test_a_step_link_opens_the_form_filled_from_its_case_without_javascript(tmp_path, forms):
    """The case page's "Record session 1" link, filled on the server, goes to the first
    question page with ?case=, shown by the server with the case's reference read-only and
    what the case knows filled in."""
    users = UserDirectory.in_data_dir(tmp_path)
    users.add("cjit_nojs", "cjit", "northshire_cjit", PASSWORD)
    mg14 = example_data("mg14")
    with LocalRun(tmp_path) as run:
        case, browser = opened_and_signed_in(run, mg14)
        served = browser.get(f"/cases/case.html?ref={case}")
        step = f'href="/forms/dip_session1_triage/session.html?case={case}"'
        assert step in served, "the case page links the step's first question page"
        page = browser.get(f"/forms/dip_session1_triage/session.html?case={case}")
        field = re.search(r'<input[^>]*name="case_ref"[^>]*>', page).group(0)
        assert "readonly" in field and f'value="{case}"' in field, field
        chosen = re.search(r'<input[^>]*name="dip_condition_type"[^>]*checked[^>]*>', page)
        assert chosen and f'value="{mg14["dip_condition_type"]}"' in chosen.group(0)
        assert hidden(page, "_case") == case and hidden(page, "_csrf")
        # signed out, the link asks for sign-in and comes back to the form with its case
        other = Browser(run.url)
        with other.opener.open(f"{run.url}/forms/dip_session1_triage/session.html?case={case}",
                               timeout=20) as response:
            assert urlsplit(response.url).path == "/sign-in.html"
            assert f"case%3D{case}" in urlsplit(response.url).query
