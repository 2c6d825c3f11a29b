"""Finding 13 of issue 15 as a class of bug: a use case's answer (Done) whose value has a
field the one body already has ('ok', 'status') failed in responses.body with a TypeError,
after the use case had done its work, so the caller was told 500 "nothing was kept". This
finds any Done({...}) in api/ that names such a field."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESERVED = {"ok", "status"}   # responses.body's own fields


def _done_literals():
    for path in sorted((ROOT / "api").rglob("*.py")):
        if "generated" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Done" and node.args
                    and isinstance(node.args[0], ast.Dict)):
                keys = {k.value for k in node.args[0].keys
                        if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                yield f"{path.relative_to(ROOT)}:{node.lineno}", keys


def test_no_answer_names_a_field_of_the_body_itself():
    found = list(_done_literals())
    assert len(found) > 5  # the scan sees the use cases' answers
    clashes = [(where, sorted(keys & RESERVED)) for where, keys in found if keys & RESERVED]
    assert clashes == []
