"""Tables a Drug Action Team reviews: every rule with its severity and source (`dipforms
rules`), and the protocol's routing and access (`dipforms protocol`).

Pure: a parsed Project in, text out. Columns are separated by two spaces and wrapped to
nothing (a DAT pipes them to a file or a spreadsheet with --csv).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from .model import Project, Source


def _sources(sources: Iterable[Source]) -> str:
    return "; ".join(str(s) for s in sources) or "(none)"


def rule_rows(project: Project) -> list[tuple[str, ...]]:
    """(id, form, field, severity, source, message): every rule of every form, by id."""
    rows = [(rule.id, form.id, rule.field, rule.severity, _sources(rule.sources),
             rule.message.get("en"))
            for form in project.forms for rule in form.rules]
    return sorted(rows, key=lambda row: (row[0], row[1]))


def route_rows(project: Project) -> list[tuple[str, ...]]:
    """(event, form, to, agency name, channel, answers sent): who hears of what."""
    if project.protocol is None:
        return []
    names = {a.id: a.name for a in project.protocol.agencies}
    return sorted((r.event, r.form, r.to, names.get(r.to, "?"), r.channel,
                   ", ".join(f for f, _ in r.fields) or "(reference only)")
                  for r in project.protocol.routes)


def access_rows(project: Project) -> list[tuple[str, ...]]:
    """(form, roles that may submit, roles that may read)."""
    if project.protocol is None:
        return []
    return sorted((rule.form, ", ".join(r for r, _ in rule.submit) or "-",
                   ", ".join(r for r, _ in rule.read) or "-")
                  for rule in project.protocol.access.values())


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, as_csv: bool = False) -> str:
    """Rows under a header: aligned columns, or CSV."""
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in (header, *rows)]
    return "\n".join(lines) + "\n"


RULE_HEADER = ("rule", "form", "field", "severity", "source", "message")
ROUTE_HEADER = ("event", "form", "to", "agency", "channel", "answers sent")
ACCESS_HEADER = ("form", "may submit", "may read")
