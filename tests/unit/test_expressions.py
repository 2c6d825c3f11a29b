"""The expression language: parser (AST, precedence, E001 messages), type checker (E002-E007),
to_schema agreeing with the evaluator, and tests/cases/rule-functions.yaml through BOTH
evaluators (api/chalicelib/domain/rules.py and generator/static/rules.js under node)."""

from __future__ import annotations

import datetime
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from chalicelib.contract.functions import FUNCTIONS
from chalicelib.domain.rules import IMPLEMENTATIONS, evaluate, holds
from jsonschema import Draft202012Validator

from generator.rules.compile import to_json, to_schema
from generator.rules.syntax import Binary, Call, ListLiteral, Literal, Name, Unary, parse_expression
from generator.rules.types import FieldInfo, check_condition, infer, references
from generator.spans import Span

ROOT = Path(__file__).resolve().parents[2]
RULES_JS = ROOT / "generator" / "static" / "rules.js"
CASES = yaml.safe_load((ROOT / "tests" / "cases" / "rule-functions.yaml").read_text("utf-8"))
SPAN = Span("forms/t.yaml", 12, 20)  # the expression text starts at column 20
TODAY = datetime.date(2026, 3, 15)

OFFENCE_CLASSES = ("summary", "either_way", "indictable_only")
FIELDS: dict[tuple[str, ...], FieldInfo] = {
    ("offence_class",): FieldInfo("code", OFFENCE_CLASSES),
    ("identification_basis",): FieldInfo("codes", ("positive_test", "admission", "other")),
    ("surname",): FieldInfo("string"),
    ("score",): FieldInfo("number"),
    ("consents",): FieldInfo("boolean"),
    ("date_of_birth",): FieldInfo("date"),
    ("offence_date",): FieldInfo("date"),
    ("arrest_time",): FieldInfo("datetime"),
    ("interview_at",): FieldInfo("time"),
    ("offender_name",): FieldInfo("object", choices=("given_names", "family_name")),
    ("offender_name", "family_name"): FieldInfo("string"),
    ("offender_name", "given_names"): FieldInfo("string"),
    ("offences",): FieldInfo("items", choices=("offence_date", "offence_type")),
    ("offences", "offence_date"): FieldInfo("list:date"),
    ("offences", "offence_type"): FieldInfo("list:code", ("theft", "burglary")),
}
FIELDS[()] = FieldInfo("object", choices=tuple(p[0] for p in FIELDS if len(p) == 1))
resolve = FIELDS.get


def parse(text: str):
    ast, diagnostics = parse_expression(text, SPAN)
    assert diagnostics == []
    return ast


def problems(text: str) -> list[tuple[int, str, str | None]]:
    """(column, code, hint) of every diagnostic of a condition."""
    return [(d.span.col, d.code, d.hint) for d in check_condition(parse(text), resolve, SPAN)]


# --- the parser ----------------------------------------------------------------------


def test_a_comparison_has_names_literals_and_offsets():
    assert parse("offence_class == 'summary'") == Binary(
        "==", Name(("offence_class",), 0), Literal("summary", 17), 0, 14
    )


def test_precedence_or_then_and_then_not_then_comparison():
    ast = parse("a or b and not c == 1")
    assert ast == Binary(
        "or",
        Name(("a",), 0),
        Binary("and", Name(("b",), 5),
               Unary("not", Binary("==", Name(("c",), 15), Literal(1, 20), 15, 17), 11), 5, 7),
        0,
        2,
    )  # fmt: skip


def test_and_and_or_group_to_the_left_and_parentheses_override():
    assert parse("a and b and c").left == Binary("and", Name(("a",), 0), Name(("b",), 6), 0, 2)
    grouped = parse("(a or b) and c")
    assert grouped.op == "and" and grouped.left.op == "or"


