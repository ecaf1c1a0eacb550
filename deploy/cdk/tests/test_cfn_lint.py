"""cfn-lint over every synthesized template: no error, no warning.

Two warnings are silenced where they arise, on the resource, with the reason beside it:
W3010 on the subnets (zones are named so that synthesis needs no AWS lookup; README.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import Synthesized


def test_cfn_lint_passes_every_template_without_a_warning(synthesized: Synthesized) -> None:
    templates = sorted(str(path) for path in synthesized.outdir.glob("*.template.json"))
    assert len(templates) == len(synthesized.stacks)
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "--format", "parseable", *templates],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
