"""The review tables (generator/review.py): rules and routes from a parsed project."""

from __future__ import annotations

import csv
import io

from generator.review import RULE_HEADER, rule_rows, table
from tests.yaml_cases import build_yaml, fields_form

FORM = fields_form("""
    - {id: a, type: number, label: A}
    - {id: b, type: number, label: B}
""", rules="""
    - id: ZZ-02
      field: b
      check: b >= a
      severity: warn
      message: B is usually at least A
      source: assumption
    - id: AA-01
      field: a
      check: a > 0
      message: A must be more than nothing
      source: {document: dip-condition-operational-guidelines.txt, section: §2.1}
""")


def test_rule_rows_are_sorted_by_id_with_severity_and_every_source():
    result = build_yaml(FORM)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert rule_rows(result.project) == [
        ("AA-01", "t", "a", "refuse", "dip-condition-operational-guidelines.txt §2.1", "-",
         "A must be more than nothing"),
        ("ZZ-02", "t", "b", "warn", "assumption", "-", "B is usually at least A")]


PROTOCOL = """\
area: northshire
name: Northshire DAT
agencies: [{id: northshire_police, type: police_custody, name: Northshire Police}]
settings:
  min_gap_s2_s3_days: {value: 3, source: assumption}
  max_gap_days: {value: 9, source: assumption}
"""


def test_a_rule_reading_settings_shows_them_and_its_message_with_their_values():
    form = fields_form("""
        - {id: session2_at, type: date, label: Session 2}
        - {id: session_at, type: date, label: Session 3}
    """, rules="""
        - id: DIP-12
          field: session_at
          when: days_between(session2_at, session_at) <= setting('max_gap_days')
          check: days_between(session2_at, session_at) >= setting('min_gap_s2_s3_days')
          severity: warn
          message: Leave at least {min_gap_s2_s3_days} days after session 2
          source: assumption
    """)
    result = build_yaml(form, {"forms/protocol.yaml": PROTOCOL})
    assert result.ok, [d.headline() for d in result.diagnostics]
    [row] = rule_rows(result.project)
    assert row[5:] == ("max_gap_days = 9; min_gap_s2_s3_days = 3",
                       "Leave at least 3 days after session 2")


def test_table_aligns_columns_and_csv_round_trips_commas_and_quotes():
    rows = [("R-1", "f", "x", "warn", "doc §1; assumption", "gap = 3", 'Say "no", then stop')]
    text = table(RULE_HEADER, rows)
    header, line = text.splitlines()
    assert header.index("severity") == line.index("warn")
    assert list(csv.reader(io.StringIO(table(RULE_HEADER, rows, as_csv=True)))) == [
        list(RULE_HEADER), list(rows[0])]
