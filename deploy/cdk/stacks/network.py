"""The VPC, the public load balancer (HTTPS, and HTTP redirected to it) and the ECS cluster."""

from __future__ import annotations

from typing import Any, cast

from aws_cdk import CfnOutput, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .config import DeployConfig

APP_PORT = 8000


class NetworkStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: DeployConfig, **kwargs: Any) -> None:
        self._zones = list(config.availability_zones)
        super().__init__(scope, id, **kwargs)
        # Zones given explicitly: synthesis needs no AWS lookup, and the template is stable.
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr("10.0.0.0/16"),
            availability_zones=list(config.availability_zones),
            nat_gateways=2 if config.is_production else 1,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                ),
                ec2.SubnetConfiguration(
                    name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
            ],
        )

        # The tasks (web, worker, one-off jobs) share one security group, so that the database
        # and the broker can admit exactly them.
        self.app_security_group = ec2.SecurityGroup(
            self,
            "AppSecurityGroup",
            vpc=self.vpc,
            description="ECS tasks of the todo app (web, worker, jobs)",
            allow_all_outbound=True,
        )

        # WebSockets (/ws/notifications/) pass through an ALB listener as they are. No
        # stickiness: a push reaches a user's socket through the broker, whichever task holds
        # it. The idle timeout (60 s default) closes a silent socket; the browser reconnects.
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=self.vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            drop_invalid_header_fields=True,
            idle_timeout=Duration.seconds(60),
            deletion_protection=config.is_production,
        )
        # Access logs: who asked what, and what the ALB answered (5xx the app never saw).
        # The ALB's log delivery writes only with SSE-S3; kept 90 days.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(90),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.load_balancer.log_access_logs(self.access_logs, prefix="alb")
        self.https_listener = self.load_balancer.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[elbv2.ListenerCertificate.from_arn(config.certificate_arn)],
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            open=True,
            # Requests for other host names never reach the app (the service adds the rule).
            default_action=elbv2.ListenerAction.fixed_response(
                404, content_type="text/plain", message_body="Not found"
            ),
        )
        self.load_balancer.add_redirect(source_port=80, target_port=443)

        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=self.vpc,
            cluster_name=config.name("cluster"),
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )

        # Zones are named in the template (above); an override is one context value away.
        for subnet in [*self.vpc.public_subnets, *self.vpc.private_subnets]:
            cast(ec2.CfnSubnet, subnet.node.default_child).add_metadata(
                "cfn-lint", {"config": {"ignore_checks": ["W3010"]}}
            )

        CfnOutput(self, "LoadBalancerDnsName", value=self.load_balancer.load_balancer_dns_name)
        # For one-off tasks (deploy/run-migrations.sh).
        CfnOutput(self, "ClusterName", value=self.cluster.cluster_name)
        CfnOutput(
            self,
            "PrivateSubnetIds",
            value=Fn.join(",", [subnet.subnet_id for subnet in self.vpc.private_subnets]),
        )
        CfnOutput(self, "AppSecurityGroupId", value=self.app_security_group.security_group_id)

    @property
    def availability_zones(self) -> list[str]:
        """The configured zones. Without this the Vpc checks its zones against the stack's,
        which an environment-bound stack can only learn by asking AWS: `cdk synth` would
        need credentials and the account (README.md, What the tests check)."""
        return self._zones

    @property
    def private_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
