"""The DynamoDB table of user-action breadcrumbs (pk USER#<name>, sk <time>#<uuid>)."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from .config import DeployConfig


class TracingTableStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.table = dynamodb.Table(
            self,
            "Breadcrumbs",
            table_name=config.name("breadcrumbs"),
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="ttl",
            deletion_protection=config.is_production,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=config.is_production
            ),
            removal_policy=RemovalPolicy.DESTROY
            if not config.is_production
            else RemovalPolicy.RETAIN,
        )
