"""cfn-lint over every synthesized template: no error, no warning.

Two warnings are silenced where they arise, on the resource, with the reason beside it:
W3010 on the subnets (zones are named so that synthesis needs no AWS lookup; README.md) and
W3005 on CDK's log-retention function. cfn-lint runs right after the synthesis, in the
background (conftest.py).
"""

from __future__ import annotations

from .conftest import Synthesized


def test_cfn_lint_passes_every_template_without_a_warning(
    synthesized: Synthesized, cfn_lint_result: tuple[int, str]
) -> None:
    templates = list(synthesized.outdir.glob("*.template.json"))
    assert len(templates) == len(synthesized.stacks)
    code, output = cfn_lint_result
    assert code == 0, output
    assert output == ""
