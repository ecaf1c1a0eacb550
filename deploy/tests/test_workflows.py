"""The GitHub Actions workflows keep their promises: deploys never overlap, AWS access is by
OIDC role only, production comes after staging, and CI runs the same `make test`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return workflow


def test_ci_runs_make_test_and_production_follows_staging() -> None:
    jobs = load("ci-cd.yml")["jobs"]
    assert {"run": "make test"} in jobs["test"]["steps"]
    assert jobs["build"]["needs"] == "test"
    assert jobs["deploy-staging"]["with"]["environment"] == "staging"
    assert jobs["deploy-production"]["needs"] == "deploy-staging"
    assert jobs["deploy-production"]["with"]["environment"] == "production"


def test_a_deploy_waits_for_the_running_one_of_its_environment() -> None:
    (job,) = load("deploy.yml")["jobs"].values()
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["concurrency"] == {
        "group": "deploy-${{ inputs.environment }}",
        "cancel-in-progress": False,
    }
    commands = [step.get("run", "") for step in job["steps"]]
    jobs_stack, migrate, everything = (
        next(i for i, c in enumerate(commands) if needle in c)
        for needle in ("deploy Jobs", "run-migrations.sh", "deploy --all")
    )
    assert jobs_stack < migrate < everything


def test_aws_is_reached_through_an_oidc_role_never_stored_keys() -> None:
    assuming = 0
    for name in ("ci-cd.yml", "deploy.yml"):
        text = (WORKFLOWS / name).read_text()
        assert "aws-access-key-id" not in text
        assert "secrets.AWS" not in text
        workflow = load(name)
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials"):
                    assuming += 1
                    assert step["with"]["role-to-assume"].startswith("${{ vars.")
                    permissions = job.get("permissions", workflow["permissions"])
                    assert permissions["id-token"] == "write"
    assert assuming == 2  # the build (push to ECR) and the deploy
