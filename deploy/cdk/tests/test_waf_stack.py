"""The web ACL on the load balancer: rate-based rules, AWS's common rules, a body-size rule."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match

from .conftest import Synthesized
from .test_data_stacks import resources_of_type


def rules(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    (acl,) = resources_of_type(synthesized.json("Waf"), "AWS::WAFv2::WebACL").values()
    assert acl["Properties"]["Scope"] == "REGIONAL"
    assert acl["Properties"]["DefaultAction"] == {"Allow": {}}
    return {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}


def test_a_rate_based_rule_blocks_a_flood_from_one_ip(synthesized: Synthesized) -> None:
    rule = rules(synthesized)["rate-per-ip"]
    assert rule["Action"] == {"Block": {}}
    assert rule["Statement"]["RateBasedStatement"] == {"Limit": 2000, "AggregateKeyType": "IP"}
    auth = rules(synthesized)["auth-rate-per-ip"]["Statement"]["RateBasedStatement"]
    assert auth["Limit"] == 100
    assert "register" in json.dumps(auth["ScopeDownStatement"])


def test_the_aws_common_rule_set_applies_except_its_8kb_body_rule(
    synthesized: Synthesized,
) -> None:
    group = rules(synthesized)["aws-common-rules"]
    assert group["OverrideAction"] == {"None": {}}
    statement = group["Statement"]["ManagedRuleGroupStatement"]
    assert (statement["VendorName"], statement["Name"]) == ("AWS", "AWSManagedRulesCommonRuleSet")
    assert statement["RuleActionOverrides"] == [
        {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}
    ]


def test_a_body_size_rule_blocks_large_bodies_except_uploads(synthesized: Synthesized) -> None:
    rule = rules(synthesized)["body-size"]
    assert rule["Action"] == {"Block": {}}
    size, not_upload = rule["Statement"]["AndStatement"]["Statements"]
    constraint = size["SizeConstraintStatement"]
    assert (constraint["ComparisonOperator"], constraint["Size"]) == ("GT", 8192)
    assert constraint["FieldToMatch"] == {"Body": {"OversizeHandling": "MATCH"}}
    upload = not_upload["NotStatement"]["Statement"]["RegexMatchStatement"]
    assert upload["RegexString"] == r"^/todo/[0-9]+/attachments$"


def test_the_web_acl_is_attached_to_the_load_balancer(synthesized: Synthesized) -> None:
    synthesized.template("Waf").has_resource_properties(
        "AWS::WAFv2::WebACLAssociation",
        {
            "ResourceArn": {"Fn::ImportValue": Match.string_like_regexp("network.*LoadBalancer")},
            "WebACLArn": {"Fn::GetAtt": [Match.string_like_regexp("WebAcl"), "Arn"]},
        },
    )
