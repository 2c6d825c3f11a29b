"""A project folder on disk: read its YAML and kept schemas, build, and write (the edge).

Shared by `dipforms check`, `build` and `serve`, so all three see the same diagnostics.
How the pages sign staff in comes from the environment here (`site_auth`), nowhere else.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..build import BuildCache, BuildResult, build_project
from ..diagnostics import format_all
from .files import read_committed_schemas, read_forms_dir
from .write import write_result

if TYPE_CHECKING:   # render (and Jinja) is imported only when pages are built
    from ..render.site import SiteAuth

#: Cognito's own pattern for an app client id.
CLIENT_ID = re.compile(r"[\w+]{1,128}", re.ASCII)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def site_auth(environ: Mapping[str, str]) -> SiteAuth:
    """DIPFORMS_AUTH (local | cognito; the API reads the same variable) and, for Cognito,
    DIPFORMS_COGNITO_DOMAIN (the hosted UI's base URL) and DIPFORMS_COGNITO_CLIENT_ID.
    Raises ValueError naming the variable that is wrong."""
    from ..render.site import LOCAL_AUTH, SiteAuth

    mode = environ.get("DIPFORMS_AUTH", "").strip() or "local"
    if mode == "local":
        return LOCAL_AUTH
    if mode != "cognito":
        raise ValueError("DIPFORMS_AUTH must be 'local' or 'cognito'")
    domain = environ.get("DIPFORMS_COGNITO_DOMAIN", "").strip().rstrip("/")
    client_id = environ.get("DIPFORMS_COGNITO_CLIENT_ID", "").strip()
    parts = urlsplit(domain)
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)
    if not (secure and parts.hostname and not parts.path and not parts.query
            and not parts.fragment and parts.username is None):
        raise ValueError("DIPFORMS_COGNITO_DOMAIN must be the hosted UI's https:// address "
                         "alone, e.g. https://dipforms.auth.eu-west-2.amazoncognito.com")
    if not CLIENT_ID.fullmatch(client_id):
        raise ValueError("DIPFORMS_COGNITO_CLIENT_ID must be the user pool app client's id")
    return SiteAuth("cognito", domain=domain, client_id=client_id)


@dataclass
class Workspace:
    """`auth`: how the built pages sign staff in; None reads it from the environment."""

    root: Path
    cache: BuildCache = field(default_factory=BuildCache)
    auth: SiteAuth | None = None

    def build(self, *, site: bool = True) -> tuple[BuildResult, dict[str, str]]:
        """Build from what is on disk now; returns the result and the YAML texts read."""
        if site and self.auth is None:
            self.auth = site_auth(os.environ)
        sources = read_forms_dir(self.root)
        committed = read_committed_schemas(self.root)
        renderer = site_renderer(self.auth) if site else None
        return build_project(sources, committed, site=renderer, cache=self.cache), sources

    def build_and_write(self) -> tuple[BuildResult, str, int]:
        """Build; write only if there is no error. Returns (result, report text, files changed)."""
        result, sources = self.build(site=True)
        report = format_all(result.diagnostics, sources)
        changed = write_result(self.root, result) if result.ok else 0
        return result, report, changed


def site_renderer(auth: SiteAuth | None = None):
    """The pages' renderer, with one Jinja environment for the life of the process."""
    from ..render.site import LOCAL_AUTH, Site
    from .templating import make_environment

    global _ENV
    auth = auth or LOCAL_AUTH
    if auth not in _SITES:
        if _ENV is None:
            _ENV = make_environment()
        _SITES[auth] = Site(_ENV, auth=auth)
    return _SITES[auth]


_ENV = None
_SITES: dict[SiteAuth, object] = {}
