"""generator/static/checks.js answers as the API's `validate` does, compared with the real
Python validator (jsonschema-rs for the verdict, jsonschema for the fields, the rules):
every example in both languages, one page at a time, inline forms that use every condition
the generator compiles, and the edges where Python's regular expressions and formats differ
from JSON Schema's. Node runs the real scripts once for all cases (tests/checks_runner.js).
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import shutil
import subprocess
from typing import Any

import pytest
from chalicelib.catalogue import FormSchema
from chalicelib.domain.validation import field_schema, pointer, schema_errors, validate

from generator.edges.templating import make_environment
from generator.render.site import Site
from tests.examples import ROOT, load_examples
from tests.yaml_cases import build_yaml, fields_form, with_header

NODE = shutil.which("node")
RUNNER = ROOT / "tests" / "checks_runner.js"
needs_node = pytest.mark.skipif(
    NODE is None, reason="node (Node.js 20) is not on PATH, so checks.js cannot be run")

EXAMPLES = load_examples()
MANIFEST = json.loads((ROOT / "schemas" / "manifest.json").read_text())
FORMS = {f["id"]: f["current_version"] for f in MANIFEST["forms"]}
TODAY = datetime.date(2026, 11, 25)


def _form(form_id: str) -> FormSchema:
    version = FORMS[form_id]
    path = ROOT / "schemas" / form_id / f"{version}.schema.json"
    return FormSchema(form_id, version, json.loads(path.read_text()))


SCHEMAS = {form_id: _form(form_id) for form_id in FORMS}


def run_checks(schemas: dict[str, dict], jobs: list[dict]) -> list[dict]:
    """checks.js's {errors, warnings} (or {exception}) for each job, from one node process."""
    payload = json.dumps({"schemas": schemas, "jobs": jobs})
    done = subprocess.run([NODE, str(RUNNER)], input=payload, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def api_answer(form: FormSchema, data: Any, today: datetime.date, lang: str = "en",
               made_on: datetime.date | None = None) -> dict:
    """What the API decides (records.check_answers), in the shape checks.js returns."""
    errors, warnings = validate(form.schema, form.detailed, data, today=today, lang=lang,
                                fast=form.fast, made_on=made_on)
    return {"errors": [e.as_json() for e in errors], "warnings": [w.as_json() for w in warnings]}


def top_field(field: str) -> str | None:
    """The top-level field id of an error's pointer (None for the whole submission)."""
    return field.split("/")[1].replace("~1", "/").replace("~0", "~") if field else None


def only(answer: dict, fields: list[str]) -> dict:
    keep = lambda e: top_field(e["field"]) in (None, *fields)  # noqa: E731
    return {k: [e for e in answer[k] if keep(e)] for k in ("errors", "warnings")}


class Batch:
    """Cases gathered first and run by one node process; each with the API's answer."""

    def __init__(self, schemas: dict[str, FormSchema]):
        self.schemas = schemas
        self.cases: list[tuple[str, dict, dict]] = []  # (label, job, expected)

    def add(self, label: str, form_id: str, data: Any, today: datetime.date, *,
            lang: str = "en", fields: list[str] | None = None, expected: dict | None = None):
        options: dict[str, Any] = {"today": today.isoformat(), "lang": lang}
        if fields is not None:
            options["fields"] = fields
        if expected is None:
            expected = api_answer(self.schemas[form_id], data, today, lang)
            expected = only(expected, fields) if fields is not None else expected
        self.cases.append((label, {"schema": form_id, "data": data, "options": options},
                           expected))

    def run(self) -> list[tuple[str, dict, dict]]:
        """(label, what checks.js said, what the API said) for every case."""
        got = run_checks({k: f.schema for k, f in self.schemas.items()},
                         [job for _, job, _ in self.cases])
        return [(label, answer, expected)
                for (label, _, expected), answer in zip(self.cases, got, strict=True)]


def mismatches(results) -> list[str]:
    return [f"{label}:\n  checks.js {answer}\n  API       {expected}"
            for label, answer, expected in results if answer != expected]


@pytest.fixture(scope="module")
def example_results() -> dict[str, tuple[dict, dict]]:
    batch = Batch(SCHEMAS)
    for example in EXAMPLES:
        batch.add(example.id, example.form, example.data, example.today)
    return {label: (answer, expected) for label, answer, expected in batch.run()}


@needs_node
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_example_gets_the_api_errors(example, example_results):
    answer, expected = example_results[example.id]
    assert answer == expected
    if example.expect is not None:  # not vacuous: the example's own expected errors
        found = sorted((e["field"], e["message"]) for e in answer["errors"] + answer["warnings"])
        assert tuple(found) == example.expect


@needs_node
def test_examples_in_welsh():
    batch = Batch(SCHEMAS)
    for example in EXAMPLES:
        batch.add(example.id, example.form, example.data, example.today, lang="cy")
    results = batch.run()
    assert mismatches(results) == []
    welsh = {e["message"] for _, answer, _ in results for e in answer["errors"]}
    english = {e["message"] for example in EXAMPLES for e in
               api_answer(SCHEMAS[example.form], example.data, example.today)["errors"]}
    assert welsh - english, "no Welsh message was used: the lang option was not exercised"


def _pages(form_id: str) -> list[list[str]]:
    return [page["fields"] for page in SCHEMAS[form_id].schema["x-dipforms"]["pages"]]


@needs_node
def test_one_page_at_a_time():
    """`fields` keeps one page's errors; the answers of earlier pages only (as while filling
    in) still give the API's errors for that page: rules on later answers wait for them."""
    batch = Batch(SCHEMAS)
    for example in EXAMPLES:
        pages = _pages(example.form)
        for number, fields in enumerate(pages):
            batch.add(f"{example.id} page {number + 1} of the whole", example.form,
                      example.data, example.today, fields=fields)
            if not isinstance(example.data, dict):
                continue
            so_far = {f for page in pages[:number + 1] for f in page}
            partial = {k: v for k, v in example.data.items() if k in so_far}
            batch.add(f"{example.id} page {number + 1} so far", example.form, partial,
                      example.today, fields=fields)
    results = batch.run()
    assert mismatches(results) == []
    whole = {label.rsplit(" page", 1)[0]: answer for label, answer, _ in results}
    kept = sum(len(answer["errors"]) for _, answer, _ in results)
    assert 0 < kept and any(answer["errors"] for answer in whole.values())
    assert any(label.endswith("so far") and answer["errors"] for label, answer, _ in results)


#: Strings where Python's `re` and formats differ from JSON Schema's (ECMA-262 and
#: jsonschema-rs), and ordinary right and wrong answers for each kind of field.
EDGES = [
    "", " ", "2026-01-01", "2026-01-01\n", "2026-02-29", "2024-02-29", "0000-01-01",
    "2026-13-01", "2026-1-01", "\u0662\u0660\u0662\u0666-01-01", "2026-01-01T10:00",
    "2026-01-01T24:00", "2026-01-01T10:00\n", "23:59", "24:00", "7:05", "12:30\n",
    "AA3 1AB", "aa31ab", "AA3 1AB\n", "SW1A\u00a01AA", "01632 960 001",
    "+44 (0) 1632 960001", "0163296000\u0661", "07700 900 982\n", "name@example.com",
    "a..b@example.com", ".a@example.com", "a@-x.com", "a@x..com", "a@[1.2.3.4]",
    '"a"@x.com', "\u00e9@example.com", "a@\u00e9.com", "a\x1cb@example.com",
    "a\ufeffb@example.com", "a@b\u2028c.com", "a@x.com\n", "a" * 65 + "@x.com",
    "a@xx--y.com", "a@x_y.com", '""@x.com', '"a b"@x.com', '"a\\"b"@x.com', "a@[IPv6:::1]",
    "a@[1.2.3.04]", "a@[300.1.1.1]", "a@XN--bcher-kva.example", "a@x.c-m", "#!$%@x.com",
    "a." + "b" * 62 + "@x.com", "a@" + "b" * 64 + ".com", "a@" + "b." * 126 + "com",
    "Mary-Jane O'Neil", "Zo\u00eb", "Jo3", "Jo\n",
    "Ab\u0085c", "A\x1cB", "12/1234567A", "12/1234567A\n", "ab", "abc/def-1", "ab\u0661c",
    "x" * 600,
]


def _string_leaves(schema: dict, data: Any, at: list) -> list[tuple[list, dict]]:
    """(path, schema) of each answered string with a pattern or format."""
    if isinstance(data, dict):
        return [leaf for k, v in data.items() for leaf in _string_leaves(schema, v, [*at, k])]
    if isinstance(data, list):
        return [leaf for i, v in enumerate(data) for leaf in _string_leaves(schema, v, [*at, i])]
    prop = field_schema(schema, at)
    wanted = isinstance(data, str) and ("pattern" in prop or "format" in prop)
    return [(at, prop)] if wanted else []


def _replaced(data: Any, path: list, value: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


@needs_node
def test_regular_expression_and_format_edges():
    """Each kind of string (its pattern, format and length, at the top or inside a
    composite or repeat) once, with every edge."""
    batch, fallbacks, seen = Batch(SCHEMAS), 0, set()
    for example in EXAMPLES:
        if not example.name.startswith("valid/"):
            continue
        form = SCHEMAS[example.form]
        for path, prop in _string_leaves(form.schema, example.data, []):
            kind = (prop.get("pattern"), prop.get("format"), prop.get("maxLength"), len(path))
            if kind in seen:
                continue
            seen.add(kind)
            for text in EDGES:
                data = _replaced(example.data, path, text)
                batch.add(f"{example.id} {pointer(path)}={text!r}", example.form, data, TODAY)
                # with a second error jsonschema sees, the API names only what jsonschema sees
                batch.add(f"{example.id} {pointer(path)}={text!r} and another", example.form,
                          {**data, "not_a_question": 1}, TODAY)
                refused = not form.fast.is_valid(data)
                fallbacks += refused and not schema_errors(form.schema, form.detailed, data)
    results = batch.run()
    assert mismatches(results) == []
    codes = {e["code"] for _, answer, _ in results for e in answer["errors"]}
    assert {"pattern", "format", "max_length", "required"} <= codes
    assert fallbacks, "no edge reached the API's jsonschema-rs fallback"


SYNTHETIC = with_header("""
pages:
  - id: first
    title: First
    fields:
      - {id: count, type: number, label: Count, integer: true, min: 0, max: 20, required: true}
      - {id: ratio, type: number, label: Ratio, min: 0.5, max: 2.5}
      - id: route
        type: choice
        label: Route
        options: [{code: a, label: A}, {code: b, label: B}, {code: other, label: Other}]
      - id: drugs
        type: multichoice
        label: Drugs
        options: [{code: x, label: X}, {code: y, label: Y}, {code: z, label: Z}]
        min_items: 2
        max_items: 2
      - {id: many, type: text, label: Why so many, show_if: count > 3 or route == 'other',
         required: true}
      - {id: few, type: text, label: Why so few, required: true,
         show_if: "count <= 2 and not (route in ['a', 'b'])"}
      - {id: x_note, type: text, label: X note, show_if: "'x' in drugs"}
      - {id: email, type: email, label: Email, required_if: answered(route)}
      - {id: started, type: date, label: Started, latest: today}
      - {id: ended, type: date, label: Ended, earliest: started}
      - {id: agreed, type: attest, label: Agreed, statement: I agree}
      - {id: p_dot, type: text, label: Dot, pattern: '^a.b$'}
      - {id: p_boundary, type: text, label: Boundary, pattern: '\\bfoo\\B'}
      - {id: p_word, type: text, label: Word, pattern: '^\\w+\\W?$'}
      - {id: p_space, type: text, label: Space, pattern: '^\\s*x\\S$'}
      - {id: p_class, type: text, label: Class, pattern: '^[\\d\\w.$]+[^\\s]$'}
      - {id: p_digit, type: text, label: Digit, pattern: '^\\d\\D$'}
  - id: second
    title: Second
    show_if: count >= 1
    fields:
      - id: offences
        type: repeat
        label: Offences
        max_items: 2
        fields:
          - {id: offence_date, type: date, label: Offence date, required: true, latest: today}
          - {id: detail, type: text, label: Detail, show_if: "offence_date < date('2026-01-01')"}
      - {id: who, type: name, label: Name}
      - {id: at, type: address, label: Address}
      - {id: signed, type: signature, label: Signed}
rules:
  - id: TT-01
    field: ended
    when: answered(started)
    check: days_between(started, ended) <= 30
    severity: warn
    message: Ended is more than 30 days after started
    source: assumption
  - id: TT-02
    field: offences.offence_date
    check: offence_date >= date('2020-01-01')
    severity: refuse
    message: Offences before 2020 are out of scope
    source: assumption
""")

BASE = {"count": 3, "route": "a", "email": "a@b.example", "started": "2026-11-01",
        "offences": [{"offence_date": "2026-02-01"}]}
VARIANTS = [
    {}, {"count": 4}, {"count": 4, "many": "Busy"}, {"count": 3.5}, {"count": 2},
    {"count": 2, "route": "other"}, {"count": 2, "route": "other", "few": "x", "many": "y"},
    {"count": 0, "offences": None}, {"count": 0}, {"count": "3"}, {"count": True},
    {"count": -1}, {"count": 21}, {"ratio": 0.4}, {"ratio": 2.5}, {"ratio": 3},
    {"route": "c"}, {"route": None}, {"route": ""}, {"email": None},
    {"drugs": ["x"]}, {"drugs": ["x"], "x_note": "n"}, {"drugs": ["y"], "x_note": "n"},
    {"drugs": ["x", "x"]}, {"drugs": ["x", "y", "z"]}, {"drugs": []}, {"drugs": ["q"]},
    {"drugs": "x"}, {"started": "2026-11-26"}, {"started": "2026-11-25"},
    {"ended": "2026-10-01"}, {"ended": "2026-12-31"}, {"ended": "2026-11-30"},
    {"started": "2026-02-30", "ended": "2026-03-01"}, {"agreed": False}, {"agreed": True},
    {"offences": []}, {"offences": [{}]}, {"offences": [{"offence_date": "2019-12-31"}]},
    {"offences": [{"offence_date": "2026-12-01"}, {"offence_date": "2025-01-01"}]},
    {"offences": [{"offence_date": "2025-01-01", "detail": "d"},
                  {"offence_date": "2026-05-01", "detail": "d"}]},
    {"offences": [{"offence_date": "2026-02-31", "detail": "d"}]},
    {"offences": [{"offence_date": "2026-01-01"}] * 3}, {"offences": [{"extra": 1}]},
    {"offences": "none"}, {"who": {"given_names": "Jo"}}, {"who": {"given_names": "",
                                                                    "family_name": "S"}},
    {"who": {"given_names": "J0", "family_name": "S", "nick": "x"}}, {"who": "Jo Smith"},
    {"at": {"line1": "1 Road", "town": "Town", "postcode": "AA3 1AB"}},
    {"at": {"line1": "1 Road", "postcode": "nope"}},
    {"signed": {"name": "Jo", "role": "Worker", "date": "2026-11-25", "confirmed": True}},
    {"signed": {"name": "Jo", "role": "", "date": "2026-11-31", "confirmed": False}},
    {"unknown": 1, "count~/x": 2},
    *({field: text} for field, texts in {
        "p_dot": ["axb", "a\rb", "a\u2028b", "a\nb", "a\u2029b"],
        "p_boundary": ["foo!", "\u00e9foox", " foox", "x_foox", "\u0661foox", "foo"],
        "p_word": ["abc", "\u00e9t\u00e9", "a_b!", "\u0661", "\u00bd", "ab\n"],
        "p_space": ["xy", "\x1cxy", "\ufeffxy", "\x85xy", " xy\n", "\u3000xy", "x "],
        "p_class": ["1a.$b", "\u0661\u00e9.", "ab\x1c", "ab\ufeff", "a$\n"],
        "p_digit": ["1a", "\u0661a", "11", "1\u0661", "1a\n"],
    }.items() for text in texts),
    {"agreed": 1}, {"route": 0}, {"drugs": [1, True]},
]


@needs_node
def test_every_condition_the_generator_compiles():
    """exclusiveMinimum, maximum, anyOf, allOf, not, contains, enum of unanswered values..."""
    result = build_yaml(SYNTHETIC)
    assert result.ok, [str(d) for d in result.diagnostics]
    schema = json.loads(result.schemas["t/1.0.schema.json"])
    text = json.dumps(schema)
    for keyword in ("exclusiveMinimum", "maximum", "anyOf", "allOf", "contains", "not"):
        assert f'"{keyword}"' in text, keyword
    batch = Batch({"t": FormSchema("t", "1.0", schema)})
    for number, variant in enumerate(VARIANTS):
        data = {**BASE, **variant}
        batch.add(f"variant {number} {variant}", "t", data, TODAY)
        batch.add(f"variant {number} and another error", "t", {**data, "ratio": 9}, TODAY)
        batch.add(f"variant {number} page 2", "t", data, TODAY, fields=_fields(schema, 1))
    for data in ([], "answers", None, 3):
        batch.add(f"not an object: {data!r}", "t", data, TODAY)
    results = batch.run()
    assert mismatches(results) == []
    codes = {e["code"] for _, answer, _ in results for e in answer["errors"]}
    assert {"min", "max", "type", "enum", "required", "not_applicable", "unknown_field",
            "const", "min_items", "max_items", "TT-02", "latest:started"} <= codes
    assert any(answer["warnings"] for _, answer, _ in results)


def _fields(schema: dict, page: int) -> list[str]:
    return schema["x-dipforms"]["pages"][page]["fields"]


@needs_node
@pytest.mark.parametrize("schema, word", [
    ({"type": "object", "properties": {"n": {"type": "number", "multipleOf": 2}}},
     "multipleOf"),
    ({"type": "object", "allOf": [{"if": {"required": ["a"]}, "then": {"required": ["b"]},
                                   "else": {"dependentRequired": {"c": ["d"]}}}]},
     "dependentRequired"),
    ({"type": "object", "properties": {"d": {"type": "string", "format": "date-time"}}},
     "date-time"),
    ({"type": "object", "properties": {"d": {"$ref": "https://example.org/s.json"}}},
     "https://example.org/s.json"),
    ({"type": "object", "properties": {"d": {"type": "decimal"}}}, "decimal"),
])
def test_an_unknown_keyword_fails_loudly(schema, word):
    """Even in a branch the data never reaches: a new generator keyword cannot slip by."""
    [answer] = run_checks({"s": schema}, [{"schema": "s", "data": {},
                                           "options": {"today": "2026-11-25"}}])
    assert "exception" in answer and word in answer["exception"]


@needs_node
def test_today_is_required():
    [answer] = run_checks({"s": {"type": "object"}}, [{"schema": "s", "data": {},
                                                       "options": {}}])
    assert "today" in answer["exception"]


@needs_node
def test_a_final_newline_is_not_a_time_to_the_rules():
    """jsonschema (Python `re`) passes the pattern, so with another error the rule runs."""
    result = build_yaml(fields_form("""
        - {id: sent_at, type: datetime, label: Sent, latest: today}
        - {id: copies, type: number, label: Copies}
    """))
    schema = json.loads(result.schemas["t/1.0.schema.json"])
    batch = Batch({"t": FormSchema("t", "1.0", schema)})
    batch.add("newline", "t", {"sent_at": "2026-01-01T10:00\n", "copies": "two"}, TODAY)
    assert mismatches(batch.run()) == []


def test_the_site_serves_each_form_s_current_schema():
    """checks.js fetches /schemas/<data-form>/<data-version>.schema.json (no node needed)."""
    result = build_yaml(SYNTHETIC, site=Site(make_environment()))
    assert result.ok, [str(d) for d in result.diagnostics]
    page = result.site["forms/t/first.html"]
    form, version = (re.search(f'data-{name}="([^"]+)"', page).group(1)
                     for name in ("form", "version"))
    served = result.site[f"schemas/{form}/{version}.schema.json"]
    assert served == result.schemas["t/1.0.schema.json"]
    assert json.loads(served)["x-dipforms"]["version"] == version
