"""Content as people read it: `note:` never reaches a page, `paper_ref:` only the printed
form, and `signer:` fixes a signature's role (shown as text, posted as before).

Inline YAML cases through the real pipeline, plus the real forms: no built page of
forms/ may carry a note's text, so a note cannot leak back into a hint again.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from generator.build import build_project
from generator.edges.files import read_forms_dir
from generator.fields import FIELD_TYPES
from generator.render.site import Site
from generator.review import note_rows
from tests.unit.test_render import ENV, parse, site_of
from tests.yaml_cases import build_yaml, diagnostics, fields_form, with_header

ROOT = Path(__file__).resolve().parents[2]
NOTE = "The printed form says promoted; prompted is meant"

NOTED = with_header(f"""
    note: About the whole form, for the DAT
    pages:
      - id: main
        title: Main
        note: About this page only
        paper_ref: Section A
        fields:
          - id: prompt
            type: text
            label: What prompted the assessment?
            hint: Usually a positive test
            paper_ref: "4.5"
            note: {NOTE}
          - id: other
            type: text
            label: Anything else?
    """)


def visible_text(page: str) -> str:
    """The page's words as a reader meets them: tags and JSON data left out."""
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_notes_are_kept_in_the_model_and_listed_for_review():
    result = build_yaml(NOTED)
    assert result.ok, [str(d) for d in result.diagnostics]
    (form,) = result.project.forms
    assert list(form.notes()) == [("form", "About the whole form, for the DAT"),
                                  ("page main", "About this page only"), ("prompt", NOTE)]
    assert ("t", "prompt", NOTE) in note_rows(result.project)


def test_no_page_carries_a_note_and_the_paper_ref_is_on_print_only():
    site = site_of(NOTED)
    for path, page in site.items():
        if not path.endswith(".html"):
            continue
        for note in (NOTE, "About the whole form", "About this page only"):
            assert note not in page, path
    question = parse(site["forms/t/main.html"])
    assert question.one("label", for_="prompt").text() == \
        "What prompted the assessment? (optional)"
    assert "4.5" not in visible_text(site["forms/t/main.html"])
    assert "Section A" not in visible_text(site["forms/t/main.html"])
    assert "Section A" not in visible_text(site["forms/t/index.html"])
    paper = parse(site["forms/t/print.html"])
    assert paper.one(class_="dipforms-paper__section-ref").text() == "Section A"
    numbers = [n.text() for n in paper.all(class_="dipforms-paper__number")]
    assert numbers == ["4.5", "2."]   # the paper's own number, else the question's place


@pytest.mark.parametrize("line, expected", [
    ("note: ''", ["14:15 F009"]),
    ("note: 4", ["14:15 F002"]),
    ("paper_ref: 4.5", ["14:20 F002"]),         # a number: 4.50 and 4.5 would be one
    ("paper_ref: 'see 4.5!'", ["14:20 F009"]),
    ("paper_ref: ''", ["14:20 F009"]),
    ("nte: a typo", ["14:9 F001"]),
])
def test_a_bad_note_or_paper_ref_is_named_with_its_line(line, expected):
    form = fields_form(f"""
        - id: prompt
          type: text
          label: What prompted it?
          {line}
    """)
    assert diagnostics(form) == expected


def test_a_page_note_and_paper_ref_are_checked_too():
    form = with_header("""
        pages:
          - id: main
            title: Main
            paper_ref: [A]
            note: ''
            fields:
              - {id: a, type: text, label: A}
        """)
    assert diagnostics(form) == ["11:16 F002", "12:11 F009"]


SIGNED = fields_form("""
    - id: offender_signature
      type: signature
      label: Offender's signature
      statement: I accept the caution.
      signer: {en: Offender, cy: Troseddwr}
      required: true
    - id: officer
      type: signature
      label: Officer's signature
      required: true
""").replace("title: Test form", "title: {en: Test form, cy: Ffurflen brawf}")


