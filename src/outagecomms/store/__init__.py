"""The durable state: incidents, their messages, the delivery outbox and an event log."""

from __future__ import annotations

from outagecomms.store.engine import Store, default_database_url, open_store, shown_url

__all__ = ["Store", "default_database_url", "open_store", "shown_url"]
