"""A PostgreSQL database of a benchmark's own, made anew for each run and dropped after it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg

SERVER_URL = "postgres://postgres@127.0.0.1:5432"
ROOT = Path(__file__).resolve().parents[1]


class ScratchDatabase:
    def __init__(self, bench: str) -> None:
        # Named after the bench and the checkout, so that two clones or two benches never
        # share one.
        checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
        self.name = f"stratospheric_bench_{bench}_{checkout}"
        self.url = f"{SERVER_URL}/{self.name}"

    def create(self) -> ScratchDatabase:
        """An empty database; what an interrupted earlier run left behind is dropped first."""
        self.drop()
        self._execute(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    @staticmethod
    def _execute(statement: str) -> None:
        with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as connection:
            connection.execute(statement)
