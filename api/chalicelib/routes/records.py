"""The forms a caller may use, submissions, and records: list, read, amend."""

from __future__ import annotations

import uuid

from ..contract import codes
from ..domain.results import Done, Refused
from ..runtime import runtime
from .area import Area

area = Area("records")


@area.route("/v1/forms")
def forms(who):
    """The manifest's forms, each saying whether the caller may submit and read it."""
    ctx = runtime().context
    readable, writable = ctx.policy.readable_forms(who), ctx.policy.submittable_forms(who)
    listed = [{**form.to_json(), "may_submit": form.id in writable, "may_read": form.id in readable}
              for form in ctx.catalogue.manifest.forms]
    return Done({"forms": listed})


@area.route("/v1/forms/{form_id}/submissions", methods=("POST",))
def submit(who, form_id: str):
    """Validate and store a new record; the Idempotency-Key makes a retry safe."""
    from .. import records

    key = area.header("idempotency-key")
    if not _is_uuid(key):
        return Refused("missing_idempotency_key")
    data = area.json_body()
    return records.submit(runtime().context, who, form_id, data, key, area.request_id())


@area.route("/v1/forms/{form_id}/prefill")
def form_prefill(who, form_id: str):
    """?case=<reference>: the answers a form starts with, from its case and the protocol."""
    from .. import prefill

    return prefill.form_prefill(runtime().context, who, form_id, area.query().get("case"),
                                area.request_id())


@area.route("/v1/records")
def list_records(who):
    """?form=F&limit=N&cursor=C: a page of records, newest first, without answers."""
    from .. import records

    params = area.query()
    if not params.get("form"):
        return Refused("bad_request", [{"field": "form", "code": codes.REQUIRED,
                                        "message": "Name the form to list"}])
    try:
        limit = int(params.get("limit", "20"))
    except ValueError:
        return Refused("bad_request", [{"field": "limit", "code": codes.TYPE,
                                        "message": "limit must be a whole number"}])
    return records.list_records(runtime().context, who, params["form"], limit,
                                params.get("cursor"), area.request_id())


@area.route("/v1/records/{record_id}")
def read_record(who, record_id: str):
    """The latest version (or ?version=N) and the version history."""
    from .. import records

    version = area.query().get("version")
    if version is not None and not (version.isascii() and version.isdigit()
                                    and 0 < int(version) < 10**9):
        return Refused("bad_request", [{"field": "version", "code": codes.TYPE,
                                        "message": "version must be a whole number"}])
    return records.read(runtime().context, who, record_id,
                        int(version) if version else None, area.request_id())


@area.route("/v1/records/{record_id}", methods=("PUT",))
def amend_record(who, record_id: str):
    """{reason, base_version, data}: a new version of the record."""
    from .. import records

    request = area.json_body()
    return records.amend(runtime().context, who, record_id, request, area.request_id())


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) in (32, 36)
