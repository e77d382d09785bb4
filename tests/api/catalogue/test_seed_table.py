"""Seed 000 (县级加强事中事后监管措施表) imports with every item and measure intact.

The expected counts come from the file by rules independent of the importer:
- an item is a line holding a TAB and then only its row number (``^\\t\\d+$``);
- a numbered measure is a line starting "N、" (``^\\d+、``), the way the table numbers them;
- three items (6, 12, 15) state their measures as one sentence without numbers,
  checked by content below, and item 8's measures cell is empty (merged with item 7's).
"""

import random
import re
from pathlib import Path

import pytest

from mobile_contract.auth import Role

SEED = Path(__file__).parents[2] / "fixtures" / "seed_000_county_measures.txt"
MERGED_MEASURES = {8}


@pytest.fixture
async def supervisor(make_user, department):
    return await make_user(Role.SUPERVISOR, department)


@pytest.fixture
async def imported(client, supervisor) -> dict:
    """The seed imported into a fresh department: the import answer and the items by row number."""
    prefix = str(random.randrange(10**7, 10**8))  # codes are unique across departments
    body = {"format": "seed_table", "text": SEED.read_text(encoding="utf-8"), "code_prefix": prefix}
    answer = await client.post("/catalogue/import", json=body, headers=supervisor.headers)
    assert answer.status_code == 200, answer.text
    listed = (await client.get("/catalogue", params={"limit": 500}, headers=supervisor.headers)).json()["items"]
    return {"result": answer.json(), "items": {int(i["code"][8:]): i["content"] for i in listed}}


async def test_every_item_and_numbered_measure_arrives(imported) -> None:
    text = SEED.read_text(encoding="utf-8")
    expected_items = len(re.findall(r"^\t\d+\s*$", text, re.MULTILINE))
    assert expected_items == 18
    assert imported["result"]["created"] == expected_items
    assert sorted(imported["items"]) == list(range(1, expected_items + 1))
    in_file = [(int(m[1]), m[2]) for m in re.finditer(r"^(\d+)、(.*)$", text, re.MULTILINE)]
    assert len(in_file) == 42
    numbered = {row: item for row, item in imported["items"].items() if item["measures_preamble"]}
    in_catalogue = [
        (n, measure)
        for row, item in numbered.items()
        if row not in MERGED_MEASURES
        for n, measure in enumerate(item["measures"], 1)
    ]
    assert sorted(in_catalogue) == sorted(in_file), "each numbered line is one measure, in its place"
    singles = sorted(set(imported["items"]) - set(numbered))
    assert singles == [6, 12, 15]
    assert all(len(imported["items"][row]["measures"]) == 1 for row in singles)


async def test_nothing_in_the_file_is_lost(client, supervisor, imported) -> None:
    exported = (await client.get("/catalogue/export", params={"format": "csv"}, headers=supervisor.headers)).text
    body = SEED.read_text(encoding="utf-8").split("备注\n说明", 1)[1]
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    assert len(lines) > 100
    assert [line for line in lines if line not in exported] == []


async def test_named_items_by_content(imported) -> None:
    items = imported["items"]
    first = items[1]
    assert (first["name"], first["supervising_subject"], first["kind"]) == (
        "铬化合物生产建设项目审批",
        "省工业和信息化厅",
        "licensing",
    )
    assert (first["change_type"], first["level"], first["remark"]) == ("cancelled", "provincial", "省级取消事项")
    assert first["measures_preamble"] == "取消许可后，工业和信息化部门要通过以下措施加强监管："
    assert len(first["measures"]) == 3 and "国办发〔2017〕77号" in first["measures"][1]
    assert items[4]["supervising_subject"] == "省自然资源厅", "merged 实施部门 cell takes the row above"
    assert items[5]["change_type"] == "filing", "取消许可，改为备案后"
    assert items[6]["measures"][0].startswith("调整权限后，农业农村部门要通过“双随机、一公开”监管")
    assert items[6]["change_type"] == "adjusted"
    assert items[8]["measures"] == items[7]["measures"] and len(items[8]["measures"]) == 4
    assert items[9]["name"].count("①") == 1 and "②县级以上（不包括县级）" in items[9]["name"]
    assert items[11]["kind"] == "other_power"
    assert items[13]["change_type"] == "taken_over" and items[13]["level"] == "city"
    assert items[14]["measures_preamble"].endswith("加强监管:"), "the seed's ASCII colon is kept"
    assert (items[16]["supervising_subject"], items[17]["supervising_subject"]) == ("市审批服务局", "市审批服务局")
    assert len(items[18]["measures"]) == 5 and items[18]["measures"][4].startswith("推进实施智慧监管和分类监管")


async def test_merged_cells_are_reported_for_a_human_to_check(imported) -> None:
    notes = imported["result"]["notes"]
    assert "序号8：加强事中事后监管措施为空（合并单元格），沿用序号7的内容" in notes
    assert sorted(int(re.match(r"序号(\d+)", n)[1]) for n in notes) == [4, 6, 8, 8, 17]
