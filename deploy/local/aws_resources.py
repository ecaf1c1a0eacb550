"""Creates the AWS resources the app needs in a local moto server, as the CDK app does in AWS.

Used by `make run` (deploy/local/run.py) and by the test fixtures.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

import boto3

SEED_USERS = ("duke", "tom", "bjoern", "philip")
SEED_PASSWORD = "stratospheric"


def local_client(service: str, endpoint_url: str, region: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@dataclass
class CognitoPool:
    user_pool_id: str
    client_id: str
    client_secret: str


def create_cognito_pool(
    endpoint_url: str, region: str, *, callback_urls: list[str], logout_urls: list[str]
) -> CognitoPool:
    cognito = local_client("cognito-idp", endpoint_url, region)
    pool = cognito.create_user_pool(
        PoolName="stratospheric-local",
        # Loose enough for the seed password; production's policy lives in deploy/cdk.
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": False,
                "RequireLowercase": True,
                "RequireNumbers": False,
                "RequireSymbols": False,
            }
        },
        AutoVerifiedAttributes=["email"],
        UsernameAttributes=[],
    )["UserPool"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="stratospheric-web",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
        CallbackURLs=callback_urls,
        LogoutURLs=logout_urls,
    )["UserPoolClient"]
    return CognitoPool(pool["Id"], client["ClientId"], client["ClientSecret"])


def create_user(
    endpoint_url: str, region: str, pool: CognitoPool, username: str, password: str
) -> None:
    """A confirmed user with a permanent password (no first-login password change)."""
    cognito = local_client("cognito-idp", endpoint_url, region)
    cognito.admin_create_user(
        UserPoolId=pool.user_pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@stratospheric.dev"},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": username.capitalize()},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool.user_pool_id, Username=username, Password=password, Permanent=True
    )


def seed_users(endpoint_url: str, region: str, pool: CognitoPool) -> None:
    for username in SEED_USERS:
        create_user(endpoint_url, region, pool, username, SEED_PASSWORD)


@dataclass
class SharingQueues:
    queue_url: str
    dlq_url: str


def create_sharing_queues(
    endpoint_url: str,
    region: str,
    *,
    queue_name: str,
    dlq_name: str,
    max_receive_count: int = 3,
    visibility_timeout_s: int = 120,
) -> SharingQueues:
    """The sharing queue and its dead-letter queue with deploy/cdk's settings: visibility
    timeout 120 s (above the worker's 60 s claim timeout), long polling 20 s, retention 4 days
    (the DLQ 14), dead-letter queue on the 3rd receive."""
    sqs = local_client("sqs", endpoint_url, region)
    dlq_url = sqs.create_queue(
        QueueName=dlq_name, Attributes={"MessageRetentionPeriod": str(14 * 24 * 3600)}
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=queue_name,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout_s),
            "ReceiveMessageWaitTimeSeconds": "20",
            "MessageRetentionPeriod": str(4 * 24 * 3600),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
            ),
        },
    )["QueueUrl"]
    return SharingQueues(queue_url=queue_url, dlq_url=dlq_url)


def verify_email_sender(endpoint_url: str, region: str, sender: str) -> None:
    """SES sends only from verified identities; moto enforces that too."""
    local_client("ses", endpoint_url, region).verify_email_identity(EmailAddress=sender)


ATTACHMENTS_BUCKET = "stratospheric-todo-attachments"


def create_attachments_bucket(endpoint_url: str, region: str, bucket: str) -> None:
    """The private bucket for todo attachments (idempotent), with public access blocked as in
    AWS; downloads go through presigned URLs."""
    s3 = local_client("s3", endpoint_url, region)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
