"""Diagnostics like a compiler's: a stable code, a span, a message, a hint, the source line.

The catalogue below is the one list of codes; `docs/errors.md` documents each one and a
test fails if either side lacks a code. Pure: the source text is passed in for formatting.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .spans import Span

ERROR = "error"
WARNING = "warning"

#: code -> (severity, short title). Codes keep their meaning forever; add, never reuse.
CATALOGUE: dict[str, tuple[str, str]] = {
    "Y001": (ERROR, "YAML syntax error"),
    "Y002": (ERROR, "duplicate key"),
    "Y003": (ERROR, "key is not plain text"),
    "F001": (ERROR, "unknown key"),
    "F002": (ERROR, "wrong type of value"),
    "F003": (ERROR, "missing required key"),
    "F004": (ERROR, "unknown field type"),
    "F005": (ERROR, "duplicate id"),
    "F006": (ERROR, "unknown code list"),
    "F007": (ERROR, "unknown block"),
    "F008": (ERROR, "badly formed id"),
    "F009": (ERROR, "option value out of range or inconsistent"),
    "F010": (ERROR, "unknown source document"),
    "F011": (ERROR, "rule, code list or route without a source"),
    "F012": (ERROR, "unknown file kind"),
    "F013": (ERROR, "block used inside itself"),
    "F014": (ERROR, "badly formed version"),
    "F015": (ERROR, "badly formed pattern"),
    "F016": (ERROR, "unknown agency"),
    "F017": (ERROR, "unknown form"),
    "F018": (ERROR, "unknown role"),
    "F019": (ERROR, "unknown notification event or channel"),
    "E001": (ERROR, "expression syntax error"),
    "E002": (ERROR, "unknown field in an expression"),
    "E003": (ERROR, "unknown function"),
    "E004": (ERROR, "type mismatch in an expression"),
    "E005": (ERROR, "wrong number of arguments"),
    "E006": (ERROR, "conditions form a cycle"),
    "E007": (ERROR, "value not in the field's code list"),
    "E008": (ERROR, "unknown protocol setting, or one a rule cannot use"),
    "P001": (ERROR, "unknown state in the process"),
    "P002": (ERROR, "state no transition reaches"),
    "P003": (ERROR, "dead end, or a way out of a terminal state"),
    "P010": (ERROR, "a link to a field that is not a reference to the opening form"),
    "P011": (ERROR, "a fact of an unknown type, or a value of the wrong type"),
    "P012": (ERROR, "a fact that comes from nowhere"),
    "P013": (ERROR, "a form used by the process that is not linked to the case"),
    "P014": (ERROR, "an unknown flag, or a flag on a fact that is not a date"),
    "P015": (ERROR, "a step's asks: a button ending a case without a reason, or a form step "
                    "that asks"),
    "P016": (ERROR, "a fill from the case's other records that cannot be made"),
    "D001": (ERROR, "deadline counts from something that is not a date fact"),
    "D002": (ERROR, "unknown setting, or a setting that is not a whole number"),
    "D003": (ERROR, "period without exactly one unit"),
    "D004": (ERROR, "today() in a deadline's condition"),
    "D005": (ERROR, "deadline waits in a terminal state"),
    "R001": (ERROR, "unknown template, scope, disclosure ground or reason in the protocol"),
    "R002": (ERROR, "unknown placeholder or stray brace in a message template"),
    "R003": (ERROR, "protocol key or recipient that does not fit where it is"),
    "R004": (ERROR, "information item or sharing basis not in its code list"),
    "R005": (ERROR, "route carries more than sharing allows its recipient"),
    "V001": (ERROR, "published version changed without a new version number"),
    "V002": (ERROR, "version number goes backwards"),
    "W001": (WARNING, "Welsh text missing in part of a form"),
}


@dataclass(frozen=True)
class Diagnostic:
    span: Span
    code: str
    message: str
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown diagnostic code {self.code}")

    @property
    def severity(self) -> str:
        return CATALOGUE[self.code][0]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def headline(self) -> str:
        return f"{self.span}: {self.severity} {self.code}: {self.message}"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean' hint naming the closest choice, if any is close."""
    matches = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


def sort_key(diagnostic: Diagnostic) -> tuple:
    return (diagnostic.span.file, diagnostic.span.line, diagnostic.span.col, diagnostic.code)


def format_diagnostic(diagnostic: Diagnostic, sources: Mapping[str, str]) -> str:
    """The headline, the source line with a caret under the column, and the hint."""
    lines = [diagnostic.headline()]
    text = sources.get(diagnostic.span.file)
    if text is not None:
        source_lines = text.splitlines()
        if 1 <= diagnostic.span.line <= len(source_lines):
            line = source_lines[diagnostic.span.line - 1]
            gutter = f"{diagnostic.span.line:>5} | "
            lines.append(gutter + line)
            lines.append(" " * (len(gutter) + diagnostic.span.col - 1) + "^")
    if diagnostic.hint:
        lines.append(f"      = hint: {diagnostic.hint}")
    return "\n".join(lines)


def format_all(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str]) -> str:
    ordered = sorted(diagnostics, key=sort_key)
    body = "\n".join(format_diagnostic(d, sources) for d in ordered)
    errors = sum(1 for d in ordered if d.is_error)
    warnings = len(ordered) - errors
    return f"{body}\n{errors} error(s), {warnings} warning(s)" if ordered else ""
