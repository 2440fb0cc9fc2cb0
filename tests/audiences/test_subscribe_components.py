"""`POST /subscribe` through a running `serve` (real uvicorn): a component id that
components.yaml does not list is refused with a 422 problem naming the field, the unknown
id and the known ones, and nothing is stored or sent."""

from __future__ import annotations

import httpx

from outagecomms.sinks import SmtpSink
from outagecomms.store import Store
from outagecomms.store.subscribers_repo import all_subscribers
from tests.audiences import test_subscribe_end_to_end as served_fixtures

# the running service (the incidents' fixtures come from this folder's conftest)
database = served_fixtures.database
served = served_fixtures.served


def test_subscribe_to_an_unknown_component_is_a_422_naming_the_field_and_the_known_ids(
    served: str, database: Store, smtp: SmtpSink
) -> None:
    answer = httpx.post(
        f"{served}/subscribe",
        json={"address": "ana@example.com", "language": "en", "components": ["billing"]},
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    detail = answer.json()["detail"]
    assert detail.startswith("components: ") and "\n" not in detail
    assert "'billing'" in detail and "known: payments, login, dashboard, reports, api" in detail
    with database.read() as conn:
        assert all_subscribers(conn) == []
    assert smtp.messages == []


def test_a_form_subscribe_to_an_unknown_component_is_refused_too(
    served: str, database: Store
) -> None:
    answer = httpx.post(
        f"{served}/subscribe",
        data={"address": "ana@example.com", "language": "en", "components": "payments,billing"},
    )
    assert answer.status_code == 422
    assert "'billing'" in answer.json()["detail"]
