"""The compiled templates kept between processes (generator/edges/templating.py): a fresh
Environment uses them instead of compiling, an edited template is compiled afresh, and a
folder that cannot be made only means compiling every time."""

from __future__ import annotations

import shutil

from bench.synthetic import project
from generator.build import build_project
from generator.edges.templating import TEMPLATES_DIR, make_environment
from generator.render.site import Site

FILES = project(1, 12)


def pages(env) -> dict[str, str]:
    result = build_project(FILES, {}, site=Site(env))
    assert result.ok
    return result.site


def refuse_to_compile(env):
    def compile_(*args, **kwargs):
        raise AssertionError("compiled a template the cache holds")
    env.compile = compile_
    return env


def test_a_fresh_environment_uses_the_kept_templates_and_renders_the_same(tmp_path):
    first = pages(make_environment(tmp_path / "cache"))
    assert len(list((tmp_path / "cache").iterdir())) >= 20
    again = pages(refuse_to_compile(make_environment(tmp_path / "cache")))
    assert again == first
    assert again == pages(make_environment(None))   # the same pages as with no cache


def test_an_edited_template_is_compiled_afresh(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    before = pages(make_environment(tmp_path / "cache", templates))
    assert all("A footer edited" not in html for html in before.values())
    base = templates / "base.html"
    base.write_text(base.read_text().replace("{{ t.footer }}", "A footer edited"))
    after = pages(make_environment(tmp_path / "cache", templates))
    assert "A footer edited" in after["forms/f000/page_0.html"]
    # the recompiled template is kept: the next process renders the edit without compiling
    kept = pages(refuse_to_compile(make_environment(tmp_path / "cache", templates)))
    assert kept == after


def test_a_folder_that_cannot_be_made_means_compiling_every_time(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = make_environment(blocker / "cache")
    assert env.bytecode_cache is None
    assert pages(env) == pages(make_environment(None))
