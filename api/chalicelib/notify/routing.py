"""Route a record event, or a case event (N01-N28), to outbox events: one per matching
route in the local protocol and recipient.

Pure: no clock, ids or settings of its own (all passed in); the protocol is the contract's
typed one, the events and recipients the contract's (contract/events.py). A record event's
payload carries only the event, form, reference, link and the answers the route names; a
case event's only references, codes, dates, the link, its template's words and the answers
its scopes allow the recipient. Never any other answer.

The answers are kept by reference (`fields_ref`: which record version, which fields), not
copied into the outbox: record versions never change, so the dispatcher reads the same
answers when it sends (references.with_answers) and the message is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from ..contract.events import CASE_EVENTS, RECORD_EVENTS, SPECIAL_RECIPIENTS, event_title
from ..contract.protocol import Agency, CaseRoute, Protocol, RecordRoute
from ..domain.sharing import ConsentView, SharingError, scope_fields
from ..store.base import OutboxEvent, RecordVersion
from .message import render_template


class RoutingError(ValueError):
    """The protocol names something that does not exist (the build's checks should have
    caught it); the record is not committed rather than committed without its messages."""


def route_event(event: str, record: RecordVersion, form_title: str, protocol: Protocol,
                *, base_url: str, now: str, new_id: Callable[[], str]) -> list[OutboxEvent]:
    """One pending OutboxEvent per route matching (event, record.form_id), in route order."""
    if event not in RECORD_EVENTS:
        raise RoutingError(f"unknown event {event!r}; expected one of {', '.join(RECORD_EVENTS)}")
    payload = message_payload(event, record, form_title, base_url=base_url)
    events = []
    for index, route in enumerate(protocol.routes):
        if not isinstance(route, RecordRoute) or route.event != event or (
                route.form != record.form_id):
            continue
        events.append(OutboxEvent(
            event_id=new_id(), record_id=record.record_id, event=event,
            form_id=record.form_id, channel=route.channel,
            recipient=recipient_for(protocol.agency(route.to), route.to, route.channel, index),
            payload={**payload, "fields_ref": answers_ref(record, allowed_answers(
                record, route.fields))},
            created_at=now, status="pending", attempts=0, next_attempt_at=now))
    return events


def message_payload(event: str, record: RecordVersion, form_title: str, *,
                    base_url: str) -> dict[str, Any]:
    """What every message of this event may say, before any route adds its fields."""
    return {"event": event, "form_id": record.form_id, "form_title": form_title,
            "record_id": record.record_id, "version": record.version,
            "link": record_link(base_url, record.form_id, record.record_id)}


def record_link(base_url: str, form_id: str, record_id: str) -> str:
    """The record's page, the page a message names (a bare /records/<id> is no page)."""
    return f"{base_url.rstrip('/')}/forms/{quote(form_id)}/record.html?id={quote(record_id)}"


def case_link(base_url: str, case_ref: str) -> str:
    """The case's page (cases/case.html reads the reference from ?ref=)."""
    return f"{base_url.rstrip('/')}/cases/case.html?ref={quote(case_ref)}"


def allowed_answers(record: RecordVersion, field_ids: Sequence[str]) -> dict[str, Any]:
    """Only the named answers the record has; unanswered fields are left out."""
    return {field_id: record.data[field_id] for field_id in field_ids
            if field_id in record.data}


