"""What one deployment is made of, read from CDK context (`-c name=value`), as the book does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Node

REQUIRED = ("environmentName", "account", "region", "domain", "certificateArn", "imageTag")


class MissingContextError(ValueError):
    pass


@dataclass(frozen=True)
class DeployConfig:
    environment_name: str
    account: str
    region: str
    domain: str
    certificate_arn: str
    image_tag: str
    ses_sender: str
    alarm_email: str | None
    cognito_domain_prefix: str
    repository_name: str
    database_instance_type: str
    availability_zones: tuple[str, ...]
    web_min_tasks: int
    web_max_tasks: int
    worker_max_tasks: int
    reminders_cron_hour: str

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
        return cls(
            environment_name=environment_name,
            account=account,
            region=region,
            domain=domain,
            certificate_arn=str(get("certificateArn")),
            image_tag=str(get("imageTag")),
            ses_sender=str(get("sesSender", f"noreply@{domain}")),
            alarm_email=get("alarmEmail"),
            cognito_domain_prefix=str(
                get("cognitoDomainPrefix", f"todo-{environment_name}-{account}")
            ),
            repository_name=str(get("repositoryName", "stratospheric-todo")),
            database_instance_type=str(get("databaseInstanceType", "t4g.micro")),
            availability_zones=tuple(zone.strip() for zone in str(zones).split(",")),
            web_min_tasks=int(get("webMinTasks", 2)),
            web_max_tasks=int(get("webMaxTasks", 6)),
            worker_max_tasks=int(get("workerMaxTasks", 4)),
            reminders_cron_hour=str(get("remindersCronHour", "6")),
        )
