"""The network, the services and the jobs: what runs, with which permissions and secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Match

from .conftest import CERTIFICATE_ARN, Synthesized
from .test_data_stacks import resources_of_type

# Every setting the app reads in AWS (README.md, Environment variables).
APP_ENVIRONMENT = {
    "ALLOWED_HOSTS",
    "EXTERNAL_URL",
    "AWS_REGION",
    "DATABASE_HOST",
    "DATABASE_PORT",
    "DATABASE_NAME",
    "DATABASE_SSLMODE",
    "PGSSLROOTCERT",
    "COGNITO_DOMAIN",
    "COGNITO_CLIENT_ID",
    "COGNITO_USER_POOL_ID",
    "SHARING_QUEUE_NAME",
    "SHARING_DLQ_NAME",
    "TRACING_TABLE_NAME",
    "ATTACHMENTS_BUCKET",
    "EMAIL_FROM",
}
# What each process reads from Secrets Manager, and nothing more.
SECRETS_OF = {
    "web": {
        "SECRET_KEY",
        "TOKEN_ENCRYPTION_KEY",
        "DATABASE_USER",
        "DATABASE_PASSWORD",
        "ACTIVEMQ_USER",
        "ACTIVEMQ_PASSWORD",
        "COGNITO_CLIENT_SECRET",
        "INVITATION_CODES",
    },
    "worker": {
        "SECRET_KEY",
        "TOKEN_ENCRYPTION_KEY",
        "DATABASE_USER",
        "DATABASE_PASSWORD",
        "ACTIVEMQ_USER",
        "ACTIVEMQ_PASSWORD",
    },
    "migrate": {"SECRET_KEY", "TOKEN_ENCRYPTION_KEY", "DATABASE_USER", "DATABASE_PASSWORD"},
    "reminders": {"SECRET_KEY", "TOKEN_ENCRYPTION_KEY", "DATABASE_USER", "DATABASE_PASSWORD"},
    # Due-soon notices are pushed as toasts too.
    "due-soon": {
        "SECRET_KEY",
        "TOKEN_ENCRYPTION_KEY",
        "DATABASE_USER",
        "DATABASE_PASSWORD",
        "ACTIVEMQ_USER",
        "ACTIVEMQ_PASSWORD",
    },
}
SECRET_NAMES = set().union(*SECRETS_OF.values())


def containers(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Every container of every task definition, by its name (web, worker, migrate, …)."""
    found = {}
    for stack in ("Service", "Jobs"):
        for definition in resources_of_type(
            synthesized.json(stack), "AWS::ECS::TaskDefinition"
        ).values():
            for container in definition["Properties"]["ContainerDefinitions"]:
                found[container["Name"]] = {**container, "_task": definition["Properties"]}
    return found


