"""Synthetic projects for the benchmarks: N forms of M fields in dipforms YAML, and the
equivalent XLSForm (same questions, types, choices, conditions and pages) for pyxform."""

from __future__ import annotations

import io

from tests.yaml_cases import BASE_FILES

#: (dipforms type, extra YAML keys, XLSForm type, XLSForm constraint)
TYPES = [
    ("text", "max_length: 100", "text", "string-length(.) <= 100"),
    ("longtext", "", "text", ""),
    ("number", "min: 0\n    max: 99\n    integer: true", "integer", ". >= 0 and . <= 99"),
    ("date", "latest: today", "date", ". <= today()"),
    ("yesno", "", "select_one yn", ""),
    ("choice", "codelist: offence_class", "select_one offence_class", ""),
    ("multichoice", "codelist: offence_class", "select_multiple offence_class", ""),
    ("email", "", "text", "regex(., '^[^@]+@[^@]+$')"),
    ("phone", "", "text", "regex(., '^0[0-9 ]{9,12}$')"),
    ("postcode", "", "text", "regex(., '^[A-Z]{1,2}[0-9]')"),
    ("datetime", "", "dateTime", ""),
    ("time", "", "time", ""),
]
PER_PAGE = 10


def field_yaml(index: int) -> str:
    kind, extra, _, _ = TYPES[index % len(TYPES)]
    lines = [f"- id: q{index}", f"  type: {kind}", f"  label: Question {index}",
             "  required: true" if index % 3 == 0 else "  required: false"]
    if extra:
        lines.append("  " + extra.replace("\n    ", "\n  "))
    if index % 7 == 6:
        lines.append(f"  show_if: q{index - 2} == true" if TYPES[(index - 2) % len(TYPES)][0]
                     == "yesno" else f"  show_if: answered(q{index - 1})")
    return "\n".join(lines)


def form_yaml(form_id: str, fields: int) -> str:
    out = [f"form: {form_id}", 'version: "1.0"', f"title: Synthetic form {form_id}",
           "agency: police_custody", "description: A generated form for benchmarks.",
           "source: assumption", "pages:"]
    for page in range(0, fields, PER_PAGE):
        out += [f"  - id: page_{page // PER_PAGE}", f"    title: Page {page // PER_PAGE + 1}",
                "    fields:"]
        for index in range(page, min(page + PER_PAGE, fields)):
            out.append("\n".join("      " + line for line in field_yaml(index).splitlines()))
    return "\n".join(out) + "\n"


def project(forms: int, fields: int) -> dict[str, str]:
    files = dict(BASE_FILES)
    for n in range(forms):
        files[f"forms/f{n:03d}.yaml"] = form_yaml(f"f{n:03d}", fields)
    return files


def xlsform_sheets(fields: int) -> dict[str, list[list[str]]]:
    """The same questions as one synthetic form, as XLSForm sheets: name -> rows (the
    first row the column names)."""
    survey = [["type", "name", "label", "required", "relevant", "constraint",
               "constraint_message"]]
    for page in range(0, fields, PER_PAGE):
        survey.append(["begin group", f"page_{page // PER_PAGE}", f"Page {page // PER_PAGE + 1}"])
        for index in range(page, min(page + PER_PAGE, fields)):
            _, _, xls_type, constraint = TYPES[index % len(TYPES)]
            relevant = ""
            if index % 7 == 6:
                relevant = (f"${{q{index - 2}}} = 'yes'" if TYPES[(index - 2) % len(TYPES)][0]
                            == "yesno" else f"${{q{index - 1}}} != ''")
            survey.append([xls_type, f"q{index}", f"Question {index}",
                           "yes" if index % 3 == 0 else "", relevant, constraint,
                           "Check this answer" if constraint else ""])
        survey.append(["end group"])
    choices = [["list_name", "name", "label"]]
    for name, label in (("yes", "Yes"), ("no", "No")):
        choices.append(["yn", name, label])
    for name, label in (("summary", "Summary only"), ("either_way", "Either way"),
                        ("indictable_only", "Indictable only")):
        choices.append(["offence_class", name, label])
    settings = [["form_title", "form_id"], ["Synthetic form", "synthetic"]]
    return {"survey": survey, "choices": choices, "settings": settings}


def xlsform_bytes(fields: int) -> bytes:
    """The synthetic form's XLSForm as an .xlsx for pyxform."""
    from openpyxl import Workbook

    book = Workbook()
    for n, (name, rows) in enumerate(xlsform_sheets(fields).items()):
        sheet = book.active if n == 0 else book.create_sheet(name)
        sheet.title = name
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsform_markdown(fields: int) -> str:
    """The same XLSForm as pyxform's markdown tables (its in-memory input, no spreadsheet
    to read): a line naming each sheet, then its rows, each behind an empty first cell."""
    lines = []
    for name, rows in xlsform_sheets(fields).items():
        width = len(rows[0])
        lines.append(f"| {name} |" + " |" * width)
        for row in rows:
            cells = list(row) + [""] * (width - len(row))
            lines.append("| | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
