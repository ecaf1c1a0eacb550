"""The Stratospheric Todo infrastructure as one CDK app with one stack per concern.

Stacks of one environment are named `<environmentName>-todo-<what it holds>`; the image
registry is shared by every environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import App, Environment, Stack, Tags

from .app_container import AppResources
from .app_secrets import AppSecretsStack
from .attachments import AttachmentsBucketStack
from .broker import BrokerStack
from .config import DeployConfig
from .database import DatabaseStack
from .identity import IdentityStack
from .jobs import JobsStack
from .messaging import MessagingStack
from .monitoring import MonitoringStack
from .network import NetworkStack
from .registry import RegistryStack
from .service import ServiceStack
from .sizes import check_connection_budget
from .tracing_table import TracingTableStack
from .waf import WafStack

REGISTRY_STACK_NAME = "stratospheric-todo-registry"


@dataclass(frozen=True)
class TodoApp:
    app: App

    @property
    def stacks(self) -> list[Stack]:
        return [s for s in self.app.node.children if isinstance(s, Stack)]


def silence_log_retention_lint(app: App) -> None:
    """CDK's log-retention function (it sets the retention of the log groups RDS and Amazon MQ
    create themselves) declares a DependsOn on its role beside a GetAtt of it: cfn-lint's
    W3005, harmless, silenced on that resource only."""
    for stack in app.node.children:
        for child in stack.node.children:
            if child.node.id.startswith("LogRetention") and child.node.try_find_child("Resource"):
                resource = child.node.find_child("Resource")
                resource.add_metadata(  # type: ignore[attr-defined]
                    "cfn-lint", {"config": {"ignore_checks": ["W3005"]}}
                )


def build_app(context: dict[str, Any] | None = None, outdir: str | None = None) -> TodoApp:
    """All stacks of one environment; `context` stands in for `-c` flags (tests)."""
    app = App(context=context, outdir=outdir)
    config = DeployConfig.from_context(app.node)
    check_connection_budget(config)
    env = Environment(account=config.account, region=config.region)

    def stack_kwargs(what: str) -> dict[str, Any]:
        return {
            "stack_name": config.name(what),
            "env": env,
            "termination_protection": config.is_production,
        }

    RegistryStack(
        app,
        "Registry",
        repository_name=config.repository_name,
        stack_name=REGISTRY_STACK_NAME,
        env=env,
        termination_protection=True,
    )
    network = NetworkStack(app, "Network", config=config, **stack_kwargs("network"))
    WafStack(app, "Waf", config=config, load_balancer=network.load_balancer, **stack_kwargs("waf"))
    database = DatabaseStack(
        app, "Database", config=config, network=network, **stack_kwargs("database")
    )
    messaging = MessagingStack(app, "Messaging", config=config, **stack_kwargs("messaging"))
    broker = BrokerStack(app, "Broker", config=config, network=network, **stack_kwargs("broker"))
    tracing_table = TracingTableStack(
        app, "TracingTable", config=config, **stack_kwargs("tracing-table")
    )
    identity = IdentityStack(app, "Identity", config=config, **stack_kwargs("identity"))
    attachments = AttachmentsBucketStack(
        app, "AttachmentsBucket", config=config, **stack_kwargs("attachments-bucket")
    )
    app_secrets = AppSecretsStack(app, "AppSecrets", config=config, **stack_kwargs("app-secrets"))
    resources = AppResources(
        config=config,
        network=network,
        database=database,
        messaging=messaging,
        broker=broker,
        tracing_table=tracing_table,
        identity=identity,
        attachments=attachments,
        app_secrets=app_secrets,
    )
    jobs = JobsStack(app, "Jobs", resources=resources, **stack_kwargs("jobs"))
    service = ServiceStack(app, "Service", resources=resources, **stack_kwargs("service"))
    # The services roll only after the migrate task definition exists (deploy order).
    service.add_stack_dependency(jobs)
    MonitoringStack(
        app,
        "Monitoring",
        resources=resources,
        service=service,
        jobs=jobs,
        **stack_kwargs("monitoring"),
    )
    silence_log_retention_lint(app)
    Tags.of(app).add("application", "stratospheric-todo")
    Tags.of(app).add("environment", config.environment_name)
    return TodoApp(app=app)
