"""Typed reading of span-marked YAML nodes, reporting every problem as a Diagnostic.

Each method returns the value or None, and never raises: the caller keeps going so a
DAT sees all problems in one run. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..diagnostics import Diagnostic, did_you_mean
from ..model import Source, Text
from ..spans import Mapping, Node, Scalar, Sequence, Span, describe_node

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
CODE_PATTERN = re.compile(r"^(?:[a-z0-9][a-z0-9_]*|[A-Z][A-Z0-9]{0,5})$")
SOURCE_TAGS = ("assumption", "unverified")


class Reader:
    """Reads nodes into values, collecting diagnostics in `self.diagnostics`."""

    def __init__(self, documents: Iterable[str] = ()) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.documents = set(documents)

    def error(self, span: Span, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(span, code, message, hint))

    def wrong_type(self, node: Node, expected: str, what: str) -> None:
        self.error(node.span, "F002", f"{what} should be {expected}, not {describe_node(node)}")

    # -- structure -------------------------------------------------------------------

    def mapping(self, node: Node | None, what: str) -> Mapping | None:
        if isinstance(node, Mapping):
            return node
        if node is not None:
            self.wrong_type(node, "a mapping of keys to values", what)
        return None

    def sequence(self, node: Node | None, what: str) -> list[Node]:
        if node is None:
            return []
        if isinstance(node, Sequence):
            return node.items
        self.wrong_type(node, "a list (lines starting with '- ')", what)
        return []

    def keys(
        self, m: Mapping, allowed: Iterable[str], required: Iterable[str], what: str
    ) -> bool:
        """Report unknown and missing keys; True when every required key is present."""
        allowed = set(allowed)
        for key, span in m.keys.items():
            if key not in allowed:
                self.error(
                    span, "F001", f"unknown key '{key}' in {what}", did_you_mean(key, allowed)
                )
        ok = True
        for key in required:
            if key not in m.items:
                ok = False
                self.error(m.span, "F003", f"{what} needs '{key}'")
        return ok

    # -- scalars ---------------------------------------------------------------------

    def string(self, node: Node | None, what: str) -> str | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and isinstance(node.value, str):
            return node.value
        if isinstance(node, Scalar) and isinstance(node.value, int | float | bool):
            hint = f"write it in quotes: '{_yaml_text(node.value)}'"
            self.error(node.span, "F002", f"{what} should be text, not {node.describe()}", hint)
            return None
        self.wrong_type(node, "text", what)
        return None

    def ident(self, node: Node | None, what: str, pattern: re.Pattern = ID_PATTERN,
              shape: str = "lower-case letters, digits and _ (snake_case)") -> str | None:
        value = self.string(node, what)
        if value is not None and not pattern.match(value):
            hint = f"try '{_snake(value)}'" if pattern is ID_PATTERN else None
            self.error(node.span, "F008", f"{what} '{value}' must be {shape}", hint=hint)
            return None
        return value

    def idents(self, node: Node | None, what: str, item: str) -> tuple[tuple[str, Span], ...]:
        """A list of ids (`item` names one in a message), each with where it is written;
        the ones that are not ids are reported and left out."""
        found = []
        for entry in self.sequence(node, what):
            value = self.ident(entry, item)
            if value is not None:
                found.append((value, entry.span))
        return tuple(found)

    def boolean(self, node: Node | None, what: str) -> bool | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        hint = "write true or false" if isinstance(node, Scalar) else None
        self.error(node.span, "F002", f"{what} should be true or false", hint)
        return None

    def integer(self, node: Node | None, what: str, minimum: int = 0) -> int | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and type(node.value) is int:
            if node.value < minimum:
                self.error(node.span, "F009", f"{what} must be {minimum} or more")
                return None
            return node.value
        self.wrong_type(node, "a whole number", what)
        return None

    def number(self, node: Node | None, what: str) -> int | float | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and type(node.value) in (int, float):
            return node.value
        self.wrong_type(node, "a number", what)
        return None

    def text(self, node: Node | None, what: str) -> Text | None:
        """Plain text (English), or a mapping {en, cy}."""
        if node is None:
            return None
        if isinstance(node, Mapping):
            self.keys(node, ("en", "cy"), ("en",), what)
            en = self.string(node.get("en"), f"{what} (en)")
            cy = self.string(node.get("cy"), f"{what} (cy)")
            return Text(en, cy, node.span) if en is not None else None
        value = self.string(node, what)
        return Text(value, None, node.span) if value is not None else None

    # -- citations -------------------------------------------------------------------

    def sources(self, node: Node | None, what: str) -> tuple[Source, ...]:
        if node is None:
            return ()
        nodes = node.items if isinstance(node, Sequence) else [node]
        found = []
        for item in nodes:
            source = self._source(item, what)
            if source is not None:
                found.append(source)
        return tuple(found)

    def _source(self, node: Node, what: str) -> Source | None:
        if isinstance(node, Scalar) and node.value in SOURCE_TAGS:
            return Source(str(node.value), "", node.span)
        m = self.mapping(node, f"a source of {what}")
        if m is None:
            return None
        if not self.keys(m, ("document", "section"), ("document", "section"), "a source"):
            return None
        document = self.string(m.get("document"), "the source document")
        section = self.string(m.get("section"), "the source section")
        if document is None or section is None:
            return None
        if document not in self.documents:
            hint = did_you_mean(document, self.documents) or "list it in forms/sources.yaml"
            self.error(m.get("document").span, "F010", f"unknown document '{document}'", hint)
        return Source(document, section, m.span)


def _snake(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_") or "name"


def _yaml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
