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


@given(
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=string.digits, min_size=8, max_size=8),
    st.sampled_from("0123456789X"),
)
def test_wrong_embedded_organisation_check_is_caught_even_with_a_matching_final_check(
    region: str, org: str, other_check: str
) -> None:
    """A forged code can carry a correct mod-31 check character; the mod-11 one inside still gives it away."""
    if other_check == org_code_check_char(org):
        return
    body = "91" + region + org + other_check
    code = body + uscc_check_char(body)
    assert uscc_problem(code) == "统一社会信用代码中的组织机构代码校验位错误"


def test_published_invalid_vector_is_wrong_twice() -> None:
    """911100001000013257: both the embedded organisation check (6, not 5) and the final one (K, not 7) are wrong."""
    code = "911100001000013257"
    assert uscc_problem(code) == "统一社会信用代码中的组织机构代码校验位错误"
    final_fixed = code[:17] + uscc_check_char(code[:17])
    assert uscc_problem(final_fixed) == "统一社会信用代码中的组织机构代码校验位错误"
    both_fixed = code[:16] + org_code_check_char(code[8:16])
    assert uscc_problem(both_fixed + uscc_check_char(both_fixed)) is None
