# ruff: noqa: F811 (the fixtures imported from test_store_contract are parameter names)
"""The Store's batched reads, for every backend (SQLite, DynamoDB on moto): many records'
latest versions and many outbox events in a few reads, as a case read needs them, where
it once made one read per record and one per notification."""

from __future__ import annotations

from tests.functional.test_store_contract import (  # noqa: F401 - fixtures used by name
    Backend,
    audit,
    backend,
    event,
    moto_client,
    sqlite_store,
    store,
    version,
)


def test_latest_versions_of_many_records_come_by_id(store):
    ids = [f"MG14-{n:03d}" for n in range(130)]      # more than one batch (100 a read)
    for n, record_id in enumerate(ids):
        store.commit(version(record_id, when=n), audit(record_id, n), [])
    store.commit(version(ids[7], 2, when=500, surname="Amended"), audit(ids[7], 500), [])
    found = store.get_latest_versions([*ids, "MG14-none", ids[3]])
    assert set(found) == set(ids)
    assert found[ids[7]].version == 2 and found[ids[7]].data == {"surname": "Amended"}
    assert found[ids[120]] == store.get_version(ids[120])
    assert store.get_latest_versions([]) == {}


def test_many_events_come_by_id_as_they_are_now(store):
    ids = [f"EV-{n:03d}" for n in range(105)]
    for n in range(0, 105, 35):                       # a commit holds up to 100 items
        record_id = f"MG14-{n}"
        store.commit(version(record_id), audit(record_id),
                     [event(event_id, record_id, n) for event_id in ids[n:n + 35]])
    store.mark_sent(ids[4], "2026-12-01T10:00:00.000000Z")
    found = store.get_events([ids[4], ids[104], "EV-none"])
    assert set(found) == {ids[4], ids[104]}
    assert found[ids[4]].status == "sent" and found[ids[104]].status == "pending"
    assert len(store.get_events(ids)) == 105
