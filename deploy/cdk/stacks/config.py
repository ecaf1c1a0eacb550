"""What one deployment is made of, read from CDK context (`-c name=value`), as the book does.

Sizes have defaults per environment: `production` gets the highly available and larger
pieces, every other environment (staging, …) the smallest that run the app. Any of them can
be overridden by its context value (README.md, Deploying to AWS, Sizes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Node

REQUIRED = ("environmentName", "account", "region", "domain", "certificateArn", "imageTag")


class MissingContextError(ValueError):
    pass


class InvalidContextError(ValueError):
    pass


@dataclass(frozen=True)
class Sizes:
    """How big each piece is; the defaults of an environment, or its context values."""

    database_instance_type: str
    broker_instance_type: str
    broker_deployment_mode: str  # SINGLE_INSTANCE or ACTIVE_STANDBY_MULTI_AZ
    web_min_tasks: int
    web_max_tasks: int
    web_concurrency: int  # uvicorn processes per web task (WEB_CONCURRENCY)
    web_threads: int  # Django threads per web process (WEB_THREADS)
    worker_min_tasks: int
    worker_max_tasks: int
    worker_email_threads: int  # SHARING_EMAIL_THREADS


PRODUCTION_SIZES = Sizes(
    database_instance_type="t4g.medium",
    broker_instance_type="mq.m5.large",
    broker_deployment_mode="ACTIVE_STANDBY_MULTI_AZ",
    web_min_tasks=2,
    web_max_tasks=6,
    web_concurrency=2,
    web_threads=8,
    worker_min_tasks=1,
    worker_max_tasks=4,
    worker_email_threads=10,
)
# Staging and any other environment: one small broker, a micro database, little head-room
# for load (it serves the team and the pipeline's smoke test).
SMALL_SIZES = Sizes(
    database_instance_type="t4g.micro",
    broker_instance_type="mq.t3.micro",
    broker_deployment_mode="SINGLE_INSTANCE",
    web_min_tasks=1,
    web_max_tasks=2,
    web_concurrency=2,
    web_threads=4,
    worker_min_tasks=1,
    worker_max_tasks=1,
    worker_email_threads=4,
)
SIZE_CONTEXT_KEYS = {
    "database_instance_type": "databaseInstanceType",
    "broker_instance_type": "brokerInstanceType",
    "broker_deployment_mode": "brokerDeploymentMode",
    "web_min_tasks": "webMinTasks",
    "web_max_tasks": "webMaxTasks",
    "web_concurrency": "webConcurrency",
    "web_threads": "webThreads",
    "worker_min_tasks": "workerMinTasks",
    "worker_max_tasks": "workerMaxTasks",
    "worker_email_threads": "workerEmailThreads",
}
BROKER_DEPLOYMENT_MODES = ("SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ")


@dataclass(frozen=True)
class DeployConfig:
    environment_name: str
    account: str
    region: str
    domain: str
    certificate_arn: str
    image_tag: str
    ses_sender: str
    alarm_emails: tuple[str, ...]
    alarm_https_endpoint: str | None
    cognito_domain_prefix: str
    repository_name: str
    availability_zones: tuple[str, ...]
    reminders_cron_hour: str
    sizes: Sizes
    canary: bool

    @property
    def database_instance_type(self) -> str:
        return self.sizes.database_instance_type

    @property
    def broker_is_highly_available(self) -> bool:
        return self.sizes.broker_deployment_mode == "ACTIVE_STANDBY_MULTI_AZ"

    @property
    def is_production(self) -> bool:
        return self.environment_name == "production"

    @property
    def external_url(self) -> str:
        return f"https://{self.domain}"

    @property
    def ses_identity(self) -> str:
        """The verified SES identity mail is sent from: the sender's domain."""
        return self.ses_sender.rsplit("@", 1)[-1]

    def name(self, suffix: str) -> str:
        """Resource and stack names: `<environment>-todo-<suffix>`."""
        return f"{self.environment_name}-todo-{suffix}"

    @classmethod
    def from_context(cls, node: Node) -> DeployConfig:
        def get(key: str, default: Any = None) -> Any:
            value = node.try_get_context(key)
            return default if value in (None, "") else value

        missing = [key for key in REQUIRED if get(key) is None]
        if missing:
            raise MissingContextError(
                "missing CDK context: "
                + ", ".join(f"-c {key}=…" for key in missing)
                + " (see README.md, Deploying to AWS)"
            )
        environment_name = str(get("environmentName"))
        account, region, domain = str(get("account")), str(get("region")), str(get("domain"))
        zones = get("availabilityZones", f"{region}a,{region}b")
        production = environment_name == "production"
        defaults = PRODUCTION_SIZES if production else SMALL_SIZES
        sizes = Sizes(
            **{
                field: type(getattr(defaults, field))(get(key, getattr(defaults, field)))
                for field, key in SIZE_CONTEXT_KEYS.items()
            }
        )
        if sizes.broker_deployment_mode not in BROKER_DEPLOYMENT_MODES:
            raise InvalidContextError(
                f"brokerDeploymentMode must be one of {', '.join(BROKER_DEPLOYMENT_MODES)}"
            )
        if not 1 <= sizes.web_min_tasks <= sizes.web_max_tasks:
            raise InvalidContextError("need 1 <= webMinTasks <= webMaxTasks")
        if not 1 <= sizes.worker_min_tasks <= sizes.worker_max_tasks:
            raise InvalidContextError("need 1 <= workerMinTasks <= workerMaxTasks")
        alarm_emails = tuple(
            address.strip() for address in str(get("alarmEmail", "")).split(",") if address.strip()
        )
        alarm_https_endpoint = get("alarmHttpsEndpoint")
        if production and not (alarm_emails or alarm_https_endpoint):
            # Alarms that reach nobody are no alarms.
            raise MissingContextError(
                "production needs someone to tell: -c alarmEmail=oncall@… (comma-separated) "
                "or -c alarmHttpsEndpoint=https://… (README.md, Deploying to AWS)"
            )
        canary = get("canary", production)
        return cls(
            environment_name=environment_name,
            account=account,
            region=region,
            domain=domain,
            certificate_arn=str(get("certificateArn")),
            image_tag=str(get("imageTag")),
            ses_sender=str(get("sesSender", f"noreply@{domain}")),
            alarm_emails=alarm_emails,
            alarm_https_endpoint=str(alarm_https_endpoint) if alarm_https_endpoint else None,
            cognito_domain_prefix=str(
                get("cognitoDomainPrefix", f"todo-{environment_name}-{account}")
            ),
            repository_name=str(get("repositoryName", "stratospheric-todo")),
            availability_zones=tuple(zone.strip() for zone in str(zones).split(",")),
            reminders_cron_hour=str(get("remindersCronHour", "6")),
            sizes=sizes,
            canary=str(canary).lower() in ("true", "1", "yes"),
        )
