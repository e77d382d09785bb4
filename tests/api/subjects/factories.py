"""Builders for subjects and permits: fresh valid codes so tests never share a subject."""

from __future__ import annotations

import itertools
import random

from mobile_contract.codes import id_number_check_char, org_code_check_char, uscc_check_char

# One counter from a random start: codes never repeat within a test run. Independent random draws can (a
# birthday collision among the hundreds made per run), and the second subject would be refused as a duplicate.
_serial = itertools.count(random.randrange(10**7))


def new_uscc(region: str = "360102") -> str:
    """A valid USCC (legal person, enterprise: 91) new to this run, with correct embedded and final check chars."""
    org = f"{next(_serial) % 10**8:08d}"
    body = "91" + region + org + org_code_check_char(org)
    return body + uscc_check_char(body)


def new_id_number(region: str = "360102") -> str:
    """A valid resident ID number new to this run: the serial picks birth date and sequence number one to one."""
    rest, sequence = divmod(next(_serial), 1000)
    rest, day = divmod(rest, 28)
    rest, month = divmod(rest, 12)
    first17 = f"{region}{1950 + rest % 56}{month + 1:02d}{day + 1:02d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


def company(name: str = "某某石料有限公司", uscc: str | None = None) -> dict:
    return {"party": {"kind": "legal_person", "name": name, "uscc": uscc or new_uscc()}, "region_code": "360102"}


def person(name: str = "张三", id_number: str | None = None) -> dict:
    return {
        "party": {"kind": "natural_person", "name": name, "id_number": id_number or new_id_number()},
        "region_code": "360102",
    }


def square(lon: float = 115.86, lat: float = 28.68, size: float = 0.01) -> list[list[float]]:
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]


def permit(subject_id: str, permit_no: str, **overrides: object) -> dict:
    return {
        "permit_no": permit_no,
        "subject_id": subject_id,
        "mine_name": "某某采石场",
        "mineral": "建筑用石料（凝灰岩）",
        "valid_from": "2025-01-01",
        "valid_to": "2027-12-31",
        "boundary": square(),
    } | overrides
