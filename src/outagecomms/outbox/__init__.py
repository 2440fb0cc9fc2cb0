"""The outbox: messages and their deliveries written in the caller's transaction, the
first attempt and every retry sent through a sender chosen by channel kind, attempts
recorded under a lease with the retry policy. The incident service and the worker both
go through it (spec §6)."""

from __future__ import annotations
