"""The dispatcher's run as one CloudWatch Embedded Metric Format document: what the stack's
dead-letter alarm reads (namespace dipforms, dimension Stage, DeadLettered and Delivered)."""

from __future__ import annotations

import datetime
import json

from chalicelib.notify.metrics import delivery_metrics

AT = datetime.datetime(2026, 11, 25, 10, 30, tzinfo=datetime.UTC)


def test_a_run_is_one_emf_document_of_counts_by_stage():
    document = delivery_metrics(delivered=3, dead_lettered=1, stage="prod", at=AT)
    assert document == {
        "_aws": {"Timestamp": 1_795_602_600_000, "CloudWatchMetrics": [{
            "Namespace": "dipforms", "Dimensions": [["Stage"]],
            "Metrics": [{"Name": "DeadLettered", "Unit": "Count"},
                        {"Name": "Delivered", "Unit": "Count"}]}]},
        "Stage": "prod", "DeadLettered": 1, "Delivered": 3}
    assert "\n" not in json.dumps(document)      # one log line, as EMF needs


def test_every_metric_and_dimension_named_has_its_value():
    document = delivery_metrics(delivered=0, dead_lettered=0, stage="dev", at=AT)
    directive = document["_aws"]["CloudWatchMetrics"][0]
    for metric in directive["Metrics"]:
        assert isinstance(document[metric["Name"]], int)
    for dimension in directive["Dimensions"][0]:
        assert document[dimension] == "dev"
