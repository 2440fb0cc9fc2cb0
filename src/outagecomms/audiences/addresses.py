"""A subscriber's address, checked and normalised: an email address, an E.164 phone
number, or a chat/webhook URL; its kind decides which channels reach it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from outagecomms.errors import UsageError
from outagecomms.models import KEBAB_CASE, LANGUAGE_CODE

EMAIL = re.compile(
    r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_ADDRESS = 2048


@dataclass(frozen=True)
class Address:
    value: str
    kind: str
    """email | phone | url"""


def parse_address(text: str) -> Address:
    """``text`` as a subscriber's address, or a UsageError naming the fix."""
    value = text.strip()
    if not value or len(value) > MAX_ADDRESS:
        raise UsageError(
            "address: give an email address, a phone number like +371 2000 0000, or a URL"
        )
    if "@" in value and "://" not in value:
        local, _, domain = value.rpartition("@")
        value = f"{local}@{domain.lower()}"
        if not EMAIL.match(value) or len(value) > 254:
            raise UsageError(f"address {text!r} is not an email address like name@example.com")
        return Address(value, "email")
    if value.startswith("+") or value[:1].isdigit():
        digits = "+" + re.sub(r"[\s().-]", "", value).lstrip("+")
        if not E164.match(digits):
            raise UsageError(
                f"address {text!r} is not a phone number in international form (E.164), "
                "e.g. +37120000000"
            )
        return Address(digits, "phone")
    parts = urlsplit(value)
    if parts.scheme and parts.netloc and parts.scheme.isascii():
        if any(c.isspace() for c in value):
            raise UsageError(f"address {text!r}: a URL has no spaces")
        return Address(value, "url")
    raise UsageError(f"address {text!r} is not an email address, an E.164 phone number or a URL")


def check_language(lang: str) -> str:
    if not LANGUAGE_CODE.match(lang):
        raise UsageError(f"language {lang!r} is not a language code such as en, fa, uk or lv")
    return lang


def check_components(components: list[str]) -> list[str]:
    """Component ids (kebab-case); empty: every component."""
    for component in components:
        if not KEBAB_CASE.match(component):
            raise UsageError(
                f"component {component!r} is not a component id (kebab-case, as in components.yaml)"
            )
    return sorted(set(components))
