"""Scheduled maintenance windows (README "Maintenance windows"): schedule, reschedule,
cancel and complete a window, and the steps the worker takes at their time."""

from __future__ import annotations

from outagecomms.maintenance.plan import PlannedStep, StepKind
from outagecomms.maintenance.service import Maintenance, parse_window_ref

__all__ = ["Maintenance", "PlannedStep", "StepKind", "parse_window_ref"]