def test_a_signer_fixes_the_role_shown_as_text_and_posted_as_stored():
    site = site_of(SIGNED)
    doc = parse(site["forms/t/main.html"])
    role = doc.by_id("offender_signature-role")
    assert role.tag == "p" and role.text() == "Role: Offender"
    posted = doc.one("input", name="offender_signature[role]")
    assert (posted.attrs["type"], posted.attrs["value"]) == ("hidden", "Offender")
    assert doc.one("input", name="officer[role]").attrs["type"] == "text"   # still asked
    welsh = parse(site["cy/forms/t/main.html"])
    assert welsh.by_id("offender_signature-role").text() == "Rôl: Troseddwr"
    assert welsh.one("input", name="offender_signature[role]").attrs["value"] == "Offender"
    paper = parse(site["forms/t/print.html"])
    assert [n.text() for n in paper.all(class_="dipforms-paper__fixed")] == ["Offender"]
    # what the page posts is read as the same answer as a typed role
    raw = {"offender_signature[name]": ["Sam Smith"], "offender_signature[role]": ["Offender"],
           "offender_signature[date][day]": ["25"], "offender_signature[date][month]": ["11"],
           "offender_signature[date][year]": ["2026"], "offender_signature[confirmed]": ["true"]}
    assert FIELD_TYPES["signature"].read_posted(raw, "offender_signature") == {
        "name": "Sam Smith", "role": "Offender", "date": "2026-11-25", "confirmed": True}


def test_a_signer_leaves_the_schema_as_it_was():
    plain = build_yaml(re.sub(r"\n *signer: .*", "", SIGNED))
    fixed = build_yaml(SIGNED)
    assert fixed.ok and plain.ok
    assert fixed.schemas == plain.schemas   # the answer's shape: no new version needed


@pytest.mark.parametrize("line, expected", [
    ("signer: ''", ["14:17 F009"]),
    ("signer: [Offender]", ["14:17 F002"]),
    ("signer: {en: Offender, fr: Délinquant}", ["14:32 F001"]),
])
def test_a_bad_signer_is_named_with_its_line(line, expected):
    form = fields_form(f"""
        - id: s
          type: signature
          label: Signature
          {line}
    """)
    assert diagnostics(form) == expected


def test_a_signer_and_a_list_of_roles_cannot_both_be_given():
    form = fields_form("""
        - id: s
          type: signature
          label: Signature
          signer: Offender
          roles: [Offender, Officer]
    """)
    assert diagnostics(form) == ["14:9 F009"]


def test_no_page_of_the_real_forms_carries_a_note():
    """Every note in forms/ (and the texts that were notes before `note:` existed) is absent
    from every built page, in English and Welsh: a note moved back into a hint fails here."""
    result = build_project(read_forms_dir(ROOT), {}, site=Site(ENV))
    assert result.ok, [str(d) for d in result.diagnostics]
    notes = [note for form in result.project.forms for _, note in form.notes()]
    assert len(notes) >= 3
    pages = {path: page for path, page in result.site.items() if path.endswith(".html")}
    leaked = [(path, note) for path, page in pages.items() for note in (*notes, "What promoted")
              if note in page or note in visible_text(page)]
    assert leaked == []
    numbered = [path for path, page in pages.items() if not path.endswith("print.html")
                and "4.5 What prompted" in " ".join(visible_text(page).split())]
    assert numbered == []
    consent = parse(result.site["cy/forms/consent_to_share_information/signatures.html"])
    assert consent.by_id("client_signature-role").text() == "Rôl: Cleient"
    assert consent.one("input", name="client_signature[role]").attrs["value"] == "Client"
    assert parse(result.site["forms/mg14/decision.html"]).by_id(
        "offender_signature-role").text() == "Role: Offender"
    captions = [path for path, page in result.site.items()
                if not path.endswith("print.html") and path.endswith(".html")
                and re.search(r"\bSection [A-L]\b", visible_text(page))]
    assert captions == []
