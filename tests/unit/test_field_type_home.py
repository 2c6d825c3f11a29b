"""One home per type: what a field type does on the page, in a post and in a summary comes
from its registry entry (generator/fields), and the page scripts know kinds, not types.

The Python and the scripts share two small tables: the kinds of inputs (fields/inputs.py,
static/answers.js READERS) and the kinds of words an answer is shown as (FieldType.shown_as,
static/summary.js SHOW). These tests keep each pair in step, and keep type names out of the
modules that used to switch on them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.fields import FIELD_TYPES
from generator.fields.inputs import PART_INPUTS, READERS, WRITERS, Inputs, parts_inputs

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "generator" / "static"


def js_table(script: str, name: str) -> set[str]:
    """The keys of `var NAME = { key: ..., }` at the table's own indent in a page script."""
    text = (STATIC / script).read_text(encoding="utf-8")
    start = re.search(rf"^(\s*)var {name} = \{{\n", text, re.M)
    assert start, f"{script} has no {name} table"
    indent = start.group(1) + "  "
    body = text[start.end():text.index("\n" + start.group(1) + "};", start.end())]
    return set(re.findall(rf"^{indent}(\w+): ", body, re.M))


def test_every_input_kind_is_read_the_same_in_python_and_answers_js():
    python = set(READERS) | {"parts", "items"}
    assert set(WRITERS) == set(READERS)
    assert js_table("answers.js", "READERS") == python
    assert {t.inputs.kind for t in FIELD_TYPES.values() if t.has_value} <= python


def test_every_way_an_answer_is_shown_is_one_summary_js_knows():
    shown = {t.shown_as for t in FIELD_TYPES.values() if t.has_value}
    assert shown - {"items"} <= js_table("summary.js", "SHOW")
    assert "text" in js_table("summary.js", "SHOW")


@pytest.mark.parametrize("name", [n for n, t in FIELD_TYPES.items() if t.parts])
def test_a_type_made_of_parts_posts_each_of_its_parts(name):
    ftype = FIELD_TYPES[name]
    assert ftype.inputs == parts_inputs(ftype.parts)
    assert [p for p, _ in ftype.inputs.parts] == [p for p, _, _ in ftype.parts]
    assert all(kind in PART_INPUTS.values() for _, kind in ftype.inputs.parts)


def test_a_signatures_parts_are_read_each_by_its_own_kind():
    inputs = FIELD_TYPES["signature"].inputs
    assert inputs.parts_attribute == "name:text role:text date:date confirmed:tick"
    raw = {"s[name]": [" Sam "], "s[role]": [""], "s[date][day]": ["5"],
           "s[date][month]": ["1"], "s[date][year]": ["2026"], "s[confirmed]": ["true"]}
    assert inputs.read(raw, "s") == {"name": "Sam", "date": "2026-01-05", "confirmed": True}
    assert inputs.focus == "name" and inputs.part_focus("date") == "date-day"
    assert FIELD_TYPES["date"].inputs.focus == "day" and Inputs("text").focus is None


def test_only_the_repeat_holds_items():
    assert {n for n, t in FIELD_TYPES.items() if t.holds_items} == {"repeat"}


#: Where a switch on a field type's name would be: these now ask the type's entry.
SWITCH = re.compile(r"""\.type\s*(==|!=|in\b|not in\b)|\btype\s*===?\s*["']|dataset\.type\b"""
                    r"""|\bq\.type\b|DEFAULT_WIDTHS|NO_SPELLCHECK|NO_VALUE""")
ASKING = ["generator/render/views.py", "generator/fields/posted.py",
          "generator/render/questions.py", "generator/static/answers.js",
          "generator/static/summary.js", "generator/static/record.js"]


@pytest.mark.parametrize("relative", ASKING)
def test_no_switch_on_a_field_types_name(relative):
    lines = [f"{n}: {line.strip()}" for n, line in
             enumerate((ROOT / relative).read_text(encoding="utf-8").splitlines(), 1)
             if SWITCH.search(line) and not re.search(r"\bel\.type\b", line)]
    assert lines == []


def test_the_switch_scan_sees_the_old_switches():
    old = ['if f.type == "repeat":', 'if f.type in NO_VALUE:',
           'if (q.type === "repeat")', 'READERS[wrapper.dataset.type]']
    assert [bool(SWITCH.search(line)) for line in old] == [True, True, True, True]
