"""The local sinks, moved to :mod:`outagecomms.testing.sinks`; this name keeps old imports
working."""

from __future__ import annotations

from outagecomms.testing.sinks import (
    HttpSink,
    ReceivedEmail,
    ReceivedRequest,
    SinkTimeout,
    SmtpSink,
    closed_port,
    free_port,
)

__all__ = [
    "HttpSink",
    "ReceivedEmail",
    "ReceivedRequest",
    "SinkTimeout",
    "SmtpSink",
    "closed_port",
    "free_port",
]
