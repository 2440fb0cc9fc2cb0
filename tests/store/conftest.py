"""Fixtures for the store's schema tests: a database URL on SQLite and on the test
PostgreSQL server's fresh schema (shared from ``tests/worker/conftest.py`` and
``tests/incidents/conftest.py``)."""

from __future__ import annotations

from tests.incidents import conftest as incidents_fixtures
from tests.worker import conftest as worker_fixtures

database_url = worker_fixtures.database_url
postgres_url = incidents_fixtures.postgres_url
project_root = incidents_fixtures.project_root
