"""Routing and the outbox: events per route with only the allowed answers; dispatch with
back-off, dead letters and requeue; two dispatchers never send one event twice; 1,000 events
survive failing delivery and are each delivered exactly once after recovery (SES on moto)."""

from __future__ import annotations

import dataclasses
import datetime
import email
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from chalicelib.clock import FixedClock
from chalicelib.contract.protocol import Protocol
from chalicelib.notify import message
from chalicelib.notify.channels.file import FileChannel
from chalicelib.notify.channels.ses import SESChannel
from chalicelib.notify.outbox import (
    DispatchReport,
    RetryPolicy,
    dead_letters,
    dispatch,
    iso_utc,
    retry_dead_letter,
)
from chalicelib.notify.references import with_answers
from chalicelib.notify.routing import RoutingError, route_event
from chalicelib.store.base import AuditEntry, OutboxEvent, RecordVersion
from chalicelib.store.sqlite import SQLiteStore
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from tests.functional.test_channels import PROTOCOL, SECRETS, FaultyClient, client_error

REGION = "eu-west-2"
SENDER = "no-reply@dip.example.org"
START = datetime.datetime(2026, 11, 25, 10, 30, tzinfo=datetime.UTC)
TWO_SPOCS = {**PROTOCOL, "routes": [
    {"event": "submitted", "form": "mg14", "to": "cjit", "channel": "email", "fields": ["surname"]},
    {"event": "submitted", "form": "mg14", "to": "cps", "channel": "email"},
]}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """The real SQLite store (WAL, synchronous=FULL) in a temp folder."""
    sqlite_store = SQLiteStore(tmp_path / "dipforms.sqlite")
    yield sqlite_store
    sqlite_store.close()


@pytest.fixture
def clock() -> FixedClock:
    """A clock the test moves; the dispatcher reads it through `now`."""
    return FixedClock(START)


