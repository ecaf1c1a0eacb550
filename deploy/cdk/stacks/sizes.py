"""The database connection budget: what every process of the app may hold open at once, at
maximum scale and in the middle of a deployment, against what the instance allows.

Each thread that runs Django keeps its own connection (CONN_MAX_AGE), so the count is
threads, not requests:
- a web process: WEB_THREADS pool threads (todo_project/asgi.py) plus the one thread that
  runs the WebSocket consumer's database calls (Channels' database_sync_to_async);
- a worker process: its main loop plus SHARING_EMAIL_THREADS sending threads (each claims
  and marks its request);
- the reminders task and the migrate task: one each.
A rolling deployment starts the new tasks before it stops the old ones (maximum healthy
percent 200), so each service may briefly run twice its tasks.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import DeployConfig

# RDS for PostgreSQL's default max_connections: LEAST(DBInstanceClassMemory / 9531392, 5000),
# DBInstanceClassMemory being the class's memory less what RDS keeps for itself.
MAX_CONNECTIONS_DIVISOR = 9_531_392
INSTANCE_MEMORY_GIB = {
    "t4g.micro": 1,
    "t4g.small": 2,
    "t4g.medium": 4,
    "t4g.large": 8,
    "t4g.xlarge": 16,
    "m7g.large": 8,
    "m7g.xlarge": 16,
    "r7g.large": 16,
    "r7g.xlarge": 32,
}
# Connections PostgreSQL keeps for superusers (3) and RDS for its own agents (2).
RESERVED_CONNECTIONS = 5
# What the app may use of the rest: room for a console session, a migration that runs long,
# and the memory RDS keeps for itself (DBInstanceClassMemory is below the class's memory).
HEAD_ROOM = 0.25
DEPLOYMENT_SURGE = 2  # maximum healthy percent 200 (deploy/cdk/stacks/service.py)


class ConnectionBudgetError(ValueError):
    pass


@dataclass(frozen=True)
class ConnectionBudget:
    by_process: dict[str, int]
    max_connections: int

    @property
    def worst_case(self) -> int:
        return sum(self.by_process.values())

    @property
    def allowed(self) -> int:
        return int((self.max_connections - RESERVED_CONNECTIONS) * (1 - HEAD_ROOM))

    @property
    def fits(self) -> bool:
        return self.worst_case <= self.allowed


def max_connections(instance_type: str) -> int:
    try:
        memory = INSTANCE_MEMORY_GIB[instance_type] * 1024**3
    except KeyError:
        raise ConnectionBudgetError(
            f"unknown database instance type {instance_type!r}: add its memory to "
            "deploy/cdk/stacks/sizes.py INSTANCE_MEMORY_GIB"
        ) from None
    return min(memory // MAX_CONNECTIONS_DIVISOR, 5000)


def connection_budget(config: DeployConfig) -> ConnectionBudget:
    sizes = config.sizes
    web_process = sizes.web_threads + 1
    worker_process = 1 + sizes.worker_email_threads
    return ConnectionBudget(
        by_process={
            "web": DEPLOYMENT_SURGE * sizes.web_max_tasks * sizes.web_concurrency * web_process,
            "worker": DEPLOYMENT_SURGE * sizes.worker_max_tasks * worker_process,
            "reminders": 1,
            "migrate": 1,
        },
        max_connections=max_connections(sizes.database_instance_type),
    )


def check_connection_budget(config: DeployConfig) -> ConnectionBudget:
    """The budget, or an error naming what to change when it does not fit."""
    budget = connection_budget(config)
    if not budget.fits:
        raise ConnectionBudgetError(
            f"at maximum scale the app may open {budget.worst_case} database connections "
            f"({budget.by_process}), over the {budget.allowed} a {config.database_instance_type} "
            f"leaves with head-room (max_connections {budget.max_connections}): choose a larger "
            "databaseInstanceType, or fewer webMaxTasks, webConcurrency, webThreads, "
            "workerMaxTasks or workerEmailThreads"
        )
    return budget