def test_literals_of_every_kind():
    ast = parse("""[1, 2.5, -3, 'it\\'s', "double", true, false, null, []]""")
    assert isinstance(ast, ListLiteral)
    assert [item.value for item in ast.items[:-1]] == [1, 2.5, -3, "it's", "double", True, False,
                                                       None]  # fmt: skip
    assert isinstance(ast.items[1].value, float) and isinstance(ast.items[0].value, int)
    assert ast.items[-1] == ListLiteral((), 51)


def test_dotted_names_calls_and_not_in():
    ast = parse("earliest(offences.offence_date) not in [today()]")
    assert ast.op == "not in" and ast.op_offset == 32
    assert ast.left == Call("earliest", (Name(("offences", "offence_date"), 9),), 0)
    assert ast.right == ListLiteral((Call("today", (), 40),), 39)


def test_references_lists_every_field_path():
    ast = parse("age(date_of_birth, today()) < 18 or 'x' in offences.offence_type or not consents")
    assert references(ast) == {("date_of_birth",), ("offences", "offence_type"), ("consents",)}


E001_CASES = [
    ("", 0, "the expression is empty"),
    ("a = 'x'", 2, "use '==' to compare, not '='"),
    ("a === 'x'", 2, "use '==' to compare, not '==='"),
    ("a && b", 2, "use 'and' instead of '&&'"),
    ("a || b", 2, "use 'or' instead of '||'"),
    ("a & b", 2, "use 'and' instead of '&'"),
    ("!a", 0, "use 'not' instead of '!'"),
    ("a <> 1", 2, "use '!=' instead of '<>'"),
    ("(a == 1", 7, "expected ')' to close '(' at column 20"),
    ("x and age(a", 11, "expected ')' to close '(' at column 29"),
    ("x in [1, 2", 10, "expected ']' to close '[' at column 25"),
    ("x in ['a' 'b']", 10, "expected ',' or ']' in the list started at column 25"),
    ("age(a b)", 6, "expected ',' or ')' after an argument of age()"),
    ("a == 'abc", 5, "text started at column 25 has no closing '"),
    ('a == "abc', 5, 'text started at column 25 has no closing "'),
    ("1.2.3 == a", 0, "badly formed number '1.2.3'"),
    ("a. == 1", 1, "a name cannot end with '.'"),
    ("a < b < c", 6, "comparisons cannot be chained"),
    ("a == 1 b", 7, "unexpected 'b' after a complete expression"),
    ("a == 1)", 6, "')' has no matching '('"),
    ("a in 5", 5, "'in' needs a list like ['a', 'b'] or a field name on its right"),
    ("a not in today()", 9, "'not in' needs a list like ['a', 'b'] or a field name on its right"),
    ("a ==", 4, "the expression ends where a value was expected after '=='"),
    ("a == and b", 5, "expected a value after '==', found 'and'"),
    ("or b", 0, "expected a value, found 'or'"),
    ("True", 0, "write 'true' in lower case"),
    ("x == None", 5, "write 'null' instead of 'None'"),
    ("a AND b", 2, "write 'and' in lower case"),
    ("a.b(1)", 0, "'a.b' is a field, not a function"),
    ("a + 1", 2, "expressions have no arithmetic ('+')"),
    ("a - 1", 2, "expressions have no arithmetic ('-')"),
    ("a % 2", 2, "unexpected character '%'"),
]


@pytest.mark.parametrize("text,offset,message", E001_CASES)
def test_syntax_errors_say_what_to_write_and_point_at_the_column(text, offset, message):
    ast, diagnostics = parse_expression(text, SPAN)
    assert ast is None
    assert [(d.code, d.span, d.message) for d in diagnostics] == [
        ("E001", Span("forms/t.yaml", 12, 20 + offset), message)
    ]


def test_hints_for_chained_comparisons_arithmetic_and_trailing_words():
    def hint(text: str) -> str | None:
        return parse_expression(text, SPAN)[1][0].hint

    assert hint("a < b < c") == "write 'a < b and b < c' instead of 'a < b < c'"
    assert "add_days" in hint("offence_date + 1")
    assert hint("a == 1 b == 2") == "join conditions with 'and' or 'or'"


