"""A rebuild with the cache gives the same bytes as a fresh build, and re-renders only the
forms whose inputs changed."""

from __future__ import annotations

from generator.build import BuildCache, build_project
from generator.edges.templating import make_environment
from generator.render.site import Site
from tests.yaml_cases import BASE_FILES, FORM_HEADER

ENV = make_environment()


class CountingSite:
    """The real Site, counting which forms it renders."""

    def __init__(self) -> None:
        self.site = Site(ENV)
        self.rendered: list[str] = []

    def form(self, form, owner=None):
        self.rendered.append(form.id)
        return self.site.form(form, owner)

    def index(self, forms, **options):
        return self.site.index(forms, **options)


def form(form_id: str, label: str = "Surname") -> str:
    return FORM_HEADER.replace("form: t", f"form: {form_id}") + (
        "pages:\n  - id: main\n    title: Main\n    fields:\n"
        f"      - {{id: surname, type: text, label: {label}}}\n")


def files(**forms: str) -> dict[str, str]:
    return {**BASE_FILES, **{f"forms/{name}.yaml": text for name, text in forms.items()}}


def test_rebuild_renders_only_the_changed_form_and_matches_a_fresh_build():
    cache, site = BuildCache(), CountingSite()
    first = build_project(files(a=form("a"), b=form("b")), {}, site=site, cache=cache)
    assert sorted(site.rendered) == ["a", "b"]
    site.rendered.clear()
    changed = files(a=form("a", "Family name"), b=form("b"))
    second = build_project(changed, {}, site=site, cache=cache)
    assert site.rendered == ["a"]
    fresh = build_project(changed, {}, site=CountingSite())
    assert second.site == fresh.site and second.schemas == fresh.schemas
    assert second.site != first.site
    assert any("Family name" in page for page in second.site.values())


def test_a_shared_file_change_rebuilds_every_form():
    cache, site = BuildCache(), CountingSite()
    build_project(files(a=form("a"), b=form("b")), {}, site=site, cache=cache)
    site.rendered.clear()
    shared = files(a=form("a"), b=form("b"))
    shared["forms/codelists/offence_class.yaml"] += "  - {code: other, label: Other}\n"
    build_project(shared, {}, site=site, cache=cache)
    assert sorted(site.rendered) == ["a", "b"]


def test_errors_after_a_good_build_are_still_reported():
    cache = BuildCache()
    assert build_project(files(a=form("a")), {}, site=CountingSite(), cache=cache).ok
    broken = build_project(files(a=form("a").replace("type: text", "type: txt")), {},
                           site=CountingSite(), cache=cache)
    assert [d.code for d in broken.diagnostics] == ["F004"]


def test_a_rebuild_parses_only_the_changed_form(monkeypatch):
    from generator.parse.form import FormParser

    parsed: list[str] = []
    real = FormParser.form

    def counting(self, node, file_id):
        parsed.append(file_id)
        return real(self, node, file_id)

    monkeypatch.setattr(FormParser, "form", counting)
    cache = BuildCache()
    build_project(files(a=form("a"), b=form("b")), {}, site=CountingSite(), cache=cache)
    assert sorted(parsed) == ["a", "b"]
    parsed.clear()
    changed = files(a=form("a", "Family name"), b=form("b"))
    again = build_project(changed, {}, site=CountingSite(), cache=cache)
    assert parsed == ["a"]
    shared = dict(changed)
    shared["forms/codelists/offence_class.yaml"] += "  - {code: other, label: Other}\n"
    parsed.clear()
    build_project(shared, {}, site=CountingSite(), cache=cache)
    assert sorted(parsed) == ["a", "b"]
    fresh = build_project(changed, {}, site=CountingSite())
    assert again.site == fresh.site and again.schemas == fresh.schemas


def test_a_kept_form_reports_what_a_fresh_parse_would_after_an_earlier_form_changes():
    """A form with no pages is reported only when nothing before it was (parse/form.py), so
    fixing an earlier form must bring its F009, and its own mistakes stay reported."""
    cache = BuildCache()
    empty = FORM_HEADER.replace("form: t", "form: b") + "pages: []\n"
    wrong = form("c").replace("type: text", "type: txt")
    broken = files(a=form("a").replace("type: text", "type: txt"), b=empty, c=wrong)
    fixed = files(a=form("a"), b=empty, c=wrong)
    for sources in (broken, fixed, broken, fixed):
        kept = build_project(sources, {}, site=CountingSite(), cache=cache)
        fresh = build_project(sources, {}, site=CountingSite())
        assert [d.headline() for d in kept.diagnostics] == [
            d.headline() for d in fresh.diagnostics]
    assert "F009" in [d.code for d in fresh.diagnostics]
    assert "F009" not in [d.code for d in build_project(broken, {}).diagnostics]
