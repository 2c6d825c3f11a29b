"""Write what a recipient reads for an outbox event: an RFC 5322 message (and its subject
and body for channels that are not email). A record event's words are fixed here; a case
event's (N01-N28) come from the protocol's template, rendered by `render_template`.

Pure: everything comes from the event's payload, which holds only references, codes, dates,
the link and the answers its route allows; nothing else of a record can reach a message.
"""

from __future__ import annotations

import datetime
import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from ..contract.events import PLACEHOLDERS
from ..store.base import OutboxEvent

WHAT_HAPPENED = {"submitted": "A form has been submitted.",
                 "amended": "A record has been amended."}
NO_ANSWERS = "This message carries no personal data. Sign in to see the record."
ONLY_ANSWERS = ("This message carries no personal data beyond the answers above, which the "
                "local protocol allows it to carry. Sign in to see the record.")
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_WHITESPACE = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_SPACE_BEFORE_MARK = re.compile(r"[ \t]+([:;,.)])")


def build_message(event: OutboxEvent, sender: str) -> EmailMessage:
    """The message for one event: From, To, Subject, Date, Message-ID and a plain-text body.

    Date is the event's created_at and Message-ID is built from its event id, so building
    it twice gives the same message (a re-send is recognisably the same message).
    """
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = _to(event.recipient)
    message["Subject"] = subject_for(event)
    message["Date"] = format_datetime(_parse_utc(event.created_at))
    message["Message-ID"] = message_id_for(event, sender)
    message["X-Dipforms-Event-Id"] = _safe_id(event.event_id)
    body = body_for(event)
    message.set_content(body, cte=None if body.isascii() else "quoted-printable")
    return message


def subject_for(event: OutboxEvent) -> str:
    """One line: the template's subject for a case event; else the form, what happened and
    the reference."""
    payload = event.payload
    if "case_ref" in payload:
        return _one_line(payload["subject"])
    return _one_line(f"{payload['form_title']} {payload['event']}: {payload['record_id']}")


def body_for(event: OutboxEvent) -> str:
    """Plain text: what happened, which form or case, the reference, the link, and the
    answers the route allows."""
    payload = event.payload
    if "case_ref" in payload:
        return _case_body(payload)
    lines = [WHAT_HAPPENED.get(payload["event"], f"Record event: {payload['event']}."), "",
             f"Form: {_one_line(payload['form_title'])} ({payload['form_id']})",
             f"Reference: {payload['record_id']} (version {payload['version']})",
             f"Open the record: {payload['link']}", ""]
    answers = payload.get("fields") or {}
    if answers:
        lines.append("Shared under the local protocol:")
        lines += [f"  {field_id}: {format_answer(value)}" for field_id, value in answers.items()]
        lines += ["", ONLY_ANSWERS]
    else:
        lines.append(NO_ANSWERS)
    return "\n".join(lines) + "\n"


def render_template(text: str, values: dict[str, Any]) -> str:
    """The template with each {placeholder} (contract/events.py; the build refuses others)
    replaced by its value (nothing when absent); a flag code reads as words in brackets:
    friday -> (Friday)."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        found = values.get(name)
        if name == "flag" and found:
            return f"({str(found).replace('_', ' ').capitalize()})"
        return "" if found is None else _one_line(str(found))
    lines = (_SPACE_BEFORE_MARK.sub(r"\1", _PLACEHOLDER.sub(value, line)).strip()
             for line in text.strip().splitlines())
    return "\n".join(lines)


def _case_body(payload: dict[str, Any]) -> str:
    lines = [payload["body"], "", f"Event: {_one_line(payload['event_title'])}",
             f"Case: {payload['case_ref']}", f"Open the case: {payload['link']}"]
    if payload.get("record_link"):       # the record whose sending raised the event
        lines.append(f"Open the record: {payload['record_link']}")
    lines.append("")
    answers = payload.get("fields") or {}
    if answers:
        lines.append(f"Shared under the local protocol ({', '.join(payload['scope'])}):")
        lines += [f"  {form_id}.{field_id}: {format_answer(value)}"
                  for form_id, fields in answers.items() for field_id, value in fields.items()]
        lines += ["", ONLY_ANSWERS.replace("the record", "the case")]
    else:
        lines.append(NO_ANSWERS.replace("the record", "the case"))
    return "\n".join(lines) + "\n"


def message_id_for(event: OutboxEvent, sender: str) -> str:
    """<event id@sender's domain>: the same for every attempt at one event."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "dipforms.invalid"
    return f"<{_safe_id(event.event_id)}@{domain}>"


def format_answer(value: Any) -> str:
    """An answer as one line of text."""
    if value is None:
        return "(not answered)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(format_answer(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {format_answer(item)}" for key, item in value.items())
    return _one_line(str(value))


def _to(recipient: dict[str, Any]) -> str:
    if not recipient.get("email"):
        return "undisclosed-recipients:;"
    user, _, domain = recipient["email"].rpartition("@")
    return str(Address(display_name=_one_line(recipient.get("name", "")), username=user,
                       domain=domain))


def _parse_utc(text: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.UTC)


def _safe_id(event_id: str) -> str:
    if not _SAFE_ID.fullmatch(event_id):
        raise ValueError("an event id must be 1-128 letters, digits, '.', '_' or '-'")
    return event_id


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()
