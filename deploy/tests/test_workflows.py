"""The GitHub Actions workflows keep their promises: deploys never overlap, AWS access is by
OIDC role only, production comes after staging, and CI runs the same `make test`."""

from __future__ import annotations

import re
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


def test_every_action_is_pinned_by_commit_sha() -> None:
    for name in ("ci-cd.yml", "deploy.yml"):
        for job in load(name)["jobs"].values():
            for step in job.get("steps", []):
                uses = step.get("uses")
                if uses:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), uses
        # The release each SHA stands for is written beside it, for the next bump.
        for line in (WORKFLOWS / name).read_text().splitlines():
            if "uses: " in line and "@" in line:
                assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def test_a_deploy_uses_the_locked_tools_and_smoke_tests_before_production_may_start() -> None:
    (job,) = load("deploy.yml")["jobs"].values()
    commands = [step.get("run", "") for step in job["steps"]]
    text = "\n".join(commands)
    assert "npx" not in text and "pip install" not in text
    assert any(c.startswith("make tools") for c in commands)
    everything = next(i for i, c in enumerate(commands) if "deploy --all" in c)
    ready = next(i for i, c in enumerate(commands) if "/health/ready" in c)
    canary = next(i for i, c in enumerate(commands) if "deploy/canary/run.js" in c)
    assert everything < ready < canary == len(commands) - 1
    assert "--fail" in commands[ready]
    # Production's deploy needs staging's whole job, smoke test included.
    assert load("ci-cd.yml")["jobs"]["deploy-production"]["needs"] == "deploy-staging"
