"""The alarms (one per failure mode), who hears of them, the canary and the dashboard."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App

from deploy.cdk.stacks.config import DeployConfig, MissingContextError

from .conftest import CONTEXT, Synthesized
from .test_data_stacks import resources_of_type

NOTIFYING = {
    "production-todo-sharing-dead-letters",
    "production-todo-sharing-dead-letters-age",
    "production-todo-sharing-oldest-message",
    "production-todo-emails-failed",
    "production-todo-ses-bounce-rate",
    "production-todo-ses-complaint-rate",
    "production-todo-broker-no-consumers",
    "production-todo-broker-heap",
    "production-todo-web-tasks-missing",
    "production-todo-worker-tasks-missing",
    "production-todo-database-cpu",
    "production-todo-database-free-storage",
    "production-todo-reminders-not-started",
    "production-todo-due-soon-not-started",
    "production-todo-canary",
}
# Parts of a composite alarm, or guards of a deployment: they notify through others.
QUIET = {
    "production-todo-alb-5xx",
    "production-todo-target-response-time",
    "production-todo-worker-deploy-emails-failed",
}


def alarms_by_name(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Every named alarm (the step-scaling policies' own alarms have no name)."""
    return {
        alarm["Properties"]["AlarmName"]: alarm["Properties"]
        for stack in ("Service", "Monitoring")
        for alarm in resources_of_type(synthesized.json(stack), "AWS::CloudWatch::Alarm").values()
        if "AlarmName" in alarm["Properties"]
    }


def topic_id(synthesized: Synthesized) -> str:
    (topic,) = resources_of_type(synthesized.json("Monitoring"), "AWS::SNS::Topic")
    return topic


def metric_of(alarm: dict[str, Any]) -> tuple[str, str]:
    """(namespace, metric name) of a single-metric alarm."""
    return alarm["Namespace"], alarm["MetricName"]


def test_every_failure_mode_has_an_alarm_and_each_notifies_the_topic(
    synthesized: Synthesized,
) -> None:
    alarms = alarms_by_name(synthesized)
    assert set(alarms) == NOTIFYING | QUIET
    topic = {"Ref": topic_id(synthesized)}
    for name in NOTIFYING:
        assert alarms[name]["AlarmActions"] == [topic], name
        assert alarms[name]["OKActions"] == [topic], name
    for name in QUIET:
        assert "AlarmActions" not in alarms[name], name


def test_server_errors_and_slow_pages(synthesized: Synthesized) -> None:
    alarms = alarms_by_name(synthesized)
    five_xx = alarms["production-todo-alb-5xx"]
    assert "HTTPCode_ELB_5XX_Count" in json.dumps(five_xx["Metrics"])
    assert "HTTPCode_Target_5XX_Count" in json.dumps(five_xx["Metrics"])
    assert five_xx["TreatMissingData"] == "notBreaching"  # no 5xx, no data point
    slow = alarms["production-todo-target-response-time"]
    assert metric_of(slow) == ("AWS/ApplicationELB", "TargetResponseTime")
    assert (slow["ExtendedStatistic"], slow["Threshold"]) == ("p99", 2)
    # The canary sends requests every 5 minutes: no response time at all is an outage.
    assert slow["TreatMissingData"] == "breaching"


