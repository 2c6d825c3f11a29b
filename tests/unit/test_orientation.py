"""Orientation (issue 16, item 6): the service navigation, the phase banner and the front
page as built from the project's forms and protocol; what GET /v1/session tells the pages
(chalicelib/domain/whoami.py)."""

from __future__ import annotations

import pytest
from chalicelib.contract.protocol import Protocol as ContractProtocol
from chalicelib.domain.access import AccessPolicy, Principal
from chalicelib.domain.whoami import who_am_i

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.edges.templating import make_environment
from generator.manifest import protocol_json
from generator.render.site import Site
from tests.local_run import ROOT
from tests.unit.test_render import parse


@pytest.fixture(scope="module")
def built():
    result = build_project(read_forms_dir(ROOT), {}, site=Site(make_environment()))
    assert result.ok
    return result


def nav(page: str) -> dict[str, object]:
    return {item.attrs["data-dipforms-nav"]: item for item in parse(page).all(
        "li", class_="govuk-service-navigation__item") if "data-dipforms-nav" in item.attrs}


def test_the_front_page_lists_the_forms_in_the_order_of_the_work_with_who_fills_them_in(built):
    index = parse(built.site["index.html"])
    items = index.all("li", class_="dipforms-form-list__item")
    forms = [i.attrs["data-dipforms-form"] for i in items]
    assert forms[0] == "mg14" and forms[1] == "dir_initial_contact" and len(forms) == 12
    assert items[0].attrs["data-owner-roles"] == "police"
    text = index.one("main").text()
    assert "Filled in by: Police custody" in text
    assert "Criminal Justice Integrated Team" in text
    for raw in ("Agency:", "Cjit", "Probation om", "Version", "1.0"):
        assert raw not in text, raw
    # signed out: one list and the sign-in line; the role's groups wait for session.js
    assert "hidden" in index.by_id("dipforms-your-forms").attrs
    line = [p for p in index.all("p") if "data-dipforms-signed-out" in p.attrs]
    assert [p.text() for p in line] == ["Sign in to fill in and submit forms"]


def test_a_forms_start_page_names_who_fills_it_in_by_the_protocols_title(built):
    for form, owner in (("dir_initial_contact", "Criminal Justice Integrated Team"),
                        ("mg14", "Police custody"),
                        ("dip_session1_triage", "Criminal Justice Integrated Team")):
        text = parse(built.site[f"forms/{form}/index.html"]).one("main").text()
        assert owner in text, form
        assert "Cjit" not in text


def test_the_navigation_marks_where_the_page_is_and_hides_what_waits_for_the_role(built):
    front = nav(built.site["index.html"])
    assert list(front) == ["forms", "cases", "due", "dashboard"]
    assert "hidden" not in front["forms"].attrs
    assert all("hidden" in front[k].attrs for k in ("cases", "due", "dashboard"))
    assert front["forms"].one("a").attrs["aria-current"] == "page"
    assert "aria-current" not in front["cases"].one("a").attrs
    form_page = nav(built.site["forms/mg14/index.html"])
    assert form_page["forms"].one("a").attrs["aria-current"] == "true"
    dashboard = nav(built.site["admin/dashboard.html"])
    assert dashboard["dashboard"].one("a").attrs["aria-current"] == "page"
    assert "aria-current" not in dashboard["forms"].one("a").attrs
    case = nav(built.site["cases/case.html"])
    assert case["cases"].one("a").attrs["aria-current"] == "true"


def test_welsh_pages_link_to_welsh_pages_and_say_when_a_page_is_english_only(built):
    welsh = nav(built.site["cy/index.html"])
    assert welsh["forms"].one("a").attrs["href"] == "/cy/index.html"
    # the case pages are in Welsh too (issue 16 item 8): Cases and Due stay in Welsh
    cases = welsh["cases"].one("a")
    assert cases.attrs["href"] == "/cy/cases/index.html" and "hreflang" not in cases.attrs
    assert welsh["due"].one("a").attrs["href"] == "/cy/cases/due.html"
    dashboard = welsh["dashboard"].one("a")
    assert dashboard.attrs["href"] == "/admin/dashboard.html"
    assert dashboard.attrs["hreflang"] == "en"
    assert welsh["forms"].one("a").text() == "Ffurflenni"


def test_every_page_has_the_phase_banner_in_the_header(built):
    for path in ("index.html", "sign-in.html", "forms/mg14/index.html", "cy/index.html"):
        banner = parse(built.site[path]).one("header").one(class_="govuk-phase-banner")
        assert banner.one("strong").text() == "Beta"


def test_who_am_i_names_the_agency_and_only_the_forms_the_role_may_submit(built):
    import json

    protocol = ContractProtocol.from_json(json.loads(json.dumps(protocol_json(built.project))))
    policy = AccessPolicy.from_protocol(protocol, form_ids=[f.id for f in built.project.forms])
    police = who_am_i(Principal("pc_jones", "police", "northshire_police"), policy, protocol)
    assert police["user"]["agency_name"] == protocol.agency("northshire_police").name
    assert police["forms"]["submit"] == ["dip_protocol_checklist", "mg14"]
    cps = who_am_i(Principal("cps_lawyer", "cps", "northshire_cps"), policy, protocol)
    assert "mg14" not in cps["forms"]["submit"] and "mg14" in cps["forms"]["read"]
    # an agency the protocol does not know: its id, and nothing to submit
    stranger = who_am_i(Principal("x", "police", "elsewhere_police"), policy, protocol)
    assert stranger["user"]["agency_name"] == "elsewhere_police"
    assert stranger["forms"] == {"submit": [], "read": []}


def test_the_navigation_for_a_page_the_server_renders_follows_the_role():
    from generator.render.site import navigation_for

    police = navigation_for({"user": {"id": "pc", "role": "police", "agency": "np",
                                      "agency_name": "Northshire Police"}})
    assert police == {"shown": {"forms", "cases", "due"}, "user": "pc",
                      "agency": "Northshire Police"}
    admin = navigation_for({"user": {"id": "d", "role": "dat_admin", "agency": "nd"}})
    assert admin["shown"] == {"forms", "dashboard"} and admin["agency"] == "nd"
    assert navigation_for(None) is None and navigation_for({"user": "x"}) is None
