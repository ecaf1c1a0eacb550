"""The stateful stacks: queue, table, database, broker, user pool, bucket, registry."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk.assertions import Match

from deploy.cdk.stacks import build_app
from deploy.cdk.stacks.config import MissingContextError

from .conftest import CONTEXT, Synthesized


def resources_of_type(template: dict, type_: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def test_the_sharing_queue_hands_a_message_to_the_dlq_after_three_receives(
    synthesized: Synthesized,
) -> None:
    template = synthesized.json("Messaging")
    queues = resources_of_type(template, "AWS::SQS::Queue")
    dlq_id = next(k for k, v in queues.items() if v["Properties"]["QueueName"].endswith("-dlq"))
    queue = next(v for k, v in queues.items() if k != dlq_id)
    assert queue["Properties"]["QueueName"] == "production-todo-sharing"
    assert queue["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": 3,
    }
    assert queue["Properties"]["ReceiveMessageWaitTimeSeconds"] == 20


def test_the_breadcrumbs_table_is_on_demand_keyed_by_pk_and_sk_and_expires_by_ttl(
    synthesized: Synthesized,
) -> None:
    synthesized.template("TracingTable").has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": Match.array_with(
                [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ]
            ),
            "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True},
        },
    )


def test_the_database_is_not_public_and_its_password_lives_in_secrets_manager(
    synthesized: Synthesized,
) -> None:
    template = synthesized.json("Database")
    (instance,) = resources_of_type(template, "AWS::RDS::DBInstance").values()
    properties = instance["Properties"]
    assert properties["PubliclyAccessible"] is False
    assert properties["Engine"] == "postgres"
    assert properties["StorageEncrypted"] is True
    assert properties["MultiAZ"] is True  # production
    assert properties["DeletionProtection"] is True
    assert "resolve:secretsmanager" in json.dumps(properties["MasterUserPassword"])
    (ingress,) = resources_of_type(template, "AWS::EC2::SecurityGroupIngress").values()
    assert ingress["Properties"]["FromPort"] == 5432
    assert "SourceSecurityGroupId" in ingress["Properties"]  # the app's tasks, not a CIDR


def test_the_broker_is_an_active_standby_pair_with_credentials_from_secrets_manager(
    synthesized: Synthesized,
) -> None:
    template = synthesized.json("Broker")
    (broker,) = resources_of_type(template, "AWS::AmazonMQ::Broker").values()
    properties = broker["Properties"]
    assert properties["EngineType"] == "ACTIVEMQ"
    assert properties["DeploymentMode"] == "ACTIVE_STANDBY_MULTI_AZ"
    assert properties["PubliclyAccessible"] is False
    assert len(properties["SubnetIds"]) == 2
    (user,) = properties["Users"]
    assert "resolve:secretsmanager" in json.dumps(user["Password"])
    (ingress,) = resources_of_type(template, "AWS::EC2::SecurityGroupIngress").values()
    assert ingress["Properties"]["FromPort"] == 61614  # STOMP over TLS, nothing else


def test_the_user_pool_signs_in_by_email_and_its_client_has_a_secret_and_our_urls(
    synthesized: Synthesized,
) -> None:
    template = synthesized.template("Identity")
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {"AliasAttributes": ["email"], "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True}},
    )
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "GenerateSecret": True,
            "AllowedOAuthFlows": ["code"],
            "CallbackURLs": ["https://todo.example.com/accounts/amazon-cognito/login/callback/"],
            "LogoutURLs": ["https://todo.example.com/"],
        },
    )
    template.has_resource_properties(
        "AWS::Cognito::UserPoolDomain", {"Domain": "todo-production-123456789012"}
    )
    # The client secret is copied by CloudFormation, never written into the template.
    template.has_resource_properties(
        "AWS::SecretsManager::Secret",
        {"SecretString": {"Fn::GetAtt": [Match.any_value(), "ClientSecret"]}},
    )


def test_the_attachments_bucket_is_private_and_encrypted(synthesized: Synthesized) -> None:
    template = synthesized.json("AttachmentsBucket")
    (bucket,) = resources_of_type(template, "AWS::S3::Bucket").values()
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert "CorsConfiguration" not in properties
    (policy,) = resources_of_type(template, "AWS::S3::BucketPolicy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"  # plain HTTP refused
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_image_tags_are_immutable_so_a_tag_names_one_image(synthesized: Synthesized) -> None:
    synthesized.template("Registry").has_resource_properties(
        "AWS::ECR::Repository",
        {"RepositoryName": "stratospheric-todo", "ImageTagMutability": "IMMUTABLE"},
    )


def test_stacks_are_named_for_the_environment_and_what_they_hold(
    synthesized: Synthesized,
) -> None:
    names = {stack.stack_name for stack in synthesized.stacks}
    assert names == {
        "stratospheric-todo-registry",
        *(
            f"production-todo-{what}"
            for what in (
                "network",
                "database",
                "messaging",
                "broker",
                "tracing-table",
                "identity",
                "attachments-bucket",
                "app-secrets",
                "jobs",
                "service",
                "monitoring",
                "waf",
            )
        ),
    }


def test_missing_context_is_named_in_the_error() -> None:
    context = {k: v for k, v in CONTEXT.items() if k not in ("domain", "imageTag")}
    with pytest.raises(MissingContextError, match=re.escape("-c domain=…, -c imageTag=…")):
        build_app(context)


def test_data_is_protected_from_deletion_in_production(synthesized: Synthesized) -> None:
    synthesized.template("TracingTable").has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "DeletionProtectionEnabled": True,
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )
    synthesized.template("Network").has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {
            "LoadBalancerAttributes": Match.array_with(
                [{"Key": "deletion_protection.enabled", "Value": "true"}]
            )
        },
    )


def test_the_load_balancer_logs_access_to_a_bucket_that_expires_them(
    synthesized: Synthesized,
) -> None:
    template = synthesized.json("Network")
    (balancer,) = resources_of_type(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: a["Value"] for a in balancer["Properties"]["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.enabled"] == "true"
    (bucket_id,) = resources_of_type(template, "AWS::S3::Bucket")
    assert attributes["access_logs.s3.bucket"] == {"Ref": bucket_id}
    bucket = template["Resources"][bucket_id]["Properties"]
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 90
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
