"""Warnings the user goes ahead with, each confirmed with a reason that is kept.

A rule of severity `warn` does not refuse a submission outright, but it is not passed over
either: the submission (or amendment) is refused with 422 `confirmation_required` until
every warning it raises has a reason. The reasons travel in the answers under the reserved
key `_confirmations` ({rule id: reason}), which no form field can have (field ids start
with a letter); they are taken out before the answers are checked and, for the rules that
did warn, kept with the record version under the same key (see docs/api.md).

Pure: no I/O, no logging (a reason is what the user typed: it is kept, never logged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..contract import codes

RESERVED = "_confirmations"
#: The longest reason kept, in characters (the page's textarea has the same limit).
MAX_REASON = 1000
#: The most rules one request may confirm (a form has far fewer).
MAX_CONFIRMATIONS = 100

Item = dict[str, Any]


def _item(field: str, code: str, message: str) -> Item:
    return {"field": field, "code": code, "message": message}


def _pointer(rule_id: str) -> str:
    return f"/{RESERVED}/" + rule_id.replace("~", "~0").replace("/", "~1")


def split_confirmations(answers: Any) -> tuple[Any, dict[str, str], list[Item]]:
    """(the answers without `_confirmations`, reason by rule id, problems for a 400).

    Answers that are not an object, or carry no confirmations, come back unchanged. A
    blank reason is kept as blank: `unconfirmed` then asks for it like a missing one."""
    if not isinstance(answers, dict) or RESERVED not in answers:
        return answers, {}, []
    rest = {k: v for k, v in answers.items() if k != RESERVED}
    given = answers[RESERVED]
    if not isinstance(given, dict):
        return rest, {}, [_item(f"/{RESERVED}", codes.TYPE, "Send the confirmations as an object: "
                                "each warning's rule id and why you are going ahead")]
    if len(given) > MAX_CONFIRMATIONS:
        return rest, {}, [_item(f"/{RESERVED}", codes.MAX_ITEMS,
                                f"Confirm at most {MAX_CONFIRMATIONS} warnings at once")]
    reasons: dict[str, str] = {}
    problems: list[Item] = []
    for rule_id, reason in given.items():
        if not isinstance(reason, str):
            problems.append(_item(_pointer(rule_id), codes.TYPE, "Write the reason as text"))
        elif len(reason.strip()) > MAX_REASON:
            problems.append(_item(_pointer(rule_id), codes.MAX_LENGTH,
                                  f"Write the reason in {MAX_REASON} characters or fewer"))
        else:
            reasons[rule_id] = reason.strip()
    return rest, reasons, problems


def unconfirmed(warnings: list[Item], reasons: dict[str, str]) -> list[Item]:
    """The warnings no reason confirms, as the items of a 422 `confirmation_required`:
    each with its field, its rule id as the code, the rule's message and its source."""
    return [w for w in warnings if not reasons.get(w["code"])]


def confirmed(warnings: list[Item], reasons: dict[str, str]) -> list[Item]:
    """What is kept with the version: each warning the user went ahead with, and why.
    Reasons for rules that did not warn are left out (the answers changed since)."""
    return [{"rule": w["code"], "field": w["field"], "message": w.get("message"),
             "source": w.get("source"), "reason": reasons[w["code"]]}
            for w in warnings if reasons.get(w["code"])]


def with_confirmations(answers: dict[str, Any], kept: list[Item]) -> dict[str, Any]:
    """The data stored for the version: the answers, and the confirmations if any."""
    return {**answers, RESERVED: kept} if kept else answers


@dataclass(frozen=True)
class Checked:
    """The outcome of checking answers that may carry confirmations: `refusal` (the error
    code and its items) when they cannot be kept; else `data`, what to store, and the
    `warnings` the user went ahead with."""

    refusal: tuple[str, list[Item]] | None
    data: Any = None
    warnings: list[Item] = field(default_factory=list)


def check(data: Any, check_answers: Callable[[Any], tuple[list, list]]) -> Checked:
    """Take the confirmations out, check the answers (`check_answers` gives (errors,
    warnings) as records.check_answers does), and decide: 400 for malformed confirmations,
    422 `invalid` for errors, 422 `confirmation_required` for warnings without a reason."""
    answers, reasons, problems = split_confirmations(data)
    if problems:
        return Checked(("bad_request", problems))
    errors, warnings = check_answers(answers)
    if errors:
        return Checked(("invalid", [e.as_json() for e in errors]))
    items = [w.as_json() for w in warnings]
    waiting = unconfirmed(items, reasons)
    if waiting:
        return Checked(("confirmation_required", waiting))
    return Checked(None, with_confirmations(answers, confirmed(items, reasons)), items)


def stored_view(data: Any) -> tuple[Any, list[Item]]:
    """A stored version's data -> (its answers, its confirmations) for reading."""
    if not isinstance(data, dict) or RESERVED not in data:
        return data, []
    kept = data[RESERVED]
    return ({k: v for k, v in data.items() if k != RESERVED},
            kept if isinstance(kept, list) else [])
