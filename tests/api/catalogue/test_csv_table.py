"""Catalogue CSV: a formula-like cell is written quoted, and the exported file imports back unchanged."""

import csv
import io
import random

from mobile_contract.auth import Role

PAYLOAD = '=HYPERLINK("http://evil.example","点此")'


async def test_a_formula_like_cell_is_neutralised_and_reimports_unchanged(client, make_user, department) -> None:
    supervisor = await make_user(Role.SUPERVISOR, department)
    code = f"{random.randrange(10**7, 10**8)}000001"
    content = {
        "name": PAYLOAD,
        "kind": "licensing",
        "change_type": "retained",
        "supervising_subject": "县自然资源局",
        "supervised_object": "采矿权人",
        "measures": ["核查是否越界开采"],
        "legal_basis": "《矿产资源法》",
        "responsible_person": "@SUM(1+1)*cmd|' /C calc'!A0",
    }
    created = await client.post("/catalogue", json={"code": code, "content": content}, headers=supervisor.headers)
    assert created.status_code == 201, created.text
    exported = (await client.get("/catalogue/export", params={"format": "csv"}, headers=supervisor.headers)).text
    [row] = [r for r in csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))) if r["事项编码"] == code]
    assert row["事项名称"] == "'" + PAYLOAD
    assert row["承办人员"].startswith("'@")
    again = await client.post("/catalogue/import", json={"format": "csv", "text": exported}, headers=supervisor.headers)
    assert again.status_code == 200, again.text
    assert again.json()["updated"] == 0
    read = (await client.get(f"/catalogue/by-code/{code}", headers=supervisor.headers)).json()["content"]
    assert (read["name"], read["responsible_person"]) == (PAYLOAD, content["responsible_person"])
