"""CloudWatch metrics through the Embedded Metric Format: one JSON log line per metric.

CloudWatch Logs turns these lines into metrics, so counting costs no API call in the
request path. `count("TodosCreated")` is all a caller needs.
"""

import json
import logging
import time

from django.conf import settings

logger = logging.getLogger("metrics")

NAMESPACE = "StratosphericTodo"


def emf_record(name: str, value: float, unit: str, dimensions: dict[str, str]) -> dict[str, object]:
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
    logger.info(json.dumps(emf_record(name, value, unit, dimensions)))


def count(name: str, value: int = 1, **dimensions: str) -> None:
    put_metric(name, value, "Count", **dimensions)
