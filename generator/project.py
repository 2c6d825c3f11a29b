"""Assemble a Project from files: which file is what, and the parse order.

Pure: paths and text in, model and diagnostics out. edges/files.py reads them from disk.
"""

from __future__ import annotations

import hashlib
import posixpath
from typing import Any

from .diagnostics import Diagnostic
from .model import Form, Project
from .parse.form import FormParser
from .parse.load import load_yaml
from .parse.reader import Reader
from .parse.shared import (
    AGENCY_CODELIST,
    agency_codelist,
    parse_block,
    parse_codelist,
    parse_documents,
    parse_protocol,
)
from .spans import Node, Span


def classify(path: str) -> str:
    """sources | protocol | process | codelist | block | form | unknown, from the path under
    forms/."""
    parts = tuple(path.split("/"))[1:]   # paths are posix, as read_forms_dir gives them
    if parts in (("sources.yaml",), ("sources.yml",)):
        return "sources"
    if parts in (("protocol.yaml",), ("protocol.yml",)):
        return "protocol"
    if parts in (("process.yaml",), ("process.yml",)):
        return "process"
    if len(parts) == 2 and parts[0] == "codelists":
        return "codelist"
    if len(parts) == 2 and parts[0] == "blocks":
        return "block"
    if len(parts) == 1:
        return "form"
    return "unknown"


#: A parsed form kept between builds: (its key, the form or None, its parse diagnostics).
ParsedForm = tuple[tuple[Any, ...], Form | None, list[Diagnostic]]


def shared_digest(sources: dict[str, str]) -> str:
    """A digest of every file that is not a form: what a form is parsed and built against
    (its code lists, blocks, documents, the protocol's agencies, the process)."""
    shared = hashlib.sha256()
    for path, text in sorted(sources.items()):
        if classify(path) != "form":
            shared.update(path.encode() + b"\0" + text.encode() + b"\0")
    return shared.hexdigest()


def parse_project(
    sources: dict[str, str], loads: dict[str, tuple[str, Node | None, list]] | None = None,
    parsed: dict[str, ParsedForm] | None = None, shared: str | None = None,
) -> tuple[Project, list[Diagnostic]]:
    """Load and parse every file; returns the project and all load/parse diagnostics.

    `loads` remembers each file's nodes by its text, so an unchanged file is not re-read;
    `parsed` each form as parsed, reused while its text, every other file (`shared`, their
    shared_digest) and whether a diagnostic came before it are the same: all a form's
    parse reads (FormParser keeps nothing between forms, and the model is frozen).
    """
    diagnostics: list[Diagnostic] = []
    nodes: dict[str, tuple[str, Node]] = {}
    for path, text in sources.items():
        remembered = loads.get(path) if loads is not None else None
        if remembered is not None and remembered[0] == text:
            _, node, problems = remembered
        else:
            node, problems = load_yaml(text, path)
            if loads is not None:
                loads[path] = (text, node, problems)
        diagnostics.extend(problems)
        kind = classify(path)
        if kind == "unknown":
            diagnostics.append(Diagnostic(Span(path, 1, 1), "F012",
                                          "this file is not in a place dipforms reads",
                                          hint="forms go in forms/, code lists in "
                                               "forms/codelists/, blocks in forms/blocks/"))
        elif node is not None:
            nodes[path] = (kind, node)

    def of_kind(kind: str):
        return [(p, n) for p, (k, n) in nodes.items() if k == kind]

    documents: dict[str, str] = {}
    reader = Reader()
    for _, node in of_kind("sources"):
        documents.update(parse_documents(reader, node))
    reader.documents = set(documents)

    codelists = {}
    for path, node in of_kind("codelist"):
        codelist = parse_codelist(reader, node, _stem(path))
        if codelist is not None:
            codelists[codelist.id] = codelist
    blocks = {}
    for path, node in of_kind("block"):
        block = parse_block(reader, node, _stem(path))
        if block is not None:
            blocks[block.id] = block
    protocol = None
    for _, node in of_kind("protocol"):
        protocol = parse_protocol(reader, node)
    if protocol is not None:
        if AGENCY_CODELIST in codelists:
            reader.error(codelists[AGENCY_CODELIST].span, "F009",
                         f"the code list name '{AGENCY_CODELIST}' is the protocol's agencies",
                         hint="list agencies in forms/protocol.yaml, or rename this code list")
        codelists[AGENCY_CODELIST] = agency_codelist(protocol)

    process = None
    for _, node in of_kind("process"):
        # imported on use: a project without process.yaml never loads it (README.md: Build speed)
        from .process.states import parse_process
        process = parse_process(reader, node)

    parser = FormParser(reader, codelists, blocks)
    if parsed is not None and shared is None:
        shared = shared_digest(sources)
    forms = []
    for path, node in of_kind("form"):
        key = (sources[path], shared, bool(reader.diagnostics))
        kept = parsed.get(path) if parsed is not None else None
        if kept is not None and kept[0] == key:
            form = kept[1]
            reader.diagnostics.extend(kept[2])
        else:
            before = len(reader.diagnostics)
            form = parser.form(node, _stem(path))
            if parsed is not None:
                parsed[path] = (key, form, reader.diagnostics[before:])
        if form is not None:
            forms.append(form)
    diagnostics.extend(reader.diagnostics)
    project = Project(tuple(sorted(forms, key=lambda f: f.id)), codelists, protocol, documents,
                      process)
    return project, diagnostics


def _stem(path: str) -> str:
    """'forms/codelists/ethnicity.yaml' -> 'ethnicity'."""
    return posixpath.splitext(posixpath.basename(path))[0]
