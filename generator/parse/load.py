"""Read YAML text into span-marked nodes, safely.

Booleans are only `true`/`false` (so a code `no` stays text) and dates stay text (the
parser reads them). Syntax errors and duplicate keys become Diagnostics, never exceptions.
This module parses text; `read_project` in `project.py` does the file reading.
"""

from __future__ import annotations

import yaml

from ..diagnostics import Diagnostic
from ..spans import Mapping, Node, Scalar, Sequence, Span

#: libyaml's parser when PyYAML has it (several times faster), else the pure-Python one.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):
    """A safe loader with YAML 1.2-like scalars: no yes/no/on/off booleans, no timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


_STR = "tag:yaml.org,2002:str"


def load_yaml(text: str, file: str) -> tuple[Node | None, list[Diagnostic]]:
    """Parse one YAML document into nodes; on a syntax error return (None, [diagnostic])."""
    if "\ufffd" in text:
        line = text[: text.index("\ufffd")].count("\n") + 1
        return None, [Diagnostic(Span(file, line, 1), "Y001", "this file is not UTF-8 text",
                                 hint="save it as UTF-8 in your editor")]
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return Mapping({}, {}, Span(file, 1, 1)), []
        diagnostics: list[Diagnostic] = []
        return _convert(root, loader, file, diagnostics), diagnostics
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = Span(file, mark.line + 1, mark.column + 1) if mark else Span(file, 1, 1)
        problem = exc.problem or exc.context or "cannot read this YAML"
        return None, [
            Diagnostic(span, "Y001", f"YAML syntax: {problem}", hint=_syntax_hint(problem))
        ]
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error we know is marked
        return None, [Diagnostic(Span(file, 1, 1), "Y001", f"YAML syntax: {exc}")]
    finally:
        loader.dispose()


def _syntax_hint(problem: str) -> str | None:
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "put text containing ': ' in quotes"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return "check the indentation of this line and the one above"
    return None


def _span(node: yaml.Node, file: str) -> Span:
    return Span(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(node: yaml.Node, loader: _Loader, file: str, out: list[Diagnostic]) -> Node:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve YAML merge keys (<<)
        items: dict[str, Node] = {}
        keys: dict[str, Span] = {}
        for key_node, value_node in node.value:
            key_span = _span(key_node, file)
            if not isinstance(key_node, yaml.ScalarNode):
                out.append(Diagnostic(key_span, "Y003", "a key must be plain text"))
                continue
            key = str(key_node.value)
            if key in items:
                first = keys[key]
                out.append(
                    Diagnostic(
                        key_span,
                        "Y002",
                        f"duplicate key '{key}' (first given at line {first.line})",
                        hint="remove one of them; YAML would silently keep only the last",
                    )
                )
                continue
            keys[key] = key_span
            items[key] = _convert(value_node, loader, file, out)
        return Mapping(items, keys, _span(node, file))
    if isinstance(node, yaml.SequenceNode):
        return Sequence([_convert(v, loader, file, out) for v in node.value], _span(node, file))
    # plain text is most of a form; only numbers, booleans and nulls need constructing
    value = node.value if node.tag == _STR else loader.construct_object(node, deep=True)
    return Scalar(value, _span(node, file), quoted=node.style in ("'", '"'))
