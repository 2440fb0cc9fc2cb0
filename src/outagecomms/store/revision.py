"""Write a new migration (for developers changing ``tables.py``)::

    .venv/bin/python -m outagecomms.store.revision "add a column for ..."

It migrates a throw-away SQLite database to the current head, compares it with
``tables.py`` and writes ``migrations/versions/NNNN_<slug>.py`` with what differs. Read and
adjust it (autogenerate misses renames), set ``HEAD_REVISION`` in ``engine.py`` to its
number, then run the schema tests (``tests/incidents/test_store.py``).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from alembic import command

from outagecomms.store.engine import alembic_config, head_revision, open_store


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].strip():
        print(__doc__, file=sys.stderr)
        return 2
    message = argv[0].strip()
    number = f"{int(head_revision()) + 1:04d}"
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40]
    with tempfile.TemporaryDirectory() as scratch:
        store = open_store(f"sqlite:///{Path(scratch) / 'head.db'}")
        try:
            with store.write() as conn:
                config = alembic_config()
                config.attributes["connection"] = conn
                config.set_main_option("file_template", f"{number}_{slug}")
                command.revision(config, message=message, autogenerate=True, rev_id=number)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
