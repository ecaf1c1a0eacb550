"""The two long-running Fargate services from the one image: `web` behind the load balancer
and `worker` (the sharing worker), each with its own least-privilege task role."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from constructs import Construct

from .app_container import (
    AppResources,
    allow_attachments,
    allow_registration,
    allow_sending_email,
    allow_writing_breadcrumbs,
    task_definition,
)
from .network import APP_PORT

# The ALB asks every 15 s: /health answers from the ASGI app before Django and touches no
# dependency, so a slow database never takes every task out of the target group at once.
# /health/ready (database, broker, queue, table) is for the pipeline's smoke test and the
# canary.
HEALTH_CHECK_PATH = "/health"
APP_METRICS_NAMESPACE = "StratosphericTodo"  # tracing/metrics.py (EMF)
ONE_MINUTE = Duration.minutes(1)
FIVE_MINUTES = Duration.minutes(5)


class ServiceStack(Stack):
    def __init__(
        self, scope: Construct, id: str, *, resources: AppResources, **kwargs: Any
    ) -> None:
        super().__init__(scope, id, **kwargs)
        config, network = resources.config, resources.network
        sizes = config.sizes
        queue = resources.messaging.queue
        load_balancer = network.load_balancer

        # --- web: HTTP and WebSocket (uvicorn), behind the ALB ---
        web_task = task_definition(
            self, "WebTask", config=config, family="web", cpu=512, memory=1024
        )
        queue.grant_send_messages(web_task.task_role)
        allow_writing_breadcrumbs(web_task.task_role, resources.tracing_table, query=True)
        allow_attachments(web_task.task_role, resources.attachments)
        allow_registration(web_task.task_role, resources.identity)
        resources.add_container(
            web_task,
            "web",
            ["web"],
            web=True,
            extra_environment={
                "PORT": str(APP_PORT),
                "WEB_CONCURRENCY": str(sizes.web_concurrency),
                "WEB_THREADS": str(sizes.web_threads),
            },
        )
        self.web = ecs.FargateService(
            self,
            "Web",
            service_name="web",
            cluster=network.cluster,
            task_definition=web_task,
            desired_count=sizes.web_min_tasks,
            security_groups=[network.app_security_group],
            vpc_subnets=network.private_subnets,
            min_healthy_percent=100,
            max_healthy_percent=200,
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            health_check_grace_period=Duration.seconds(60),
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
        )
        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "WebTargets",
            vpc=network.vpc,
            port=APP_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[self.web],
            health_check=elbv2.HealthCheck(
                path=HEALTH_CHECK_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
            # Short: a deploy should not wait minutes for open WebSockets to drain; the
            # browser reconnects to a new task.
            deregistration_delay=Duration.seconds(30),
        )
        elbv2.ApplicationListenerRule(
            self,
            "WebRule",
            listener=network.https_listener,
            priority=10,
            conditions=[elbv2.ListenerCondition.host_headers([config.domain])],
            action=elbv2.ListenerAction.forward([self.target_group]),
        )
        web_scaling = self.web.auto_scale_task_count(
            min_capacity=sizes.web_min_tasks, max_capacity=sizes.web_max_tasks
        )
        web_scaling.scale_on_cpu_utilization(
            "Cpu",
            target_utilization_percent=60,
            scale_in_cooldown=Duration.minutes(5),
            scale_out_cooldown=Duration.minutes(1),
        )
        web_scaling.scale_on_request_count(
            "Requests",
            requests_per_target=1000,
            target_group=self.target_group,
            scale_in_cooldown=Duration.minutes(5),
            scale_out_cooldown=Duration.minutes(1),
        )

        # --- worker: SQS -> SES ---
        worker_task = task_definition(
            self, "WorkerTask", config=config, family="worker", cpu=256, memory=512
        )
        queue.grant_consume_messages(worker_task.task_role)
        # The worker also drains the outbox of requests whose first send failed.
        queue.grant_send_messages(worker_task.task_role)
        allow_sending_email(worker_task.task_role, config)
        # The worker's circuit breaker probes SES with GetSendQuota before it receives again.
        # The action has no resource-level permissions: "*" is the only resource it takes.
        worker_task.task_role.add_to_principal_policy(
            iam.PolicyStatement(actions=["ses:GetSendQuota"], resources=["*"])
        )
        allow_writing_breadcrumbs(worker_task.task_role, resources.tracing_table, query=False)
        # A batch in hand is finished after SIGTERM: a 20 s long poll plus ten emails.
        resources.add_container(
            worker_task,
            "worker",
            ["worker"],
            stop_timeout_s=90,
            extra_environment={"SHARING_EMAIL_THREADS": str(sizes.worker_email_threads)},
        )
        self.worker = ecs.FargateService(
            self,
            "Worker",
            service_name="worker",
            cluster=network.cluster,
            task_definition=worker_task,
            desired_count=sizes.worker_min_tasks,
            security_groups=[network.app_security_group],
            vpc_subnets=network.private_subnets,
            min_healthy_percent=100,
            max_healthy_percent=200,
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
        )
        worker_scaling = self.worker.auto_scale_task_count(
            min_capacity=sizes.worker_min_tasks, max_capacity=sizes.worker_max_tasks
        )
        worker_scaling.scale_on_cpu_utilization(
            "Cpu", target_utilization_percent=60, scale_in_cooldown=Duration.minutes(5)
        )
        # The worker waits on SQS and SES, not the CPU: a backlog is the better signal.
        worker_scaling.scale_on_metric(
            "Backlog",
            metric=queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic="Maximum"
            ),
            scaling_steps=[
                appscaling.ScalingInterval(upper=0, change=-1),
                appscaling.ScalingInterval(lower=100, change=+1),
                appscaling.ScalingInterval(lower=1000, change=+2),
            ],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            cooldown=Duration.minutes(3),
        )

        # --- alarms that also roll a deployment back (the Monitoring stack notifies) ---
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
        self.server_errors = server_errors
        # No 5xx means no data point: missing data is good news here.
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
        # With the canary there is traffic every 5 minutes: no response time means no
        # request reached the app.
        self.response_time_alarm = self.target_group.metrics.target_response_time(
            period=FIVE_MINUTES, statistic="p99"
        ).create_alarm(
            self,
            "SlowResponses",
            alarm_name=config.name("target-response-time"),
            alarm_description="p99 response time of the app above 2 s for 15 minutes",
            threshold=2,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING
            if config.canary
            else cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        # Counted by the worker for each email SES refused (sharing/worker.py); the
        # Monitoring stack has its own alarm on it that notifies.
        self.emails_failed = cloudwatch.Metric(
            namespace=APP_METRICS_NAMESPACE,
            metric_name="EmailsFailed",
            period=FIVE_MINUTES,
            statistic="Sum",
        )
        self.worker_deploy_alarm = self.emails_failed.create_alarm(
            self,
            "WorkerDeployEmailsFailed",
            alarm_name=config.name("worker-deploy-emails-failed"),
            alarm_description="Rolls a worker deployment back: emails failed while it ran",
            threshold=0,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        # A release that answers 5xx (web) or cannot send email (worker) is rolled back by
        # ECS, like one whose tasks never become healthy (the circuit breaker).
        # By name, as written (a reference to the alarm would be a cycle for CloudFormation);
        # the service waits for its alarm.
        for service, alarm, name in (
            (self.web, self.server_errors_alarm, "alb-5xx"),
            (self.worker, self.worker_deploy_alarm, "worker-deploy-emails-failed"),
        ):
            service.enable_deployment_alarms(
                [config.name(name)], behavior=ecs.AlarmBehavior.ROLLBACK_ON_ALARM
            )
            service.node.add_dependency(alarm)

        CfnOutput(self, "WebServiceName", value=self.web.service_name)
        CfnOutput(self, "WorkerServiceName", value=self.worker.service_name)
