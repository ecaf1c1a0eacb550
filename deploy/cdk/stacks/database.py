"""RDS PostgreSQL in the private subnets; its credentials live in Secrets Manager. The
instance class comes from the environment's sizes (deploy/cdk/stacks/config.py), checked
against the app's connection budget (deploy/cdk/stacks/sizes.py)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from .config import DeployConfig
from .network import NetworkStack

DATABASE_NAME = "todo"


class DatabaseStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: DeployConfig,
        network: NetworkStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=network.vpc,
            description="PostgreSQL: reachable from the app tasks only",
            allow_all_outbound=False,
        )
        self.security_group.add_ingress_rule(
            network.app_security_group, ec2.Port.tcp(5432), "PostgreSQL from the app"
        )
        self.instance = rds.DatabaseInstance(
            self,
            "Postgres",
            engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17_9),
            instance_type=ec2.InstanceType(config.database_instance_type),
            vpc=network.vpc,
            vpc_subnets=network.private_subnets,
            security_groups=[self.security_group],
            publicly_accessible=False,
            database_name=DATABASE_NAME,
            credentials=rds.Credentials.from_generated_secret(
                "todo", secret_name=f"{config.environment_name}/todo/database"
            ),
            allocated_storage=20,
            max_allocated_storage=100,
            storage_type=rds.StorageType.GP3,
            storage_encrypted=True,
            multi_az=config.is_production,
            backup_retention=Duration.days(7 if config.is_production else 1),
            deletion_protection=config.is_production,
            removal_policy=RemovalPolicy.SNAPSHOT,
            auto_minor_version_upgrade=True,
            cloudwatch_logs_exports=["postgresql"],
            # RDS creates the log group; CDK's log-retention function sets its retention.
            cloudwatch_logs_retention=logs.RetentionDays.ONE_MONTH,
        )

    @property
    def secret(self) -> secretsmanager.ISecret:
        secret = self.instance.secret
        assert secret is not None  # always set: credentials are generated above
        return secret
