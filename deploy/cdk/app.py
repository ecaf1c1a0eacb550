"""The CDK app: `cdk deploy -c environmentName=staging -c account=… …` (see README.md,
"Deploying to AWS"). Run from deploy/cdk; the stacks live in the `stacks` package."""

from stacks import build_app

if __name__ == "__main__":
    build_app().app.synth()
