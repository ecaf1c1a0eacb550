"""The Cognito user pool, its hosted-UI domain and the app's client (with a secret)."""

from __future__ import annotations

import json
from typing import Any, cast

from aws_cdk import Duration, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from .config import DeployConfig

CALLBACK_PATH = "/accounts/amazon-cognito/login/callback/"
CANARY_USERNAME = "canary"


class IdentityStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=config.name("users"),
            # Registration goes through the app (invitation codes, AdminCreateUser).
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=False,
                temp_password_validity=Duration.days(7),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Temporary passwords and resets go out through our verified SES identity.
            email=cognito.UserPoolEmail.with_ses(
                from_email=config.ses_sender,
                from_name="Stratospheric Todo",
                ses_region=config.region,
                ses_verified_domain=config.ses_identity,
            ),
            deletion_protection=config.is_production,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.domain = self.user_pool.add_domain(
            "HostedUi",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=config.cognito_domain_prefix),
        )
        self.client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=config.name("web"),
            generate_secret=True,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[
                    cognito.OAuthScope.OPENID,
                    cognito.OAuthScope.EMAIL,
                    cognito.OAuthScope.PROFILE,
                ],
                callback_urls=[f"{config.external_url}{CALLBACK_PATH}"],
                logout_urls=[f"{config.external_url}/"],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
        )
        # The client secret exists only inside Cognito; a copy in Secrets Manager lets ECS
        # inject it as a secret like every other credential.
        self.client_secret = secretsmanager.Secret(
            self,
            "WebClientSecret",
            secret_name=f"{config.environment_name}/todo/cognito-client-secret",
            description="Client secret of the Cognito app client of the todo app",
            # The CloudFormation attribute, not CDK's user_pool_client_secret (a Lambda-backed
            # custom resource calling DescribeUserPoolClient).
            secret_string_value=SecretValue.resource_attribute(
                cast(cognito.CfnUserPoolClient, self.client.node.default_child).attr_client_secret
            ),
        )
        self.domain_url = self.domain.base_url()
        # The canary's own user (deploy/canary): its name and a generated password that
        # fits the pool's policy. deploy/canary/create-user.sh creates the user from it.
        self.canary_secret = secretsmanager.Secret(
            self,
            "CanaryUser",
            secret_name=f"{config.environment_name}/todo/canary-user",
            description="Cognito user of the canary (deploy/canary): username and password",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"username": CANARY_USERNAME}),
                generate_string_key="password",
                exclude_punctuation=True,
                require_each_included_type=True,
                password_length=32,
            ),
        )
