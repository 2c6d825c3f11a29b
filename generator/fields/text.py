"""Text-like field types: text, long text, email, UK phone, UK postcode, record reference."""

from __future__ import annotations

from .base import FieldType, OptionSpec, with_limits

#: UK numbers: 0 or +44 then 9-10 digits, spaces allowed between digits.
PHONE_PATTERN = r"^(?:0|\+44 ?(?:\(0\) ?)?)(?:\d ?){9,10}$"
#: UK postcodes (the format, not whether the postcode exists), either case, optional space.
POSTCODE_PATTERN = r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$"
#: A record or case reference made by dipforms or typed from another system.
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/-]{2,39}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

_LENGTH = {"min_length": "minLength", "max_length": "maxLength", "pattern": "pattern"}


def _string(f, ctx, *, default_max: int, pattern: str | None = None, fmt: str | None = None):
    schema = {"type": "string", "minLength": 1, "maxLength": default_max}
    if pattern:
        schema["pattern"] = pattern
    if fmt:
        schema["format"] = fmt
    return with_limits(schema, f, _LENGTH)


_TEXT_MESSAGES = {
    "required": "Enter {label}",
    "min_length": "{Label} must be {min_length} characters or more",
    "max_length": "{Label} must be {max_length} characters or fewer",
    "pattern": "Enter {label} in the correct format",
}

TEXT = FieldType(
    name="text",
    kind="string",
    schema=lambda f, ctx: _string(f, ctx, default_max=500),
    messages=_TEXT_MESSAGES,
    options={
        "min_length": OptionSpec("int"),
        "max_length": OptionSpec("int"),
        "pattern": OptionSpec("regex"),
        "width": OptionSpec("width"),
    },
    macro="text",
)

LONGTEXT = FieldType(
    name="longtext",
    kind="string",
    schema=lambda f, ctx: _string(f, ctx, default_max=5000),
    messages=_TEXT_MESSAGES,
    options={
        "min_length": OptionSpec("int"),
        "max_length": OptionSpec("int"),
        "rows": OptionSpec("int"),
    },
    macro="longtext",
    shown_as="paragraphs",
)

EMAIL = FieldType(
    name="email",
    kind="string",
    schema=lambda f, ctx: _string(f, ctx, default_max=254, pattern=EMAIL_PATTERN, fmt="email"),
    messages={
        "required": "Enter {label}",
        "pattern": "Enter an email address in the correct format, like name@example.com",
        "format": "Enter an email address in the correct format, like name@example.com",
        "max_length": "{Label} must be {max_length} characters or fewer",
    },
    options={"max_length": OptionSpec("int"), "width": OptionSpec("width")},
    macro="text",
    autocomplete="email",
    input_type="email",
    spellcheck=False,
)

PHONE = FieldType(
    name="phone",
    kind="string",
    schema=lambda f, ctx: _string(f, ctx, default_max=20, pattern=PHONE_PATTERN),
    messages={
        "required": "Enter {label}",
        "pattern": "Enter a UK phone number, like 01632 960 001 or 07700 900 982",
    },
    options={"width": OptionSpec("width")},
    macro="text",
    autocomplete="tel",
    input_type="tel",
    width=20,
    spellcheck=False,
)

POSTCODE = FieldType(
    name="postcode",
    kind="string",
    schema=lambda f, ctx: _string(f, ctx, default_max=8, pattern=POSTCODE_PATTERN),
    messages={"required": "Enter {label}", "pattern": "Enter a full UK postcode, like AA3 1AB"},
    options={"width": OptionSpec("width")},
    macro="text",
    autocomplete="postal-code",
    width=10,
    spellcheck=False,
)

REFERENCE = FieldType(
    name="reference",
    kind="string",
    schema=lambda f, ctx: _string(f, ctx, default_max=40, pattern=REFERENCE_PATTERN),
    messages={
        "required": "Enter {label}",
        "pattern": "Enter {label} using only letters, numbers, / and -",
    },
    options={"form": OptionSpec("str"), "width": OptionSpec("width")},
    macro="text",
    width=20,
    spellcheck=False,
)