def test_the_composite_alarm_combines_errors_and_slowness_and_notifies(
    synthesized: Synthesized,
) -> None:
    template = synthesized.json("Monitoring")
    (composite,) = resources_of_type(template, "AWS::CloudWatch::CompositeAlarm").values()
    rule = json.dumps(composite["Properties"]["AlarmRule"])
    assert "production-todo-alb-5xx" in rule or "ServerErrors" in rule
    assert " OR " in rule
    assert composite["Properties"]["AlarmActions"] == [{"Ref": topic_id(synthesized)}]
    (subscription,) = resources_of_type(template, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "oncall@example.com"


def test_stuck_and_lost_sharing_work(synthesized: Synthesized) -> None:
    alarms = alarms_by_name(synthesized)
    dead = alarms["production-todo-sharing-dead-letters"]
    assert metric_of(dead) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert (dead["Threshold"], dead["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert "SharingDeadLetterQueue" in json.dumps(dead["Dimensions"])
    dead_age = alarms["production-todo-sharing-dead-letters-age"]
    assert metric_of(dead_age) == ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert dead_age["Threshold"] < 14 * 24 * 3600  # before the DLQ's retention drops it
    assert "SharingDeadLetterQueue" in json.dumps(dead_age["Dimensions"])
    oldest = alarms["production-todo-sharing-oldest-message"]
    assert metric_of(oldest) == ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert oldest["Threshold"] == 600
    failed = alarms["production-todo-emails-failed"]
    assert metric_of(failed) == ("StratosphericTodo", "EmailsFailed")
    assert (failed["Threshold"], failed["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_ses_reputation_alarms_at_half_the_rates_ses_reviews_an_account_at(
    synthesized: Synthesized,
) -> None:
    alarms = alarms_by_name(synthesized)
    bounce = alarms["production-todo-ses-bounce-rate"]
    complaint = alarms["production-todo-ses-complaint-rate"]
    assert metric_of(bounce) == ("AWS/SES", "Reputation.BounceRate")
    assert metric_of(complaint) == ("AWS/SES", "Reputation.ComplaintRate")
    assert bounce["Threshold"] == 0.05 / 2
    assert complaint["Threshold"] == 0.001 / 2


def test_the_broker_alarms_when_no_relay_is_subscribed_or_it_is_gone(
    synthesized: Synthesized,
) -> None:
    alarm = alarms_by_name(synthesized)["production-todo-broker-no-consumers"]
    metrics = json.dumps(alarm["Metrics"])
    assert "TotalConsumerCount" in metrics
    # Whichever of the pair is active reports; no data from either is an outage.
    assert "production-todo-broker-1" in metrics and "production-todo-broker-2" in metrics
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "LessThanThreshold")
    assert alarm["TreatMissingData"] == "breaching"
    assert "HeapUsage" in json.dumps(alarms_by_name(synthesized)["production-todo-broker-heap"])


@pytest.mark.parametrize("service", ["web", "worker"])
def test_fewer_running_tasks_than_desired_alarms(synthesized: Synthesized, service: str) -> None:
    alarm = alarms_by_name(synthesized)[f"production-todo-{service}-tasks-missing"]
    metrics = json.dumps(alarm["Metrics"])
    assert "RunningTaskCount" in metrics and "DesiredTaskCount" in metrics
    assert "ECS/ContainerInsights" in metrics
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["EvaluationPeriods"] == 3  # a deployment's or a scale-out's gap is no alarm


@pytest.mark.parametrize(
    ("task", "schedule"), [("reminders", "DailyReminders"), ("due-soon", "DailyDueSoon")]
)
def test_a_failed_daily_task_reaches_the_topic_with_its_reason(
    synthesized: Synthesized, task: str, schedule: str
) -> None:
    template = synthesized.json("Monitoring")
    rules = {
        rule["Properties"]["Name"]: rule["Properties"]
        for rule in resources_of_type(template, "AWS::Events::Rule").values()
    }
    assert set(rules) == {"production-todo-reminders-failed", "production-todo-due-soon-failed"}
    rule = rules[f"production-todo-{task}-failed"]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.ecs"]
    assert pattern["detail-type"] == ["ECS Task State Change"]
    detail = pattern["detail"]
    assert detail["lastStatus"] == ["STOPPED"]
    assert detail["group"] == [f"family:production-todo-{task}"]
    assert {"containers": {"exitCode": [{"anything-but": 0}]}} in detail["$or"]
    assert {"stopCode": ["TaskFailedToStart"]} in detail["$or"]
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": topic_id(synthesized)}
    transformer = json.dumps(target["InputTransformer"])
    assert "stoppedReason" in transformer
    assert f"/ecs/production-todo-{task}" in transformer
    # And EventBridge failing to start it at all: the failed invocations of its own schedule.
    not_started = alarms_by_name(synthesized)[f"production-todo-{task}-not-started"]
    assert metric_of(not_started) == ("AWS/Events", "FailedInvocations")
    (dimension,) = not_started["Dimensions"]
    assert dimension["Name"] == "RuleName"
    assert f"ExportsOutputRef{schedule}" in json.dumps(dimension["Value"])
    assert not_started["TreatMissingData"] == "notBreaching"


def test_the_canary_signs_in_every_5_minutes_and_alarms_on_its_success_rate(
    synthesized: Synthesized,
) -> None:
    template = synthesized.json("Monitoring")
    (canary,) = resources_of_type(template, "AWS::Synthetics::Canary").values()
    properties = canary["Properties"]
    assert properties["RuntimeVersion"] == "syn-nodejs-playwright-6.0"
    assert properties["Schedule"]["Expression"] == "rate(5 minutes)"
    assert properties["Code"]["Handler"] == "canary.handler"
    environment = properties["RunConfig"]["EnvironmentVariables"]
    assert environment["BASE_URL"] == "https://todo.example.com"
    assert "CanaryUser" in json.dumps(environment["CANARY_SECRET_ID"])
    alarm = alarms_by_name(synthesized)["production-todo-canary"]
    assert metric_of(alarm) == ("CloudWatchSynthetics", "SuccessPercent")
    assert alarm["TreatMissingData"] == "breaching"  # a canary that stopped running
    # Its role may read the canary user's secret, and nothing else of Secrets Manager.
    policies = json.dumps(resources_of_type(template, "AWS::IAM::Policy"))
    assert "secretsmanager:GetSecretValue" in policies and "CanaryUser" in policies
    # The script in the asset is the repo's, the one `make test` runs against `make run`.
    assets = json.loads((synthesized.outdir / "Monitoring.assets.json").read_text())
    (source,) = [
        asset["source"]["path"]
        for asset in assets["files"].values()
        if asset["source"].get("packaging") == "zip"
    ]
    assert (synthesized.outdir / source / "canary.js").exists()


def test_staging_has_no_canary_and_tolerates_quiet_nights() -> None:
    config = DeployConfig.from_context(
        App(context={**CONTEXT, "environmentName": "staging", "alarmEmail": ""}).node
    )
    assert not config.canary
    assert config.alarm_emails == ()


def test_production_refuses_to_synthesize_without_anyone_to_alarm() -> None:
    context = {k: v for k, v in CONTEXT.items() if k != "alarmEmail"}
    with pytest.raises(MissingContextError, match="alarmEmail"):
        DeployConfig.from_context(App(context=context).node)
    config = DeployConfig.from_context(
        App(context={**context, "alarmHttpsEndpoint": "https://events.example.com/x"}).node
    )
    assert config.alarm_https_endpoint == "https://events.example.com/x"
    two = DeployConfig.from_context(
        App(context={**context, "alarmEmail": "a@example.com, b@example.com"}).node
    )
    assert two.alarm_emails == ("a@example.com", "b@example.com")


def test_the_dashboard_shows_the_key_metrics(synthesized: Synthesized) -> None:
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
