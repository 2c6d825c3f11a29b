"""The registry of field types: type name -> FieldType (its options, schema, macro).

"What does `date` do?" is one lookup here and one small module. Pure: no I/O.
To add a type: write it in one of the modules below (or a new one) and list it here.
"""

from __future__ import annotations

from .base import FieldType, OptionSpec, SchemaContext
from .choice import CHOICE, MULTICHOICE, YESNO
from .composite import ADDRESS, ATTEST, NAME, SIGNATURE
from .content import CONTENT
from .dates import DATE, DATETIME, TIME
from .number import NUMBER
from .repeat import REPEAT
from .text import EMAIL, LONGTEXT, PHONE, POSTCODE, REFERENCE, TEXT

FIELD_TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        TEXT, LONGTEXT, NUMBER, DATE, TIME, DATETIME, YESNO, CHOICE, MULTICHOICE,
        EMAIL, PHONE, POSTCODE, NAME, ADDRESS, SIGNATURE, ATTEST, REFERENCE, REPEAT, CONTENT,
    )
}

__all__ = ["FIELD_TYPES", "FieldType", "OptionSpec", "SchemaContext"]
