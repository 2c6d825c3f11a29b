"""The manifest (schemas/manifest.json, copied to generated/): every form, its current and
kept versions with each schema's path and hash, and the protocol file beside it.

The build writes `Manifest.to_json()`; the API reads it with `Manifest.from_json` once at
start. The JSON is committed, so its shape is kept exactly: `from_json(d).to_json() == d`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class SchemaVersion:
    """One kept version of a form: its schema file (under schemas/) and that file's sha256."""

    version: str
    schema: str
    sha256: str


@dataclass(frozen=True)
class FormEntry:
    """One form: `title` and `description` are {"en": ..., "cy": ...} (cy when written)."""

    id: str
    title: Mapping[str, str]
    description: Mapping[str, str] | None
    agency: str
    current_version: str
    welsh: bool
    versions: tuple[SchemaVersion, ...]

    def has_version(self, version: str) -> bool:
        return any(v.version == version for v in self.versions)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": dict(self.title),
                "description": dict(self.description) if self.description is not None
                else None,
                "agency": self.agency, "current_version": self.current_version,
                "welsh": self.welsh,
                "versions": [{"version": v.version, "schema": v.schema, "sha256": v.sha256}
                             for v in self.versions]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FormEntry:
        form_id = _text(data, "id", "a form")
        what = f"form {form_id}"
        versions = data.get("versions")
        if not isinstance(versions, list):
            raise ValueError(f"manifest: {what}: versions must be a list")
        description = data.get("description")
        return cls(form_id, _words(data.get("title"), f"{what}: title"),
                   None if description is None else _words(description, f"{what}: description"),
                   _text(data, "agency", what), _text(data, "current_version", what),
                   data.get("welsh") is True,
                   tuple(SchemaVersion(_text(v, "version", what), _text(v, "schema", what),
                                       _text(v, "sha256", what)) for v in versions))


@dataclass(frozen=True)
class Manifest:
    forms: tuple[FormEntry, ...]
    protocol: str | None = None          # "protocol.json" when the forms have a protocol
    manifest_version: int = MANIFEST_VERSION

    def to_json(self) -> dict[str, Any]:
        return {"manifest_version": self.manifest_version,
                "forms": [form.to_json() for form in self.forms], "protocol": self.protocol}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        if not isinstance(data, Mapping) or not isinstance(data.get("forms"), list):
            raise ValueError("manifest: expected {manifest_version, forms: [...], protocol}")
        protocol = data.get("protocol")
        if protocol is not None and not isinstance(protocol, str):
            raise ValueError("manifest: protocol must be a file name or null")
        version = data.get("manifest_version", MANIFEST_VERSION)
        if version != MANIFEST_VERSION:
            raise ValueError(f"manifest: version {version!r}; this API reads "
                             f"{MANIFEST_VERSION}")
        return cls(tuple(FormEntry.from_json(_mapping(f, "a form")) for f in data["forms"]),
                   protocol, version)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"manifest: {what} must be a mapping")
    return value


def _text(data: Any, key: str, what: str) -> str:
    value = _mapping(data, what).get(key)
    if not isinstance(value, str):
        raise ValueError(f"manifest: {what}: {key} must be text")
    return value


def _words(value: Any, what: str) -> dict[str, str]:
    words = _mapping(value, what)
    if not isinstance(words.get("en"), str) or not all(isinstance(w, str)
                                                       for w in words.values()):
        raise ValueError(f"manifest: {what} must be {{en: text, cy: text}}")
    return dict(words)