def test_the_parser_never_raises_on_any_input():
    alphabet = list("ab_.()[],'\" =!<>&|-+0123456789") + [" and ", " or ", " not ", " in "]
    chooser = random.Random(20260315)
    for _ in range(3000):
        text = "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 14)))
        ast, diagnostics = parse_expression(text, SPAN)
        assert (ast is None) == bool(diagnostics), text
        assert all(d.code == "E001" for d in diagnostics)


# --- the type checker ----------------------------------------------------------------

VALID_CONDITIONS = [
    "offence_class == 'summary'",
    "offence_class == surname",
    "'positive_test' in identification_basis and 'theft' not in offences.offence_type",
    "offence_class in ['summary', 'either_way']",
    "age(date_of_birth, today()) >= 18",
    "days_between(arrest_time, offence_date) <= 28",
    "count(offences) > 0 and earliest(offences.offence_date) >= add_months(today(), -6)",
    "latest([offence_date, date('2026-01-31')]) < add_days(today(), 1)",
    "offender_name.family_name == 'Jones' or not answered(surname)",
    "consents and arrest_time < arrest_time and interview_at >= interview_at",
    "count(identification_basis) >= 2",
    "interview_at >= '09:30' and '17:00' > interview_at",
]


@pytest.mark.parametrize("text", VALID_CONDITIONS)
def test_well_typed_conditions_have_no_diagnostics(text):
    assert problems(text) == []


def test_infer_gives_the_type_of_a_value():
    assert infer(parse("add_months(offence_date, 1)"), resolve, SPAN)[0].kind == "date"
    assert infer(parse("offences.offence_date"), resolve, SPAN)[0].kind == "list:date"
    assert infer(parse("['a', 'b']"), resolve, SPAN)[0].kind == "list:string"


def test_unknown_field_is_e002_with_did_you_mean_at_the_wrong_part():
    assert problems("offence_clas == 'summary'") == [
        (20, "E002", "did you mean 'offence_class'?")
    ]
    assert problems("offender_name.famly_name == 'Jones'") == [
        (34, "E002", "did you mean 'family_name'?")
    ]
    assert problems("earliest(offences.ofence_date) < today()") == [
        (38, "E002", "did you mean 'offence_date'?")
    ]
    assert problems("offence_date < today") == [(35, "E002", "did you mean 'today()'?")]


def test_unknown_function_is_e003_with_did_you_mean():
    assert problems("agee(date_of_birth, today()) < 18") == [(20, "E003", "did you mean 'age'?")]
    [(col, code, hint)] = problems("surname('x')")
    assert (col, code) == (20, "E003") and "is a field" in hint


def test_wrong_argument_count_is_e005_with_the_signature():
    assert problems("age(date_of_birth) < 18") == [
        (20, "E005", "age(date, date) -> number")
    ]
    assert [p[:2] for p in problems("offence_date < today(1)")] == [(35, "E005")]


