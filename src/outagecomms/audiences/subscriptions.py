"""Subscriptions: double opt-in (subscribe sends a confirmation and nothing else until
confirm), unsubscribe and SMS STOP/START (every pending delivery to the address is
cancelled in the same transaction), and the management the CLI offers (add, remove,
export, list, import). The one Python API under ``outagecomms subscribers`` and the
service's ``/subscribe``, ``/confirm``, ``/unsubscribe`` and ``/hooks/sms`` routes."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outagecomms.audiences.addresses import (
    Address,
    check_components,
    check_language,
    parse_address,
)
from outagecomms.audiences.words import (
    CONFIRM_BODY,
    CONFIRM_SMS,
    CONFIRM_SUBJECT,
    said,
)
from outagecomms.components.catalog import load_catalog, unknown_component_message
from outagecomms.delivery import Outgoing, send_all
from outagecomms.errors import PARAMETER, ConfigError, NotFoundError, UsageError
from outagecomms.incidents.defaults import utcnow
from outagecomms.models import Audience, Channel
from outagecomms.outbox.recipients import address_kind_of, channel_for
from outagecomms.outbox.sending import Batch, Sender, send_by_kind
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.store.recipients_repo import cancel_pending_to, forget_recipient
from outagecomms.store.records import iso_utc
from outagecomms.store.subscribers_repo import (
    SubscriberRecord,
    all_subscribers,
    delete_subscriber,
    insert_subscriber,
    subscriber_by_address,
    subscriber_by_confirm_hash,
    subscriber_by_unsubscribe_token,
    update_subscriber,
)

UNSUBSCRIBED = "unsubscribed by the recipient before it was sent"


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


def subscriber_json(s: SubscriberRecord, *, everything: bool = False) -> dict[str, Any]:
    """What ``subscribers list`` shows; ``everything``: what ``export --address`` gives
    (all that is stored about the person, tokens included)."""
    shown: dict[str, Any] = {
        "address": s.address,
        "kind": s.address_kind,
        "language": s.language,
        "components": s.components,
        "state": "active" if s.active else "unsubscribed" if s.unsubscribed_at else "pending",
        "source": s.source,
        "consent_reason": s.consent_reason,
        "created_at": iso_utc(s.created_at),
        "confirmed_at": iso_utc(s.confirmed_at),
        "confirmed_ip": s.confirmed_ip,
        "unsubscribed_at": iso_utc(s.unsubscribed_at),
    }
    if everything:
        shown["requested_ip"] = s.requested_ip
        shown["updated_at"] = iso_utc(s.updated_at)
        shown["unsubscribe_token"] = s.unsubscribe_token
        shown["confirm_token_sha256"] = s.confirm_token_sha256
    return shown


@dataclass
class Subscriptions:
    """Subscribers of one project on one store. ``sender``: apprise's batch sender (a
    test's stand-in); ``public_url``: where the links point (default: the setting)."""

    project: Project
    store: Store
    clock: Callable[[], datetime] = utcnow
    sender: Sender = send_all
    public_url: str | None = None
    environ: Mapping[str, str] | None = None

    def link(self, path: str) -> str:
        base = self.public_url or self.project.settings.public_url
        if not base:
            raise ConfigError(
                "subscribers' links need the service's address: set public_url in "
                "outagecomms.toml, OUTAGECOMMS_PUBLIC_URL or serve --public-url"
            )
        return f"{base.rstrip('/')}/{path}"

    def known_components(self, components: list[str]) -> list[str]:
        """``components`` checked against ``components.yaml``: an id it does not list is
        a usage error naming it and the known ones (the parameter ``components``)."""
        components = check_components(components)
        if not components:
            return components
        catalog = load_catalog(self.project.root, self.project.limits)
        for component in components:
            if component not in catalog:
                message = unknown_component_message(component, catalog, self.project.root)
                raise UsageError(f"{PARAMETER}: {message}", parameter="components")
        return components

    # ------------------------------------------------------------------ double opt-in

    def subscribe(
        self, address: str, language: str, components: list[str], *, ip: str | None
    ) -> SubscriberRecord:
        """Record a pending subscription and send the confirmation in its language; an
        address already subscribed gets nothing (and the answer is the same)."""
        parsed = parse_address(address)
        language = check_language(language)
        components = self.known_components(components)
        channel = self.confirmation_channel(parsed, language)
        token = new_token()
        now = self.clock()
        with self.store.write() as conn:
            found = subscriber_by_address(conn, parsed.value)
            if found is not None and found.active:
                return found
            values = {
                "language": language,
                "components": components,
                "requested_ip": ip,
                "confirm_token_sha256": _sha256(token),
                "confirmed_at": None,
                "unsubscribed_at": None,
                "updated_at": now,
            }
            if found is None:
                number = insert_subscriber(
                    conn,
                    address=parsed.value,
                    address_kind=parsed.kind,
                    source="form",
                    consent_reason="double opt-in (POST /subscribe, then the link)",
                    created_at=now,
                    unsubscribe_token=new_token(),
                    **values,
                )
            else:
                number = found.id
                update_subscriber(conn, number, **values)
        self._send_confirmation(channel, parsed, language, self.link(f"confirm/{token}"), number)
        with self.store.read() as conn:
            record = subscriber_by_address(conn, parsed.value)
        assert record is not None
        return record

    def confirmation_channel(self, address: Address, language: str) -> Channel:
        """The subscribers' channel that carries the confirmation: of the address's kind,
        in its language if there is one."""
        usable = [
            c.channel
            for c in self.project.usable_channels().values()
            if c.channel.audience is Audience.SUBSCRIBERS
            and c.channel.enabled
            and address_kind_of(c.channel.kind) == address.kind
        ]
        if not usable:
            raise UsageError(
                f"no channel reaches {address.kind} subscribers: add a channels/*.yaml with "
                "audience: subscribers and a {to} in its url"
            )
        same = [c for c in usable if c.language == language]
        return (same or usable)[0]

    def _send_confirmation(
        self, channel: Channel, address: Address, language: str, link: str, number: int
    ) -> None:
        short = address.kind == "phone"
        body = said(CONFIRM_SMS if short else CONFIRM_BODY, language, link=link)
        item = Outgoing(
            key=f"confirm-{number}",
            channel=channel_for(channel.model_copy(update={"language": language}), address.value),
            title=None if short else said(CONFIRM_SUBJECT, language),
            body=body,
            idempotency_key=uuid.uuid4().hex,
            recipient=address.value,
        )
        batch = Batch(self.project, self.store, self.clock, self.sender, environ=self.environ)
        outcome = send_by_kind([item], batch)[0]
        if not outcome.ok:
            raise ConfigError(
                f"the confirmation could not be sent ({outcome.error}); nothing else is "
                "sent to this address: try again later"
            )

    def confirm(self, token: str, *, ip: str | None) -> SubscriberRecord:
        now = self.clock()
        with self.store.write() as conn:
            found = subscriber_by_confirm_hash(conn, _sha256(token))
            if found is None:
                raise NotFoundError(
                    "this confirmation link is unknown or already used; subscribe again"
                )
            update_subscriber(
                conn,
                found.id,
                confirmed_at=now,
                confirmed_ip=ip,
                confirm_token_sha256=None,
                updated_at=now,
            )
            confirmed = subscriber_by_address(conn, found.address)
        assert confirmed is not None
        return confirmed

    # ------------------------------------------------------------------ leaving

    def unsubscribe(self, token: str) -> SubscriberRecord | None:
        """End every delivery to the token's address at once, queued ones included. None:
        no such token (already removed)."""
        with self.store.write() as conn:
            found = subscriber_by_unsubscribe_token(conn, token)
            if found is not None:
                self._stop(conn, found)
        return found

    def stop(self, address: str) -> SubscriberRecord | None:
        """SMS STOP: as :meth:`unsubscribe`, by address."""
        parsed = parse_address(address)
        with self.store.write() as conn:
            found = subscriber_by_address(conn, parsed.value)
            if found is not None:
                self._stop(conn, found)
            cancel_pending_to(conn, parsed.value, now=self.clock(), reason=UNSUBSCRIBED)
        return found

    def start(self, address: str) -> SubscriberRecord | None:
        """SMS START: a subscriber who sent STOP hears from us again (the number itself
        confirms it)."""
        parsed = parse_address(address)
        now = self.clock()
        with self.store.write() as conn:
            found = subscriber_by_address(conn, parsed.value)
            if found is not None:
                update_subscriber(
                    conn, found.id, unsubscribed_at=None, confirmed_at=found.confirmed_at or now,
                    updated_at=now,
                )  # fmt: skip
        return found

    def _stop(self, conn: Any, found: SubscriberRecord) -> None:
        now = self.clock()
        update_subscriber(conn, found.id, unsubscribed_at=now, updated_at=now)
        cancel_pending_to(conn, found.address, now=now, reason=UNSUBSCRIBED)

    # ------------------------------------------------------------------ management

    def add(
        self,
        address: str,
        language: str,
        components: list[str],
        *,
        confirmed: bool,
        reason: str | None,
        source: str = "cli",
    ) -> SubscriberRecord:
        """Add (or update) a subscriber; ``confirmed`` needs the ``reason`` consent was
        recorded elsewhere, which is kept."""
        parsed = parse_address(address)
        language = check_language(language)
        components = self.known_components(components)
        if confirmed and not (reason and reason.strip()):
            raise UsageError("--confirmed needs --reason TEXT: how and when they consented")
        now = self.clock()
        values: dict[str, Any] = {
            "language": language,
            "components": components,
            "consent_reason": reason.strip() if reason else None,
            "confirmed_at": now if confirmed else None,
            "unsubscribed_at": None,
            "updated_at": now,
        }
        with self.store.write() as conn:
            found = subscriber_by_address(conn, parsed.value)
            if found is None:
                insert_subscriber(
                    conn, address=parsed.value, address_kind=parsed.kind, source=source,
                    created_at=now, unsubscribe_token=new_token(), **values,
                )  # fmt: skip
            else:
                update_subscriber(conn, found.id, **values)
            record = subscriber_by_address(conn, parsed.value)
        assert record is not None
        return record

    def import_rows(
        self, rows: Iterable[Mapping[str, Any]], *, confirmed: bool, reason: str | None
    ) -> int:
        """Add every row (``address``, ``language``, ``components``); all or nothing."""
        checked = []
        for number, row in enumerate(rows, start=1):
            try:
                components = row.get("components") or []
                if isinstance(components, str):
                    components = [c for c in components.replace(";", ",").split(",") if c]
                checked.append(
                    (
                        parse_address(str(row.get("address") or "")).value,
                        check_language(str(row.get("language") or "en")),
                        self.known_components([str(c).strip() for c in components]),
                    )
                )
            except UsageError as exc:
                raise UsageError(f"row {number}: {exc.message}") from None
        for address, language, components in checked:
            self.add(
                address, language, components, confirmed=confirmed, reason=reason,
                source="import",
            )  # fmt: skip
        return len(checked)

    def remove(self, address: str) -> None:
        """Delete everything stored about the address (GDPR): the subscriber, and the
        address on every delivery; pending deliveries to it are cancelled first."""
        parsed = parse_address(address)
        with self.store.write() as conn:
            found = subscriber_by_address(conn, parsed.value)
            if found is None:
                raise NotFoundError(f"no subscriber {parsed.value}; `subscribers list` shows them")
            cancel_pending_to(conn, parsed.value, now=self.clock(), reason=UNSUBSCRIBED)
            forget_recipient(conn, parsed.value)
            delete_subscriber(conn, found.id)

    def export(self, address: str | None = None) -> list[dict[str, Any]]:
        """Every subscriber, or everything stored about one address."""
        with self.store.read() as conn:
            if address is None:
                return [subscriber_json(s) for s in all_subscribers(conn)]
            found = subscriber_by_address(conn, parse_address(address).value)
        if found is None:
            raise NotFoundError(f"no subscriber {address}; `subscribers list` shows them")
        return [subscriber_json(found, everything=True)]
