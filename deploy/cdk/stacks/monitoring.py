"""The dashboard and the alarms, with an SNS topic that tells whoever is on call (email or
an HTTPS endpoint; production refuses to synthesize without one).

Every failure mode has an alarm (README.md, Deploying to AWS, Alarms). Noise control: the
user-facing alarms (5xx, slow responses) notify only through one composite alarm; the others
(stuck or lost work, email reputation, broker, missing tasks, database, the daily tasks,
canary) notify on their own. Missing data is an outage where the metric always exists while things
are up (running tasks, broker consumers, the canary), and good news where a data point means
something happened (5xx, dead letters, failed emails).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from .app_container import AppResources
from .canary import CanaryMonitor
from .jobs import JobsStack
from .service import APP_METRICS_NAMESPACE, ServiceStack

FIVE_MINUTES = Duration.minutes(5)
ONE_MINUTE = Duration.minutes(1)
ONE_HOUR = Duration.hours(1)
# Amazon SES reviews an account at a bounce rate of 5% and a complaint rate of 0.1% (and
# pauses its sending at 10% and 0.5%); we want to hear of it at half the review rates.
SES_BOUNCE_RATE_ALARM = 0.025
SES_COMPLAINT_RATE_ALARM = 0.0005


class MonitoringStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        resources: AppResources,
        service: ServiceStack,
        jobs: JobsStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        config = resources.config
        load_balancer = resources.network.load_balancer
        target_group = service.target_group
        queue = resources.messaging.queue
        dead_letters = resources.messaging.dead_letter_queue
        database = resources.database.instance
        table = resources.tracing_table.table
        broker_instances = resources.broker.instance_names

        def metric(
            namespace: str, name: str, dimensions: dict[str, str], **kw: Any
        ) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=namespace,
                metric_name=name,
                dimensions_map=dimensions,
                period=kw.pop("period", FIVE_MINUTES),
                statistic=kw.pop("statistic", "Sum"),
                **kw,
            )

        self.topic = sns.Topic(
            self, "Alarms", display_name=f"Todo app alarms ({config.environment_name})"
        )
        for address in config.alarm_emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(address))
        if config.alarm_https_endpoint:
            self.topic.add_subscription(subscriptions.UrlSubscription(config.alarm_https_endpoint))
        notify = actions.SnsAction(self.topic)

        # --- what users see: errors and slow pages, as one composite alarm ---
        self.server_errors_alarm = service.server_errors_alarm
        self.response_time_alarm = service.response_time_alarm
        self.users_affected_alarm = cloudwatch.CompositeAlarm(
            self,
            "UsersAffected",
            composite_alarm_name=config.name("users-affected"),
            alarm_description="Users see errors or slow pages",
            alarm_rule=cloudwatch.AlarmRule.any_of(
                cloudwatch.AlarmRule.from_alarm(
                    self.server_errors_alarm, cloudwatch.AlarmState.ALARM
                ),
                cloudwatch.AlarmRule.from_alarm(
                    self.response_time_alarm, cloudwatch.AlarmState.ALARM
                ),
            ),
        )
        self.users_affected_alarm.add_alarm_action(notify)
        self.users_affected_alarm.add_ok_action(notify)

        def alarm(
            id: str,
            metric: cloudwatch.Metric | cloudwatch.MathExpression,
            *,
            name: str,
            description: str,
            threshold: float,
            comparison: cloudwatch.ComparisonOperator,
            missing: cloudwatch.TreatMissingData,
            evaluation_periods: int = 1,
        ) -> cloudwatch.Alarm:
            return metric.create_alarm(
                self,
                id,
                alarm_name=config.name(name),
                alarm_description=description,
                threshold=threshold,
                evaluation_periods=evaluation_periods,
                datapoints_to_alarm=evaluation_periods,
                comparison_operator=comparison,
                treat_missing_data=missing,
            )

        greater = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
        less = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
        # A metric that only exists when something happened (a message, an error): missing
        # is fine. One that always exists while the thing is up (running tasks, broker
        # consumers): missing is an outage.
        quiet = cloudwatch.TreatMissingData.NOT_BREACHING
        outage = cloudwatch.TreatMissingData.BREACHING

        # --- stuck or lost work ---
        self.dead_letters_alarm = alarm(
            "DeadLetters",
            dead_letters.metric_approximate_number_of_messages_visible(
                period=ONE_MINUTE, statistic="Maximum"
            ),
            name="sharing-dead-letters",
            description="A sharing request failed three times and sits in the DLQ",
            threshold=0,
            comparison=greater,
            missing=quiet,
        )
        self.dead_letters_age_alarm = alarm(
            "DeadLettersAge",
            dead_letters.metric_approximate_age_of_oldest_message(
                period=FIVE_MINUTES, statistic="Maximum"
            ),
            name="sharing-dead-letters-age",
            description="A dead letter is 10 days old: it expires after 14 (redrive or delete it)",
            threshold=10 * 24 * 3600,
            comparison=greater,
            missing=quiet,
        )
        self.oldest_message_alarm = alarm(
            "OldestMessage",
            queue.metric_approximate_age_of_oldest_message(period=ONE_MINUTE, statistic="Maximum"),
            name="sharing-oldest-message",
            description="A sharing request waited over 10 minutes: is the worker up?",
            threshold=600,
            comparison=greater,
            missing=quiet,
            evaluation_periods=3,
        )
        self.emails_failed_alarm = alarm(
            "EmailsFailed",
            service.emails_failed,
            name="emails-failed",
            description="The sharing worker could not send an invitation email (SES refused)",
            threshold=0,
            comparison=greater,
            missing=quiet,
        )

        # --- email reputation: half of the rates at which SES puts an account under review
        # (bounces 5%, complaints 0.1%; it pauses sending at 10% and 0.5%) ---
        self.bounce_rate_alarm = alarm(
            "SesBounceRate",
            metric("AWS/SES", "Reputation.BounceRate", {}, period=ONE_HOUR, statistic="Maximum"),
            name="ses-bounce-rate",
            description="SES bounce rate at 2.5%: SES reviews the account at 5%, pauses at 10%",
            threshold=SES_BOUNCE_RATE_ALARM,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            missing=quiet,
        )
        self.complaint_rate_alarm = alarm(
            "SesComplaintRate",
            metric("AWS/SES", "Reputation.ComplaintRate", {}, period=ONE_HOUR, statistic="Maximum"),
            name="ses-complaint-rate",
            description=(
                "SES complaint rate at 0.05%: SES reviews the account at 0.1%, pauses at 0.5%"
            ),
            threshold=SES_COMPLAINT_RATE_ALARM,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            missing=quiet,
        )

        # --- the broker: every web process holds one subscription (the push relay) ---
        def broker_max(name: str, statistic: str, label: str) -> cloudwatch.MathExpression:
            """The highest of a broker metric over its instances: only the active one of an
            active/standby pair reports, and a missing instance counts as 0."""
            return cloudwatch.MathExpression(
                expression="MAX(["
                + ", ".join(f"FILL(m{i}, 0)" for i in range(len(broker_instances)))
                + "])",
                using_metrics={
                    f"m{i}": metric(
                        "AWS/AmazonMQ",
                        name,
                        {"Broker": instance},
                        period=FIVE_MINUTES,
                        statistic=statistic,
                    )
                    for i, instance in enumerate(broker_instances)
                },
                label=label,
                period=FIVE_MINUTES,
            )

        consumers = broker_max(
            "TotalConsumerCount", "Minimum", "Broker consumers (the active instance)"
        )
        self.broker_consumers_alarm = alarm(
            "BrokerConsumers",
            consumers,
            name="broker-no-consumers",
            description="No push relay is subscribed to the broker (broker down or relays "
            "disconnected): live updates do not reach browsers",
            threshold=1,
            comparison=less,
            missing=outage,
            evaluation_periods=2,
        )
        self.broker_heap_alarm = alarm(
            "BrokerHeap",
            broker_max("HeapUsage", "Maximum", "Broker heap usage (%)"),
            name="broker-heap",
            description="The broker's heap is over 85% full: it slows and then refuses messages",
            threshold=85,
            comparison=greater,
            missing=quiet,
            evaluation_periods=3,
        )

        # --- services: fewer tasks running than wanted (crash loop, no capacity, bad image) --
        cluster_name = resources.network.cluster.cluster_name
        self.running_tasks_alarms = {}
        for label, ecs_service in (("web", service.web), ("worker", service.worker)):

            def task_count(name: str, ecs_service: Any = ecs_service) -> cloudwatch.Metric:
                return metric(
                    "ECS/ContainerInsights",
                    name,
                    {"ClusterName": cluster_name, "ServiceName": ecs_service.service_name},
                    period=FIVE_MINUTES,
                    statistic="Average",
                )

            self.running_tasks_alarms[label] = alarm(
                f"{label.capitalize()}TasksMissing",
                cloudwatch.MathExpression(
                    expression="desired - FILL(running, 0)",
                    using_metrics={
                        "desired": task_count("DesiredTaskCount"),
                        "running": task_count("RunningTaskCount"),
                    },
                    label=f"{label}: desired minus running tasks",
                    period=FIVE_MINUTES,
                ),
                name=f"{label}-tasks-missing",
                description=f"Fewer {label} tasks running than desired for 15 minutes",
                threshold=0.5,
                comparison=greater,
                missing=outage,
                evaluation_periods=3,
            )

        # --- the database ---
        self.database_cpu_alarm = alarm(
            "DatabaseCpu",
            database.metric_cpu_utilization(period=FIVE_MINUTES, statistic="Average"),
            name="database-cpu",
            description="Database CPU above 80% for 15 minutes",
            threshold=80,
            comparison=greater,
            missing=outage,
            evaluation_periods=3,
        )
        self.database_storage_alarm = alarm(
            "DatabaseFreeStorage",
            database.metric_free_storage_space(period=FIVE_MINUTES, statistic="Minimum"),
            name="database-free-storage",
            description="Less than 2 GiB of database storage left",
            threshold=2 * 1024**3,
            comparison=less,
            missing=outage,
        )

        # --- the daily tasks: EventBridge retries only a task that fails to start ---
        def watch_daily_task(
            id: str, *, name: str, label: str, task: ecs.TaskDefinition, rule: events.Rule
        ) -> tuple[cloudwatch.Alarm, events.Rule]:
            """An alarm for EventBridge failing to start the task (`<name>-not-started`), and
            a rule that sends the event of a task that ran and failed (exit code not 0) or
            never started to the topic, with the task and the reason (`<name>-failed`)."""
            not_started = alarm(
                f"{id}NotStarted",
                metric(
                    "AWS/Events",
                    "FailedInvocations",
                    {"RuleName": rule.rule_name},
                    period=FIVE_MINUTES,
                ),
                name=f"{name}-not-started",
                description=f"EventBridge could not start the daily {label} task",
                threshold=0,
                comparison=greater,
                missing=quiet,
            )
            failed = events.Rule(
                self,
                f"{id}Failed",
                rule_name=config.name(f"{name}-failed"),
                description=f"The daily {label} task stopped with a non-zero exit code",
                event_pattern=events.EventPattern(
                    source=["aws.ecs"],
                    detail_type=["ECS Task State Change"],
                    detail={
                        "clusterArn": [resources.network.cluster.cluster_arn],
                        "group": [f"family:{task.family}"],
                        "lastStatus": ["STOPPED"],
                        "$or": [
                            {"containers": {"exitCode": [{"anything-but": 0}]}},
                            {"stopCode": ["TaskFailedToStart"]},
                        ],
                    },
                ),
                targets=[
                    targets.SnsTopic(
                        self.topic,
                        message=events.RuleTargetInput.from_text(
                            f"{config.environment_name}: the daily {label} task failed "
                            f"(task {events.EventField.from_path('$.detail.taskArn')}, "
                            f"stop code {events.EventField.from_path('$.detail.stopCode')}, "
                            f"reason: {events.EventField.from_path('$.detail.stoppedReason')}); "
                            f"logs in /ecs/{config.name(name)}"
                        ),
                    )
                ],
            )
            return not_started, failed

        self.reminders_not_started_alarm, self.reminders_failed_rule = watch_daily_task(
            "Reminders",
            name="reminders",
            label="reminders",
            task=jobs.reminders_task,
            rule=jobs.reminders_rule,
        )
        self.due_soon_not_started_alarm, self.due_soon_failed_rule = watch_daily_task(
            "DueSoon",
            name="due-soon",
            label="due-soon notices",
            task=jobs.due_soon_task,
            rule=jobs.due_soon_rule,
        )

        self.notifying_alarms: list[cloudwatch.Alarm] = [
            self.dead_letters_alarm,
            self.dead_letters_age_alarm,
            self.oldest_message_alarm,
            self.emails_failed_alarm,
            self.bounce_rate_alarm,
            self.complaint_rate_alarm,
            self.broker_consumers_alarm,
            self.broker_heap_alarm,
            *self.running_tasks_alarms.values(),
            self.database_cpu_alarm,
            self.database_storage_alarm,
            self.reminders_not_started_alarm,
            self.due_soon_not_started_alarm,
        ]
        self.canary: CanaryMonitor | None = None
        if config.canary:
            self.canary = CanaryMonitor(self, "Canary", resources=resources)
            self.notifying_alarms.append(self.canary.alarm)
        for each in self.notifying_alarms:
            each.add_alarm_action(notify)
            each.add_ok_action(notify)

        # --- dashboard ---
        pool = resources.identity.user_pool.user_pool_id
        client = resources.identity.client.user_pool_client_id
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=config.name("dashboard")
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(
                title="Alarms",
                width=24,
                alarms=[
                    self.users_affected_alarm,
                    self.server_errors_alarm,
                    self.response_time_alarm,
                    *self.notifying_alarms,
                ],
            )
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Load balancer: requests and responses",
                left=[
                    load_balancer.metrics.request_count(period=FIVE_MINUTES),
                    load_balancer.metrics.http_code_target(
                        elbv2.HttpCodeTarget.TARGET_2XX_COUNT, period=FIVE_MINUTES
                    ),
                    load_balancer.metrics.http_code_target(
                        elbv2.HttpCodeTarget.TARGET_4XX_COUNT, period=FIVE_MINUTES
                    ),
                ],
                right=[service.server_errors],
            ),
            cloudwatch.GraphWidget(
                title="Target response time (s)",
                left=[
                    target_group.metrics.target_response_time(period=ONE_MINUTE, statistic=s)
                    for s in ("p50", "p90", "p99")
                ],
            ),
            cloudwatch.GraphWidget(
                title="ECS: CPU and memory (%)",
                left=[
                    service.web.metric_cpu_utilization(),
                    service.worker.metric_cpu_utilization(),
                ],
                right=[
                    service.web.metric_memory_utilization(),
                    service.worker.metric_memory_utilization(),
                ],
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Sharing queue",
                left=[
                    queue.metric_approximate_number_of_messages_visible(),
                    queue.metric_number_of_messages_received(),
                    queue.metric_number_of_messages_deleted(),
                    dead_letters.metric_approximate_number_of_messages_visible(),
                ],
                right=[queue.metric_approximate_age_of_oldest_message()],
            ),
            cloudwatch.GraphWidget(
                title="Database",
                left=[database.metric_cpu_utilization(), database.metric_database_connections()],
                right=[database.metric_free_storage_space()],
            ),
            cloudwatch.GraphWidget(
                title="Database IOPS",
                left=[
                    database.metric("ReadIOPS", statistic="Average"),
                    database.metric("WriteIOPS", statistic="Average"),
                ],
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Breadcrumbs table: throttles",
                left=[
                    table.metric("ReadThrottleEvents", statistic="Sum"),
                    table.metric("WriteThrottleEvents", statistic="Sum"),
                ],
            ),
            cloudwatch.GraphWidget(
                title="Broker",
                left=[
                    metric("AWS/AmazonMQ", "CpuUtilization", {"Broker": b}, statistic="Average")
                    for b in broker_instances
                ],
                right=[
                    metric(
                        "AWS/AmazonMQ",
                        "CurrentConnectionsCount",
                        {"Broker": b},
                        statistic="Maximum",
                    )
                    for b in broker_instances
                ],
            ),
            cloudwatch.GraphWidget(
                title="Email (SES) and sign-ins (Cognito)",
                left=[
                    metric("AWS/SES", "Send", {}),
                    metric("AWS/SES", "Delivery", {}),
                    metric("AWS/SES", "Bounce", {}),
                ],
                right=[
                    metric(
                        "AWS/Cognito",
                        "SignInSuccesses",
                        {"UserPool": pool, "UserPoolClient": client},
                    ),
                    metric(
                        "AWS/Cognito",
                        "SignUpSuccesses",
                        {"UserPool": pool, "UserPoolClient": client},
                    ),
                ],
            ),
            cloudwatch.GraphWidget(
                title="App (EMF)",
                left=[metric(APP_METRICS_NAMESPACE, "TodosCreated", {})],
            ),
        )
