"""One contract for every notification channel (file, SES v2, SES v1, SNS on moto): what is
delivered carries the reference and link and no answer the route does not allow; a failing
call is DeliveryFailed; a re-send is the same message. Faults only at the boto3/OS boundary."""

from __future__ import annotations

import email
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from chalicelib.contract.protocol import Protocol
from chalicelib.notify.channels import CHANNELS, make_channels
from chalicelib.notify.channels.base import Channel, DeliveryFailed, Undeliverable
from chalicelib.notify.channels.file import FileChannel
from chalicelib.notify.channels.ses import SESChannel
from chalicelib.notify.channels.sns import SNSChannel, sns_subject
from chalicelib.notify.message import NO_ANSWERS, build_message
from chalicelib.notify.references import with_answers
from chalicelib.notify.routing import route_event
from chalicelib.store.base import OutboxEvent, RecordVersion
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

REGION = "eu-west-2"
SENDER = "DIP notifications <no-reply@dip.example.org>"
BASE_URL = "https://dip.example.org"
NOW = "2026-11-25T10:30:00.123456Z"
SECRETS = ("1990-04-01", "possession of a class A drug", "07700 900123")  # never delivered
PROTOCOL = {
    "agencies": [
        {"id": "cjit", "type": "cjit", "name": "CJIT",
         "spoc": {"name": "Jo Worker", "role": "SPOC", "email": "spoc@cjit.example.org",
                  "phone": "01632 960020"}},
        {"id": "cps", "type": "cps", "name": "CPS",
         "spoc": {"name": "Duty prosecutor", "email": "duty@cps.example.org"}},
    ],
    "routes": [
        {"event": "submitted", "form": "mg14", "to": "cjit", "channel": "email",
         "fields": ["surname", "custody_number"]},
        {"event": "submitted", "form": "mg14", "to": "cps", "channel": "sns"},
    ],
}


def record(record_id: str = "R-7Q2K", **answers: Any) -> RecordVersion:
    data = {"surname": "Ffion Jones", "custody_number": "NS/1234/26", "dob": SECRETS[0],
            "offence": SECRETS[1], "phone": SECRETS[2], **answers}
    return RecordVersion(record_id, 1, "mg14", "1.0", data, NOW, "user-1", "police")


def events_for(rec: RecordVersion, ids: Iterator[str] | None = None) -> list[OutboxEvent]:
    """The record's events as the dispatcher hands them to a channel: routed, with the
    answers their payloads refer to read back from `rec`."""
    ids = ids or iter(f"ev-{rec.record_id}-{n}" for n in range(100))
    routed = route_event("submitted", rec, "MG14 Drug test referral",
                         Protocol.from_json(PROTOCOL), base_url=BASE_URL, now=NOW,
                         new_id=lambda: next(ids))
    return [with_answers(e, lambda rid, v: rec) for e in routed]


class FaultyClient:
    """A boto3 client whose `operation` raises `error` while `failing` (our fault switch)."""

    def __init__(self, client: Any, operation: str) -> None:
        self._client, self._operation = client, operation
        self.failing: BaseException | None = None
        self.calls = 0

    def fail_with(self, error: BaseException | None) -> None:
        self.failing = error

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._client, name)
        if name != self._operation:
            return real

        def call(**kwargs: Any) -> Any:
            self.calls += 1
            if self.failing is not None:
                raise self.failing
            return real(**kwargs)
        return call


def client_error(code: str = "Throttling", operation: str = "SendEmail") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "to spoc@cjit.example.org"}},
                       operation)


@dataclass
class Delivered:
    subject: str
    body: str
    event_id: str
    raw: bytes | None  # the RFC 5322 bytes, for channels that send a whole message


@dataclass
class Harness:
    channel: Channel
    delivered: Callable[[], list[Delivered]]
    break_delivery: Callable[[BaseException], None]
    events: Callable[[RecordVersion], list[OutboxEvent]]  # the events this channel serves


