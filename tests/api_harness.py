"""The API in-process for tests: the repo's forms built into a temporary generated/
folder, a real store, local tokens, and chalice's test Client."""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.catalogue import Catalogue
from chalicelib.clock import epoch_seconds
from chalicelib.context import Context
from chalicelib.domain.access import AccessPolicy
from chalicelib.runtime import Runtime, make_channels
from chalicelib.settings import Settings
from chalicelib.tokens import LocalVerifier, ensure_local_secret, mint_local_token
from chalicelib.users import UserDirectory

from generator.build import build_project
from generator.edges.files import read_committed_schemas, read_forms_dir
from generator.edges.write import _write_tree
from tests.examples import example_clock

ROOT = Path(__file__).resolve().parent.parent

#: A user of each role, in the agency the protocol gives that role.
USERS = {
    "police": ("pc_jones", "police", "northshire_police"),
    "cps": ("cps_lawyer", "cps", "northshire_cps"),
    "cjit": ("cjit_worker", "cjit", "northshire_cjit"),
    "probation": ("om_smith", "probation", "northshire_probation"),
    "carat": ("carat_worker", "carat", "hmp_northshire_carats"),
    "dat_admin": ("dat_admin", "dat_admin", "northshire_dat"),
}


def write_generated(folder: Path, root: Path = ROOT) -> Path:
    """Build the forms under `root` (the repo's by default) and write only what the API
    reads, into `folder`."""
    result = build_project(read_forms_dir(root), read_committed_schemas(ROOT))
    assert result.ok, [d.headline() for d in result.diagnostics]
    _write_tree(folder, result.generated, prune=True)
    return folder


@dataclass
class Api:
    client: object
    runtime: Runtime
    secret: bytes
    known: set[str] = field(default_factory=set)   # user ids put in the users file

    def token(self, role: str, *, user: str | None = None, agency: str | None = None,
              ttl: int = 3600, age: int = 0) -> str:
        """A signed local token; `age` seconds old (an expired one: age > ttl). Its user
        is added to the users file first if new (the API refuses users it does not know)."""
        subject, role_, default_agency = USERS[role]
        if (user or subject) not in self.known:
            known_user(self.runtime, user or subject, role_, agency or default_agency)
            self.known.add(user or subject)
        return mint_local_token(self.secret, subject=user or subject, role=role_,
                                agency=agency or default_agency,
                                now=epoch_seconds(self.runtime.clock) - age,
                                ttl_seconds=ttl)

    def headers(self, role: str | None, **extra: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", **extra}
        if role is not None:
            headers["Authorization"] = f"Bearer {self.token(role)}"
        return headers

    def submit(self, form: str, data, role: str = "police", key: str | None = None,
               **extra: str):
        headers = self.headers(role, **{"Idempotency-Key": key or str(uuid.uuid4()), **extra})
        return self.client.http.post(f"/v1/forms/{form}/submissions", headers=headers,
                                     body=json.dumps(data))

    def get(self, path: str, role: str | None = "police"):
        return self.client.http.get(path, headers=self.headers(role))

    def put(self, path: str, data, role: str = "police"):
        return self.client.http.put(path, headers=self.headers(role), body=json.dumps(data))


def known_user(runtime: Runtime, user_id: str, role: str, agency: str) -> None:
    """Make sure the users file of `runtime` has this user (enabled unless disabled since)."""
    users = UserDirectory.in_data_dir(runtime.settings.data_dir)
    if users.get(user_id) is None:
        users.add(user_id, role, agency)


def make_runtime(data_dir: Path, generated: Path, store, *, clock=None
                 ) -> tuple[Runtime, bytes]:
    """`clock`: by default one set to the example submissions' day (tests/examples.py)."""
    settings = Settings(data_dir=data_dir, base_url="http://127.0.0.1:8000")
    catalogue = Catalogue(generated)
    catalogue.warm()
    counter = itertools.count(1)
    context = Context(store=store, catalogue=catalogue,
                      policy=AccessPolicy.from_protocol(catalogue.protocol,
                                                        form_ids=tuple(catalogue.forms)),
                      base_url=settings.base_url,
                      clock=clock or example_clock(),
                      random_id=lambda: f"{next(counter):010d}")
    secret = ensure_local_secret(data_dir)
    return Runtime(settings, context, LocalVerifier(secret), make_channels(settings)), secret
