"""A dispatcher run as CloudWatch metrics: one Embedded Metric Format document (printed as
one line to stdout by app.py, which CloudWatch Logs turns into the metrics the stack's
dead-letter alarm watches). Counts only: nothing of an event, a person or a record.

Pure: the counts, the stage and the time are handed in.
"""

from __future__ import annotations

import datetime
from typing import Any

NAMESPACE = "dipforms"


def delivery_metrics(*, delivered: int, dead_lettered: int, stage: str,
                     at: datetime.datetime) -> dict[str, Any]:
    """The EMF document of one run: DeadLettered (events moved to dead letters by it) and
    Delivered, each a Count, by the dimension Stage."""
    return {
        "_aws": {
            "Timestamp": int(at.timestamp() * 1000),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Stage"]],
                "Metrics": [{"Name": "DeadLettered", "Unit": "Count"},
                            {"Name": "Delivered", "Unit": "Count"}],
            }],
        },
        "Stage": stage,
        "DeadLettered": dead_lettered,
        "Delivered": delivered,
    }
