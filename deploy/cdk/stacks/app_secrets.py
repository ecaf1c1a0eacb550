"""The app's own secrets, generated once per environment: Django's SECRET_KEY, the key that
encrypts Cognito refresh tokens at rest (TOKEN_ENCRYPTION_KEY) and the invitation codes that
open registration (operators may replace the generated code with their own comma-separated
list in Secrets Manager)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from .config import DeployConfig


class AppSecretsStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.secret_key = secretsmanager.Secret(
            self,
            "DjangoSecretKey",
            secret_name=f"{config.environment_name}/todo/django-secret-key",
            description="Django SECRET_KEY of the todo app",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        self.token_encryption_key = secretsmanager.Secret(
            self,
            "TokenEncryptionKey",
            secret_name=f"{config.environment_name}/todo/token-encryption-key",
            description="TOKEN_ENCRYPTION_KEY: encrypts Cognito refresh tokens in sessions",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        self.invitation_codes = secretsmanager.Secret(
            self,
            "InvitationCodes",
            secret_name=f"{config.environment_name}/todo/invitation-codes",
            description="Comma-separated invitation codes that allow registration",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=20, exclude_punctuation=True
            ),
        )
