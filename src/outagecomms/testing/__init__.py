"""Helpers for your own tests, shipped with the package (``pip install 'outagecomms[testing]'``
for the SMTP sink's aiosmtpd).

- Fakes for what an orchestrator takes from outside: :class:`FakeClock`,
  :class:`FakeSender` (recording, with failing channels), :class:`ApprovalGate` (approves
  all, refuses the runbooks listed).
- Real local servers that receive what outagecomms sends: :class:`HttpSink`,
  :class:`SmtpSink`, and :func:`closed_port` for a channel that refuses connections.
"""

from __future__ import annotations

from outagecomms.testing.fakes import ApprovalGate, FakeClock, FakeSender
from outagecomms.testing.sinks import (
    Behaviour,
    HttpSink,
    ReceivedEmail,
    ReceivedRequest,
    SinkTimeout,
    SmtpSink,
    closed_port,
    free_port,
)

__all__ = [
    "ApprovalGate",
    "Behaviour",
    "FakeClock",
    "FakeSender",
    "HttpSink",
    "ReceivedEmail",
    "ReceivedRequest",
    "SinkTimeout",
    "SmtpSink",
    "closed_port",
    "free_port",
]
