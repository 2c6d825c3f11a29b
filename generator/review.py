"""Tables a Drug Action Team reviews: every rule with its severity, source and the protocol
settings it reads (`dipforms rules`), and the protocol's routing, access and the access
matrix (agency type x role x form: `dipforms protocol`).

Pure: a parsed Project in, text out. Columns are separated by two spaces and wrapped to
nothing (a DAT pipes them to a file or a spreadsheet with --csv).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from chalicelib.contract.access_matrix import HEADER, access_matrix
from chalicelib.contract.events import CASE_EVENTS, REASON_EVENTS, RECORD_EVENTS

from .model import Project, Route, Rule, Source
from .protocol.compiled import compile_protocol
from .protocol.routes import CaseRoute, LocalProtocol
from .rules.settings import fill, settings_read, shown


def _sources(sources: Iterable[Source]) -> str:
    return "; ".join(str(s) for s in sources) or "(none)"


def _settings(rule: Rule, settings: dict) -> str:
    """`name = value` for each protocol setting the rule reads, or '-'."""
    names = [n for expr in (rule.when, rule.check) if expr is not None
             for n in settings_read(expr.ast)]
    unique = list(dict.fromkeys(names))
    return "; ".join(f"{n} = {shown(settings.get(n))}" for n in unique) or "-"


def rule_rows(project: Project) -> list[tuple[str, ...]]:
    """(id, form, field, severity, source, settings, message): every rule of every form, by
    id; the message with the settings' values filled in, as people see it."""
    settings = project.protocol.settings if project.protocol is not None else {}
    rows = [(rule.id, form.id, rule.field, rule.severity, _sources(rule.sources),
             _settings(rule, settings), fill(rule.message.get("en"), settings))
            for form in project.forms for rule in form.rules]
    return sorted(rows, key=lambda row: (row[0], row[1]))


def note_rows(project: Project) -> list[tuple[str, ...]]:
    """(form, where, note): every `note:` of every form, which no page shows."""
    return [(form.id, where, note) for form in project.forms for where, note in form.notes()]


def route_rows(project: Project) -> list[tuple[str, ...]]:
    """(event, form, to, agency, SPOC, channel, template, what it carries, reason, source):
    who hears of what, record events first, then N01 to N28 in order."""
    if project.protocol is None:
        return []
    agencies = {a.id: a for a in project.protocol.agencies}
    rows = []
    for r in project.protocol.routes:
        agency = agencies.get(r.to)
        case = isinstance(r, CaseRoute)
        rows.append((f"{r.event} {CASE_EVENTS.get(r.event, '?')}" if case else r.event,
                     "(case)" if case else r.form, r.to,
                     agency.name if agency else RECIPIENT_NAMES.get(r.to, "?"),
                     agency.spoc.get("name", "-") if agency else "-", r.channel,
                     r.template if case else "-", _carries(r), _reason(r),
                     _sources(getattr(r, "sources", ()))))
    order = {event: n for n, event in enumerate((*RECORD_EVENTS, *CASE_EVENTS))}
    return sorted(rows, key=lambda row: (order.get(row[0].split()[0], len(order)), row[8],
                                         row[2]))


def _carries(route: Route) -> str:
    """A process event's scopes, or the answers a record event's message adds."""
    if isinstance(route, CaseRoute):
        return " + ".join(scope for scope, _ in route.scopes)
    if not route.fields:
        return "(reference only)"
    return "fields: " + ", ".join(field for field, _ in route.fields)


def _reason(route: Route) -> str:
    if not isinstance(route, CaseRoute):
        return "-"
    return route.reason or ("(any)" if route.event in REASON_EVENTS else "-")


def access_rows(project: Project) -> list[tuple[str, ...]]:
    """(form, roles that may submit, roles that may read)."""
    if project.protocol is None:
        return []
    return sorted((rule.form, ", ".join(r for r, _ in rule.submit) or "-",
                   ", ".join(r for r, _ in rule.read) or "-")
                  for rule in project.protocol.access.values())


MATRIX_HEADER = HEADER


def matrix_rows(project: Project) -> list[tuple[str, ...]]:
    """agency type x role x form: submit, and what is read (contract/access_matrix.py)."""
    if not isinstance(project.protocol, LocalProtocol):
        return []
    protocol = compile_protocol(project.protocol)
    return [cell.row() for cell in access_matrix(protocol, (f.id for f in project.forms))]


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


RULE_HEADER = ("rule", "form", "field", "severity", "source", "settings", "message")
NOTE_HEADER = ("form", "where", "note")
ROUTE_HEADER = ("event", "form", "to", "agency", "SPOC", "channel", "template", "carries",
                "reason", "source")
#: What a special recipient stands for, in the agency column.
RECIPIENT_NAMES = {"named_agencies": "(the agencies the consent record names)",
                   "owners": "(the owners of both appointments)"}
ACCESS_HEADER = ("form", "may submit", "may read")
