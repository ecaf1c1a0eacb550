"""One synthesis of the whole CDK app per test session, by the pinned CDK CLI
(deploy/package-lock.json) exactly as a deploy runs it, with no AWS credentials: the
templates every test asserts on are the CLI's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Node 20 still runs jsii; its end-of-life banner is noise in the test output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk.assertions import Template

CDK_DIR = Path(__file__).resolve().parents[1]
CDK_CLI = CDK_DIR.parent / "node_modules" / ".bin" / "cdk"
CERTIFICATE_ARN = (
    "arn:aws:acm:eu-central-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
)
# Production: the strictest settings (multi-AZ database, deletion protection, the canary).
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
class StackInfo:
    id: str
    stack_name: str


@dataclass
class Synthesized:
    outdir: Path
    stacks: list[StackInfo]
    cli_output: str
    _templates: dict[str, Template] = field(default_factory=dict)

    def template(self, stack_id: str) -> Template:
        if stack_id not in self._templates:
            self._templates[stack_id] = Template.from_json(self.json(stack_id))
        return self._templates[stack_id]

    def json(self, stack_id: str) -> dict[str, Any]:
        template: dict[str, Any] = json.loads(
            (self.outdir / f"{stack_id}.template.json").read_text()
        )
        return template


def cli_environment(home: Path) -> dict[str, str]:
    """Nothing of AWS: no keys, no profile, no instance metadata; no network calls of the
    CLI's own (version check, notices)."""
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "CDK_DISABLE_VERSION_CHECK": "1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }


def cdk_synth(outdir: Path, home: Path, context: dict[str, str]) -> subprocess.Popen[str]:
    """Starts the pinned CLI's `cdk synth` into `outdir`; its output goes to outdir.log."""
    assert CDK_CLI.exists(), f"{CDK_CLI} is missing: `make test` installs it (npm ci in deploy/)"
    flags = [arg for key, value in context.items() for arg in ("-c", f"{key}={value}")]
    with outdir.with_suffix(".log").open("w") as log:
        return subprocess.Popen(
            [str(CDK_CLI), "synth", "--quiet", "--no-notices", "--output", str(outdir), *flags],
            cwd=CDK_DIR,
            env=cli_environment(home),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )


_started: dict[str, Any] = {}


def pytest_collection_finish(session: pytest.Session) -> None:
    """The synthesis takes a while (a Node.js CLI running a Python app on jsii): it starts as
    soon as the tests are collected, on the other core, while the suite's first tests run."""
    if not any("synthesized" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    workdir = Path(tempfile.mkdtemp(prefix="cdk-synth-"))
    (workdir / "home").mkdir()
    _started.update(
        workdir=workdir, process=cdk_synth(workdir / "cdk.out", workdir / "home", CONTEXT)
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    process = _started.get("process")
    if process is not None and process.poll() is None:  # the run stopped before needing it
        process.kill()
        process.wait()
    if "workdir" in _started:
        shutil.rmtree(_started["workdir"], ignore_errors=True)


@pytest.fixture(scope="session")
def synthesized() -> Synthesized:
    assert _started, "the synthesis was not started at collection"
    process: subprocess.Popen[str] = _started["process"]
    outdir: Path = _started["workdir"] / "cdk.out"
    process.wait(timeout=600)
    output = outdir.with_suffix(".log").read_text()
    assert process.returncode == 0, output
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert "missing" not in manifest, manifest["missing"]  # no lookup was left to do
    stacks = [
        StackInfo(id=artifact_id, stack_name=artifact["properties"]["stackName"])
        for artifact_id, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    ]
    return Synthesized(outdir=outdir, stacks=stacks, cli_output=output)
