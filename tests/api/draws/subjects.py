"""Valid Unified Social Credit Codes for tests, built with the GB 32100 check characters."""

from __future__ import annotations

from mobile_contract.codes import org_code_check_char, uscc_check_char


def make_uscc(n: int, region_code: str = "360102") -> str:
    """The ``n``-th valid USCC of a legal person (法人, 企业) registered in ``region_code``."""
    org = f"M{n:07d}"
    first17 = f"91{region_code}{org}{org_code_check_char(org)}"
    return first17 + uscc_check_char(first17)