def answers_ref(record: RecordVersion, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Where `answers` (some of the record's, in their order) are read from when sent."""
    return {"record": record.record_id, "version": record.version, "names": list(answers)}


def _scoped_refs(latest: Mapping[str, RecordVersion],
                 answers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return {form_id: answers_ref(latest[form_id], shared) for form_id, shared in answers.items()}


def recipient_for(agency: Agency | None, agency_id: str, channel: str,
                  index: int) -> dict[str, Any]:
    """The agency's SPOC for email; the agency's topic (its id) for sns."""
    if agency is None:
        raise RoutingError(f"routes[{index}]: unknown agency {agency_id!r}")
    if channel == "sns":
        return {"agency": agency.id, "topic": agency.id}
    if agency.spoc is None or not agency.spoc.email:
        raise RoutingError(f"routes[{index}]: agency {agency.id!r} has no SPOC email")
    return {"agency": agency.id, "name": agency.spoc.name, "email": agency.spoc.email}


def route_case_event(event: str, case_ref: str, protocol: Protocol, *,
                     records: Sequence[RecordVersion],
                     consent: ConsentView | Mapping[str, Any] | None,
                     reason: str | None, detail: Mapping[str, Any], base_url: str, now: str,
                     new_id: Callable[[], str]) -> list[OutboxEvent]:
    """One pending OutboxEvent per route of `event` (for every reason, or this `reason`)
    and recipient, in route order. `records` are the latest versions of the case's
    records; `consent` what the consent in force allows (or a consent record's answers);
    `detail` holds state, due_on, flag, today (the local date, else now's), the record
    whose sending raised the event (`record`: {form, id}; its message links it too) and, for
    named_agencies or owners, agencies."""
    if event not in CASE_EVENTS:
        raise RoutingError(f"unknown case event {event!r}; expected N01 to N28")
    view = consent if isinstance(consent, ConsentView) else ConsentView.from_data(
        consent, detail.get("today") or now[:10], agencies=protocol.agencies)
    latest = latest_by_form(records)
    words = {"case_ref": case_ref, "event": event, "event_title": event_title(event),
             "state": detail.get("state"), "reason": reason, "due_on": detail.get("due_on"),
             "link": case_link(base_url, case_ref), "flag": detail.get("flag")}
    made_by = detail.get("record")
    if isinstance(made_by, Mapping) and made_by.get("form") and made_by.get("id"):
        words["record_link"] = record_link(base_url, made_by["form"], made_by["id"])
    events = []
    for index, route in _case_routes(event, reason, protocol):
        template = protocol.templates.get(route.template)
        if template is None:
            raise RoutingError(f"routes[{index}]: unknown template {route.template!r}")
        scopes = list(route.scopes)
        payload = {**words, "scope": scopes,
                   "subject": render_template(template.subject, words),
                   "body": render_template(template.body, words)}
        for agency_id in _recipients(route, detail, index):
            events.append(OutboxEvent(
                event_id=new_id(), record_id=case_ref, event=event,
                form_id=_form_of(protocol, scopes, index), channel=route.channel,
                recipient=recipient_for(protocol.agency(agency_id), agency_id, route.channel,
                                        index),
                payload={**payload, "fields_ref": _scoped_refs(
                    latest, _scoped_answers(protocol, scopes, view, agency_id, latest, index))},
                created_at=now, status="pending", attempts=0, next_attempt_at=now))
    return events


def carries_answers(event: str, reason: str | None, protocol: Protocol) -> bool:
    """Whether any route of this case event has a scope that can carry answers (fields,
    items or consented items): if none does, the records need not be read to route it."""
    return any(scope_id not in protocol.scopes or protocol.scopes[scope_id].carries_answers
               for _, route in _case_routes(event, reason, protocol)
               for scope_id in route.scopes)


def _case_routes(event: str, reason: str | None,
                 protocol: Protocol) -> Iterator[tuple[int, CaseRoute]]:
    """(index, route) for each route of this case event that applies to `reason` (a route
    without a reason applies to every one)."""
    for index, route in enumerate(protocol.routes):
        if isinstance(route, CaseRoute) and route.event == event and route.reason in (
                None, reason):
            yield index, route


def _recipients(route: CaseRoute, detail: Mapping[str, Any], index: int) -> list[str]:
    """The route's agency, or for a special recipient the agencies the case names."""
    special = SPECIAL_RECIPIENTS.get(route.to)
    if special is None:
        return [route.to]
    if route.event not in special:
        raise RoutingError(f"routes[{index}]: {route.to!r} hears only {', '.join(special)}")
    return list(dict.fromkeys(detail.get("agencies") or ()))


def _scoped_answers(protocol: Protocol, scopes: list[str], consent: ConsentView,
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


def _form_of(protocol: Protocol, scopes: list[str], index: int) -> str:
    """The one form the route's scopes draw on, or "case" when they draw on several (or
    on none, or on whatever the consent record allows)."""
    forms: set[str] = set()
    for scope_id in scopes:
        scope = protocol.scopes.get(scope_id)
        if scope is None:
            raise RoutingError(f"routes[{index}]: unknown scope {scope_id!r}")
        items = protocol.items if scope.from_consent else scope.items
        forms |= set(scope.fields)
        forms |= {form_id for item in items for form_id in protocol.items.get(item, {})}
    return forms.pop() if len(forms) == 1 else "case"


def latest_by_form(records: Sequence[RecordVersion]) -> dict[str, RecordVersion]:
    """The newest record of each form (by created_at; a later one in the list on a tie)."""
    latest: dict[str, RecordVersion] = {}
    for record in records:
        current = latest.get(record.form_id)
        if current is None or record.created_at >= current.created_at:
            latest[record.form_id] = record
    return latest
