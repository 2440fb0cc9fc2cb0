"""Fixtures for the subscriber tests: those of ``tests/incidents/conftest.py`` (named here
once, not star-imported) for every module of this folder; a module may define its own
``orchestrator`` and the like, which wins."""

from __future__ import annotations

from tests.incidents import conftest as incidents_fixtures

approvals = incidents_fixtures.approvals
cli_orchestrator_options = incidents_fixtures.cli_orchestrator_options
clock = incidents_fixtures.clock
fake_channels = incidents_fixtures.fake_channels
http = incidents_fixtures.http
orchestrator = incidents_fixtures.orchestrator
postgres_url = incidents_fixtures.postgres_url
project_root = incidents_fixtures.project_root
real_approvals = incidents_fixtures.real_approvals
sender = incidents_fixtures.sender
sink_channels = incidents_fixtures.sink_channels
smtp = incidents_fixtures.smtp
store = incidents_fixtures.store
