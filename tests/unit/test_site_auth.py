"""How the pages sign in, chosen when the site is built: the environment read by
`workspace.site_auth`, and what the pages then carry (the sign-in page, the Cognito callback
page, `#dipforms-config` on every page, cognito.js)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from chalicelib.domain.access import ROLES

from generator.edges.templating import make_environment
from generator.edges.workspace import site_auth
from generator.render.site import LOCAL_AUTH, SiteAuth, render_site
from tests.unit.test_render import WELSH, parse
from tests.yaml_cases import build_yaml

ROOT = Path(__file__).resolve().parents[2]
ENV = make_environment()
DOMAIN = "https://dipforms.auth.eu-west-2.amazoncognito.com"
COGNITO = {"DIPFORMS_AUTH": "cognito", "DIPFORMS_COGNITO_DOMAIN": DOMAIN + "/",
           "DIPFORMS_COGNITO_CLIENT_ID": "3n4b5urk1ft4fl3mg5e7q4example"}


def test_local_unless_the_environment_says_cognito():
    assert site_auth({}) is LOCAL_AUTH
    assert site_auth({"DIPFORMS_AUTH": "local", "DIPFORMS_COGNITO_DOMAIN": DOMAIN}) is LOCAL_AUTH
    assert site_auth(COGNITO) == SiteAuth("cognito", domain=DOMAIN,
                                          client_id="3n4b5urk1ft4fl3mg5e7q4example")
    loopback = {**COGNITO, "DIPFORMS_COGNITO_DOMAIN": "http://127.0.0.1:9000"}
    assert site_auth(loopback).domain == "http://127.0.0.1:9000"


@pytest.mark.parametrize("change, variable", [
    ({"DIPFORMS_AUTH": "saml"}, "DIPFORMS_AUTH"),
    ({"DIPFORMS_COGNITO_DOMAIN": ""}, "DIPFORMS_COGNITO_DOMAIN"),
    ({"DIPFORMS_COGNITO_DOMAIN": "http://dipforms.auth.eu-west-2.amazoncognito.com"},
     "DIPFORMS_COGNITO_DOMAIN"),
    ({"DIPFORMS_COGNITO_DOMAIN": DOMAIN + "/oauth2/authorize"}, "DIPFORMS_COGNITO_DOMAIN"),
    ({"DIPFORMS_COGNITO_DOMAIN": DOMAIN + "?x=1"}, "DIPFORMS_COGNITO_DOMAIN"),
    ({"DIPFORMS_COGNITO_DOMAIN": "https://user@evil.example"}, "DIPFORMS_COGNITO_DOMAIN"),
    ({"DIPFORMS_COGNITO_CLIENT_ID": ""}, "DIPFORMS_COGNITO_CLIENT_ID"),
    ({"DIPFORMS_COGNITO_CLIENT_ID": "abc&redirect_uri=x"}, "DIPFORMS_COGNITO_CLIENT_ID"),
])
def test_a_wrong_setting_is_refused_by_name(change, variable):
    with pytest.raises(ValueError, match=variable):
        site_auth({**COGNITO, **change})


def site(auth: SiteAuth) -> dict[str, str]:
    result = build_yaml(WELSH)
    assert result.ok, [str(d) for d in result.diagnostics]
    return render_site(result.project.forms, env=ENV, auth=auth)


def config_of(html: str) -> dict:
    return json.loads(parse(html).by_id("dipforms-config").text())


def scripts_of(html: str) -> list[str]:
    return [s.attrs["src"] for s in parse(html).all("script") if s.attrs.get("src")]


def test_cognito_pages_offer_the_organisation_account_and_carry_the_hosted_ui():
    pages = site(site_auth(COGNITO))
    sign_in = parse(pages["sign-in.html"])
    assert sign_in.all("input") == [] and sign_in.all("form", class_="dipforms-sign-in") == []
    button = sign_in.by_id("dipforms-cognito-sign-in")
    assert (button.tag, button.attrs["type"]) == ("button", "button")
    assert button.text() == "Sign in with your organisation account"
    assert parse(pages["cy/sign-in.html"]).by_id("dipforms-cognito-sign-in").text() == \
        "Mewngofnodi gyda chyfrif eich sefydliad"
    for path, html in pages.items():     # every page: sign-out needs the hosted UI too
        cy = path.startswith("cy/")
        config = config_of(html)
        assert config["auth"] == "cognito", path
        assert config["cognito"] == {"domain": DOMAIN,
                                     "clientId": "3n4b5urk1ft4fl3mg5e7q4example",
                                     "callback": "/cy/signed-in.html" if cy
                                     else "/signed-in.html"}, path
        scripts = scripts_of(html)
        assert "/assets/cognito.js" in scripts, path
        assert scripts.index("/assets/cognito.js") < scripts.index("/assets/dipforms.js")


def test_the_callback_page_exists_in_each_language_with_its_error_summary_hidden():
    pages = site(site_auth(COGNITO))
    for path, lang in (("signed-in.html", "en"), ("cy/signed-in.html", "cy")):
        doc = parse(pages[path])
        assert doc.one("html").attrs["lang"] == lang
        summary = doc.by_id("dipforms-sign-in-error")
        assert "hidden" in summary.attrs and summary.attrs["tabindex"] == "-1"
        reasons = {p.attrs["data-reason"] for p in summary.all("p")}
        assert reasons == {"stopped", "expired", "unfinished"}
        again = doc.by_id("dipforms-sign-in-again")
        assert again.attrs["href"] == ("/cy/sign-in.html" if lang == "cy" else "/sign-in.html")
        assert doc.by_id("dipforms-signing-in").attrs["role"] == "status"
    assert parse(pages["cy/signed-in.html"]).by_id("dipforms-sign-in-again").text() == \
        "Rhowch gynnig arall ar fewngofnodi"


def test_local_pages_have_no_callback_page_and_no_cognito_script():
    pages = site(LOCAL_AUTH)
    assert "signed-in.html" not in pages and "cy/signed-in.html" not in pages
    parse(pages["sign-in.html"]).by_id("password")
    for path, html in pages.items():
        config = config_of(html)
        assert (config["auth"], config["cognito"]) == ("local", None), path
        assert "/assets/cognito.js" not in scripts_of(html), path


def test_the_page_script_knows_the_same_roles_as_the_api():
    script = (ROOT / "generator/static/cognito.js").read_text()
    listed = re.search(r"var ROLES = \[(.*?)\];", script).group(1)
    assert tuple(json.loads(f"[{listed}]")) == tuple(ROLES)
