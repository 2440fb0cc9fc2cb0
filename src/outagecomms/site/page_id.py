"""The page's id in Statuspage's shape (``page_id``, ``page.id``): the host of its public
address, or the address itself when it has none."""

from __future__ import annotations

from urllib.parse import urlsplit


def page_id(base_url: str) -> str:
    return urlsplit(base_url).netloc or base_url
