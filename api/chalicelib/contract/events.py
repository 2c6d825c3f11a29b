"""The events a route may name: record events, the process events N01-N28 of domain notes
§6 with their names, the recipients decided per case, the channels, and the placeholders
a message template may use.

The build refuses a protocol that names anything else; the API routes by the same tables.
"""

from __future__ import annotations

#: Events on one record, routed with the record's form (`event: submitted, form: mg14`).
RECORD_EVENTS = ("submitted", "amended")

#: Process events, id -> name (domain notes §6). Routed per case, with a template and a scope.
CASE_EVENTS = {
    "N01": "cc_considered",
    "N02": "assessment_feedback",
    "N03": "cps_authorisation_sought",
    "N04": "cps_decision",
    "N05": "cc_administered",
    "N06": "followup_ra_cancel",
    "N07": "ra_continues",
    "N08": "ra_failure",
    "N09": "appointment_varied",
    "N10": "reminders",
    "N11": "non_compliance",
    "N12": "compliance_confirmed",
    "N13": "police_outcome",
    "N14": "psr_in_preparation",
    "N15": "potential_drr",
    "N16": "drr_client_assessed",
    "N17": "rob_with_drr",
    "N18": "custodial_sentence",
    "N19": "drr_client_into_custody",
    "N20": "prison_transfer",
    "N21": "release_planned",
    "N22": "warrant_known",
    "N23": "recall_returned",
    "N24": "risk_of_harm",
    "N25": "disclosed_without_consent",
    "N26": "consent_withdrawn",
    "N27": "appointment_clash",
    "N28": "supervision_ending",
}

#: Events a deadline raises, so a route may narrow them to one `reason` (a deadline id).
REASON_EVENTS = ("N10", "N11")

#: Recipients that are not an agency id: the API names the agencies when the event happens
#: (detail["agencies"]). Each makes sense for one event only.
SPECIAL_RECIPIENTS = {
    "named_agencies": ("N26",),   # the agencies the consent record names
    "owners": ("N27",),           # the owners of the two clashing appointments
}

#: How a route's message is sent: an email to the agency's SPOC, or the agency's SNS topic.
CHANNELS = ("email", "sns")

#: What a template may say. Every value is a reference, a code or a date: never an answer.
PLACEHOLDERS = ("case_ref", "event", "event_title", "state", "reason", "due_on", "link", "flag")


def event_title(event: str) -> str:
    """'N12' -> 'N12 compliance confirmed'; a record event is its own title."""
    name = CASE_EVENTS.get(event)
    return f"{event} {name.replace('_', ' ')}" if name else event
