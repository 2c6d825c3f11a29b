"""Route a record event, or a case event (N01-N28), to outbox events: one per matching
route in the local protocol and recipient.

Pure: no clock, ids or settings of its own (all passed in). A record event's payload carries
only the event, form, reference, link and the answers the route names; a case event's only
references, codes, dates, the link, its template's words and the answers its scopes allow
the recipient. Never any other answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..sharing import ConsentView, SharingError, scope_fields
from ..store.base import OutboxEvent, RecordVersion
from .message import render_template

EVENTS = ("submitted", "amended")
ROUTE_CHANNELS = ("email", "sns")
#: The case events of domain notes §6 (generator/protocol/events.py has the same table).
CASE_EVENTS = {
    "N01": "cc_considered", "N02": "assessment_feedback", "N03": "cps_authorisation_sought",
    "N04": "cps_decision", "N05": "cc_administered", "N06": "followup_ra_cancel",
    "N07": "ra_continues", "N08": "ra_failure", "N09": "appointment_varied",
    "N10": "reminders", "N11": "non_compliance", "N12": "compliance_confirmed",
    "N13": "police_outcome", "N14": "psr_in_preparation", "N15": "potential_drr",
    "N16": "drr_client_assessed", "N17": "rob_with_drr", "N18": "custodial_sentence",
    "N19": "drr_client_into_custody", "N20": "prison_transfer", "N21": "release_planned",
    "N22": "warrant_known", "N23": "recall_returned", "N24": "risk_of_harm",
    "N25": "disclosed_without_consent", "N26": "consent_withdrawn",
    "N27": "appointment_clash", "N28": "supervision_ending",
}
#: Recipients named per case in detail["agencies"], and the one event each may hear.
SPECIAL_RECIPIENTS = {"named_agencies": ("N26",), "owners": ("N27",)}


class RoutingError(ValueError):
    """The protocol names something that does not exist (the build's checks should have
    caught it); the record is not committed rather than committed without its messages."""


def route_event(event: str, record: RecordVersion, form_title: str, protocol: Mapping[str, Any],
                *, base_url: str, now: str, new_id: Callable[[], str]) -> list[OutboxEvent]:
    """One pending OutboxEvent per route matching (event, record.form_id), in route order."""
    if event not in EVENTS:
        raise RoutingError(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}")
    agencies = {agency["id"]: agency for agency in protocol.get("agencies", [])}
    payload = message_payload(event, record, form_title, base_url=base_url)
    events = []
    for index, route in enumerate(protocol.get("routes", [])):
        if route["event"] != event or route.get("form") != record.form_id:
            continue
        events.append(OutboxEvent(
            event_id=new_id(), record_id=record.record_id, event=event,
            form_id=record.form_id, channel=_channel(route, index),
            recipient=recipient_for(route, agencies, index),
            payload={**payload, "fields": allowed_answers(record, route.get("fields", []))},
            created_at=now, status="pending", attempts=0, next_attempt_at=now))
    return events


def message_payload(event: str, record: RecordVersion, form_title: str, *,
                    base_url: str) -> dict[str, Any]:
    """What every message of this event may say, before any route adds its fields."""
    return {"event": event, "form_id": record.form_id, "form_title": form_title,
            "record_id": record.record_id, "version": record.version,
            "link": f"{base_url.rstrip('/')}/records/{record.record_id}"}


def allowed_answers(record: RecordVersion, field_ids: list[str]) -> dict[str, Any]:
    """Only the named answers the record has; unanswered fields are left out."""
    return {field_id: record.data[field_id] for field_id in field_ids
            if field_id in record.data}


def recipient_for(route: Mapping[str, Any], agencies: Mapping[str, Mapping[str, Any]],
                  index: int) -> dict[str, Any]:
    """The agency's SPOC for email; the agency's topic (its id) for sns."""
    agency = agencies.get(route["to"])
    if agency is None:
        raise RoutingError(f"routes[{index}]: unknown agency {route['to']!r}")
    if route["channel"] == "sns":
        return {"agency": agency["id"], "topic": agency["id"]}
    spoc = agency.get("spoc") or {}
    if not spoc.get("email"):
        raise RoutingError(f"routes[{index}]: agency {agency['id']!r} has no SPOC email")
    return {"agency": agency["id"], "name": spoc.get("name", ""), "email": spoc["email"]}


def _channel(route: Mapping[str, Any], index: int) -> str:
    channel = route["channel"]
    if channel not in ROUTE_CHANNELS:
        raise RoutingError(f"routes[{index}]: unknown channel {channel!r}")
    return channel


def route_case_event(event: str, case_ref: str, protocol: Mapping[str, Any], *,
                     records: Sequence[RecordVersion], consent: Mapping[str, Any] | None,
                     reason: str | None, detail: Mapping[str, Any], base_url: str, now: str,
                     new_id: Callable[[], str]) -> list[OutboxEvent]:
    """One pending OutboxEvent per route of `event` (for every reason, or this `reason`)
    and recipient, in route order. `records` are the latest versions of the case's
    records; `consent` the latest consent record's answers; `detail` holds state, due_on,
    flag, today (the local date, else now's) and, for named_agencies or owners, agencies."""
    if event not in CASE_EVENTS:
        raise RoutingError(f"unknown case event {event!r}; expected N01 to N28")
    agencies = {agency["id"]: agency for agency in protocol.get("agencies", [])}
    view = ConsentView.from_data(consent, detail.get("today") or now[:10],
                                 agencies=protocol.get("agencies", []))
    latest = latest_by_form(records)
    words = {"case_ref": case_ref, "event": event, "event_title": case_event_title(event),
             "state": detail.get("state"), "reason": reason, "due_on": detail.get("due_on"),
             "link": f"{base_url.rstrip('/')}/cases/{case_ref}", "flag": detail.get("flag")}
    events = []
    for index, route, scopes in _case_routes(event, reason, protocol):
        template = (protocol.get("templates") or {}).get(route["template"])
        if template is None:
            raise RoutingError(f"routes[{index}]: unknown template {route['template']!r}")
        payload = {**words, "scope": scopes,
                   "subject": render_template(template["subject"], words),
                   "body": render_template(template["body"], words)}
        for agency_id in _recipients(route, detail, index):
            events.append(OutboxEvent(
                event_id=new_id(), record_id=case_ref, event=event,
                form_id=_form_of(protocol, scopes, index), channel=_channel(route, index),
                recipient=recipient_for({**route, "to": agency_id}, agencies, index),
                payload={**payload, "fields": _scoped_answers(protocol, scopes, view,
                                                              agency_id, latest, index)},
                created_at=now, status="pending", attempts=0, next_attempt_at=now))
    return events


def carries_answers(event: str, reason: str | None, protocol: Mapping[str, Any]) -> bool:
    """Whether any route of this case event has a scope that can carry answers (fields,
    items or consented items): if none does, the records need not be read to route it."""
    declared = protocol.get("scopes") or {}
    return any(scope_id not in declared or any(declared[scope_id].get(key) for key in
                                               ("fields", "items", "from_consent"))
               for _, _, scopes in _case_routes(event, reason, protocol)
               for scope_id in scopes)


def _case_routes(event: str, reason: str | None, protocol: Mapping[str, Any]):
    """(index, route, its scopes as a list) for each route of this case event that applies
    to `reason` (a route without a reason applies to every one)."""
    for index, route in enumerate(protocol.get("routes", [])):
        if route["event"] == event and "form" not in route and route.get("reason") in (
                None, reason):
            scope = route["scope"]
            yield index, route, [scope] if isinstance(scope, str) else list(scope)


def case_event_title(event: str) -> str:
    """'N12' -> 'N12 compliance confirmed'."""
    return f"{event} {CASE_EVENTS[event].replace('_', ' ')}"


def _recipients(route: Mapping[str, Any], detail: Mapping[str, Any], index: int) -> list[str]:
    """The route's agency, or for a special recipient the agencies the case names."""
    special = SPECIAL_RECIPIENTS.get(route["to"])
    if special is None:
        return [route["to"]]
    if route["event"] not in special:
        raise RoutingError(f"routes[{index}]: {route['to']!r} hears only {', '.join(special)}")
    return list(dict.fromkeys(detail.get("agencies") or ()))


def _scoped_answers(protocol: Mapping[str, Any], scopes: list[str], consent: ConsentView,
                    agency_id: str, latest: Mapping[str, RecordVersion],
                    index: int) -> dict[str, dict[str, Any]]:
    """form id -> {field: answer}: only what one of the scopes lets this agency have, from
    the newest record of each form; unanswered fields are left out."""
    allowed: dict[str, set[str]] = {}
    for scope_id in scopes:
        try:
            found = scope_fields(protocol, scope_id, consent, agency_id)
        except SharingError as error:
            raise RoutingError(f"routes[{index}]: {error}") from None
        for form_id, names in found.items():
            allowed.setdefault(form_id, set()).update(names)
    answers = {}
    for form_id in sorted(allowed):
        record = latest.get(form_id)
        if record is None:
            continue
        shared = {name: value for name, value in record.data.items() if name in allowed[form_id]}
        if shared:
            answers[form_id] = shared
    return answers


def _form_of(protocol: Mapping[str, Any], scopes: list[str], index: int) -> str:
    """The one form the route's scopes draw on, or "case" when they draw on several (or
    on none, or on whatever the consent record allows)."""
    declared = protocol.get("scopes") or {}
    table = protocol.get("items") or {}
    forms: set[str] = set()
    for scope_id in scopes:
        scope = declared.get(scope_id)
        if scope is None:
            raise RoutingError(f"routes[{index}]: unknown scope {scope_id!r}")
        items = table if scope.get("from_consent") else scope.get("items") or ()
        forms |= set(scope.get("fields") or {})
        forms |= {form_id for item in items for form_id in table.get(item) or {}}
    return forms.pop() if len(forms) == 1 else "case"


def latest_by_form(records: Sequence[RecordVersion]) -> dict[str, RecordVersion]:
    """The newest record of each form (by created_at; a later one in the list on a tie)."""
    latest: dict[str, RecordVersion] = {}
    for record in records:
        current = latest.get(record.form_id)
        if current is None or record.created_at >= current.created_at:
            latest[record.form_id] = record
    return latest
