import string

from hypothesis import given
from hypothesis import strategies as st

from mobile_contract.codes import (
    USCC_CHARSET,
    id_number_check_char,
    id_number_problem,
    org_code_check_char,
    uscc_check_char,
    uscc_problem,
)


def test_published_uscc_vectors() -> None:
    for valid in ("91350100M000100Y43", "914403001922038216", "91310000775785552L"):
        assert uscc_problem(valid) is None, valid
    assert uscc_problem("911100001000013257") is not None


@given(
    st.text(alphabet=USCC_CHARSET, min_size=2, max_size=2),
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=string.digits + "ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)
def test_generated_uscc_validates_and_any_single_change_is_caught(head: str, region: str, org: str) -> None:
    body = head + region + org + org_code_check_char(org)
    if body[16] not in USCC_CHARSET:
        return  # org check char outside the USCC charset cannot be issued
    code = body + uscc_check_char(body)
    assert uscc_problem(code) is None
    wrong = USCC_CHARSET[(USCC_CHARSET.index(code[17]) + 1) % 31]
    assert uscc_problem(code[:17] + wrong) is not None


@given(st.dates(), st.text(alphabet=string.digits, min_size=6, max_size=6), st.integers(0, 999))
def test_generated_id_numbers_validate(birth, region: str, seq: int) -> None:
    if birth.year < 1000:
        return
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + id_number_check_char(first17)
    assert id_number_problem(number) is None
    wrong = "0" if number[17] != "0" else "1"
    assert id_number_problem(first17 + wrong) is not None


def test_known_id_number() -> None:
    assert id_number_problem("11010519491231002X") is None
    assert id_number_problem("110105194912310021") is not None
