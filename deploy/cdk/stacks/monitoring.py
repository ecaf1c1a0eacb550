"""The dashboard and the alarms (the metrics the book names as key), with an SNS topic that
emails whoever is on call.

Noise control: the user-facing alarms (5xx, slow responses) notify only through one
composite alarm; alarms that mean "something is stuck" (dead letters, old messages, the
database running hot or out of space) notify on their own.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from .app_container import AppResources
from .service import ServiceStack

FIVE_MINUTES = Duration.minutes(5)
ONE_MINUTE = Duration.minutes(1)
APP_METRICS_NAMESPACE = "StratosphericTodo"  # tracing/metrics.py (EMF)


class MonitoringStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        resources: AppResources,
        service: ServiceStack,
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
        broker_name = resources.broker.broker_name

        self.topic = sns.Topic(
            self, "Alarms", display_name=f"Todo app alarms ({config.environment_name})"
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        notify = actions.SnsAction(self.topic)

        # --- alarms ---
        server_errors = cloudwatch.MathExpression(
            expression="FILL(elb, 0) + FILL(target, 0)",
            using_metrics={
                "elb": load_balancer.metrics.http_code_elb(
                    elbv2.HttpCodeElb.ELB_5XX_COUNT, period=FIVE_MINUTES, statistic="Sum"
                ),
                "target": load_balancer.metrics.http_code_target(
                    elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=FIVE_MINUTES, statistic="Sum"
                ),
            },
            label="5xx responses (load balancer + app)",
            period=FIVE_MINUTES,
        )
        self.server_errors_alarm = server_errors.create_alarm(
            self,
            "ServerErrors",
            alarm_name=config.name("alb-5xx"),
            alarm_description="The load balancer or the app answered with 5xx",
            threshold=5,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.response_time_alarm = target_group.metrics.target_response_time(
            period=ONE_MINUTE, statistic="p99"
        ).create_alarm(
            self,
            "SlowResponses",
            alarm_name=config.name("target-response-time"),
            alarm_description="p99 response time of the app above 2 s for 5 minutes",
            threshold=2,
            evaluation_periods=5,
            datapoints_to_alarm=5,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
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

        self.dead_letters_alarm = dead_letters.metric_approximate_number_of_messages_visible(
            period=ONE_MINUTE, statistic="Maximum"
        ).create_alarm(
            self,
            "DeadLetters",
            alarm_name=config.name("sharing-dead-letters"),
            alarm_description="A sharing request failed three times and sits in the DLQ",
            threshold=0,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.oldest_message_alarm = queue.metric_approximate_age_of_oldest_message(
            period=ONE_MINUTE, statistic="Maximum"
        ).create_alarm(
            self,
            "OldestMessage",
            alarm_name=config.name("sharing-oldest-message"),
            alarm_description="A sharing request waited over 10 minutes: is the worker up?",
            threshold=600,
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.database_cpu_alarm = database.metric_cpu_utilization(
            period=FIVE_MINUTES, statistic="Average"
        ).create_alarm(
            self,
            "DatabaseCpu",
            alarm_name=config.name("database-cpu"),
            alarm_description="Database CPU above 80% for 15 minutes",
            threshold=80,
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )
        self.database_storage_alarm = database.metric_free_storage_space(
            period=FIVE_MINUTES, statistic="Minimum"
        ).create_alarm(
            self,
            "DatabaseFreeStorage",
            alarm_name=config.name("database-free-storage"),
            alarm_description="Less than 2 GiB of database storage left",
            threshold=2 * 1024**3,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        )
        for alarm in (
            self.dead_letters_alarm,
            self.oldest_message_alarm,
            self.database_cpu_alarm,
            self.database_storage_alarm,
        ):
            alarm.add_alarm_action(notify)
            alarm.add_ok_action(notify)

        # --- dashboard ---
        def metric(namespace: str, name: str, dimensions: dict[str, str], **kw: Any) -> Any:
            return cloudwatch.Metric(
                namespace=namespace,
                metric_name=name,
                dimensions_map=dimensions,
                period=kw.pop("period", FIVE_MINUTES),
                statistic=kw.pop("statistic", "Sum"),
                **kw,
            )

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
                    self.dead_letters_alarm,
                    self.oldest_message_alarm,
                    self.database_cpu_alarm,
                    self.database_storage_alarm,
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
                right=[server_errors],
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
        broker_instances = [f"{broker_name}-1", f"{broker_name}-2"]  # active/standby pair
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
