"""Who a case is about, and how staff find a case by them: the person's details as a
reader may see them (from the answers caseview.visible_answers leaves them), the words
that identify them, normalised, and what a search's words ask for.

Names, dates of birth and identifiers are personal: the store keeps only keyed hashes of
the normalised words (`keyed`, HMAC-SHA256 with the server's search secret), never the
words, and a hit counts only when the reader may see the words it matched (casefind.py).

Pure: answers and a key in, words and hashes out.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The person's fields: the person_details block (forms/blocks/person_details.yaml) that the
#: MG14, the DIR initial contact and the required assessment use, and the MG14's PNC ID and
#: custody record number.
NAME_FIELDS = ("forenames", "surname")
DATE_OF_BIRTH = "date_of_birth"
IDENTIFIER_FIELDS = ("pnc_id", "custody_record_no")
PERSON_KEYS = ("name", "date_of_birth", "pnc_id", "custody_record_no")

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MOST_NAME_WORDS = 5   # of a search: more words than any name has are not a name


def person_of(answers: Iterable[Mapping[str, Any]]) -> dict[str, str] | None:
    """The person as these answers (each record's, as the reader may see it, the opening
    record first) give them: each detail from the first record that has it; None when no
    record shows any."""
    found: dict[str, str] = {}
    for data in answers:
        name = " ".join(v.strip() for v in (data.get(f) for f in NAME_FIELDS)
                        if isinstance(v, str) and v.strip())
        if name and "name" not in found:
            found["name"] = name
        for key in (DATE_OF_BIRTH, *IDENTIFIER_FIELDS):
            value = data.get(key)
            if isinstance(value, str) and value.strip() and key not in found:
                found[key] = value.strip()
        if len(found) == len(PERSON_KEYS):
            break        # every detail found: no later record can change them (read no more)
    return {key: found[key] for key in PERSON_KEYS if key in found} or None


def name_words(text: str) -> list[str]:
    """'Anne-Marie O'Brien' -> ['anne', 'marie', 'obrien']: letters only, accents and case
    folded away, apostrophes dropped within a word."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return [re.sub(r"['’]", "", w) for w in _WORD.findall(plain)]


def identifier(text: str) -> str:
    """'06/123456a' -> '06123456A': letters and digits only, upper case."""
    return "".join(c for c in text.upper() if c.isascii() and c.isalnum())


def terms_of(answers: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every word that identifies the person in these answers, tagged by kind: name:,
    dob: and id: (a PNC ID and a custody record number alike)."""
    terms: set[str] = set()
    for data in answers:
        for key in NAME_FIELDS:
            value = data.get(key)
            if isinstance(value, str):
                terms |= {f"name:{w}" for w in name_words(value)}
        born = data.get(DATE_OF_BIRTH)
        if isinstance(born, str) and _ISO_DAY.fullmatch(born):
            terms.add(f"dob:{born}")
        for key in IDENTIFIER_FIELDS:
            value = data.get(key)
            if isinstance(value, str) and identifier(value):
                terms.add(f"id:{identifier(value)}")
    return terms


@dataclass(frozen=True)
class Search:
    """What a search's words ask for: a case whose person has every one of `all_of`, or
    `any_of` one (an identifier); `case_ref` the words as a case reference."""

    all_of: frozenset[str]
    any_of: frozenset[str]
    case_ref: str | None

    @property
    def terms(self) -> frozenset[str]:
        return self.all_of | self.any_of

    def found_in(self, terms: set[str]) -> bool:
        """Whether a person with these terms answers the search."""
        return (bool(self.all_of) and self.all_of <= terms) or bool(self.any_of & terms)


def search_of(q: str) -> Search | None:
    """A search's words: a date of birth (YYYY-MM-DD or DD/MM/YYYY), else name words (every
    one must match) or one identifier (a PNC ID or custody record number); the words are
    also tried as a case reference. None: nothing to search by."""
    text = " ".join(q.split())
    if not text:
        return None
    ref = text.upper()
    day = _date_of(text)
    if day is not None:
        return Search(frozenset({f"dob:{day}"}), frozenset(), None)
    words = name_words(text)
    all_of = frozenset(f"name:{w}" for w in words) if 0 < len(words) <= MOST_NAME_WORDS \
        and not any(c.isdigit() for c in text) else frozenset()
    ident = identifier(text)
    any_of = frozenset({f"id:{ident}"}) if ident and any(c.isdigit() for c in ident) \
        else frozenset()
    return Search(all_of, any_of, ref)


def _date_of(text: str) -> str | None:
    found = _DAY_FIRST.fullmatch(text)
    if found:
        day, month, year = (int(p) for p in found.groups())
    elif _ISO_DAY.fullmatch(text):
        year, month, day = (int(p) for p in text.split("-"))
    else:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def keyed(key: bytes, term: str) -> str:
    """The term as the store keeps it: HMAC-SHA256 under the search secret, hex. Without
    the secret the words cannot be tried against the stored hashes."""
    return hmac.new(key, b"dipforms search term v1\x00" + term.encode("utf-8"),
                    hashlib.sha256).hexdigest()
