"""Rendering GOV.UK components by shape gives exactly what calling the macros gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup

from bench.synthetic import project
from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.edges.templating import make_environment
from generator.render.components import ComponentCache, Fragments
from generator.render.site import Site

ROOT = Path(__file__).resolve().parents[2]


def direct_environment():
    """The same environment, but every component call runs its macro and every kept
    fragment (`once`, Fragments) is rendered each time."""
    env = make_environment()
    cache = env.globals["govuk"]
    env.globals["govuk"] = lambda name, params: cache.macro(name)(params)
    env.globals["once"] = lambda *key, caller, when=True: caller()
    return env


@pytest.mark.parametrize("name", ["dip-set", "synthetic"])
def test_every_page_is_byte_identical_to_direct_macro_calls(name):
    files = read_forms_dir(ROOT) if name == "dip-set" else project(3, 40)
    cached_env = make_environment()
    cached = build_project(files, {}, site=Site(cached_env)).site
    direct = build_project(files, {}, site=Site(direct_environment())).site
    assert cached.keys() == direct.keys()
    different = [path for path in cached if cached[path] != direct[path]]
    assert different == []
    cache = cached_env.globals["govuk"]
    assert cache.renders < cache.calls  # shapes really were reused
    fragments = cached_env.globals["once"]
    assert len(fragments.kept) < fragments.calls / 4  # the header, footer, scripts reused


def test_text_is_escaped_and_markup_is_not():
    cache = ComponentCache(make_environment())
    first = cache("govukHint", {"id": "a", "text": "<b>Fish & chips</b>"})
    second = cache("govukHint", {"id": "b", "text": "Plain"})
    html = cache("govukHint", {"id": "c", "html": Markup("<b>bold</b>")})
    assert "&lt;b&gt;Fish &amp; chips&lt;/b&gt;" in first and 'id="a"' in first
    assert "Plain" in second and 'id="b"' in second
    assert "<b>bold</b>" in html
    assert cache.renders == 2


def test_equal_texts_stay_equal_for_the_macro():
    """A radio item is checked when its value equals the field's value: tokens keep that."""
    cache = ComponentCache(make_environment())
    params = {"name": "x", "value": "b", "items": [{"value": "a", "text": "A"},
                                                    {"value": "b", "text": "B"}]}
    html = cache("govukRadios", params)
    assert html == cache.macro("govukRadios")(params)
    assert html.count("checked") == 1


def test_a_fragment_is_rendered_once_per_key_and_never_kept_for_one_user():
    once = Fragments()
    rendered = []

    def body(text):
        def caller():
            rendered.append(text)
            return Markup(text)
        return caller

    assert once("header", "en", True, caller=body("<p>en</p>")) == "<p>en</p>"
    assert once("header", "en", True, caller=body("<p>other</p>")) == "<p>en</p>"
    assert once("header", "cy", True, caller=body("<p>cy</p>")) == "<p>cy</p>"
    assert once("header", "en", True, caller=body("<p>me</p>"), when=False) == "<p>me</p>"
    assert rendered == ["<p>en</p>", "<p>cy</p>", "<p>me</p>"]
    assert len(once.kept) == 2


def test_shapes_differ_by_key_order_and_by_type():
    """Attributes are written in their order, so two orders are two shapes; a literal
    Markup and a str of the same text are two shapes (one is escaped, one is not)."""
    cache = ComponentCache(make_environment())
    macro = cache.macro("govukInput")
    one = {"id": "a", "name": "a", "attributes": {"data-x": "1", "data-y": "2"}}
    other = {"id": "a", "name": "a", "attributes": {"data-y": "2", "data-x": "1"}}
    assert cache("govukInput", one) == macro(one)
    assert cache("govukInput", other) == macro(other)
    assert cache("govukInput", one) != cache("govukInput", other)
    text = {"id": "b", "text": " <b>x</b>"}          # a leading space: kept in the shape
    markup = {"id": "b", "text": Markup(" <b>x</b>")}
    assert cache("govukHint", text) == cache.macro("govukHint")(text)
    assert cache("govukHint", markup) == cache.macro("govukHint")(markup)
    assert "&lt;b&gt;" in cache("govukHint", text) and "<b>" in cache("govukHint", markup)
