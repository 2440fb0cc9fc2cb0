"""Alembic environment: always run programmatically by :func:`outagecomms.store.engine.migrate`,
which passes an open connection in ``config.attributes["connection"]``.

To write a new revision (developers only)::

    .venv/bin/python -m outagecomms.store.revision "what changes"

(see ``store/revision.py``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from outagecomms.store.tables import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):  # pragma: no cover - misuse, not a user path
    raise RuntimeError("run migrations through outagecomms.store.engine.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
