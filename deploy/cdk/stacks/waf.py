"""The edge's own anti-automation: an AWS WAF web ACL on the load balancer.

- A rate-based rule per client IP over everything, and a tighter one on the pages that
  invite guessing (registration with its invitation code, the start of a login).
- AWS's managed common rule set (the OWASP-style basics), except its 8 KB body rule, which
  would refuse every attachment upload; the body-size rule below replaces it.
- A body-size rule: any body over 8 KB is refused, except on the attachment upload (whose
  size the app limits while streaming, ATTACHMENT_MAX_BYTES). The ALB hands WAF the first
  8 KB of a body, so "more than 8 KB" is what it can judge.
The app's own limits (django-ratelimit, per user and per IP) stay the finer-grained ones.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from .config import DeployConfig

# Requests per client IP in any 5 minutes (WAF's evaluation window).
RATE_LIMIT_ALL = 2000
RATE_LIMIT_AUTH = 100
BODY_LIMIT_BYTES = 8 * 1024
AUTH_PATHS = r"^/(register|accounts/amazon-cognito/login/)"
UPLOAD_PATH = r"^/todo/[0-9]+/attachments$"


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _path_matches(regex: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(
        regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            regex_string=regex,
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
            ],
        )
    )


def _block(
    name: str, priority: int, statement: wafv2.CfnWebACL.StatementProperty
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=statement,
        visibility_config=_visibility(name),
    )


class WafStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: DeployConfig,
        load_balancer: elbv2.IApplicationLoadBalancer,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        rules = [
            _block(
                "rate-per-ip",
                0,
                wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=RATE_LIMIT_ALL, aggregate_key_type="IP"
                    )
                ),
            ),
            _block(
                "auth-rate-per-ip",
                1,
                wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=RATE_LIMIT_AUTH,
                        aggregate_key_type="IP",
                        scope_down_statement=_path_matches(AUTH_PATHS),
                    )
                ),
            ),
            wafv2.CfnWebACL.RuleProperty(
                name="aws-common-rules",
                priority=2,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name="AWSManagedRulesCommonRuleSet",
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name="SizeRestrictions_BODY",
                                action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}),
                            )
                        ],
                    )
                ),
                visibility_config=_visibility("aws-common-rules"),
            ),
            _block(
                "body-size",
                3,
                wafv2.CfnWebACL.StatementProperty(
                    and_statement=wafv2.CfnWebACL.AndStatementProperty(
                        statements=[
                            wafv2.CfnWebACL.StatementProperty(
                                size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                                        body=wafv2.CfnWebACL.BodyProperty(oversize_handling="MATCH")
                                    ),
                                    comparison_operator="GT",
                                    size=BODY_LIMIT_BYTES,
                                    text_transformations=[
                                        wafv2.CfnWebACL.TextTransformationProperty(
                                            priority=0, type="NONE"
                                        )
                                    ],
                                )
                            ),
                            wafv2.CfnWebACL.StatementProperty(
                                not_statement=wafv2.CfnWebACL.NotStatementProperty(
                                    statement=_path_matches(UPLOAD_PATH)
                                )
                            ),
                        ]
                    )
                ),
            ),
        ]
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=config.name("web-acl"),
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            visibility_config=_visibility(config.name("web-acl")),
        )
        wafv2.CfnWebACLAssociation(
            self,
            "LoadBalancerAssociation",
            resource_arn=load_balancer.load_balancer_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )
