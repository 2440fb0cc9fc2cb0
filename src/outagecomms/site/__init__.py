"""The status page (``outagecomms site build`` and the ``site`` channel kind) and the
approver's gallery (``outagecomms preview --html``): static HTML, an Atom feed and a
Statuspage-shaped ``summary.json``, readable without JavaScript."""

from __future__ import annotations
