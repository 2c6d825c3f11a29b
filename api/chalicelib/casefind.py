"""Finding work through the Store: the lists a case change writes (`listed`), GET /v1/cases
(the cases the reader's agency is party to, filtered, or found by a search) and GET
/v1/due (what is due for the agency, soonest first). Each read is audited like a case
read, never with the search's words.

A search looks the keyed words up in the store, keeps the cases the reader's agency lists,
then reads each such case and counts it only when the words match what the reader may see
of its person (caseview.visible_answers: access, `sharing:` scopes and consent), so a
reader who may not see a name cannot find the case by it. The DAT administrator lists
every case, by reference and codes only, and finds a case by its reference alone.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path
from typing import Any

from .contract import codes
from .domain import casefind, caseview, parties
from .domain.access import Principal
from .domain.caseplan import Snapshot, case_consent_view
from .domain.ids import is_our_id
from .domain.person import Search, keyed, person_of, search_of, terms_of
from .domain.results import Done, Refused, Result
from .store.base import (
    ALL_CASES,
    CaseChange,
    CaseEntry,
    CasePage,
    InvalidCursor,
    ListedCase,
    RecordVersion,
    case_cursor,
    case_position,
    listed_matches,
)

SEARCH_SECRET_FILE = "search-secret"
MOST_HITS = 500          # cases one search word may give before the reader's list is applied


def search_secret(settings) -> bytes | None:
    """The key the person's words are hashed with: settings.search_secret (in AWS derived
    from the stage's secret, stage_config.py; or DIPFORMS_SEARCH_SECRET), or on one machine
    `<data dir>/search-secret`, made on first use (mode 0600). None in AWS without one: no
    words are kept, and a search finds cases by reference only."""
    if settings.search_secret:
        return settings.search_secret.encode("utf-8")
    if settings.auth != "local":
        return None
    from .tokens import ensure_local_secret

    return ensure_local_secret(Path(settings.data_dir), SEARCH_SECRET_FILE)


# -- written with each change ------------------------------------------------------------

def listed(ctx, change: CaseChange, records: list[RecordVersion],
           entries: list[CaseEntry], *, terms: bool = True) -> CaseChange:
    """The change with the listing it writes: the case's parties after it (from `records`,
    the latest version of each record of the case, and `entries`, its timeline before the
    change), and, when `terms`, its person's keyed words from every record's answers."""
    process = ctx.catalogue.case_process
    protocol = ctx.catalogue.protocol
    found = parties.case_parties(protocol, process.opened_by, records,
                                 [*entries, *change.entries])
    key = ctx.search_key
    answers = [r.data for r in records] if terms and key else None
    listing = casefind.listing_of(protocol, change.case, found, answers, key or b"")
    return dataclasses.replace(change, listing=listing)


def relist(ctx) -> int:
    """List every case the lists lack (opened before they existed), as its next change
    would; returns how many. Safe to run again: a listed case is left as it is."""
    from .cases import case_records

    process = ctx.catalogue.case_process
    if process is None:
        return 0
    done = 0
    for case in ctx.store.iter_cases():
        if ctx.store.listed_cases(ALL_CASES, [case.case_ref]):
            continue
        wanted = casefind.wanted_of(process, ctx.catalogue.protocol, case)
        bare = CaseChange(case, [], wanted)
        ctx.store.relist_case(listed(ctx, bare, case_records(ctx, case.case_ref),
                                     ctx.store.case_entries(case.case_ref)))
        done += 1
    return done


# -- reading -------------------------------------------------------------------------------

def _refused(ctx, who: Principal) -> Refused | None:
    if ctx.catalogue.case_process is None:
        return Refused("not_found")
    if ctx.policy.denial_reason(who) is not None:
        return Refused("forbidden")
    return None


def _agency(ctx, who: Principal) -> str:
    return ALL_CASES if ctx.policy.is_admin(who) else who.agency


def person_seen(ctx, who: Principal, snapshot: Snapshot,
                today: datetime.date) -> tuple[dict[str, str] | None, set[str]]:
    """What `who` may see of the case's person, and the words of it a search may match
    (none for the DAT administrator, who sees no answers)."""
    if ctx.policy.is_admin(who):
        return None, set()
    protocol = ctx.catalogue.protocol
    consent = case_consent_view(protocol, snapshot, today)
    seen = [data for data in (caseview.visible_answers(ctx.policy, protocol, who, record,
                                                       consent)
                              for record in snapshot.records) if data]
    return person_of(seen), terms_of(seen)


def _snapshot(ctx, case_ref: str) -> Snapshot | None:
    from .cases import snapshot_of

    case = ctx.store.get_case(case_ref)
    return snapshot_of(ctx, case) if case is not None else None


def list_cases(ctx, who: Principal, params: dict[str, str]) -> Result:
    """GET /v1/cases: a page of the cases the reader's agency is party to (the DAT: every
    case), newest change first, filtered by state, condition and due; `q` a search.
    audit_log.list_cases audits it."""
    refused = _refused(ctx, who)
    if refused is not None:
        return refused
    process = ctx.catalogue.case_process
    today = ctx.today()
    parsed = casefind.case_query(_agency(ctx, who), params, today, process)
    if isinstance(parsed, list):
        return Refused("bad_request", parsed)
    query, limit = parsed
    q = (params.get("q") or "").strip()
    try:
        if q:
            page, people = _search(ctx, who, query, limit, params.get("cursor"), q, today)
        else:
            page = ctx.store.list_cases(query, limit, params.get("cursor"))
            people = _people(ctx, who, [row.case_ref for row in page.items], today)
    except InvalidCursor:
        return Refused("bad_request", [{"field": "cursor", "code": codes.INVALID,
                                        "message": "Start again from the first page"}])
    cases = [casefind.listed_json(process, row, today, people.get(row.case_ref))
             for row in page.items]
    return Done({"cases": cases, "next_cursor": page.cursor,
                 "agencies": agency_names(ctx, [who.agency])})


def _people(ctx, who: Principal, refs: list[str],
            today: datetime.date) -> dict[str, dict[str, str] | None]:
    """Each listed case's person as `who` may see it (one case read each, a page's worth)."""
    if ctx.policy.is_admin(who):
        return {}
    found = {}
    for ref in refs:
        snapshot = _snapshot(ctx, ref)
        if snapshot is not None:
            found[ref] = person_seen(ctx, who, snapshot, today)[0]
    return found


def _search(ctx, who: Principal, query, limit: int, cursor: str | None, q: str,
            today: datetime.date) -> tuple[CasePage, dict[str, dict[str, str] | None]]:
    """The reader's listed cases the search finds, newest change first, a page of them."""
    search = search_of(q)
    if search is None:
        return CasePage([], None), {}
    after = case_position(cursor, query) if cursor else None
    candidates = _candidates(ctx, who, search)
    rows = sorted((row for row in ctx.store.listed_cases(query.agency, sorted(candidates))
                   if listed_matches(row, query)
                   and (after is None or (row.updated_at, row.case_ref) < after)),
                  key=lambda r: (r.updated_at, r.case_ref), reverse=True)
    people: dict[str, dict[str, str] | None] = {}
    hits: list[ListedCase] = []
    for row in rows:      # newest first, each read until one more than a page is found
        snapshot = _snapshot(ctx, row.case_ref)
        if snapshot is None:
            continue
        person, words = person_seen(ctx, who, snapshot, today)
        if row.case_ref == search.case_ref or search.found_in(words):
            hits.append(row)
            people[row.case_ref] = person
            if len(hits) > limit:
                break
    more = len(hits) > limit
    page = CasePage(hits[:limit], case_cursor(query, hits[limit - 1]) if more else None)
    return page, people