def task_role_statements(synthesized: Synthesized, stack: str, family: str) -> list[dict]:  # type: ignore[type-arg]
    """The policy statements of the task role of the task definition of `family`."""
    template = synthesized.json(stack)
    definition = next(
        d
        for d in resources_of_type(template, "AWS::ECS::TaskDefinition").values()
        if d["Properties"]["Family"] == f"production-todo-{family}"
    )
    role = definition["Properties"]["TaskRoleArn"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def actions_of(statements: list[dict]) -> set[str]:  # type: ignore[type-arg]
    actions: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        actions.update([value] if isinstance(value, str) else value)
    return actions


def test_web_and_worker_run_the_same_image_with_their_own_command(
    synthesized: Synthesized,
) -> None:
    found = containers(synthesized)
    assert {name: c["Command"] for name, c in found.items()} == {
        "web": ["web"],
        "worker": ["worker"],
        "migrate": ["migrate"],
        "reminders": ["manage", "send_due_reminders"],
        "due-soon": ["manage", "announce_due_soon"],
    }
    images = {json.dumps(c["Image"]) for c in found.values()}
    assert len(images) == 1
    assert "stratospheric-todo:0123abcd" in images.pop()
    services = resources_of_type(synthesized.json("Service"), "AWS::ECS::Service")
    assert {s["Properties"]["ServiceName"] for s in services.values()} == {"web", "worker"}
    for service in services.values():
        assert service["Properties"]["LaunchType"] == "FARGATE"
        assert service["Properties"]["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {
            "Enable": True,
            "Rollback": True,
        }


def test_each_process_gets_only_its_secrets_as_ecs_secrets_never_as_plain_environment(
    synthesized: Synthesized,
) -> None:
    found = containers(synthesized)
    assert set(found) == set(SECRETS_OF)
    for name, container in found.items():
        environment = {e["Name"]: e["Value"] for e in container["Environment"]}
        secrets = {s["Name"] for s in container["Secrets"]}
        assert environment.keys() >= APP_ENVIRONMENT, name
        assert not SECRET_NAMES & environment.keys(), name
        assert "secretsmanager" not in json.dumps(environment), name
        assert secrets == SECRETS_OF[name], name
        # Only the processes that push talk to the broker.
        assert ("ACTIVEMQ_URL" in environment) == (name in ("web", "worker", "due-soon")), name
        for secret in container["Secrets"]:
            assert "ValueFrom" in secret


def test_each_execution_role_may_read_only_its_own_secrets(synthesized: Synthesized) -> None:
    for stack, family, readable in (
        ("Service", "web", {"DjangoSecretKey", "Postgres", "Credentials", "WebClientSecret"}),
        ("Service", "worker", {"DjangoSecretKey", "Postgres", "Credentials"}),
        ("Jobs", "migrate", {"DjangoSecretKey", "Postgres"}),
        ("Jobs", "reminders", {"DjangoSecretKey", "Postgres"}),
        ("Jobs", "due-soon", {"DjangoSecretKey", "Postgres", "Credentials"}),
    ):
        template = synthesized.json(stack)
        definition = next(
            d
            for d in resources_of_type(template, "AWS::ECS::TaskDefinition").values()
            if d["Properties"]["Family"] == f"production-todo-{family}"
        )
        role = definition["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
        statements = [
            statement
            for policy in resources_of_type(template, "AWS::IAM::Policy").values()
            if {"Ref": role} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            if "secretsmanager:GetSecretValue" in statement["Action"]
        ]
        resources = json.dumps([s["Resource"] for s in statements])
        for secret in ("DjangoSecretKey", "Postgres", "Credentials", "WebClientSecret"):
            assert (secret in resources) == (secret in readable), (family, secret)
        assert "InvitationCodes" in resources if family == "web" else True


def test_the_database_certificate_is_verified_with_the_rds_bundle_in_the_image(
    synthesized: Synthesized,
) -> None:
    root = Path(__file__).resolve().parents[3]
    for name, container in containers(synthesized).items():
        environment = {e["Name"]: e["Value"] for e in container["Environment"]}
        assert environment["DATABASE_SSLMODE"] == "verify-full", name
        bundle = environment["PGSSLROOTCERT"]
        assert bundle.startswith("/app/"), name  # the image's WORKDIR
        assert "BEGIN CERTIFICATE" in (root / bundle.removeprefix("/app/")).read_text()
    dockerignore = (root / ".dockerignore").read_text().split()
    assert not any(pattern.startswith("deploy/certs") for pattern in dockerignore)


def test_every_log_group_expires(synthesized: Synthesized) -> None:
    for stack in ("Service", "Jobs"):
        groups = resources_of_type(synthesized.json(stack), "AWS::Logs::LogGroup")
        assert groups
        for group in groups.values():
            assert group["Properties"]["RetentionInDays"] == 30
    # The groups RDS and Amazon MQ create themselves get theirs from CDK's function.
    for stack, names in (("Database", {"/postgresql"}), ("Broker", {"/general", "/audit"})):
        retentions = resources_of_type(synthesized.json(stack), "Custom::LogRetention")
        assert len(retentions) == len(names)
        for retention in retentions.values():
            assert retention["Properties"]["RetentionInDays"] == 30
        named = json.dumps([r["Properties"]["LogGroupName"] for r in retentions.values()])
        for name in names:
            assert name in named


def test_web_and_worker_roll_back_a_deployment_on_their_alarms(
    synthesized: Synthesized,
) -> None:
    services = {
        s["Properties"]["ServiceName"]: s
        for s in resources_of_type(synthesized.json("Service"), "AWS::ECS::Service").values()
    }
    for name, alarm in (
        ("web", "production-todo-alb-5xx"),
        ("worker", "production-todo-worker-deploy-emails-failed"),
    ):
        alarms = services[name]["Properties"]["DeploymentConfiguration"]["Alarms"]
        assert alarms == {"AlarmNames": [alarm], "Enable": True, "Rollback": True}


def test_the_app_is_configured_for_this_environment(synthesized: Synthesized) -> None:
    web = containers(synthesized)["web"]
    environment = {e["Name"]: e["Value"] for e in web["Environment"]}
    assert environment["ALLOWED_HOSTS"] == "todo.example.com"
    assert environment["EXTERNAL_URL"] == "https://todo.example.com"
    assert environment["EMAIL_FROM"] == "noreply@example.com"
    assert environment["PORT"] == "8000"
    assert environment["ACTIVEMQ_URL"]["Fn::Join"][1][0] == "failover:("
    assert web["PortMappings"][0]["ContainerPort"] == 8000
    assert web["LinuxParameters"]["InitProcessEnabled"] is True


def test_the_web_role_may_touch_only_this_queue_table_bucket_and_user_pool(
    synthesized: Synthesized,
) -> None:
    statements = task_role_statements(synthesized, "Service", "web")
    assert actions_of(statements) == {
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "dynamodb:BatchWriteItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:DescribeTable",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:ListBucket",
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminGetUser",
        "cognito-idp:ListUsers",
    }
    assert_named_resources_only(statements)
    resources = json.dumps([s["Resource"] for s in statements])
    for export in ("SharingQueue", "Breadcrumbs", "Attachments", "UserPool"):
        assert export in resources


def test_the_worker_role_consumes_the_queue_and_sends_email_only_as_our_sender(
    synthesized: Synthesized,
) -> None:
    statements = task_role_statements(synthesized, "Service", "worker")
    assert actions_of(statements) == {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "ses:SendEmail",
        "ses:SendRawEmail",
        "ses:GetSendQuota",
        "dynamodb:BatchWriteItem",
        "dynamodb:PutItem",
    }
    # GetSendQuota (the circuit breaker's probe) takes no resource; it alone may name "*".
    (probe,) = [s for s in statements if s["Action"] == "ses:GetSendQuota"]
    assert probe["Resource"] == "*"
    assert_named_resources_only([s for s in statements if s is not probe])
    (ses,) = [s for s in statements if "ses:SendRawEmail" in s["Action"]]
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": "noreply@example.com"}}
    assert "identity/example.com" in json.dumps(ses["Resource"])


def test_the_jobs_have_only_what_they_need(synthesized: Synthesized) -> None:
    assert task_role_statements(synthesized, "Jobs", "migrate") == []
    reminders = task_role_statements(synthesized, "Jobs", "reminders")
    assert actions_of(reminders) == {"ses:SendEmail", "ses:SendRawEmail"}
    assert_named_resources_only(reminders)


def assert_named_resources_only(statements: list[dict]) -> None:  # type: ignore[type-arg]
    for statement in statements:
        resources = statement["Resource"]
        for resource in resources if isinstance(resources, list) else [resources]:
            assert resource != "*", statement
            assert "*" not in json.dumps(resource).replace("/*", ""), statement


def test_the_load_balancer_checks_health_on_slash_health(synthesized: Synthesized) -> None:
    synthesized.template("Service").has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "HealthCheckPath": "/health",
            "Matcher": {"HttpCode": "200"},
            "Port": 8000,
            "Protocol": "HTTP",
            "TargetType": "ip",
        },
    )
    synthesized.template("Service").has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Conditions": [
                {"Field": "host-header", "HostHeaderConfig": {"Values": ["todo.example.com"]}}
            ],
            "Actions": [Match.object_like({"Type": "forward"})],
        },
    )


