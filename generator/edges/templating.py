"""The edge that builds the Jinja Environment: our templates, then govuk-frontend-jinja's.

Autoescape is on for every template, so no text from YAML can inject HTML. Rendering
itself (render.py) never builds an Environment: it is given one.

Compiled templates are kept in CACHE_DIR (not committed) so that a fresh process does not
compile the ~50 templates again: compiling is most of a cold one-form build. Jinja keys
each entry by the template's name and file and checks a digest of its source on loading,
so an edited template is compiled afresh; entries are written to a temporary file and
renamed, so processes building at once do not read half-written ones.
"""

from __future__ import annotations

from collections import ChainMap
from pathlib import Path

from jinja2 import (
    BytecodeCache,
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
)
from jinja2.bccache import Bucket

from ..render.components import ComponentCache, Fragments

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"
#: the build's own cache of compiled templates (in .gitignore)
CACHE_DIR = Path(__file__).parent.parent / ".jinja-cache"


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's file cache, except that a folder it cannot write to only makes the next
    process compile again (a read-only install still builds)."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


class _Globals(ChainMap):
    """A template's globals whose keys() is a plain set: on every `{% import %}` and
    `{% from %}` Jinja subtracts them from the importing context's, and through
    ChainMap's KeysView that cost about 18 us each time (some 10% of a page build)."""

    def keys(self):  # type: ignore[override]
        return set().union(*self.maps)


class _Environment(Environment):
    def make_globals(self, d):
        return _Globals({} if d is None else d, self.globals)


def compiled_templates(folder: Path | None) -> BytecodeCache | None:
    """The cache of compiled templates in `folder`; None (compile every time) when there
    is no folder or it cannot be made."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _CompiledTemplates(str(folder), "%s.jinja")


def make_environment(cache_dir: Path | None = CACHE_DIR,
                     templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """The Environment every page is rendered with; same input, byte-identical output.

    `ChainableUndefined` because govuk-frontend-jinja's base template calls its macros
    without arguments; our own code is held strict by its tests instead. `cache_dir`: where
    compiled templates are kept between processes (None: nowhere); `templates_dir`: our
    templates (another folder only in tests).
    """
    loader = ChoiceLoader([
        FileSystemLoader(str(templates_dir)),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    env = _Environment(
        loader=loader,
        autoescape=True,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=compiled_templates(cache_dir),
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.globals["govuk"] = ComponentCache(env)
    env.globals["once"] = Fragments()
    return env
