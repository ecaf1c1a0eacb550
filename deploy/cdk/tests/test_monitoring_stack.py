"""The alarms, the composite alarm, the SNS topic and the dashboard."""

from __future__ import annotations

import json

from .conftest import Synthesized
from .test_data_stacks import resources_of_type


def alarms_by_name(synthesized: Synthesized) -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        alarm["Properties"]["AlarmName"]: alarm["Properties"]
        for alarm in resources_of_type(
            synthesized.json("Monitoring"), "AWS::CloudWatch::Alarm"
        ).values()
    }


def test_each_key_metric_has_an_alarm_with_a_sensible_threshold(
    synthesized: Synthesized,
) -> None:
    alarms = alarms_by_name(synthesized)
    assert set(alarms) == {
        "production-todo-alb-5xx",
        "production-todo-target-response-time",
        "production-todo-sharing-dead-letters",
        "production-todo-sharing-oldest-message",
        "production-todo-database-cpu",
        "production-todo-database-free-storage",
    }
    five_xx = json.dumps(alarms["production-todo-alb-5xx"]["Metrics"])
    assert "HTTPCode_ELB_5XX_Count" in five_xx and "HTTPCode_Target_5XX_Count" in five_xx

    def single_metric(name: str) -> tuple[str, str, float, str]:
        alarm = alarms[name]
        return (
            alarm["Namespace"],
            alarm["MetricName"],
            alarm["Threshold"],
            alarm["ComparisonOperator"],
        )

    assert single_metric("production-todo-target-response-time") == (
        "AWS/ApplicationELB",
        "TargetResponseTime",
        2,
        "GreaterThanThreshold",
    )
    assert single_metric("production-todo-sharing-dead-letters") == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        0,
        "GreaterThanThreshold",
    )
    assert "SharingDeadLetterQueue" in json.dumps(
        alarms["production-todo-sharing-dead-letters"]["Dimensions"]
    )
    assert single_metric("production-todo-sharing-oldest-message")[1] == (
        "ApproximateAgeOfOldestMessage"
    )
    assert single_metric("production-todo-database-cpu") == (
        "AWS/RDS",
        "CPUUtilization",
        80,
        "GreaterThanThreshold",
    )
    assert single_metric("production-todo-database-free-storage")[1:] == (
        "FreeStorageSpace",
        2 * 1024**3,
        "LessThanThreshold",
    )


def test_the_composite_alarm_combines_errors_and_slowness_and_emails_the_topic(
    synthesized: Synthesized,
) -> None:
    template = synthesized.json("Monitoring")
    (composite,) = resources_of_type(template, "AWS::CloudWatch::CompositeAlarm").values()
    rule = json.dumps(composite["Properties"]["AlarmRule"])
    assert "ServerErrors" in rule and "SlowResponses" in rule and " OR " in rule
    (topic_id,) = resources_of_type(template, "AWS::SNS::Topic")
    assert composite["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
    (subscription,) = resources_of_type(template, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "oncall@example.com"
    # The parts of the composite stay quiet; the stuck-work alarms speak for themselves.
    alarms = alarms_by_name(synthesized)
    assert "AlarmActions" not in alarms["production-todo-alb-5xx"]
    assert alarms["production-todo-sharing-dead-letters"]["AlarmActions"] == [{"Ref": topic_id}]


def test_the_dashboard_shows_the_books_key_metrics(synthesized: Synthesized) -> None:
    (dashboard,) = resources_of_type(
        synthesized.json("Monitoring"), "AWS::CloudWatch::Dashboard"
    ).values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in (
        "RequestCount",
        "TargetResponseTime",
        "CPUUtilization",
        "MemoryUtilization",
        "ApproximateNumberOfMessagesVisible",
        "ApproximateAgeOfOldestMessage",
        "DatabaseConnections",
        "FreeStorageSpace",
        "WriteThrottleEvents",
        "CurrentConnectionsCount",
        "SignInSuccesses",
        "Bounce",
        "TodosCreated",
    ):
        assert metric in body, metric
