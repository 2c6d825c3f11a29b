"""The forms the API knows: the generated manifest, schemas and protocol, loaded once per
process (the manifest and protocol read into the contract's typed objects), with each
schema's validators compiled once and reused.

Reads only api/chalicelib/generated/ (written by `dipforms build`, packaged by Chalice).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema_rs

from .contract.manifest import FormEntry, Manifest
from .contract.protocol import Protocol
from .domain.validation import compile_validator

GENERATED = Path(__file__).parent / "generated"


@dataclass
class FormSchema:
    """One version of one form: its schema and its compiled validators.

    `fast` (jsonschema-rs) gives the verdict in microseconds; `detailed` (jsonschema) is
    used only for a failing submission, to name each field and its message. Both are
    built once; tests/functional/test_validators.py checks they agree on every example.
    """

    form_id: str
    version: str
    schema: dict[str, Any]

    @cached_property
    def fast(self):
        return jsonschema_rs.validator_for(self.schema, validate_formats=True)

    @cached_property
    def detailed(self):
        return compile_validator(self.schema)

    @property
    def title(self) -> str:
        return self.schema.get("title", self.form_id)


class Catalogue:
    def __init__(self, folder: Path = GENERATED) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._schemas: dict[tuple[str, str], FormSchema] = {}
        manifest_path = folder / "manifest.json"
        if not manifest_path.is_file():
            raise FileNotFoundError(
                f"{manifest_path} is missing: run `dipforms build` before starting the API")
        self.manifest = Manifest.from_json(json.loads(manifest_path.read_text("utf-8")))
        protocol_path = folder / "protocol.json"
        #: The local protocol, read and checked once here (a file that does not fit the
        #: contract fails at start-up, not on a request).
        self.protocol: Protocol = (Protocol.from_json(json.loads(protocol_path.read_text("utf-8")))
                                   if protocol_path.is_file() else Protocol())
        self.forms: dict[str, FormEntry] = {form.id: form for form in self.manifest.forms}
        process_path = folder / "process.json"
        self.process: dict[str, Any] | None = (json.loads(process_path.read_text("utf-8"))
                                               if process_path.is_file() else None)

    @cached_property
    def case_process(self):
        """process.json indexed for the case engine (caseflow.Process), built once rather
        than on every request; None when the forms have no process."""
        from .domain.caseflow import Process

        return Process(self.process) if self.process else None

    @property
    def settings(self) -> Mapping[str, Any]:
        """The protocol's settings: {name: value}."""
        return self.protocol.settings

    def current(self, form_id: str) -> FormSchema | None:
        entry = self.forms.get(form_id)
        return self.version(form_id, entry.current_version) if entry else None

    def version(self, form_id: str, version: str) -> FormSchema | None:
        key = (form_id, version)
        found = self._schemas.get(key)
        if found is not None:
            return found
        entry = self.forms.get(form_id)
        if entry is None or not entry.has_version(version):
            return None
        with self._lock:
            if key not in self._schemas:
                path = self.folder / "schemas" / form_id / f"{version}.schema.json"
                schema = json.loads(path.read_text("utf-8"))
                self._schemas[key] = FormSchema(form_id, version, schema)
            return self._schemas[key]

    def warm(self) -> None:
        """Load and compile every current schema now (at start-up, not on a request)."""
        for form_id in self.forms:
            found = self.current(form_id)
            found.fast, found.detailed  # noqa: B018 - compiling is the point
