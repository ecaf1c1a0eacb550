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
import threading
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


class Background(threading.Thread):
    """`cdk synth` by the pinned CLI, then cfn-lint over its templates, on the other core
    while the suite's first tests run: both take a while (a Node.js CLI running a Python app
    on jsii, then a linter over a dozen templates)."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(name="cdk-synth", daemon=True)
        self.outdir = workdir / "cdk.out"
        self.home = workdir / "home"
        self.home.mkdir()
        self.synth_done, self.lint_done = threading.Event(), threading.Event()
        self.synth: tuple[int, str] | None = None  # (exit code, output)
        self.lint: tuple[int, str] | None = None
        self.process: subprocess.Popen[str] | None = None
        self.stopping = False

    def _run(self, command: list[str], **kwargs: Any) -> tuple[int, str]:
        if self.stopping:
            return -1, "stopped"
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs
        )
        output, _ = self.process.communicate(timeout=600)
        return self.process.returncode, output

    def run(self) -> None:
        flags = [arg for key, value in CONTEXT.items() for arg in ("-c", f"{key}={value}")]
        try:
            if not CDK_CLI.exists():
                self.synth = (-1, f"{CDK_CLI} is missing: `make test` installs it (npm ci)")
            else:
                self.synth = self._run(
                    [
                        str(CDK_CLI),
                        "synth",
                        "--quiet",
                        "--no-notices",
                        "--output",
                        str(self.outdir),
                        *flags,
                    ],
                    cwd=CDK_DIR,
                    env=cli_environment(self.home),
                )
        finally:
            self.synth_done.set()
        try:
            if self.synth and self.synth[0] == 0:
                templates = sorted(str(p) for p in self.outdir.glob("*.template.json"))
                cfn_lint = Path(sys.executable).with_name("cfn-lint")
                self.lint = self._run([str(cfn_lint), "--format", "parseable", *templates])
        finally:
            self.lint_done.set()

    def stop(self) -> None:
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.kill()


_started: dict[str, Any] = {}


def pytest_collection_finish(session: pytest.Session) -> None:
    wanted = any("synthesized" in getattr(item, "fixturenames", ()) for item in session.items)
    if not wanted or session.config.option.collectonly:
        return
    workdir = Path(tempfile.mkdtemp(prefix="cdk-synth-"))
    background = Background(workdir)
    background.start()
    _started.update(workdir=workdir, background=background)


def pytest_sessionfinish(session: pytest.Session) -> None:
    background: Background | None = _started.get("background")
    if background is not None:
        background.stop()  # when the run stopped before it finished
        background.join(timeout=30)
        shutil.rmtree(_started["workdir"], ignore_errors=True)


@pytest.fixture(scope="session")
def synthesized() -> Synthesized:
    assert _started, "the synthesis was not started at collection"
    background: Background = _started["background"]
    assert background.synth_done.wait(timeout=600), "cdk synth did not finish"
    assert background.synth is not None
    code, output = background.synth
    assert code == 0, output
    outdir = background.outdir
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert "missing" not in manifest, manifest["missing"]  # no lookup was left to do
    stacks = [
        StackInfo(id=artifact_id, stack_name=artifact["properties"]["stackName"])
        for artifact_id, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    ]
    return Synthesized(outdir=outdir, stacks=stacks, cli_output=output)


@pytest.fixture(scope="session")
def cfn_lint_result(synthesized: Synthesized) -> tuple[int, str]:
    """cfn-lint's exit code and output over every template of `synthesized`."""
    background: Background = _started["background"]
    assert background.lint_done.wait(timeout=600), "cfn-lint did not finish"
    assert background.lint is not None
    return background.lint
