"""Moving the test database between migrations, for tests of data migrations."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate to `targets` and return the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest() -> list[tuple[str, str]]:
    """Every app's newest migration: going back also unapplies the apps that depend on what
    is unapplied, so a test must come back to all of them, not only to its own app's."""
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())
