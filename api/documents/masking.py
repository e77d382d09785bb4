"""The public version of a decision (行政执法公示): natural persons' personal data masked.

A natural person's name keeps its first character (the surname), an ID
number keeps its 6-digit region code, a phone number its first three and
last four digits; a natural person's address is not published. Free text is
scrubbed too: the party's own name, ID number, phone and address wherever
they occur, and anything shaped like an ID number or a mobile number.
Organisations (by USCC) are published as registered.
"""

from __future__ import annotations

import re

from mobile_contract.parties import Party, PartyKind

ID_NUMBER = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{11}[0-9Xx](?![0-9])")
MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
ADDRESS_WITHHELD = "（自然人住址不予公开）"


def is_natural_person(party: Party) -> bool:
    """A natural person, or an individual business known only by its operator's ID number."""
    return party.kind is PartyKind.NATURAL_PERSON or (party.kind is PartyKind.INDIVIDUAL_BUSINESS and not party.uscc)


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def mask_id_number(number: str) -> str:
    return number[:6] + "*" * (len(number) - 6)


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 7 else "*" * len(phone)


def scrub(text: str, party: Party) -> str:
    """``text`` with the party's personal data and any ID or mobile number masked."""
    if is_natural_person(party):
        for secret, shown in (
            (party.id_number or "", mask_id_number(party.id_number or "")),
            (party.phone, mask_phone(party.phone)),
            (party.address, ADDRESS_WITHHELD),
            (party.name, mask_name(party.name)),
        ):
            if secret:
                text = text.replace(secret, shown)
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 12, text)
    return MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def public_party(party: Party) -> tuple[str, str, str]:
    """(name, code, address) as published."""
    if not is_natural_person(party):
        return party.name, party.uscc or "", party.address
    return mask_name(party.name), mask_id_number(party.id_number or ""), ADDRESS_WITHHELD if party.address else ""
