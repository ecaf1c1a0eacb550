"""Sizes per environment (CDK context, with defaults), and the database connection budget:
every process at maximum scale, mid-deployment, fits the instance's max_connections with
head-room."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Environment

from deploy.cdk.stacks import build_app
from deploy.cdk.stacks.broker import BrokerStack
from deploy.cdk.stacks.config import DeployConfig, InvalidContextError
from deploy.cdk.stacks.network import NetworkStack
from deploy.cdk.stacks.sizes import (
    ConnectionBudgetError,
    check_connection_budget,
    connection_budget,
    max_connections,
)

from .conftest import CONTEXT, Synthesized
from .test_data_stacks import resources_of_type
from .test_service_stacks import containers

STAGING = {**CONTEXT, "environmentName": "staging"}


def config_of(context: dict[str, Any]) -> DeployConfig:
    return DeployConfig.from_context(App(context=context).node)


def test_production_gets_the_highly_available_and_larger_pieces(
    synthesized: Synthesized,
) -> None:
    (broker,) = resources_of_type(synthesized.json("Broker"), "AWS::AmazonMQ::Broker").values()
    assert broker["Properties"]["DeploymentMode"] == "ACTIVE_STANDBY_MULTI_AZ"
    assert broker["Properties"]["HostInstanceType"] == "mq.m5.large"
    synthesized.template("Database").has_resource_properties(
        "AWS::RDS::DBInstance", {"DBInstanceClass": "db.t4g.medium", "MultiAZ": True}
    )
    found = containers(synthesized)
    web = {e["Name"]: e["Value"] for e in found["web"]["Environment"]}
    assert (web["WEB_CONCURRENCY"], web["WEB_THREADS"]) == ("2", "8")
    worker = {e["Name"]: e["Value"] for e in found["worker"]["Environment"]}
    assert worker["SHARING_EMAIL_THREADS"] == "10"
    targets = {
        json.dumps(t["Properties"]["ResourceId"]): (
            t["Properties"]["MinCapacity"],
            t["Properties"]["MaxCapacity"],
        )
        for t in resources_of_type(
            synthesized.json("Service"), "AWS::ApplicationAutoScaling::ScalableTarget"
        ).values()
    }
    assert sorted(targets.values()) == [(1, 4), (2, 6)]


def test_staging_runs_one_small_broker_and_a_micro_database() -> None:
    config = config_of(STAGING)
    sizes = config.sizes
    assert (sizes.broker_instance_type, sizes.broker_deployment_mode) == (
        "mq.t3.micro",
        "SINGLE_INSTANCE",
    )
    assert sizes.database_instance_type == "t4g.micro"
    assert (sizes.web_min_tasks, sizes.web_max_tasks, sizes.worker_max_tasks) == (1, 2, 1)
    # The broker itself: one instance in one subnet, named as its alarms expect.
    app = App(context=STAGING)
    env = Environment(account=config.account, region=config.region)
    network = NetworkStack(app, "Network", config=config, env=env)
    broker = BrokerStack(app, "Broker", config=config, network=network, env=env)
    assert broker.broker.deployment_mode == "SINGLE_INSTANCE"
    assert broker.broker.host_instance_type == "mq.t3.micro"
    assert len(broker.broker.subnet_ids or []) == 1
    assert broker.instance_names == ["staging-todo-broker-1"]


def test_every_size_can_be_set_from_context() -> None:
    config = config_of(
        {
            **STAGING,
            "brokerInstanceType": "mq.m5.large",
            "brokerDeploymentMode": "ACTIVE_STANDBY_MULTI_AZ",
            "databaseInstanceType": "t4g.small",
            "webMinTasks": "2",
            "webMaxTasks": "3",
            "webConcurrency": "3",
            "webThreads": "6",
            "workerMinTasks": "1",
            "workerMaxTasks": "2",
            "workerEmailThreads": "5",
        }
    )
    assert config.broker_is_highly_available
    assert config.sizes.database_instance_type == "t4g.small"
    assert (config.sizes.web_concurrency, config.sizes.web_threads) == (3, 6)
    assert config.sizes.worker_email_threads == 5
    with pytest.raises(InvalidContextError, match="brokerDeploymentMode"):
        config_of({**STAGING, "brokerDeploymentMode": "CLUSTER_MULTI_AZ"})
    with pytest.raises(InvalidContextError, match="webMinTasks"):
        config_of({**STAGING, "webMinTasks": "4", "webMaxTasks": "2"})


@pytest.mark.parametrize("context", [CONTEXT, STAGING], ids=["production", "staging"])
def test_worst_case_connections_fit_the_database_with_head_room(
    context: dict[str, Any],
) -> None:
    config = config_of(context)
    budget = check_connection_budget(config)
    sizes = config.sizes
    # Each web thread and the WebSocket consumer's thread hold a connection, in every
    # process of every task, twice over while a deployment replaces the tasks.
    assert budget.by_process["web"] == (
        2 * sizes.web_max_tasks * sizes.web_concurrency * (sizes.web_threads + 1)
    )
    assert budget.by_process["worker"] == (
        2 * sizes.worker_max_tasks * (sizes.worker_email_threads + 1)
    )
    assert budget.worst_case == sum(budget.by_process.values())
    assert budget.worst_case <= 0.75 * (budget.max_connections - 5)


def test_the_figures_of_the_budget() -> None:
    assert max_connections("t4g.micro") == 112  # 1 GiB / 9,531,392 bytes
    assert max_connections("t4g.medium") == 450
    production = connection_budget(config_of(CONTEXT))
    assert (production.worst_case, production.max_connections) == (306, 450)
    staging = connection_budget(config_of(STAGING))
    assert (staging.worst_case, staging.max_connections) == (52, 112)


def test_a_size_that_would_exhaust_the_database_refuses_to_synthesize() -> None:
    # The sizes the issue found: 6 web tasks x 2 processes x 8 threads on a micro instance.
    with pytest.raises(ConnectionBudgetError, match="databaseInstanceType"):
        build_app({**CONTEXT, "databaseInstanceType": "t4g.micro"})
    with pytest.raises(ConnectionBudgetError, match="unknown database instance type"):
        build_app({**CONTEXT, "databaseInstanceType": "x9.huge"})
