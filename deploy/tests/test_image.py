"""The Dockerfile installs exactly the locked runtime dependencies, compiles the bytecode at
build time, and ships what the tasks need (the RDS CA bundle) but no dev files.

No image is built here (no container registry is reachable for the base image); these read
the build's instructions, which the image build in CI then carries out."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
IGNORED = [
    line.strip()
    for line in (ROOT / ".dockerignore").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_the_image_installs_the_locked_runtime_dependencies_with_their_hashes() -> None:
    steps = instructions()
    copy = next(i for i, s in enumerate(steps) if s.startswith("COPY requirements/app.txt"))
    install = next(i for i, s in enumerate(steps) if "pip install" in s)
    assert copy < install
    assert "--require-hashes" in steps[install]
    assert "--no-compile" not in DOCKERFILE
    assert "pyproject.toml" not in " ".join(s for s in steps if s.startswith(("COPY", "RUN")))


def test_the_code_is_byte_compiled_after_it_is_copied_and_before_the_user_drops_root() -> None:
    steps = instructions()
    code = steps.index("COPY . .")
    compile_step = next(i for i, s in enumerate(steps) if "compileall" in s)
    user = next(i for i, s in enumerate(steps) if s.startswith("USER "))
    assert code < compile_step < user


def test_the_build_context_leaves_out_dev_files_but_not_what_the_tasks_read() -> None:
    for pattern in ("deploy/node_modules", "requirements/dev.txt", "requirements/run.txt"):
        assert pattern in IGNORED, pattern
    for needed in ("requirements/app.txt", "deploy/certs", "deploy/entrypoint.sh"):
        assert not any(needed.startswith(pattern) for pattern in IGNORED), needed
    assert (ROOT / "deploy" / "certs" / "rds-global-bundle.pem").read_text().count(
        "BEGIN CERTIFICATE"
    ) > 100  # every region's RDS CAs
