"""GET /v1/forms/{form}/prefill: what a form starts with, for a caller who may submit it.
The protocol's answers always; with ?case=, the case reference and what the link's
`fills:` take from the case's opening record as the caller may see it (domain/prefill.py
decides, caseview.visible_answers cuts). A case the caller may not see answers as one that
does not exist (404), as GET /v1/cases/{ref} does; a read of a case is audited (`prefill`).
"""

from __future__ import annotations

from . import cases
from .context import Context
from .contract import codes
from .domain import caseview, prefill
from .domain.access import Principal
from .domain.audit import audit_entry
from .domain.caseplan import case_consent_view
from .domain.results import Done, Refused, Result
from .notify.routing import latest_by_form


def form_prefill(ctx: Context, who: Principal, form_id: str, case_ref: str | None,
                 request_id: str | None = None) -> Result:
    if ctx.policy.denial_reason(who) is not None:
        return Refused("forbidden")
    form = ctx.catalogue.current(form_id)
    if form is None:
        return Refused("not_found")
    if not ctx.policy.may_submit(who, form_id):
        return Refused("forbidden")
    protocol = ctx.catalogue.protocol
    known = prefill.from_protocol(protocol, form_id, form.schema)
    if case_ref is None:
        return Done(prefill.prefill_json(form_id, None, None, known, {}))
    process = cases.process_of(ctx)
    if process is None or prefill.case_fills(process, form_id) is None:
        return Refused("bad_request", [{"field": "case", "code": codes.INVALID,
                                        "message": "This form does not start from a case"}])
    snapshot = cases.load(ctx, who, case_ref, request_id=request_id)
    if isinstance(snapshot, Refused):
        return snapshot
    today = ctx.today()
    consent = case_consent_view(protocol, snapshot, today)
    def seen(record):
        return caseview.visible_answers(ctx.policy, protocol, who, record, consent)

    opener = next((r for r in snapshot.records if r.form_id == process.opened_by), None)
    wanted = prefill.record_sources(process, form_id)
    records = {form: prefill.CaseRecord(r.record_id, seen(r))
               for form, r in latest_by_form(snapshot.records).items() if form in wanted}
    ctx.store.append_audit(audit_entry(who, "prefill", snapshot.case.case_ref,
                                       ctx.timestamp(), request_id=request_id))
    from_case = prefill.from_case(process, form_id, snapshot.case.case_ref,
                                  seen(opener) if opener is not None else None, today,
                                  records)
    return Done(prefill.prefill_json(form_id, snapshot.case.case_ref,
                                     process.links[form_id], known, from_case))