@pytest.fixture
def ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultyClient]:
    """An SES v2 client on moto, sender verified, with a fault switch on send_email."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("sesv2", region_name=REGION)
        client.create_email_identity(EmailIdentity=SENDER)
        yield FaultyClient(client, "send_email")


def sent_message_ids() -> Counter[str]:
    """How many times each Message-ID reached SES."""
    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    return Counter(email.message_from_string(m.raw_data)["Message-ID"] for m in sent)


def submission(n: int, protocol: dict = TWO_SPOCS) -> tuple[RecordVersion, list[OutboxEvent]]:
    """Record number n (with answers no route allows) and its routed events, as stored
    (the answers by reference: with_answers reads them back, as the dispatcher does)."""
    rec = RecordVersion(f"R-{n:05d}", 1, "mg14", "1.0",
                        {"surname": "Jones", "dob": SECRETS[0], "offence": SECRETS[1]},
                        iso_utc(START), "user-1", "police")
    ids = iter(f"ev-{n:05d}-{k}" for k in range(10))
    return rec, route_event("submitted", rec, "MG14", Protocol.from_json(protocol),
                            base_url="https://dip.test", now=iso_utc(START),
                            new_id=lambda: next(ids))


def sent_as(rec: RecordVersion, event: OutboxEvent) -> OutboxEvent:
    """The event as a channel is handed it: its answers read back from `rec`."""
    return with_answers(event, lambda rid, v: rec if (rid, v) == (rec.record_id, rec.version)
                        else None)


def submit(store: SQLiteStore, count: int, protocol: dict = TWO_SPOCS) -> list[OutboxEvent]:
    """Commit `count` records through the store, each with its events in one transaction."""
    events = []
    for n in range(count):
        rec, routed = submission(n, protocol)
        store.commit(rec, AuditEntry(rec.created_at, "user-1", "police", "police", "submit",
                                     rec.record_id), routed)
        events += routed
    return events


def statuses(store: SQLiteStore) -> Counter[str]:
    return Counter(event.status for event in store.list_events(limit=1_000_000))


# -- routing ----------------------------------------------------------------------------------

def test_a_route_per_agency_gives_an_event_per_agency():
    rec, stored = submission(0, PROTOCOL)
    assert stored[0].payload["fields_ref"] == {"record": "R-00000", "version": 1,
                                               "names": ["surname"]}
    assert "fields" not in stored[0].payload and "Jones" not in repr(stored)  # no copies
    events = [sent_as(rec, e) for e in stored]
    assert [(e.channel, e.recipient) for e in events] == [
        ("email", {"agency": "cjit", "name": "Jo Worker", "email": "spoc@cjit.example.org"}),
        ("sns", {"agency": "cps", "topic": "cps"}),
    ]
    assert {e.status for e in events} == {"pending"}
    assert events[0].payload == {
        "event": "submitted", "form_id": "mg14", "form_title": "MG14", "record_id": "R-00000",
        "version": 1, "link": "https://dip.test/forms/mg14/record.html?id=R-00000",
        "fields": {"surname": "Jones"}}
    assert events[1].payload["fields"] == {}


def test_no_matching_route_gives_no_events():
    rec = RecordVersion("R-1", 2, "mg14", "1.0", {"surname": "Jones"}, "t", "u", "police")
    assert route_event("amended", rec, "MG14", Protocol.from_json(PROTOCOL), base_url="b",
                       now="t", new_id=lambda: "x") == []
    other = dataclasses.replace(rec, form_id="dir_activity")
    assert route_event("submitted", other, "DIR", Protocol.from_json(PROTOCOL), base_url="b",
                       now="t", new_id=lambda: "x") == []


def test_fields_are_limited_to_the_route_and_to_answers_the_record_has():
    protocol = {**PROTOCOL, "routes": [{**PROTOCOL["routes"][0],
                                        "fields": ["surname", "not_answered"]}]}
    rec, (stored,) = submission(0, protocol)
    event = sent_as(rec, stored)
    assert event.payload["fields"] == {"surname": "Jones"}
    assert not [s for s in SECRETS if s in repr(event)]


def test_a_route_to_an_unknown_agency_is_a_routing_error():
    protocol = {**PROTOCOL, "routes": [{**PROTOCOL["routes"][0], "to": "nowhere"}]}
    with pytest.raises(RoutingError, match="unknown agency 'nowhere'"):
        submission(0, protocol)


# -- the retry policy -------------------------------------------------------------------------

def test_back_off_doubles_from_30_seconds_and_is_capped_at_an_hour():
    policy = RetryPolicy(max_attempts=20)
    delays = [policy.delay_after(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert RetryPolicy().next_attempt_at(8, START) is None


# -- dispatch ---------------------------------------------------------------------------------

def test_dispatch_sends_due_events_and_marks_them_sent(store, clock, ses):
    submit(store, 3)
    report = dispatch(store, {"email": SESChannel(ses, SENDER)}, now=clock.now)
    assert report == DispatchReport(sent=6)
    assert statuses(store) == {"sent": 6}
    assert sorted(sent_message_ids().values()) == [1] * 6
    assert dispatch(store, {"email": SESChannel(ses, SENDER)}, now=clock.now) == DispatchReport()


class Recording:
    """A channel that keeps what it is handed."""

    def __init__(self) -> None:
        self.sent: list[OutboxEvent] = []

    def send(self, event: OutboxEvent) -> None:
        self.sent.append(event)


def test_the_channel_gets_the_answers_read_back_so_the_message_is_the_same(store, clock):
    """The outbox row keeps a reference (record, version, field names); the channel is
    handed the payload with the answers, equal to the payload routing used to store."""
    rec, routed = submission(7, PROTOCOL)
    store.commit(rec, AuditEntry(rec.created_at, "user-1", "police", "police", "submit",
                                 rec.record_id), routed)
    kept = store.get_event(routed[0].event_id)
    assert "Jones" not in repr(kept) and kept.payload["fields_ref"]["names"] == ["surname"]
    channel = Recording()
    dispatch(store, {"email": channel, "sns": channel}, now=clock.now)
    assert [e.payload for e in channel.sent] == [{
        "event": "submitted", "form_id": "mg14", "form_title": "MG14", "record_id": "R-00007",
        "version": 1, "link": "https://dip.test/forms/mg14/record.html?id=R-00007",
        "fields": fields} for fields in ({"surname": "Jones"}, {})]
    assert message.body_for(channel.sent[0]) == message.body_for(sent_as(rec, routed[0]))
    assert "  surname: Jones" in message.body_for(channel.sent[0])


def test_an_event_whose_record_is_missing_is_a_dead_letter_saying_so(store, clock):
    rec, routed = submission(8, PROTOCOL)
    store.commit(rec, AuditEntry(rec.created_at, "user-1", "police", "police", "submit",
                                 rec.record_id), [dataclasses.replace(routed[0], payload={
                                     **routed[0].payload, "fields_ref": {
                                         "record": rec.record_id, "version": 2,
                                         "names": ["surname"]}})])
    channel = Recording()
    assert dispatch(store, {"email": channel}, now=clock.now) == DispatchReport(dead=1)
    assert channel.sent == [] and dead_letters(store)[0].last_error == (
        "MissingRecord: no version 2 of record R-00008")


def test_an_event_stored_with_its_answers_before_references_is_sent_as_it_was(store, clock):
    rec, routed = submission(9, PROTOCOL)
    old = dataclasses.replace(routed[0], payload=sent_as(rec, routed[0]).payload)
    store.commit(rec, AuditEntry(rec.created_at, "user-1", "police", "police", "submit",
                                 rec.record_id), [old])
    channel = Recording()
    dispatch(store, {"email": channel}, now=clock.now)
    assert [e.payload for e in channel.sent] == [old.payload]


def test_failed_deliveries_back_off_then_go_dead_after_max_attempts(store, clock, ses):
    (event, _) = submit(store, 1)
    ses.fail_with(client_error("Throttling"))
    channels = {"email": SESChannel(ses, SENDER)}
    waits = []
    for attempt in range(1, 9):
        report = dispatch(store, channels, now=clock.now)
        assert report == (DispatchReport(failed=2) if attempt < 8 else DispatchReport(dead=2))
        (stored,) = [e for e in store.list_events() if e.event_id == event.event_id]
        assert stored.attempts == attempt and stored.last_error == "DeliveryFailed: ses: Throttling"
        if attempt < 8:
            due = datetime.datetime.fromisoformat(stored.next_attempt_at)
            waits.append((due - clock.now()).total_seconds())
            clock.advance(seconds=waits[-1] - 1)
            assert dispatch(store, channels, now=clock.now) == DispatchReport()  # not yet due
            clock.advance(seconds=1)
    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    assert [e.status for e in dead_letters(store)] == ["dead", "dead"]
    assert ses.calls == 16 and sent_message_ids() == Counter()


def test_another_exception_is_a_failure_recorded_by_its_type_name_only(store, clock, ses):
    submit(store, 1)
    ses.fail_with(RuntimeError(f"could not send 'Jones' born {SECRETS[0]}"))
    assert dispatch(store, {"email": SESChannel(ses, SENDER)}, now=clock.now).failed == 2
    assert {e.last_error for e in store.list_events()} == {"RuntimeError"}


def test_configuration_errors_are_dead_letters_at_once_with_the_reason(store, clock, tmp_path):
    submit(store, 1, PROTOCOL)  # one email event, one sns event
    report = dispatch(store, {"email": FileChannel(tmp_path, SENDER)}, now=clock.now)
    assert report == DispatchReport(sent=1, dead=1)
    (dead,) = dead_letters(store)
    assert dead.channel == "sns" and dead.attempts == 1
    assert dead.last_error == "Undeliverable: no channel configured for 'sns'"


def test_a_dead_letter_can_be_retried_and_is_then_delivered(store, clock, ses):
    submit(store, 1)
    ses.fail_with(client_error())
    channels = {"email": SESChannel(ses, SENDER)}
    policy = RetryPolicy(max_attempts=1)
    assert dispatch(store, channels, now=clock.now, policy=policy) == DispatchReport(dead=2)
    ses.fail_with(None)
    dead = dead_letters(store)
    assert [retry_dead_letter(store, e.event_id, clock.now()) for e in dead] == [True, True]
    assert retry_dead_letter(store, dead[0].event_id, clock.now()) is False  # pending now
    assert retry_dead_letter(store, "no-such-event", clock.now()) is False
    assert dispatch(store, channels, now=clock.now) == DispatchReport(sent=2)
    assert retry_dead_letter(store, dead[0].event_id, clock.now()) is False  # sent
    assert dead_letters(store) == [] and sorted(sent_message_ids().values()) == [1, 1]


def test_limit_bounds_the_attempts_of_one_run(store, clock, tmp_path):
    submit(store, 10)
    channels = {"email": FileChannel(tmp_path, SENDER)}
    assert dispatch(store, channels, now=clock.now, limit=7) == DispatchReport(sent=7)
    assert dispatch(store, channels, now=clock.now, limit=7) == DispatchReport(sent=7)
    assert dispatch(store, channels, now=clock.now, limit=7) == DispatchReport(sent=6)
    assert len(list(tmp_path.glob("*.eml"))) == 20


def test_a_lease_hides_an_event_until_it_expires(store, clock, tmp_path):
    """A dispatcher that died mid-send: its event is due again once the lease runs out."""
    (event, _) = submit(store, 1)
    policy = RetryPolicy()
    until = clock.now() + policy.lease
    assert store.lease_event(event.event_id, iso_utc(clock.now()), iso_utc(until))
    channels = {"email": FileChannel(tmp_path, SENDER)}
    assert dispatch(store, channels, now=clock.now, policy=policy) == DispatchReport(sent=1)
    clock.moment = until
    assert dispatch(store, channels, now=clock.now, policy=policy) == DispatchReport(sent=1)


def test_a_naive_clock_is_refused(store):
    submit(store, 1)
    with pytest.raises(ValueError, match="aware"):
        dispatch(store, {}, now=lambda: datetime.datetime(2026, 11, 25))


def test_two_dispatchers_never_send_one_event_twice(store, clock, ses):
    events = submit(store, 200)
    channels = {"email": SESChannel(ses, SENDER)}
    start = threading.Barrier(2)
    reports: list[DispatchReport] = []

    def run() -> None:
        start.wait()
        reports.append(dispatch(store, channels, now=clock.now, limit=10_000))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = sent_message_ids()
    assert len(counts) == len(events) == 400 and set(counts.values()) == {1}
    assert sum(r.sent for r in reports) == 400 and statuses(store) == {"sent": 400}


# -- the big one: nothing lost while delivery fails; exactly once after recovery ---------------

def test_a_thousand_events_survive_failing_delivery_and_are_then_sent_exactly_once(
        store, clock, ses):
    started = time.perf_counter()
    events = submit(store, 500)
    assert len(events) == 1000
    ses.fail_with(client_error("ServiceUnavailable"))
    channels = {"email": SESChannel(ses, SENDER)}
    policy = RetryPolicy()
    for attempt in range(1, policy.max_attempts + 1):
        report = dispatch(store, channels, now=clock.now, limit=10_000, policy=policy)
        assert report.sent == 0 and report.failed + report.dead == 1000
        counts = statuses(store)
        assert counts == ({"pending": 1000} if attempt < policy.max_attempts else {"dead": 1000})
        clock.advance(seconds=policy.max_delay.total_seconds())
    assert sent_message_ids() == Counter() and ses.calls == 8000
    failing = time.perf_counter() - started

    ses.fail_with(None)
    for dead in dead_letters(store, limit=10_000):
        assert retry_dead_letter(store, dead.event_id, clock.now())
    while dispatch(store, channels, now=clock.now, limit=100).sent:
        pass
    counts = sent_message_ids()
    expected = {f"<{e.event_id}@dip.example.org>" for e in events}
    assert set(counts) == expected and set(counts.values()) == {1}
    assert statuses(store) == {"sent": 1000}
    print(f"\n1000 events: 8 failing rounds {failing:.2f} s; "
          f"recovery {time.perf_counter() - started - failing:.2f} s")
