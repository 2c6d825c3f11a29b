"""Date, time and date-time field types.

A date is `YYYY-MM-DD` (JSON Schema `format: date`); a date-time is local time
`YYYY-MM-DDTHH:MM`, the way staff read a custody clock. `earliest`/`latest` bounds that
name `today` or another field become rules (see schema.py), because they need the clock
or a second answer.
"""

from __future__ import annotations

from .base import FieldType, OptionSpec
from .inputs import Inputs

DATE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
DATETIME_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d$"

_BOUNDS = {"earliest": OptionSpec("bound"), "latest": OptionSpec("bound")}

DATE = FieldType(
    name="date",
    kind="date",
    schema=lambda f, ctx: {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    messages={
        "required": "Enter {label}",
        "format": "{Label} must be a real date",
        "pattern": "{Label} must be a real date",
        "earliest": "{Label} must be {earliest}",
        "latest": "{Label} must be {latest}",
    },
    options=dict(_BOUNDS),
    macro="date",
    inputs=Inputs("date"),
    shown_as="date",
)

TIME = FieldType(
    name="time",
    kind="time",
    schema=lambda f, ctx: {"type": "string", "pattern": TIME_PATTERN},
    messages={
        "required": "Enter {label}",
        "pattern": "Enter {label} as a 24-hour time, like 14:30",
    },
    macro="time",
    width=5,
    spellcheck=False,
    inputs=Inputs("time"),
)

DATETIME = FieldType(
    name="datetime",
    kind="datetime",
    schema=lambda f, ctx: {
        "type": "string",
        "pattern": DATETIME_PATTERN,
        "x-dipforms-format": "local-date-time",
    },
    messages={
        "required": "Enter {label}",
        "pattern": "{Label} must be a real date and a 24-hour time",
        "earliest": "{Label} must be {earliest}",
        "latest": "{Label} must be {latest}",
    },
    options=dict(_BOUNDS),
    macro="datetime",
    inputs=Inputs("datetime"),
    shown_as="datetime",
)
