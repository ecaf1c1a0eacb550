"""One-off and scheduled tasks from the app's image: `migrate` (run by the deploy workflow
before the services roll, see deploy/run-migrations.sh), the daily reminders and the daily
"due soon" notices."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from .app_container import AppResources, allow_sending_email, task_definition


class JobsStack(Stack):
    def __init__(
        self, scope: Construct, id: str, *, resources: AppResources, **kwargs: Any
    ) -> None:
        super().__init__(scope, id, **kwargs)
        config = resources.config

        # The migrate task touches only the database: its task role has no permissions.
        self.migrate_task = task_definition(
            self, "MigrateTask", config=config, family="migrate", cpu=256, memory=512
        )
        resources.add_container(self.migrate_task, "migrate", ["migrate"])

        self.reminders_task = task_definition(
            self, "RemindersTask", config=config, family="reminders", cpu=256, memory=512
        )
        allow_sending_email(self.reminders_task.task_role, config)
        resources.add_container(self.reminders_task, "reminders", ["manage", "send_due_reminders"])
        self.reminders_rule = self._daily(
            "DailyReminders",
            resources,
            self.reminders_task,
            name="daily-reminders",
            description="Sends the reminders due today (manage.py send_due_reminders)",
        )

        # Notices go out through the database, the broker and the worker's queue: the task
        # itself sends no email.
        self.due_soon_task = task_definition(
            self, "DueSoonTask", config=config, family="due-soon", cpu=256, memory=512
        )
        resources.add_container(self.due_soon_task, "due-soon", ["manage", "announce_due_soon"])
        self.due_soon_rule = self._daily(
            "DailyDueSoon",
            resources,
            self.due_soon_task,
            name="daily-due-soon",
            description="Tells watchers of todos due tomorrow (manage.py announce_due_soon)",
        )

        # With the network stack's outputs, what deploy/run-migrations.sh needs.
        CfnOutput(self, "MigrateTaskDefinitionArn", value=self.migrate_task.task_definition_arn)

    def _daily(
        self,
        id: str,
        resources: AppResources,
        task: Any,
        *,
        name: str,
        description: str,
    ) -> events.Rule:
        config, network = resources.config, resources.network
        return events.Rule(
            self,
            id,
            rule_name=config.name(name),
            description=description,
            schedule=events.Schedule.cron(minute="0", hour=config.reminders_cron_hour),
            targets=[
                targets.EcsTask(
                    cluster=network.cluster,
                    task_definition=task,
                    task_count=1,
                    subnet_selection=network.private_subnets,
                    security_groups=[network.app_security_group],
                    retry_attempts=2,
                    max_event_age=Duration.hours(2),
                )
            ],
        )