E004_CASES = [
    ("date_of_birth < 18", 34, "cannot compare 'date_of_birth' (a date) with a number"),
    ("offence_class and consents", 20, "'and' needs true/false on its left, found "
                                      "'offence_class' (a code)"),
    ("consents or score", 32, "'or' needs true/false on its right, found 'score' (a number)"),
    ("not surname", 24, "'not' needs true/false after it, found 'surname' (text)"),
    ("offence_class in date_of_birth", 34, "'in' needs a list on its right, found "
                                           "'date_of_birth' (a date)"),
    ("offence_date == arrest_time", 33, "cannot compare 'offence_date' (a date) with "
                                        "'arrest_time' (a date and time)"),
    ("offence_date == '2026-01-31'", 33, "cannot compare 'offence_date' (a date) with text"),
    ("surname < 'b'", 28, "'<' needs numbers, dates or times, found 'surname' (text)"),
    ("offences.offence_date < today()", 42, "cannot compare 'offences.offence_date' (a list "
                                            "of dates) with '<'"),
    ("identification_basis == 'other'", 41, "cannot compare 'identification_basis' (a list "
                                            "of codes) with '=='"),
    ("score == null", 26, "a comparison with null is always false"),
    ("offence_date < date('2026-02-30')", 40, "date() needs a quoted date 'YYYY-MM-DD', like "
                                              "'2026-01-31'"),
    ("add_days(offence_date, '3') < today()", 43, "argument 2 of add_days() must be a number, "
                                                  "found text"),
    ("earliest(offences) < today()", 29, "argument 1 of earliest() must be a list of dates, "
                                         "such as repeat.date_field, found 'offences' (a "
                                         "repeating group)"),
    ("interview_at < '25:00'", 33, "cannot compare 'interview_at' (a time) with text"),
    ("score in ['a', 1]", 35, "a list must hold one kind of value: text and a number"),
    ("score", 20, "a condition must be true or false, but this is 'score' (a number)"),
    ("add_days(offence_date, 1)", 20, "a condition must be true or false, but this is a date"),
]  # fmt: skip


@pytest.mark.parametrize("text,col,message", E004_CASES)
def test_type_mismatches_are_e004_at_the_operator_or_operand(text, col, message):
    diagnostics = check_condition(parse(text), resolve, SPAN)
    assert [(d.span.col, d.code, d.message) for d in diagnostics] == [(col, "E004", message)]


def test_e004_hints_say_how_to_write_it():
    fixed_date_hint = problems("offence_date == '2026-01-31'")[0][2]
    assert fixed_date_hint == "write a fixed date as date('2026-01-31')"
    assert "days_between" in problems("offence_date == arrest_time")[0][2]
    assert "earliest()" in problems("offences.offence_date < today()")[0][2]
    assert "'in'" in problems("identification_basis == 'other'")[0][2]
    assert "answered(x)" in problems("score == null")[0][2]


def test_a_code_not_in_the_list_is_e007_with_did_you_mean():
    assert problems("offence_class == 'sumary'") == [(37, "E007", "did you mean 'summary'?")]
    assert problems("'sumary' != offence_class") == [(20, "E007", "did you mean 'summary'?")]
    assert problems("offence_class in ['summary', 'eitherway']") == [
        (49, "E007", "did you mean 'either_way'?")
    ]
    assert problems("'positive_tst' in identification_basis") == [
        (20, "E007", "did you mean 'positive_test'?")
    ]
    assert problems("'thef' not in offences.offence_type") == [
        (20, "E007", "did you mean 'theft'?")
    ]
    message = check_condition(parse("offence_class == 'x'"), resolve, SPAN)[0].message
    assert message == "'x' is not a code of 'offence_class'"


def test_every_problem_is_reported_in_one_pass():
    found = problems("offence_clas == 'x' or agee(date_of_birth) or offence_class == 'sumary'")
    assert [(col, code) for col, code, _ in found] == [(20, "E002"), (43, "E003"), (83, "E007")]


# --- to_json and to_schema -----------------------------------------------------------


def test_to_json_has_one_shape_per_node():
    ast = parse("not (x.y in ['a', 1]) or age(d, today()) >= 18.5 and z != null")
    assert to_json(ast) == {"op": "or", "args": [
        {"op": "not", "args": [{"op": "in", "args": [
            {"field": "x.y"}, {"list": [{"lit": "a"}, {"lit": 1}]}]}]},
        {"op": "and", "args": [
            {"op": ">=", "args": [
                {"call": "age", "args": [{"field": "d"}, {"call": "today", "args": []}]},
                {"lit": 18.5}]},
            {"op": "!=", "args": [{"field": "z"}, {"lit": None}]}]},
    ]}  # fmt: skip


def _absent_and_null(name: str) -> list[dict]:
    return [{}, {name: None}]


