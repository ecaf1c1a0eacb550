"""One offline synthesis of the whole CDK app per test session (jsii makes each one slow)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Node 20 still runs jsii; its end-of-life banner is noise in the test output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk.assertions import Template

from deploy.cdk.stacks import TodoApp, build_app

CDK_DIR = Path(__file__).resolve().parents[1]
CERTIFICATE_ARN = (
    "arn:aws:acm:eu-central-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
)
# Production: the strictest settings (multi-AZ database, deletion protection).
CONTEXT = {
    "environmentName": "production",
    "account": "123456789012",
    "region": "eu-central-1",
    "domain": "todo.example.com",
    "certificateArn": CERTIFICATE_ARN,
    "imageTag": "0123abcd",
    "alarmEmail": "oncall@example.com",
    "sesSender": "noreply@example.com",
}


@dataclass
class Synthesized:
    todo: TodoApp
    outdir: Path
    templates: dict[str, Template]

    def template(self, stack_id: str) -> Template:
        return self.templates[stack_id]

    def json(self, stack_id: str) -> dict[str, Any]:
        template: dict[str, Any] = json.loads(
            (self.outdir / f"{stack_id}.template.json").read_text()
        )
        return template


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    outdir = tmp_path_factory.mktemp("cdk.out")
    # The feature flags of cdk.json apply as they do for `cdk synth`.
    flags = json.loads((CDK_DIR / "cdk.json").read_text())["context"]
    todo = build_app({**flags, **CONTEXT}, outdir=str(outdir))
    todo.app.synth()
    templates = {stack.node.id: Template.from_stack(stack) for stack in todo.stacks}
    return Synthesized(todo=todo, outdir=outdir, templates=templates)
