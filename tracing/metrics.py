"""CloudWatch metrics through the Embedded Metric Format: one JSON log line per metric.

CloudWatch Logs turns these lines into metrics, so counting costs no API call in the
request path. `count("TodosCreated")` is all a caller needs.

The EMF record is the log line itself: the JSON formatter (tracing/logs.py) renders the
record's fields (`_aws`, the metric value, its dimensions) at the top level of the same
object that carries time, level, logger, message and request_id. CloudWatch reads `_aws`
and ignores the rest; log queries see the rest.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

logger = logging.getLogger("metrics")

NAMESPACE = "StratosphericTodo"

# Top-level keys of every log line; a metric or dimension of the same name would clash.
RESERVED_NAMES = frozenset(
    {"_aws", "time", "level", "logger", "message", "request_id", "user_id", "todo_id"}
)


def emf_record(name: str, value: float, unit: str, dimensions: dict[str, str]) -> dict[str, object]:
    clashes = RESERVED_NAMES & {name, *dimensions}
    if clashes:
        raise ValueError(f"Reserved log field used as a metric or dimension: {sorted(clashes)}")
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": getattr(settings, "METRICS_NAMESPACE", NAMESPACE),
                    "Dimensions": [sorted(dimensions)] if dimensions else [[]],
                    "Metrics": [{"Name": name, "Unit": unit}],
                }
            ],
        },
        name: value,
        **dimensions,
    }


def put_metric(name: str, value: float, unit: str = "Count", **dimensions: str) -> None:
    logger.info("metric %s", name, extra=emf_record(name, value, unit, dimensions))


def count(name: str, value: int = 1, **dimensions: str) -> None:
    put_metric(name, value, "Count", **dimensions)
