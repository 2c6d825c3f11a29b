"""Small inline YAML cases: a form as a few lines of YAML and one call.

`build_yaml(form)` builds it inside a minimal project (sources, a few code lists);
`diagnostics(form)` gives ["LINE:COL CODE", ...] for the form file, so a test reads
`assert diagnostics(yaml) == ["3:9 F004"]`.
"""

from __future__ import annotations

import textwrap

from generator.build import BuildResult, build_project

DOCUMENTS = """\
documents:
  dip-condition-operational-guidelines.txt: Operational guidelines for the DIP condition
  conditional-caution-annex-c-drug-condition.txt: Conditional Cautioning Annex C
  probation-cjit-carats-guidance-pc36-2007.txt: PC36/2007
  dip-and-ppo-programmes-overview.txt: DIP and PPO overview
  ukdpc-stakeholder-consultation-2008.txt: UKDPC consultation
"""

AGENCY_TYPE = """\
codelist: agency_type
title: Agency type
source: assumption
values:
  - {code: police_custody, label: Police custody}
  - {code: cps, label: Crown Prosecution Service}
  - {code: cjit, label: CJIT}
"""

OFFENCE_CLASS = """\
codelist: offence_class
title: Class of offence
source: assumption
values:
  - {code: summary, label: Summary only}
  - {code: either_way, label: Either way}
  - {code: indictable_only, label: Indictable only}
"""

BASE_FILES = {
    "forms/sources.yaml": DOCUMENTS,
    "forms/codelists/agency_type.yaml": AGENCY_TYPE,
    "forms/codelists/offence_class.yaml": OFFENCE_CLASS,
}

FORM_HEADER = """\
form: t
version: "1.0"
title: Test form
agency: police_custody
description: A form for tests.
source: assumption
"""


def project_files(form: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    files = dict(BASE_FILES)
    if form is not None:
        files["forms/t.yaml"] = textwrap.dedent(form)
    for path, text in (extra or {}).items():
        files[path] = textwrap.dedent(text)
    return files


def build_yaml(form: str, extra: dict[str, str] | None = None,
               committed: dict[str, dict[str, str]] | None = None, site=None) -> BuildResult:
    return build_project(project_files(form, extra), committed or {}, site=site)


def with_header(body: str) -> str:
    """A whole form: the standard header, then `body` (pages:, rules:)."""
    return FORM_HEADER + textwrap.dedent(body)


def fields_form(fields: str, rules: str = "") -> str:
    """A one-page form with these field lines (YAML list items, unindented)."""
    indented = textwrap.indent(textwrap.dedent(fields).lstrip("\n"), "      ")
    text = FORM_HEADER + "pages:\n  - id: main\n    title: Main\n    fields:\n" + indented
    if rules:
        text += "rules:\n" + textwrap.indent(textwrap.dedent(rules).lstrip("\n"), "  ")
    return text


def diagnostics(form: str, extra: dict[str, str] | None = None, file: str = "forms/t.yaml",
                committed: dict[str, dict[str, str]] | None = None) -> list[str]:
    result = build_yaml(form, extra, committed)
    return [f"{d.span.line}:{d.span.col} {d.code}" for d in result.diagnostics
            if d.span.file == file]


def codes(form: str, extra: dict[str, str] | None = None, **kwargs) -> list[str]:
    result = build_yaml(form, extra, **kwargs)
    return [d.code for d in result.diagnostics]


#: A form with three different mistakes (F004, F001, F006), for the check and CLI tests.
THREE_MISTAKES = fields_form("""
    - id: arrested_on
      type: dat
      label: Date of arrest
    - id: surname
      type: text
      label: Surname
      requird: true
    - id: offence_class
      type: choice
      label: Class
      codelist: offence_clas
""")
