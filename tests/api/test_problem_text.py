"""The check that problem details name things as people know them catches what it must, and only that."""

from tests.api.problem_text import internal_keys, unreadable


def test_the_internal_keys_come_from_the_contract() -> None:
    keys = internal_keys()
    assert {"decide_90", "hearing_request_5", "refuse_filing", "prohibited_hours", "legal_person"} <= keys
    assert all("_" in k for k in keys)


def test_a_uuid_or_an_internal_key_in_a_detail_is_caught() -> None:
    uuid_shown = {"code": "conflict", "detail": "预警 0193a3c2-7a1e-7cc0-9f3b-4a5b6c7d8e9f 的第 2 次更新已存在"}
    key_shown = {"code": "deadline-not-extendable", "detail": "不能延长（可延长：办案期限 decide_90）"}
    assert unreadable(uuid_shown) and unreadable(key_shown)


def test_chinese_names_numbers_and_user_words_pass() -> None:
    named = "“告知后五日内要求听证”是法定期限，不能延长（可以延长的只有“立案之日起九十日内作出处罚决定”）"
    assert unreadable({"code": "deadline-not-extendable", "detail": named}) == []
    assert unreadable({"code": "invalid-input", "detail": "请提供8位编码前缀 code_prefix（第 2 行）"}) == []
