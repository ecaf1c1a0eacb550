"""How every task of the app (web, worker, migrate, reminders) runs the one image: the same
settings, each process only the secrets it uses (as ECS secrets, never plain environment, so
each task's execution role may read only those), and the least-privilege grants each
process needs."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from .app_secrets import AppSecretsStack
from .attachments import AttachmentsBucketStack
from .broker import BrokerStack
from .config import DeployConfig
from .database import DATABASE_NAME, DatabaseStack
from .identity import IdentityStack
from .messaging import MessagingStack
from .network import APP_PORT, NetworkStack
from .tracing_table import TracingTableStack

# Amazon RDS's CA certificates (every region), shipped in the image: the database's
# certificate and host name are verified (sslmode verify-full). libpq reads PGSSLROOTCERT.
RDS_CA_BUNDLE = "deploy/certs/rds-global-bundle.pem"
IMAGE_WORKDIR = "/app"  # Dockerfile
# The processes that talk to the broker (push): the web server, the sharing worker and the
# daily due-soon notices.
BROKER_PROCESSES = frozenset({"web", "worker", "due-soon"})


@dataclass(frozen=True)
class AppResources:
    """Everything the app's containers are wired to."""

    config: DeployConfig
    network: NetworkStack
    database: DatabaseStack
    messaging: MessagingStack
    broker: BrokerStack
    tracing_table: TracingTableStack
    identity: IdentityStack
    attachments: AttachmentsBucketStack
    app_secrets: AppSecretsStack

    def environment(self, process: str) -> dict[str, str]:
        """The settings the app reads (README.md, Environment variables); nothing secret."""
        config = self.config
        database = self.database.instance
        environment = {
            "ALLOWED_HOSTS": config.domain,
            "EXTERNAL_URL": config.external_url,
            "AWS_REGION": config.region,
            "DATABASE_HOST": database.db_instance_endpoint_address,
            "DATABASE_PORT": database.db_instance_endpoint_port,
            "DATABASE_NAME": DATABASE_NAME,
            "DATABASE_SSLMODE": "verify-full",
            "PGSSLROOTCERT": f"{IMAGE_WORKDIR}/{RDS_CA_BUNDLE}",
            "COGNITO_DOMAIN": self.identity.domain_url,
            "COGNITO_CLIENT_ID": self.identity.client.user_pool_client_id,
            "COGNITO_USER_POOL_ID": self.identity.user_pool.user_pool_id,
            "SHARING_QUEUE_NAME": self.messaging.queue.queue_name,
            "SHARING_DLQ_NAME": self.messaging.dead_letter_queue.queue_name,
            "ACTIVEMQ_URL": self.broker.url,
            "TRACING_TABLE_NAME": self.tracing_table.table.table_name,
            "ATTACHMENTS_BUCKET": self.attachments.bucket.bucket_name,
            "EMAIL_FROM": config.ses_sender,
        }
        if process not in BROKER_PROCESSES:
            del environment["ACTIVEMQ_URL"]
        return environment

    def secrets(self, process: str) -> dict[str, ecs.Secret]:
        """Injected by ECS from Secrets Manager when the task starts; only the task's
        execution role can read them (CDK grants it exactly these), and they appear in no
        template or task definition. Each process gets only those it uses."""
        secrets = {
            "SECRET_KEY": ecs.Secret.from_secrets_manager(self.app_secrets.secret_key),
            # Settings refuse to load without it, whichever process reads them.
            "TOKEN_ENCRYPTION_KEY": ecs.Secret.from_secrets_manager(
                self.app_secrets.token_encryption_key
            ),
            "DATABASE_USER": ecs.Secret.from_secrets_manager(self.database.secret, "username"),
            "DATABASE_PASSWORD": ecs.Secret.from_secrets_manager(self.database.secret, "password"),
        }
        if process in BROKER_PROCESSES:
            secrets["ACTIVEMQ_USER"] = ecs.Secret.from_secrets_manager(
                self.broker.secret, "username"
            )
            secrets["ACTIVEMQ_PASSWORD"] = ecs.Secret.from_secrets_manager(
                self.broker.secret, "password"
            )
        if process == "web":
            secrets["COGNITO_CLIENT_SECRET"] = ecs.Secret.from_secrets_manager(
                self.identity.client_secret
            )
            secrets["INVITATION_CODES"] = ecs.Secret.from_secrets_manager(
                self.app_secrets.invitation_codes
            )
        return secrets

    def add_container(
        self,
        task_definition: ecs.FargateTaskDefinition,
        name: str,
        command: list[str],
        *,
        web: bool = False,
        stop_timeout_s: int = 30,
        extra_environment: dict[str, str] | None = None,
    ) -> ecs.ContainerDefinition:
        scope = task_definition
        repository = ecr.Repository.from_repository_name(
            scope, "Repository", self.config.repository_name
        )
        log_group = logs.LogGroup(
            scope,
            "Logs",
            log_group_name=f"/ecs/{self.config.name(name)}",
            retention=logs.RetentionDays.ONE_MONTH,
        )
        return task_definition.add_container(
            name,
            image=ecs.ContainerImage.from_ecr_repository(repository, tag=self.config.image_tag),
            command=command,
            environment={**self.environment(name), **(extra_environment or {})},
            secrets=self.secrets(name),
            port_mappings=[ecs.PortMapping(container_port=APP_PORT, name="http")] if web else [],
            logging=ecs.LogDrivers.aws_logs(stream_prefix=name, log_group=log_group),
            # A tiny init as PID 1 reaps children and passes SIGTERM on to the app.
            linux_parameters=ecs.LinuxParameters(scope, "Linux", init_process_enabled=True),
            stop_timeout=Duration.seconds(stop_timeout_s),
        )


