"""Fixtures for the store's schema tests: the test PostgreSQL server's fresh schema (shared
from ``tests/incidents/conftest.py``)."""

from __future__ import annotations

from tests.incidents import conftest as incidents_fixtures

postgres_url = incidents_fixtures.postgres_url
