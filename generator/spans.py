"""Where a value came from (file, line, column) and the YAML nodes that carry it.

Every value read from YAML keeps its Span, so any later check can point a DAT at
`forms/x.yaml:LINE:COL`. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    """A 1-based position in a source file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def shifted(self, cols: int) -> Span:
        """The span `cols` characters to the right (for positions inside an expression)."""
        return Span(self.file, self.line, self.col + cols)


@dataclass(frozen=True)
class Scalar:
    """A YAML scalar: str, int, float, bool or None."""

    value: object
    span: Span
    quoted: bool = False

    def describe(self) -> str:
        return describe_value(self.value)


@dataclass(frozen=True)
class Mapping:
    """A YAML mapping with string keys; `keys` keeps each key's own span."""

    items: dict[str, Node]
    keys: dict[str, Span]
    span: Span

    def get(self, key: str) -> Node | None:
        return self.items.get(key)

    def value_spans(self) -> dict[str, Span]:
        """Each key's value's span, for pointing a diagnostic at what was written."""
        return {key: value.span for key, value in self.items.items()}


@dataclass(frozen=True)
class Sequence:
    items: list[Node] = field(default_factory=list)
    span: Span = Span("", 0, 0)


Node = Scalar | Mapping | Sequence


def describe_value(value: object) -> str:
    """A DAT-friendly name for a value's kind, used in 'expected X, found Y' messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def describe_node(node: Node) -> str:
    if isinstance(node, Mapping):
        return "a mapping (key: value lines)"
    if isinstance(node, Sequence):
        return "a list"
    return node.describe()


def plain(node: Node) -> object:
    """The node as plain Python values, spans dropped (for hashing and comparisons)."""
    if isinstance(node, Mapping):
        return {k: plain(v) for k, v in node.items.items()}
    if isinstance(node, Sequence):
        return [plain(v) for v in node.items]
    return node.value