def parse(raw: bytes) -> Delivered:
    message = email.message_from_bytes(raw, policy=policy.default)
    return Delivered(str(message["Subject"]), message.get_content(),
                     str(message["X-Dipforms-Event-Id"]), raw)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def ses_sent() -> list[Delivered]:
    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    return [parse(message.raw_data.encode()) for message in sent]


def email_events(rec: RecordVersion) -> list[OutboxEvent]:
    return [event for event in events_for(rec) if event.channel == "email"]


def sns_events(rec: RecordVersion) -> list[OutboxEvent]:
    return [event for event in events_for(rec) if event.channel == "sns"]


def file_harness(tmp_path: Path, route_channel: str = "email") -> Harness:
    outbox = tmp_path / "outbox"

    def break_delivery(_: BaseException) -> None:
        if outbox.is_dir():
            outbox.rmdir()
        outbox.write_text("a file where the outbox folder should be")  # mkdir -> OSError

    return Harness(FileChannel(outbox, SENDER),
                   lambda: [parse(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))],
                   break_delivery, email_events if route_channel == "email" else sns_events)


def ses_harness(service: str) -> Harness:
    client = boto3.client(service, region_name=REGION)
    if service == "sesv2":
        client.create_email_identity(EmailIdentity="no-reply@dip.example.org")
    else:
        client.verify_email_identity(EmailAddress="no-reply@dip.example.org")
    operation = "send_email" if service == "sesv2" else "send_raw_email"
    faulty = FaultyClient(client, operation)
    return Harness(SESChannel(faulty, SENDER), ses_sent, faulty.fail_with,
                   email_events)


def sns_harness() -> Harness:
    client = boto3.client("sns", region_name=REGION)
    arn = client.create_topic(Name="dip-cps")["TopicArn"]
    faulty = FaultyClient(client, "publish")

    def delivered() -> list[Delivered]:
        topic = sns_backends[DEFAULT_ACCOUNT_ID][REGION].topics[arn]
        return [Delivered(subject or "", message, attributes["event_id"]["Value"], None)
                for _, message, subject, attributes, _ in topic.sent_notifications]

    return Harness(SNSChannel(faulty, {"cps": arn}), delivered, faulty.fail_with,
                   sns_events)