CODE_SAMPLES = [{"offence_class": c} for c in OFFENCE_CLASSES] + _absent_and_null("offence_class")
SCORE_SAMPLES = [{"score": v} for v in (9, 9.5, 10, 10.0, 11, -1, True, "10")] + _absent_and_null(
    "score"
)
BASIS_SAMPLES = [{"identification_basis": v} for v in (
    ["positive_test"], ["admission", "positive_test"], ["admission"], [], "positive_test"
)] + _absent_and_null("identification_basis")  # fmt: skip
MIXED_SAMPLES = [
    {**a, **b, **c}
    for a in ({"offence_class": "summary"}, {"offence_class": "either_way"}, {})
    for b in ({"score": 17}, {"score": 18}, {})
    for c in ({"surname": "Jones"}, {"surname": ""}, {"consents": True}, {"consents": False})
]

SCHEMA_CASES = [
    ("offence_class == 'summary'",
     {"properties": {"offence_class": {"const": "summary"}}, "required": ["offence_class"]},
     CODE_SAMPLES),
    ("offence_class != 'summary'",
     {"not": {"properties": {"offence_class": {"const": "summary"}},
              "required": ["offence_class"]}},
     CODE_SAMPLES),
    ("'summary' == offence_class", None, CODE_SAMPLES),
    ("offence_class in ['summary', 'either_way', null]",
     {"properties": {"offence_class": {"enum": ["summary", "either_way"]}},
      "required": ["offence_class"]},
     CODE_SAMPLES),
    ("offence_class not in ['summary']", None, CODE_SAMPLES),
    ("'positive_test' in identification_basis",
     {"properties": {"identification_basis": {"type": "array",
                                              "contains": {"const": "positive_test"}}},
      "required": ["identification_basis"]},
     BASIS_SAMPLES),
    ("'positive_test' not in identification_basis", None, BASIS_SAMPLES),
    ("answered(identification_basis)", None, BASIS_SAMPLES),
    ("score < 10",
     {"properties": {"score": {"type": "number", "exclusiveMaximum": 10}}, "required": ["score"]},
     SCORE_SAMPLES),
    ("score <= 10", None, SCORE_SAMPLES),
    ("score > 10", None, SCORE_SAMPLES),
    ("score >= 10",
     {"properties": {"score": {"type": "number", "minimum": 10}}, "required": ["score"]},
     SCORE_SAMPLES),
    ("10 > score", None, SCORE_SAMPLES),
    ("-1 >= score", None, SCORE_SAMPLES),
    ("score == 10", None, SCORE_SAMPLES),
    ("not score < 10", None, SCORE_SAMPLES),
    ("consents", {"properties": {"consents": {"const": True}}, "required": ["consents"]},
     [{"consents": v} for v in (True, False, 1, "true")] + _absent_and_null("consents")),
    ("consents == false", None,
     [{"consents": v} for v in (True, False, 0)] + _absent_and_null("consents")),
    ("answered(surname)", None,
     [{"surname": v} for v in ("Jones", "", " ")] + _absent_and_null("surname")),
    ("offence_class == 'summary' and score >= 18 and answered(surname)",
     {"allOf": [
         {"properties": {"offence_class": {"const": "summary"}}, "required": ["offence_class"]},
         {"properties": {"score": {"type": "number", "minimum": 18}}, "required": ["score"]},
         {"properties": {"surname": {"not": {"enum": [None, "", [], {}]}}},
          "required": ["surname"]},
     ]},
     MIXED_SAMPLES),
    ("offence_class == 'summary' or not (score >= 18 or consents)", None, MIXED_SAMPLES),
    ("offence_class != 'summary' and score < 18 or consents == false", None, MIXED_SAMPLES),
    ("true", {}, [{}]),
    ("false", {"not": {}}, [{}]),
]  # fmt: skip


