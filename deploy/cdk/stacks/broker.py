"""Amazon MQ for ActiveMQ, STOMP over TLS only to the app: an active/standby pair in two zones
in production, one small instance elsewhere (sizes: deploy/cdk/stacks/config.py)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Fn, Stack
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from .config import DeployConfig
from .network import NetworkStack

STOMP_TLS_PORT = 61614


class BrokerStack(Stack):
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
        # Amazon MQ refuses commas, colons and equal signs in passwords: letters and digits.
        self.secret = secretsmanager.Secret(
            self,
            "Credentials",
            secret_name=f"{config.environment_name}/todo/broker",
            description="Amazon MQ user of the todo app",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"username": "todo"}),
                generate_string_key="password",
                exclude_punctuation=True,
                password_length=32,
            ),
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=network.vpc,
            description="ActiveMQ: STOMP over TLS from the app tasks only",
            allow_all_outbound=False,
        )
        self.security_group.add_ingress_rule(
            network.app_security_group, ec2.Port.tcp(STOMP_TLS_PORT), "STOMP+TLS from the app"
        )
        subnets = network.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        highly_available = config.broker_is_highly_available
        self.broker_name = config.name("broker")
        # CloudWatch names the instances <broker name>-1 (and -2 for the standby).
        self.instance_names = [
            f"{self.broker_name}-{n}" for n in ((1, 2) if highly_available else (1,))
        ]
        self.broker = amazonmq.CfnBroker(
            self,
            "Broker",
            broker_name=self.broker_name,
            engine_type="ACTIVEMQ",
            engine_version="5.18",
            deployment_mode=config.sizes.broker_deployment_mode,
            host_instance_type=config.sizes.broker_instance_type,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
            subnet_ids=subnets.subnet_ids[: 2 if highly_available else 1],
            security_groups=[self.security_group.security_group_id],
            users=[
                amazonmq.CfnBroker.UserProperty(
                    username=self.secret.secret_value_from_json("username").unsafe_unwrap(),
                    password=self.secret.secret_value_from_json("password").unsafe_unwrap(),
                    console_access=False,
                )
            ],
            logs=amazonmq.CfnBroker.LogListProperty(general=True, audit=True),
        )
        # Amazon MQ creates its log groups itself, named by the broker's id: the retention
        # is set on them by CDK's log-retention function.
        for kind in ("general", "audit"):
            logs.LogRetention(
                self,
                f"{kind.capitalize()}LogsRetention",
                log_group_name=Fn.join("", ["/aws/amazonmq/broker/", self.broker.ref, f"/{kind}"]),
                retention=logs.RetentionDays.ONE_MONTH,
            )
        # failover:(stomp+ssl://a:61614,stomp+ssl://b:61614): the client follows whichever
        # of the pair is active (one endpoint for a single instance).
        self.url = Fn.join("", ["failover:(", Fn.join(",", self.broker.attr_stomp_endpoints), ")"])
