"""The ECR repository of the app's image, shared by every environment: an image is built
once and the same tag is promoted from staging to production."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_ecr as ecr
from constructs import Construct


class RegistryStack(Stack):
    def __init__(self, scope: Construct, id: str, *, repository_name: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.repository = ecr.Repository(
            self,
            "Repository",
            repository_name=repository_name,
            image_scan_on_push=True,
            # Tags are commit SHAs; immutable tags make "redeploy the previous tag" a rollback.
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            lifecycle_rules=[ecr.LifecycleRule(max_image_count=100)],
            removal_policy=RemovalPolicy.RETAIN,
        )