@pytest.mark.parametrize("text,expected,samples", SCHEMA_CASES)
def test_to_schema_agrees_with_the_evaluator(text, expected, samples):
    ast = parse(text)
    schema = to_schema(ast, resolve)
    assert schema is not None
    if expected is not None:
        assert schema == expected
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    expr = to_json(ast)
    outcomes = set()
    for data in samples:
        by_schema = validator.is_valid(data)
        by_evaluator = holds(expr, data, today=TODAY)
        assert by_schema == by_evaluator, (text, data)
        outcomes.add(by_evaluator)
    if len(samples) > 1:
        assert outcomes == {True, False}, "samples must both satisfy and fail the condition"


@pytest.mark.parametrize(
    "text",
    [
        "offence_date < today()",
        "age(date_of_birth, today()) < 18",
        "offence_class == surname",
        "offender_name.family_name == 'Jones'",
        "count(offences) > 0",
        "offence_date == date('2026-01-31')",
        "offence_class == 'summary' and offence_date < today()",
        "not (offence_date < today())",
        "'theft' in offences.offence_type",
        "offence_class in [surname]",
        "score == null",
        "surname",
    ],
)
def test_to_schema_gives_none_outside_the_subset(text):
    assert to_schema(parse(text), resolve) is None


# --- both evaluators on tests/cases/rule-functions.yaml -------------------------------

NODE_RUNNER = """
const rules = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const rows = JSON.parse(input);
  const results = rows.map((row) => {
    try { return { value: rules.evaluate(row.expr, row.data || {}, row.today, row.item) }; }
    catch (error) { return { error: String(error) }; }
  });
  process.stdout.write(JSON.stringify({ functions: rules.functionNames, results: results }));
});
"""


@pytest.fixture(scope="module")
def javascript() -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to test generator/static/rules.js")
    completed = subprocess.run(
        [node, "-e", NODE_RUNNER, str(RULES_JS)],
        input=json.dumps(CASES),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(completed.stdout)


def _case_id(row: dict) -> str:
    return row["name"]


@pytest.mark.parametrize("row", CASES, ids=_case_id)
def test_python_evaluator_on_the_shared_cases(row):
    today = datetime.date.fromisoformat(row["today"])
    value = evaluate(row["expr"], row.get("data") or {}, today=today, item=row.get("item"))
    assert value == row["expect"]
    assert isinstance(value, bool) == isinstance(row["expect"], bool)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[_case_id(row) for row in CASES])
def test_javascript_evaluator_on_the_shared_cases(javascript, index):
    assert javascript["results"][index] == {"value": CASES[index]["expect"]}


def _walk(expr: dict):
    yield expr
    for child in expr.get("args", []) + expr.get("list", []):
        yield from _walk(child)


def test_both_evaluators_implement_every_function_and_the_cases_use_each(javascript):
    assert set(IMPLEMENTATIONS) == set(FUNCTIONS)
    assert set(javascript["functions"]) == set(FUNCTIONS)
    used_calls = {node["call"] for row in CASES for node in _walk(row["expr"]) if "call" in node}
    used_ops = {node["op"] for row in CASES for node in _walk(row["expr"]) if "op" in node}
    assert used_calls == set(FUNCTIONS)
    assert used_ops == {"and", "or", "not", "==", "!=", "<", "<=", ">", ">=", "in", "not in"}


def test_the_evaluators_never_eval_or_read_the_clock():
    evaluator = ROOT / "api" / "chalicelib" / "domain" / "rules.py"
    python_sources = [*(ROOT / "generator" / "rules").glob("*.py"), evaluator]
    for path in python_sources:
        text = path.read_text("utf-8")
        assert not re.search(r"\b(eval|exec|open)\(|os\.environ|datetime\.now|date\.today", text)
    imported = re.findall(r"^(?:from|import) (\S+)", evaluator.read_text("utf-8"), re.M)
    assert imported and not any(name.startswith(("generator", ".")) for name in imported)
    script = RULES_JS.read_text("utf-8")
    assert not re.search(r"\beval\(|new Function|Date\.now|new Date\(", script)