@pytest.fixture(params=["file-email", "file-sns", "sesv2", "ses", "sns"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    """Locally both kinds of route go to files; on AWS email goes to SES, sns to SNS."""
    if request.param.startswith("file-"):
        return file_harness(tmp_path, request.param.removeprefix("file-"))
    request.getfixturevalue("aws")
    return sns_harness() if request.param == "sns" else ses_harness(request.param)


# -- the contract: every channel ----------------------------------------------------------

def test_delivers_reference_and_link_and_only_allowed_answers(harness: Harness):
    rec = record()
    (event,) = harness.events(rec)
    harness.channel.send(event)
    (delivered,) = harness.delivered()
    assert delivered.event_id == event.event_id
    assert "R-7Q2K" in delivered.subject and "MG14 Drug test referral" in delivered.subject
    assert "Reference: R-7Q2K" in delivered.body
    assert f"{BASE_URL}/forms/mg14/record.html?id=R-7Q2K" in delivered.body
    text = delivered.subject + delivered.body + (delivered.raw or b"").decode()
    assert not [secret for secret in SECRETS if secret in text]
    allowed = event.payload["fields"]
    for answer in ("Ffion Jones", "NS/1234/26"):
        assert (answer in delivered.body) == bool(allowed)
    if not allowed:
        assert NO_ANSWERS in delivered.body


@pytest.mark.parametrize("error", [client_error(), EndpointConnectionError(
    endpoint_url="https://email.eu-west-2.amazonaws.com")], ids=["ClientError", "Endpoint"])
def test_a_failing_call_is_delivery_failed_and_delivers_nothing(harness: Harness, error):
    (event,) = harness.events(record())
    harness.break_delivery(error)
    with pytest.raises(DeliveryFailed) as failed:
        harness.channel.send(event)
    assert harness.delivered() == []
    assert "@" not in str(failed.value)  # no address from the AWS message reaches last_error


def test_a_resend_is_the_same_message(harness: Harness):
    (event,) = harness.events(record())
    harness.channel.send(event)
    harness.channel.send(event)
    delivered = harness.delivered()
    assert {d.event_id for d in delivered} == {event.event_id}
    assert len({(d.subject, d.body) for d in delivered}) == 1
    if isinstance(harness.channel, FileChannel):
        assert len(delivered) == 1


# -- whole RFC 5322 messages: file and SES ---------------------------------------------------

@pytest.mark.parametrize("name", ["file", "sesv2", "ses"])
def test_the_message_has_rfc5322_headers(name, request, tmp_path):
    if name != "file":
        request.getfixturevalue("aws")
    harness = file_harness(tmp_path) if name == "file" else ses_harness(name)
    (event,) = email_events(record())
    harness.channel.send(event)
    (delivered,) = harness.delivered()
    message = email.message_from_bytes(delivered.raw)
    for header in ("From", "To", "Subject", "Date", "Message-ID"):
        assert message[header], header
    assert message["Message-ID"] == f"<{event.event_id}@dip.example.org>"
    assert message["Date"] == "Wed, 25 Nov 2026 10:30:00 +0000"
    assert "spoc@cjit.example.org" in message["To"]
    assert b"\r\n" in delivered.raw


def test_the_message_is_the_same_bytes_every_time():
    (event,) = email_events(record())
    assert build_message(event, SENDER).as_bytes() == build_message(event, SENDER).as_bytes()


def test_the_file_is_written_whole_or_not_at_all(tmp_path):
    channel = FileChannel(tmp_path, SENDER)
    for event in events_for(record()):
        channel.send(event)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ev-R-7Q2K-0.eml", "ev-R-7Q2K-1.eml"]


def test_a_file_channel_refuses_an_event_id_that_is_not_a_file_name(tmp_path):
    (event,) = email_events(record())
    with pytest.raises(Undeliverable):
        FileChannel(tmp_path, SENDER).send(OutboxEvent(**{**event.__dict__,
                                                          "event_id": "../escape"}))
    assert list(tmp_path.iterdir()) == []


# -- configuration errors are Undeliverable (dead-lettered at once, with the reason) -------

def test_sns_without_a_topic_for_the_agency_is_undeliverable(aws):
    (event,) = sns_events(record())
    client = boto3.client("sns", region_name=REGION)
    with pytest.raises(Undeliverable, match="no topic ARN configured for agency 'cps'"):
        SNSChannel(client, {"cjit": "arn:aws:sns:eu-west-2:123456789012:x"}).send(event)


def test_ses_without_an_email_address_is_undeliverable(aws):
    (event,) = sns_events(record())
    with pytest.raises(Undeliverable, match="no email address for agency 'cps'"):
        SESChannel(boto3.client("sesv2", region_name=REGION), SENDER).send(event)


def test_an_unverified_sender_is_delivery_failed(aws):
    (event,) = email_events(record())
    with pytest.raises(DeliveryFailed, match="ses: MessageRejected"):
        SESChannel(boto3.client("sesv2", region_name=REGION), SENDER).send(event)


def test_sns_subjects_are_short_one_line_ascii():
    subject = sns_subject("Ffurflen atgyfeirio — prawf cyffuriau " * 5)
    assert subject.isascii() and len(subject) < 100 and "\n" not in subject


# -- the registry ------------------------------------------------------------------------------

def test_the_registry_makes_each_channel_from_its_configuration(aws, tmp_path):
    assert set(CHANNELS) == {"file", "ses", "sns"}
    config = {"outbox_dir": str(tmp_path), "sender": SENDER, "region": REGION,
              "topic_arns": {"cps": "arn:aws:sns:eu-west-2:123456789012:dip-cps"}}
    local = make_channels({"email": "file", "sns": "file"}, config)
    assert isinstance(local["email"], FileChannel) and local["email"] is local["sns"]
    deployed = make_channels({"email": "ses", "sns": "sns"}, config)
    assert isinstance(deployed["email"], SESChannel) and isinstance(deployed["sns"], SNSChannel)
    with pytest.raises(ValueError, match="unknown channel 'pigeon'"):
        make_channels({"email": "pigeon"}, config)
