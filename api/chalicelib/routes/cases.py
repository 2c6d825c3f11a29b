"""Cases: the reader's list and what is due (casefind.py); a case read as the caller may
see it; take a step, record a fact, book an appointment, disclose information, hand the
case over. Each command is cases.py's: load, plan, commit."""

from __future__ import annotations

from ..runtime import runtime
from .area import Area

area = Area("cases")


@area.route("/v1/cases")
def list_cases(who):
    """?state=&condition=&due=overdue|week&q=&cursor=&limit=: the cases the reader's agency
    is party to (the DAT: every case, references only), newest change first (audited)."""
    from .. import audit_log

    return audit_log.list_cases(runtime().context, who, area.query(), area.request_id())


@area.route("/v1/due")
def due(who):
    """What is due within 14 days, or overdue, on the reader's agency's cases (audited)."""
    from .. import audit_log

    return audit_log.read_due(runtime().context, who, area.request_id())


@area.route("/v1/cases/{case_ref}")
def read_case(who, case_ref: str):
    """?timeline_cursor=&records_cursor=&limit=: the case with a page of its records and
    one of its timeline (newest first), cut to what the reader may see (audited)."""
    from .. import audit_log

    return audit_log.read_case(runtime().context, who, case_ref, area.request_id(),
                               area.query())


@area.route("/v1/cases/{case_ref}/transitions", methods=("POST",))
def take_step(who, case_ref: str):
    """{transition, base_version?}: move the case, or 4xx naming the rule and next steps."""
    from .. import cases

    return cases.transition(runtime().context, who, case_ref, area.json_body(),
                            area.request_id())


@area.route("/v1/cases/{case_ref}/facts", methods=("POST",))
def record_fact(who, case_ref: str):
    """{fact, value}: a fact staff keep on the case (e.g. a planned release date)."""
    from .. import cases

    return cases.record_fact(runtime().context, who, case_ref, area.json_body(),
                             area.request_id())


@area.route("/v1/cases/{case_ref}/appointments", methods=("POST",))
def add_appointment(who, case_ref: str):
    """{starts_at, ends_at}: book a time; a clash with another agency tells both (N27)."""
    from .. import cases

    return cases.add_appointment(runtime().context, who, case_ref, area.json_body(),
                                 area.request_id())


@area.route("/v1/cases/{case_ref}/disclosures", methods=("POST",))
def disclose(who, case_ref: str):
    """{recipient, ground, items, reason, ...}: a disclosure, allowed and logged (N25) or
    refused."""
    from .. import cases

    return cases.disclose(runtime().context, who, case_ref, area.json_body(),
                          area.request_id())


@area.route("/v1/cases/{case_ref}/handovers", methods=("POST",))
def hand_over(who, case_ref: str):
    """{agency, reason?}: a party hands the case to another agency, which becomes a party."""
    from .. import cases

    return cases.hand_over(runtime().context, who, case_ref, area.json_body(),
                           area.request_id())
