"""Reading a project from disk: the YAML under forms/ and the kept schemas under schemas/,
as plain text for the pure build (project.parse_project, build.build_project)."""

from __future__ import annotations

from pathlib import Path


def read_forms_dir(root: Path, forms_dir: str = "forms") -> dict[str, str]:
    """Every YAML file under forms/, as {'forms/x.yaml': text}, in a stable order."""
    base = root / forms_dir
    files = sorted(p for p in base.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    # undecodable bytes become U+FFFD, which load_yaml reports as "not UTF-8" with its line
    return {p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8", errors="replace")
            for p in files}


def read_committed_schemas(root: Path, schemas_dir: str = "schemas") -> dict[str, dict[str, str]]:
    """The kept schemas: form id -> version -> text, from schemas/<form>/<version>.schema.json."""
    kept: dict[str, dict[str, str]] = {}
    base = root / schemas_dir
    if not base.is_dir():
        return kept
    for path in sorted(base.glob("*/*.schema.json")):
        version = path.name.removesuffix(".schema.json")
        kept.setdefault(path.parent.name, {})[version] = path.read_text(encoding="utf-8")
    return kept
