"""The canary: CloudWatch Synthetics runs deploy/canary/canary.js every 5 minutes against the
public URL (a user's way in: DNS, the ALB, the app, Cognito's hosted UI), as the dedicated
canary user whose password is in Secrets Manager (IdentityStack.canary_secret), and an
alarm fires when its runs fail."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_synthetics as synthetics
from constructs import Construct

from .app_container import AppResources

CANARY_SCRIPT_DIR = Path(__file__).resolve().parents[2] / "canary"
# The newest Playwright runtime of this aws-cdk-lib (Playwright 1.58, Node.js 22); the local
# runs use the same playwright-core version (deploy/package.json).
RUNTIME = synthetics.Runtime.SYNTHETICS_NODEJS_PLAYWRIGHT_6_0
SCHEDULE = Duration.minutes(5)


class CanaryMonitor(Construct):
    def __init__(self, scope: Construct, id: str, *, resources: AppResources) -> None:
        super().__init__(scope, id)
        config = resources.config
        secret = resources.identity.canary_secret
        # Screenshots, HAR files and logs of each run; kept a month.
        self.artifacts = s3.Bucket(
            self,
            "Artifacts",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(30))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.canary = synthetics.Canary(
            self,
            "Canary",
            canary_name=f"{config.environment_name}-canary"[:21],  # at most 21 characters
            runtime=RUNTIME,
            test=synthetics.Test.custom(
                code=synthetics.Code.from_asset(
                    str(CANARY_SCRIPT_DIR), exclude=["run.js", "create-user.sh", "*.md"]
                ),
                handler="canary.handler",
            ),
            schedule=synthetics.Schedule.rate(SCHEDULE),
            timeout=Duration.minutes(2),
            environment_variables={
                "BASE_URL": config.external_url,
                "CANARY_SECRET_ID": secret.secret_arn,
            },
            artifacts_bucket_location=synthetics.ArtifactsBucketLocation(bucket=self.artifacts),
            success_retention_period=Duration.days(7),
            failure_retention_period=Duration.days(30),
            start_after_creation=True,
            provisioned_resource_cleanup=True,
        )
        secret.grant_read(self.canary.role)
        # Two failed runs out of three (10 of 15 minutes); no runs at all is a failure too.
        self.alarm = self.canary.metric_success_percent(
            period=SCHEDULE, statistic="Average"
        ).create_alarm(
            self,
            "SuccessRate",
            alarm_name=config.name("canary"),
            alarm_description=(
                "The canary could not sign in, open the dashboard, add and delete a todo "
                "(run artifacts in the canary's bucket)"
            ),
            threshold=100,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
