"""Builders for subjects and permits: fresh valid codes so tests never share a subject."""

from __future__ import annotations

import random
import string

from mobile_contract.codes import id_number_check_char, org_code_check_char, uscc_check_char


def new_uscc(region: str = "360102") -> str:
    """A valid, random USCC (legal person, enterprise: 91), with correct embedded and final check characters."""
    org = "".join(random.choices(string.digits, k=8))
    body = "91" + region + org + org_code_check_char(org)
    return body + uscc_check_char(body)


def new_id_number(region: str = "360102") -> str:
    first17 = f"{region}{random.randint(1950, 2005)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    first17 += f"{random.randint(0, 999):03d}"
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