def test_https_is_served_with_our_certificate_and_http_redirects_to_it(
    synthesized: Synthesized,
) -> None:
    network = synthesized.template("Network")
    network.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": CERTIFICATE_ARN}],
        },
    )
    network.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [
                {
                    "Type": "redirect",
                    "RedirectConfig": {
                        "Port": "443",
                        "Protocol": "HTTPS",
                        "StatusCode": "HTTP_301",
                    },
                }
            ],
        },
    )
    network.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internet-facing"}
    )
    network.resource_count_is("AWS::ECS::Cluster", 1)


def test_both_services_scale_on_cpu_and_web_also_on_requests(synthesized: Synthesized) -> None:
    policies = resources_of_type(
        synthesized.json("Service"), "AWS::ApplicationAutoScaling::ScalingPolicy"
    )
    metrics = [
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"][
            "PredefinedMetricSpecification"
        ]["PredefinedMetricType"]
        for p in policies.values()
        if "TargetTrackingScalingPolicyConfiguration" in p["Properties"]
    ]
    assert sorted(metrics) == [
        "ALBRequestCountPerTarget",
        "ECSServiceAverageCPUUtilization",
        "ECSServiceAverageCPUUtilization",
    ]


def test_reminders_and_due_soon_notices_are_daily_fargate_tasks(synthesized: Synthesized) -> None:
    template = synthesized.json("Jobs")
    commands = []
    for rule in resources_of_type(template, "AWS::Events::Rule").values():
        assert rule["Properties"]["ScheduleExpression"] == "cron(0 6 * * ? *)"
        (target,) = rule["Properties"]["Targets"]
        assert target["EcsParameters"]["LaunchType"] == "FARGATE"
        assert target["EcsParameters"]["TaskCount"] == 1
        task_definition_id = target["EcsParameters"]["TaskDefinitionArn"]["Ref"]
        definition = template["Resources"][task_definition_id]["Properties"]
        commands.append(definition["ContainerDefinitions"][0]["Command"])
    assert sorted(commands) == [
        ["manage", "announce_due_soon"],
        ["manage", "send_due_reminders"],
    ]
