"""Every field error code the API can answer with is catalogued in chalicelib/contract/codes.py: a
scan of api/ finds each code written as a literal (in an item {"field": ..., "code": ...},
or as the code argument of `_error`, `_item` or `FieldError`) and each kind validation.py
maps a schema keyword to. tests/test_docs.py then holds docs/api.md to the catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

from chalicelib.contract import codes
from chalicelib.domain.validation import FAST_KIND, KEYWORD_KIND

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "api"
#: Functions whose second argument is a field error code.
ITEM_MAKERS = {"_error", "_item", "FieldError"}


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else (
        node.attr if isinstance(node, ast.Attribute) else None)


def literal_codes(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            item = {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant)}
            code = item.get("code")
            if ("field" in item and isinstance(code, ast.Constant)
                    and isinstance(code.value, str)):
                found.add(code.value)
        if (isinstance(node, ast.Call) and _name(node.func) in ITEM_MAKERS
                and len(node.args) > 1):
            code = node.args[1]
            branches = [code.body, code.orelse] if isinstance(code, ast.IfExp) else [code]
            found |= {b.value for b in branches
                      if isinstance(b, ast.Constant) and isinstance(b.value, str)}
    return found


def _sources() -> list[Path]:
    return sorted(p for p in API.rglob("*.py") if "generated" not in p.parts
                  and "vendor" not in p.parts)


def test_every_literal_field_code_in_the_api_is_catalogued():
    loose = {f"{path.relative_to(ROOT)}: {code}" for path in _sources()
             for code in literal_codes(ast.parse(path.read_text()))
             if code not in codes.FIELD_CODES}
    assert loose == set()


def test_every_kind_validation_gives_is_catalogued():
    kinds = set(KEYWORD_KIND.values()) | set(FAST_KIND.values()) | {"invalid"}
    assert kinds <= codes.FIELD_CODES


def test_the_scan_finds_each_way_a_code_is_written():
    sample = ('a = {"field": "/x", "code": "one"}\nexamples = {"code": "not an item"}\n'
              '_error("/y", "two", "m")\n'
              '_item("/z", "three" if x else "four", "m")\nFieldError("/w", "five", None)\n'
              'b = {"code": codes.REQUIRED}\n')
    assert literal_codes(ast.parse(sample)) == {"one", "two", "three", "four", "five"}


def test_every_catalogued_code_is_used():
    used = set(KEYWORD_KIND.values()) | set(FAST_KIND.values())
    for path in _sources():
        tree = ast.parse(path.read_text())
        used |= literal_codes(tree)
        used |= {getattr(codes, node.attr) for node in ast.walk(tree)
                 if isinstance(node, ast.Attribute) and _name(node.value) == "codes"
                 and node.attr.isupper()}
    assert codes.FIELD_CODES - used == set()
