"""The two long-running Fargate services from the one image: `web` behind the load balancer
and `worker` (the sharing worker), each with its own least-privilege task role."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
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

HEALTH_CHECK_PATH = "/health"


class ServiceStack(Stack):
    def __init__(
        self, scope: Construct, id: str, *, resources: AppResources, **kwargs: Any
    ) -> None:
        super().__init__(scope, id, **kwargs)
        config, network = resources.config, resources.network
        queue = resources.messaging.queue

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
            extra_environment={"PORT": str(APP_PORT), "WEB_CONCURRENCY": "2"},
        )
        self.web = ecs.FargateService(
            self,
            "Web",
            service_name="web",
            cluster=network.cluster,
            task_definition=web_task,
            desired_count=config.web_min_tasks,
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
            min_capacity=config.web_min_tasks, max_capacity=config.web_max_tasks
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
        allow_writing_breadcrumbs(worker_task.task_role, resources.tracing_table, query=False)
        # A batch in hand is finished after SIGTERM: a 20 s long poll plus ten emails.
        resources.add_container(worker_task, "worker", ["worker"], stop_timeout_s=90)
        self.worker = ecs.FargateService(
            self,
            "Worker",
            service_name="worker",
            cluster=network.cluster,
            task_definition=worker_task,
            desired_count=1,
            security_groups=[network.app_security_group],
            vpc_subnets=network.private_subnets,
            min_healthy_percent=100,
            max_healthy_percent=200,
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
        )
        worker_scaling = self.worker.auto_scale_task_count(
            min_capacity=1, max_capacity=config.worker_max_tasks
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

        CfnOutput(self, "WebServiceName", value=self.web.service_name)
        CfnOutput(self, "WorkerServiceName", value=self.worker.service_name)