def _candidates(ctx, who: Principal, search: Search) -> set[str]:
    """The cases the store's keyed words (and the words as a reference) point at."""
    found: set[str] = set()
    if search.case_ref and is_our_id(search.case_ref):
        found.add(search.case_ref)
    key = ctx.search_key
    if ctx.policy.is_admin(who) or not key:
        return found
    if search.all_of:
        sets = [set(ctx.store.cases_with_term(keyed(key, t), MOST_HITS))
                for t in sorted(search.all_of)]
        found |= set.intersection(*sets)
    for term in sorted(search.any_of):
        found |= set(ctx.store.cases_with_term(keyed(key, term), MOST_HITS))
    return found


def due(ctx, who: Principal) -> Result:
    """GET /v1/due: every deadline of the agency's cases due within 14 days or overdue,
    soonest first, each with its case's person as the reader may see them (audited by
    audit_log.read_due)."""
    refused = _refused(ctx, who)
    if refused is not None:
        return refused
    process = ctx.catalogue.case_process
    today = ctx.today()
    upto = casefind.due_upto(today)
    rows = ctx.store.due_cases(_agency(ctx, who), upto, casefind.DUE_MOST)
    items = casefind.due_items(process, rows, today, upto)[:casefind.DUE_MOST]
    people = _people(ctx, who, list(dict.fromkeys(i["case"] for i in items)), today)
    return Done({"due": [{**item, "person": people.get(item["case"])} for item in items],
                 "today": today.isoformat()})


def agency_names(ctx, agency_ids: Any) -> dict[str, str]:
    """{agency id: name} for every id of the protocol's among `agency_ids`."""
    names = {}
    for agency_id in agency_ids:
        agency = ctx.catalogue.protocol.agency(agency_id) if isinstance(agency_id, str) \
            else None
        if agency is not None:
            names[agency_id] = agency.name or agency_id
    return names