def task_definition(
    scope: Construct, id: str, *, config: DeployConfig, family: str, cpu: int, memory: int
) -> ecs.FargateTaskDefinition:
    return ecs.FargateTaskDefinition(
        scope,
        id,
        family=config.name(family),
        cpu=cpu,
        memory_limit_mib=memory,
        runtime_platform=ecs.RuntimePlatform(
            operating_system_family=ecs.OperatingSystemFamily.LINUX,
            cpu_architecture=ecs.CpuArchitecture.X86_64,
        ),
    )


# --- least-privilege grants: named resources only, never "*" -------------------------------


def allow_sending_email(role: iam.IGrantable, config: DeployConfig) -> None:
    """SES send, only from the verified identity and only as the configured sender."""
    stack = Stack.of(role.grant_principal)  # type: ignore[arg-type]
    identities = {config.ses_identity, config.ses_sender}
    role.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["ses:SendEmail", "ses:SendRawEmail"],
            resources=[
                stack.format_arn(service="ses", resource="identity", resource_name=identity)
                for identity in sorted(identities)
            ],
            conditions={"StringEquals": {"ses:FromAddress": config.ses_sender}},
        )
    )


def allow_writing_breadcrumbs(
    role: iam.IGrantable, tracing_table: TracingTableStack, *, query: bool
) -> None:
    actions = ["dynamodb:BatchWriteItem", "dynamodb:PutItem"]
    if query:
        # The web process also reads (/activity) and checks the table (/health/ready).
        actions += ["dynamodb:Query", "dynamodb:DescribeTable"]
    tracing_table.table.grant(role, *actions)


def allow_attachments(role: iam.IGrantable, attachments: AttachmentsBucketStack) -> None:
    bucket = attachments.bucket
    role.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            resources=[bucket.arn_for_objects("*")],
        )
    )
    # Lets a missing key read as 404 rather than 403.
    role.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn])
    )


def allow_registration(role: iam.IGrantable, identity: IdentityStack) -> None:
    identity.user_pool.grant(
        role, "cognito-idp:AdminCreateUser", "cognito-idp:AdminGetUser", "cognito-idp:ListUsers"
    )
