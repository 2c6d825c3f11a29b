"""The SQLite store's tables, indexes and triggers, created on open (docs/storage.md).
The triggers keep records, audit and case timelines append-only whoever connects.

Every index is there for a query that uses it (named beside it); a table keyed by its
primary key alone is WITHOUT ROWID, one B-tree rather than a table and its key's copy.
A store made before keeps its tables as they were (the same columns, so the same code
works on both); an index no query uses any more is dropped on open (DROPPED_INDEXES)."""

SCHEMA_VERSION = 1
#: Columns added since a table was first made, added on open to a store that lacks them.
#: Nullable, so code that predates them still writes rows (NULL: no lease, no claim id).
ADDED_COLUMNS = (
    ("idempotency", "claim_id", "TEXT"),     # which claim holds an in-flight key
    ("idempotency", "lease_until", "TEXT"),  # when another request may take it over
)
#: Indexes older stores have that no query uses: dropped on open.
DROPPED_INDEXES = (
    "outbox_by_status",   # list_events' `? IS NULL OR status = ?` never used it: outbox_dead
)
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS record_heads (
         record_id TEXT PRIMARY KEY, form_id TEXT NOT NULL,
         latest_version INTEGER NOT NULL CHECK (latest_version >= 1),
         first_created_at TEXT NOT NULL) STRICT""",
    # list_records: a form's records newest first
    """CREATE INDEX IF NOT EXISTS record_heads_by_form
         ON record_heads (form_id, first_created_at, record_id)""",
    """CREATE TABLE IF NOT EXISTS records (
         record_id TEXT NOT NULL REFERENCES record_heads (record_id),
         version INTEGER NOT NULL CHECK (version >= 1),
         form_id TEXT NOT NULL, form_version TEXT NOT NULL,
         data TEXT NOT NULL CHECK (json_valid(data)),
         created_at TEXT NOT NULL, created_by TEXT NOT NULL, agency TEXT NOT NULL, reason TEXT,
         PRIMARY KEY (record_id, version)) STRICT""",
    """CREATE TABLE IF NOT EXISTS audit (
         seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
         role TEXT NOT NULL, agency TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
         reason TEXT, request_id TEXT, reason_ref TEXT) STRICT""",
    "CREATE INDEX IF NOT EXISTS audit_by_target ON audit (target, seq)",  # list/page_audit
    "CREATE INDEX IF NOT EXISTS audit_by_actor ON audit (actor, seq)",    # page_audit actor
    """CREATE TABLE IF NOT EXISTS outbox (
         event_id TEXT PRIMARY KEY, record_id TEXT NOT NULL REFERENCES record_heads (record_id),
         event TEXT NOT NULL, form_id TEXT NOT NULL, channel TEXT NOT NULL,
         recipient TEXT NOT NULL CHECK (json_valid(recipient)),
         payload TEXT NOT NULL CHECK (json_valid(payload)), created_at TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
         attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL,
         last_error TEXT, sent_at TEXT) STRICT""",
    # due_events: the dispatcher's pending events by due time
    """CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at, event_id)
         WHERE status = 'pending'""",
    # list_events('dead'): the dead letters, oldest first (a few, so a small index)
    """CREATE INDEX IF NOT EXISTS outbox_dead ON outbox (created_at, event_id)
         WHERE status = 'dead'""",
    *(f"DROP INDEX IF EXISTS {name}" for name in DROPPED_INDEXES),
    """CREATE TABLE IF NOT EXISTS idempotency (
         actor TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('in_flight', 'done')),
         response TEXT CHECK (response IS NULL OR json_valid(response)),
         expires_at TEXT NOT NULL, claim_id TEXT, lease_until TEXT,
         PRIMARY KEY (actor, key)) STRICT""",
    # a claim's purge of a few expired keys
    "CREATE INDEX IF NOT EXISTS idempotency_by_expiry ON idempotency (expires_at)",
    # Cases: the state (one row, moved a version at a time), the records attached to it,
    # its timeline and its deadlines (fired at most once; only pending ones are indexed).
    """CREATE TABLE IF NOT EXISTS cases (
         case_ref TEXT PRIMARY KEY REFERENCES record_heads (record_id),
         process TEXT NOT NULL, state TEXT NOT NULL,
         version INTEGER NOT NULL CHECK (version >= 1),
         opened_at TEXT NOT NULL, updated_at TEXT NOT NULL,
         facts TEXT NOT NULL CHECK (json_valid(facts)),
         closed INTEGER NOT NULL CHECK (closed IN (0, 1))) STRICT""",
    """CREATE TABLE IF NOT EXISTS case_records (
         record_id TEXT PRIMARY KEY REFERENCES record_heads (record_id),
         case_ref TEXT NOT NULL REFERENCES cases (case_ref),
         case_version INTEGER NOT NULL, position INTEGER NOT NULL) STRICT, WITHOUT ROWID""",
    # case_records: a case's records in the order attached
    """CREATE INDEX IF NOT EXISTS case_records_by_case
         ON case_records (case_ref, case_version, position)""",
    """CREATE TABLE IF NOT EXISTS case_entries (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         case_ref TEXT NOT NULL REFERENCES cases (case_ref), at TEXT NOT NULL,
         kind TEXT NOT NULL, ref TEXT NOT NULL, actor TEXT NOT NULL, agency TEXT NOT NULL,
         detail TEXT NOT NULL CHECK (json_valid(detail))) STRICT""",
    # case_entries: a case's timeline
    "CREATE INDEX IF NOT EXISTS case_entries_by_case ON case_entries (case_ref, at, seq)",
    """CREATE TABLE IF NOT EXISTS deadlines (
         case_ref TEXT NOT NULL REFERENCES cases (case_ref), reason TEXT NOT NULL,
         due_on TEXT NOT NULL
           CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
         event TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('pending', 'fired', 'cleared')),
         fired_at TEXT, PRIMARY KEY (case_ref, reason)) STRICT, WITHOUT ROWID""",
    # due_deadlines: the sweep's pending deadlines by date
    """CREATE INDEX IF NOT EXISTS deadlines_due ON deadlines (due_on, case_ref, reason)
         WHERE status = 'pending'""",
    # The case lists: one row per (listing agency, case), rewritten with every change to
    # the case, and the keyed hashes of what identifies its person (never the words). Keyed
    # by case first, so a change's rewrite finds the case's rows by its key (a store made
    # before, keyed by agency first, gets case_index_by_case on open instead: cases.py);
    # the deadlines (`due`) are kept on the case's ALL_CASES ('*') row alone.
    """CREATE TABLE IF NOT EXISTS case_index (
         agency TEXT NOT NULL, case_ref TEXT NOT NULL REFERENCES cases (case_ref),
         state TEXT NOT NULL, closed INTEGER NOT NULL CHECK (closed IN (0, 1)),
         opened_at TEXT NOT NULL, updated_at TEXT NOT NULL, condition_type TEXT,
         next_due TEXT, due TEXT NOT NULL CHECK (json_valid(due)),
         PRIMARY KEY (case_ref, agency)) STRICT, WITHOUT ROWID""",
    # list_cases: one agency's cases, last changed first
    """CREATE INDEX IF NOT EXISTS case_index_by_change
         ON case_index (agency, updated_at, case_ref)""",
    # due_cases and list_cases' due filter: one agency's cases by their next deadline
    """CREATE INDEX IF NOT EXISTS case_index_by_due ON case_index (agency, next_due, case_ref)
         WHERE next_due IS NOT NULL""",
    """CREATE TABLE IF NOT EXISTS case_terms (
         term TEXT NOT NULL, case_ref TEXT NOT NULL REFERENCES cases (case_ref),
         PRIMARY KEY (term, case_ref)) STRICT, WITHOUT ROWID""",
    # a change's rewrite of its case's terms (DELETE ... WHERE case_ref = ?)
    "CREATE INDEX IF NOT EXISTS case_terms_by_case ON case_terms (case_ref)",
    # The DAT view: cases counted by condition and state, and the deadlines each open case
    # wants (read by reason and date), both kept by every change to a case.
    """CREATE TABLE IF NOT EXISTS dashboard_counts (
         condition TEXT NOT NULL, state TEXT NOT NULL,
         closed INTEGER NOT NULL CHECK (closed IN (0, 1)), cases INTEGER NOT NULL,
         PRIMARY KEY (condition, state, closed)) STRICT""",
    """CREATE TABLE IF NOT EXISTS dashboard_due (
         case_ref TEXT NOT NULL REFERENCES cases (case_ref), reason TEXT NOT NULL,
         due_on TEXT NOT NULL, event TEXT NOT NULL, PRIMARY KEY (case_ref, reason))
         STRICT, WITHOUT ROWID""",
    # overdue: the DAT view's deadlines of one reason by date
    """CREATE INDEX IF NOT EXISTS dashboard_due_by_reason
         ON dashboard_due (reason, due_on, case_ref)""",
    # Append-only, enforced by the database whoever connects.
    *(f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table}
          BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"""
      for table in ("records", "audit", "case_records", "case_entries")
      for verb in ("UPDATE", "DELETE")),
    *(f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
          BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END"""
      for table in ("cases", "deadlines")),
    """CREATE TRIGGER IF NOT EXISTS cases_one_step BEFORE UPDATE ON cases
         WHEN NEW.case_ref IS NOT OLD.case_ref OR NEW.version IS NOT OLD.version + 1
           OR NEW.opened_at IS NOT OLD.opened_at
         BEGIN SELECT RAISE(ABORT, 'a case moves on one version at a time'); END""",
    """CREATE TRIGGER IF NOT EXISTS deadlines_fire_once BEFORE UPDATE ON deadlines
         WHEN OLD.status = 'fired' OR NEW.case_ref IS NOT OLD.case_ref
           OR NEW.reason IS NOT OLD.reason
         BEGIN SELECT RAISE(ABORT, 'a fired deadline never changes'); END""",
    """CREATE TRIGGER IF NOT EXISTS outbox_no_delete BEFORE DELETE ON outbox
         BEGIN SELECT RAISE(ABORT, 'outbox events are never deleted'); END""",
    """CREATE TRIGGER IF NOT EXISTS record_heads_no_delete BEFORE DELETE ON record_heads
         BEGIN SELECT RAISE(ABORT, 'records are never deleted'); END""",
    """CREATE TRIGGER IF NOT EXISTS record_heads_one_step BEFORE UPDATE ON record_heads
         WHEN NEW.record_id IS NOT OLD.record_id OR NEW.latest_version IS NOT OLD.latest_version + 1
           OR NEW.first_created_at IS NOT OLD.first_created_at
         BEGIN SELECT RAISE(ABORT, 'a record moves on one version at a time'); END""",
    """CREATE TRIGGER IF NOT EXISTS records_follow_head BEFORE INSERT ON records
         WHEN NEW.version IS NOT (SELECT latest_version FROM record_heads
                                  WHERE record_id = NEW.record_id)
         BEGIN SELECT RAISE(ABORT, 'a version is written with its head'); END""",
)
