"""The offline files (generator/render/offline.py): sw.js precaches every file but the print and
"not found" pages, its version changes with any byte of the site, and the offline page is
there in each of the site's languages."""

from __future__ import annotations

import json
import re

from generator.render.offline import offline_files, precache_urls, service_worker, site_version
from generator.render.text import WORDS
from tests.unit.test_render import ENV, WELSH, parse, site_of
from tests.yaml_cases import fields_form

ASSETS = {"assets/dipforms.css": b"body{color:#0b0c0c}", "assets/dipforms.js": b"void 0;\n"}


def site(form_yaml: str = WELSH, **extra: str | bytes) -> dict[str, str | bytes]:
    """A built site as write.py assembles it: pages, assets, then the offline files."""
    files: dict[str, str | bytes] = {**site_of(form_yaml), **ASSETS, **extra}
    files.update(offline_files(files, env=ENV))
    return files


def worker_constant(text: str, name: str):
    match = re.search(rf"^const {name} = (.*);$", text, re.MULTILINE)
    assert match, name
    return json.loads(match.group(1))


def test_precache_is_every_file_but_the_worker_print_and_not_found_pages():
    files = site(**{"404.html": "<h1>Not found</h1>", "cy/404.html": "<h1>Dim</h1>",
                    "settings.json": "{}"})
    urls = worker_constant(files["sw.js"], "PRECACHE")
    assert len(urls) == len(set(urls))
    assert {u.removeprefix("/") for u in urls} == {
        p for p in files
        if p != "sw.js" and not p.endswith(("print.html", "404.html"))}
    assert "/forms/t/print.html" not in urls and "/cy/forms/t/print.html" not in urls
    assert {"/forms/t/index.html", "/cy/forms/t/main.html", "/assets/dipforms.js",
            "/settings.json", "/index.html"} <= set(urls)
    assert urls[:2] == ["/cy/offline.html", "/offline.html"]       # what matters most first
    assert all(u.startswith("/assets/") for u in urls[2:2 + len(ASSETS)])


def test_every_precached_url_is_a_file_of_the_site():
    files = site()
    for url in worker_constant(files["sw.js"], "PRECACHE"):
        assert url.startswith("/") and url[1:] in files, url


def test_version_changes_when_any_file_changes():
    files = site()
    version = site_version(files)
    assert re.fullmatch(r"[0-9a-f]{20}", version)
    assert site_version(dict(reversed(list(files.items())))) == version   # order-free
    assert site_version({**files, "sw.js": "anything"}) == version        # not its own bytes
    changed = [
        {**files, "forms/t/main.html": files["forms/t/main.html"] + " "},  # a page
        {**files, "assets/dipforms.css": ASSETS["assets/dipforms.css"] + b" "},  # an asset
        {**files, "assets/new.js": b""},                                   # a new, empty file
        {k: v for k, v in files.items() if k != "cy/forms/t/done.html"},   # a file gone
        {("forms/t/other.html" if k == "forms/t/main.html" else k): v      # a file renamed
         for k, v in files.items()},
    ]
    versions = {site_version(c) for c in changed}
    assert version not in versions and len(versions) == len(changed)
    # a path's end moved into its content is still another site
    assert site_version({"ab": b"c"}) != site_version({"a": b"bc"})


def test_worker_embeds_its_version_and_changes_with_the_site():
    files = site()
    text = files["sw.js"]
    assert worker_constant(text, "VERSION") == site_version(files)
    assert worker_constant(text, "OFFLINE") == {"en": "/offline.html", "cy": "/cy/offline.html"}
    assert service_worker(files, env=ENV) == text                          # same bytes again
    edited = {**files, "assets/dipforms.js": b"void 1;\n"}
    assert worker_constant(service_worker(edited, env=ENV), "VERSION") != site_version(files)
    assert "/v1/" in text and 'request.method !== "GET"' in text          # never the API


def test_offline_page_in_each_language_of_the_site():
    files = site()
    for lang, path, home in (("en", "offline.html", "/index.html"),
                             ("cy", "cy/offline.html", "/cy/index.html")):
        doc = parse(files[path])
        assert doc.one("html").attrs["lang"] == lang
        assert doc.one("h1").text() == WORDS[lang]["offline_title"]
        assert WORDS[lang]["offline_lead"] in doc.one("main").text()
        assert doc.one("main").all("a", href=home)
        assert not doc.all("nav", class_="dipforms-language-switch")     # nothing to switch to
        assert doc.one("title").text().startswith(WORDS[lang]["offline_title"])


def test_an_english_only_site_has_one_offline_page():
    files = site(fields_form("- {id: a, type: text, label: A}"))
    assert "offline.html" in files and "cy/offline.html" not in files
    assert worker_constant(files["sw.js"], "OFFLINE") == {"en": "/offline.html"}


def test_precache_order_puts_offline_pages_then_assets_first():
    urls = precache_urls(["forms/a/index.html", "assets/x.js", "offline.html", "index.html",
                          "forms/a/print.html", "sw.js"])
    assert urls == ["/offline.html", "/assets/x.js", "/forms/a/index.html", "/index.html"]
