"""The typed model of a project: forms, pages, fields, code lists, rules, the protocol.

Frozen dataclasses built by `parse.py`; each keeps the Span it came from so any later
check can point at the YAML. Pure: no I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .spans import Span


@dataclass(frozen=True)
class Text:
    """Text for the person filling the form, in English and optionally Welsh."""

    en: str
    cy: str | None
    span: Span

    def get(self, lang: str) -> str:
        return (self.cy or self.en) if lang == "cy" else self.en


@dataclass(frozen=True)
class Source:
    """A citation: a reference document and section, or `assumption` / `unverified`."""

    document: str
    section: str
    span: Span

    def __str__(self) -> str:
        return f"{self.document} {self.section}".strip()


@dataclass(frozen=True)
class Code:
    code: str
    label: Text
    hint: Text | None
    span: Span


@dataclass(frozen=True)
class CodeList:
    id: str
    title: Text
    values: tuple[Code, ...]
    sources: tuple[Source, ...]
    span: Span

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.values)


@dataclass(frozen=True)
class Expr:
    """An expression as written (`text`) and parsed (`ast`, see rules/syntax.py)."""

    text: str
    ast: Any
    span: Span


@dataclass(frozen=True)
class Field:
    """One question (or a repeating group, whose `children` are the fields of one item).

    `options` holds the type-specific keys, already parsed (see generator/fields/).
    `path` is the field's place in the submission: ('offences', 'offence_date').
    """

    id: str
    type: str
    label: Text | None
    span: Span
    path: tuple[str, ...]
    hint: Text | None = None
    help: Text | None = None
    required: bool = False
    required_if: Expr | None = None
    show_if: Expr | None = None
    errors: dict[str, Text] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    children: tuple[Field, ...] = ()
    sources: tuple[Source, ...] = ()
    note: str | None = None        # for the DAT and developers: kept in the YAML, never shown
    paper_ref: str | None = None   # the paper form's number ("4.5"): shown on print.html only

    @property
    def pointer(self) -> str:
        """The JSON pointer of the field, with `-` for "any item" in a repeat."""
        return "/" + "/".join(self.path)


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    fields: tuple[Field, ...]
    span: Span
    description: Text | None = None
    show_if: Expr | None = None
    note: str | None = None        # as a field's: never shown to the person filling the form
    paper_ref: str | None = None   # the paper form's section ("Section A"): print.html only
    asked: str = "first"   # "later": only when a stored record is changed


@dataclass(frozen=True)
class Rule:
    """A cross-field rule with its own message and citation."""

    id: str
    field: str
    check: Expr
    message: Text
    sources: tuple[Source, ...]
    span: Span
    when: Expr | None = None
    severity: str = "refuse"
    field_span: Span | None = None
    as_of: str = "made"   # today() is the day the record was made, or "now": the clock's


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    title: Text
    agency: str
    description: Text
    sources: tuple[Source, ...]
    pages: tuple[Page, ...]
    rules: tuple[Rule, ...]
    span: Span
    version_span: Span | None = None
    note: str | None = None        # about the form as a whole, for the DAT: never shown

    def fields(self) -> tuple[Field, ...]:
        """Top-level fields in page order (repeats not expanded)."""
        return tuple(f for page in self.pages for f in page.fields)

    def walk(self) -> Iterator[Field]:
        """Every field, repeat children included, depth first."""
        stack = list(reversed(self.fields()))
        while stack:
            f = stack.pop()
            yield f
            stack.extend(reversed(f.children))

    def notes(self) -> Iterator[tuple[str, str]]:
        """Every `note:` with its place (the form, a page, a field), for review and tests."""
        if self.note:
            yield "form", self.note
        for page in self.pages:
            if page.note:
                yield f"page {page.id}", page.note
        for f in self.walk():
            if f.note:
                yield ".".join(f.path), f.note

    def texts(self, *, code_lists: bool = True) -> Iterator[tuple[str, Text]]:
        """Every translatable text with a readable place name, for the Welsh check.

        `code_lists=False` leaves out labels that come from shared code lists, which other
        forms use too and so do not make this form Welsh.
        """
        yield "title", self.title
        yield "description", self.description
        for page in self.pages:
            yield f"page {page.id} title", page.title
            if page.description:
                yield f"page {page.id} description", page.description
        for f in self.walk():
            where = ".".join(f.path)
            for key in ("label", "hint", "help"):
                value = getattr(f, key)
                if value is not None:
                    yield f"{where} {key}", value
            for key, value in sorted(f.options.items()):
                if isinstance(value, Text):
                    yield f"{where} {key}", value
            for kind, message in sorted(f.errors.items()):
                yield f"{where} error {kind}", message
            shared = "codelist" in f.options
            for option in f.options.get("choices", ()) if code_lists or not shared else ():
                yield f"{where} option {option.code}", option.label
        for rule in self.rules:
            yield f"rule {rule.id} message", rule.message

    @functools.cached_property
    def has_welsh(self) -> bool:
        """(Kept once found: a build asks it of each form for every page set it makes.)"""
        return any(t.cy for _, t in self.texts(code_lists=False))


@dataclass(frozen=True)
class Block:
    id: str
    description: Text | None
    fields: Any  # the raw field nodes; expanded where the block is used
    span: Span


@dataclass(frozen=True)
class Agency:
    id: str
    type: str
    name: str
    span: Span
    spoc: dict[str, str] = field(default_factory=dict)
    name_cy: str | None = None           # its name in Welsh, where it has one


@dataclass(frozen=True)
class AccessRule:
    """Which roles may submit and read one form (protocol.yaml `access`)."""

    form: str
    span: Span
    submit: tuple[tuple[str, Span], ...]
    read: tuple[tuple[str, Span], ...]


@dataclass(frozen=True)
class Route:
    """Who hears of an event on a form, by which channel, with which answers (if any)."""

    event: str
    form: str
    to: str
    channel: str
    fields: tuple[tuple[str, Span], ...]
    span: Span
    spans: dict[str, Span]


@dataclass(frozen=True)
class Protocol:
    """The local protocol: the area, its agencies and contacts, what it offers, settings."""

    area: str
    name: str
    agencies: tuple[Agency, ...]
    condition_types: tuple[str, ...]
    settings: dict[str, Any]
    sources: tuple[Source, ...]
    span: Span
    raw: dict[str, Any] = field(default_factory=dict)
    access: dict[str, AccessRule] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()


@dataclass(frozen=True)
class Project:
    """Everything under forms/, parsed."""

    forms: tuple[Form, ...]
    codelists: dict[str, CodeList]
    protocol: Protocol | None
    documents: dict[str, str]
    process: Any = None     # process.Process: forms/process.yaml, when there is one
