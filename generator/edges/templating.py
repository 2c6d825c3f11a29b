"""The edge that builds the Jinja Environment: our templates, then govuk-frontend-jinja's.

Autoescape is on for every template, so no text from YAML can inject HTML. Rendering
itself (render.py) never builds an Environment: it is given one.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
)

from ..render.components import ComponentCache

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"


def make_environment() -> Environment:
    """The Environment every page is rendered with; same input, byte-identical output.

    `ChainableUndefined` because govuk-frontend-jinja's base template calls its macros
    without arguments; our own code is held strict by its tests instead.
    """
    loader = ChoiceLoader([
        FileSystemLoader(str(TEMPLATES_DIR)),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    env = Environment(
        loader=loader,
        autoescape=True,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.globals["govuk"] = ComponentCache(env)
    return env
