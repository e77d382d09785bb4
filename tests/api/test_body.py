"""Hot intake routes decode their bodies straight into contract types (api/body.py): same errors as elsewhere."""

import pytest


@pytest.mark.parametrize("path", ["/records", "/sync/push"])
async def test_cut_off_json_is_a_bad_request_problem(client, inspector, path: str) -> None:
    headers = inspector.headers | {"content-type": "application/json"}
    answer = await client.post(path, content=b'{"', headers=headers)  # an upload the network cut short
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "bad-request"
    assert "重新提交" in answer.json()["detail"]
    assert answer.json()["detail_en"] == "Input data was truncated"


async def test_a_bad_field_is_named(client, inspector) -> None:
    answer = await client.post("/records", json={"id": "not-a-uuid", "content": {}}, headers=inspector.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "id", "message": "应为 UUID（终端生成的 UUIDv7，36 个字符）"}]


async def test_an_empty_push_is_refused_with_the_field(client, inspector) -> None:
    answer = await client.post("/sync/push", json={"operations": []}, headers=inspector.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "operations"


async def test_a_push_item_that_is_not_an_operation_is_answered_alone(client, inspector) -> None:
    answer = await client.post("/sync/push", json={"operations": [[1, 2], {"op": "nope"}]}, headers=inspector.headers)
    assert answer.status_code == 200
    assert [r["status"] for r in answer.json()["results"]] == ["rejected", "rejected"]
