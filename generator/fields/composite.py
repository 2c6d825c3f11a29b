"""Field types made of parts: person name, address, signature; and the attestation.

Each part has its own error messages keyed `<part>` (e.g. `errors: {family_name: ...}`).
A type's `parts` say its inputs too (fields/inputs.parts_inputs): a text part is read as
text, the signature's date as a date and its `confirmed` as a tick box.
"""

from __future__ import annotations

from .base import FieldType, OptionSpec
from .dates import DATE_PATTERN
from .inputs import Inputs, parts_inputs
from .text import POSTCODE_PATTERN

NAME_PATTERN = r"^[^0-9<>{}\[\]\\/@#$%^*=+_|~]+$"


def _object(parts: dict, required: list[str]) -> dict:
    return {
        "type": "object",
        "properties": parts,
        "required": required,
        "additionalProperties": False,
    }


def _text(max_length: int, pattern: str | None = None) -> dict:
    schema = {"type": "string", "minLength": 1, "maxLength": max_length}
    if pattern:
        schema["pattern"] = pattern
    return schema


NAME_PARTS = (("given_names", "string", True), ("family_name", "string", True))
ADDRESS_PARTS = (
    ("line1", "string", True),
    ("line2", "string", False),
    ("town", "string", True),
    ("county", "string", False),
    ("postcode", "string", True),
)
SIGNATURE_PARTS = (
    ("name", "string", True),
    ("role", "string", True),
    ("date", "date", True),
    ("confirmed", "boolean", True),
)


def _signature_view(opts, t):
    """The roles to choose from, when the YAML lists them (a select; free text if not).
    With `signer:` the form fixes the role: shown as text in the page's language, and
    posted, in a hidden input, as the English text (the answer's shape is unchanged)."""
    return {"role_items": [{"value": r, "text": r} for r in opts.get("roles", ())],
            "signer_value": opts.get("signer_en")}


NAME = FieldType(
    name="name",
    kind="object",
    schema=lambda f, ctx: _object(
        {"given_names": _text(100, NAME_PATTERN), "family_name": _text(100, NAME_PATTERN)},
        ["given_names", "family_name"],
    ),
    messages={
        "required": "Enter {label}",
        "given_names": "Enter the first and any middle names",
        "family_name": "Enter the last name",
        "pattern": "Names must only include letters, spaces, hyphens and apostrophes",
    },
    parts=NAME_PARTS,
    macro="name",
    spellcheck=False,
    inputs=parts_inputs(NAME_PARTS),
    shown_as="joined",
)

ADDRESS = FieldType(
    name="address",
    kind="object",
    schema=lambda f, ctx: _object(
        {
            "line1": _text(100),
            "line2": _text(100),
            "town": _text(60),
            "county": _text(60),
            "postcode": _text(8, POSTCODE_PATTERN),
        },
        ["line1", "town", "postcode"],
    ),
    messages={
        "required": "Enter {label}",
        "line1": "Enter address line 1, typically the building and street",
        "town": "Enter town or city",
        "postcode": "Enter a full UK postcode, like AA3 1AB",
        "pattern": "Enter a full UK postcode, like AA3 1AB",
    },
    parts=ADDRESS_PARTS,
    macro="address",
    inputs=parts_inputs(ADDRESS_PARTS),
    shown_as="lines",
)

SIGNATURE = FieldType(
    name="signature",
    kind="object",
    schema=lambda f, ctx: _object(
        {
            "name": _text(100, NAME_PATTERN),
            "role": _text(100),
            "date": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
            "confirmed": {"const": True},
        },
        ["name", "role", "date", "confirmed"],
    ),
    messages={
        "required": "Sign {label}",
        "name": "Enter the name of the person signing",
        "role": "Enter the role of the person signing",
        "date": "Enter the date of signing",
        "confirmed": "Confirm the statement to sign",
        "format": "The date of signing must be a real date",
        "pattern": "The date of signing must be a real date",
    },
    options={"statement": OptionSpec("text"), "roles": OptionSpec("roles"),
             "signer": OptionSpec("text")},
    parts=SIGNATURE_PARTS,
    part_words={"name": "signer_name", "role": "signer_role", "date": "signed_date",
                "confirmed": "i_confirm"},
    macro="signature",
    view_options=_signature_view,
    inputs=parts_inputs(SIGNATURE_PARTS),
    shown_as="signature",
)

ATTEST = FieldType(
    name="attest",
    kind="boolean",
    schema=lambda f, ctx: {"const": True},
    messages={"required": "Confirm {label}", "const": "Confirm {label}"},
    options={"statement": OptionSpec("text")},
    macro="attest",
    inputs=Inputs("tick"),
    shown_as="attest",
)
