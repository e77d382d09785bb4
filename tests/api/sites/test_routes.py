import hashlib

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from mobile_contract.sites import SiteConfig
from storage import audit
from tests.api.sites.factories import register_site, site_config


async def test_create_read_and_list_within_the_department(client: AsyncTestClient, make_user, department) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    site = await register_site(client, operator)
    assert site["version"] == 1 and site["active"] is True
    assert site["department_id"] == str(department.id)
    assert site["config"]["department_id"] == str(department.id)

    read = await client.get(f"/sites/{site['id']}", headers=operator.headers)
    assert read.status_code == 200 and read.json() == site
    listed = await client.get("/sites", headers=operator.headers)
    assert [s["id"] for s in listed.json()["items"]] == [site["id"]]


async def test_config_hash_is_the_canonical_json_of_the_stored_document(
    client: AsyncTestClient, make_user, department
) -> None:
    operator = await make_user(Role.SUPERVISOR, department)
    site = await register_site(client, operator)
    # Sets (zone classes, weekdays) are sorted in the canonical form: decode as the contract type first.
    canonical = msgspec.json.encode(msgspec.convert(site["config"], SiteConfig), order="sorted")
    assert site["config_sha256"] == hashlib.sha256(canonical).hexdigest()


async def test_another_departments_site_is_not_found(
    client: AsyncTestClient, make_user, make_department, department
) -> None:
    owner = await make_user(Role.MONITORING_OPERATOR, department)
    site = await register_site(client, owner)
    stranger = await make_user(Role.MONITORING_OPERATOR, await make_department())
    for method, path in [("GET", ""), ("GET", "/versions"), ("DELETE", "")]:
        response = await client.request(method, f"/sites/{site['id']}{path}", headers=stranger.headers)
        assert response.status_code == 404, (method, path)
    update = site_config(site["id"], version=2)
    assert (await client.put(f"/sites/{site['id']}", json=update, headers=stranger.headers)).status_code == 404
    assert (await client.get("/sites", headers=stranger.headers)).json()["items"] == []


async def test_every_version_is_kept_and_a_stale_version_is_refused(
    client: AsyncTestClient, make_user, department
) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    site = await register_site(client, operator)
    path = f"/sites/{site['id']}"
    second = await client.put(
        path, json=site_config(site["id"], cameras=("cam-1", "cam-2"), version=2), headers=operator.headers
    )
    assert second.status_code == 200 and second.json()["version"] == 2

    stale = await client.put(path, json=site_config(site["id"], version=2), headers=operator.headers)
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale-version" and stale.json()["extra"]["current_version"] == 2
    skipping = await client.put(path, json=site_config(site["id"], version=4), headers=operator.headers)
    assert skipping.status_code == 409

    versions = (await client.get(f"{path}/versions", headers=operator.headers)).json()
    assert [v["version"] for v in versions] == [1, 2]
    assert [len(v["config"]["cameras"]) for v in versions] == [1, 2]
    assert versions[1]["config_sha256"] == second.json()["config_sha256"] != versions[0]["config_sha256"]


async def test_a_taken_id_and_a_mismatched_path_are_refused(client: AsyncTestClient, make_user, department) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    site = await register_site(client, operator)
    again = await client.post("/sites", json=site_config(site["id"]), headers=operator.headers)
    assert again.status_code == 409 and again.json()["code"] == "site-id-taken"
    moved = await client.put(f"/sites/{site['id']}", json=site_config("other-id", version=2), headers=operator.headers)
    assert moved.status_code == 422
    not_first = await client.post("/sites", json=site_config(version=3), headers=operator.headers)
    assert not_first.status_code == 422


async def test_deactivation_is_soft_and_vision_nodes_read_only_active_sites(
    client: AsyncTestClient, make_user, department
) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    node = await make_user(Role.VISION_NODE, department)
    kept, dropped = await register_site(client, operator), await register_site(client, operator)

    gone = await client.delete(f"/sites/{dropped['id']}", headers=operator.headers)
    assert gone.status_code == 200 and gone.json()["active"] is False
    active = (await client.get("/sites", params={"active": "true"}, headers=node.headers)).json()["items"]
    assert [s["id"] for s in active] == [kept["id"]]
    history = await client.get(f"/sites/{dropped['id']}/versions", headers=operator.headers)
    assert [v["version"] for v in history.json()] == [1]

    back = await client.post(f"/sites/{dropped['id']}/activate", headers=operator.headers)
    assert back.status_code == 200 and back.json()["active"] is True


async def test_roles_that_may_not_edit_are_refused(client: AsyncTestClient, make_user, department, inspector) -> None:
    node = await make_user(Role.VISION_NODE, department)
    for caller in (node, inspector):
        response = await client.post("/sites", json=site_config(), headers=caller.headers)
        assert response.status_code == 403
        assert (await client.get("/sites", headers=caller.headers)).status_code == 200


async def test_pages_follow_the_cursor(client: AsyncTestClient, make_user, department) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    made = sorted([(await register_site(client, operator))["id"] for _ in range(3)])
    first = (await client.get("/sites", params={"limit": 2}, headers=operator.headers)).json()
    rest = await client.get("/sites", params={"limit": 2, "cursor": first["next_cursor"]}, headers=operator.headers)
    assert [s["id"] for s in first["items"] + rest.json()["items"]] == made
    assert rest.json()["next_cursor"] is None


async def test_every_change_is_audited_with_state_hashes(
    client: AsyncTestClient, make_user, department, pool: asyncpg.Pool
) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    site = await register_site(client, operator)
    path = f"/sites/{site['id']}"
    await client.put(path, json=site_config(site["id"], version=2), headers=operator.headers)
    await client.delete(path, headers=operator.headers)
    async with pool.acquire() as conn:
        entries = await audit.list_for_entity(conn, entity_type="site", entity_id=site["id"])
    assert [e.action for e in entries] == ["site.create", "site.update", "site.deactivate"]
    assert entries[0].before_hash is None
    assert entries[1].before_hash == entries[0].after_hash != entries[1].after_hash
    assert entries[2].before_hash == entries[1].after_hash != entries[2].after_hash
    assert {e.actor_id for e in entries} == {operator.principal.user_id}


async def test_stream_credentials_are_refused_in_urls_and_never_read_back(client, make_department, make_user) -> None:
    department = await make_department()
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    config = site_config()
    config["cameras"][0]["sub_url"] = "rtsp://admin:secret@10.0.0.1/sub"
    answer = await client.post("/sites", json=config, headers=operator.headers)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["cameras[0].sub_url"]
    assert "用户名或密码" in answer.json()["detail"]


async def test_a_url_stored_with_credentials_is_shown_redacted_and_kept_when_sent_back(
    client, pool, make_department, make_user
) -> None:
    department = await make_department()
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    inspector = await make_user(Role.INSPECTOR, department)
    site = await register_site(client, operator)
    stored = "rtsp://admin:secret@10.0.0.1/main"
    async with pool.acquire() as conn:  # as stored before credentials were kept apart
        await conn.execute(
            "UPDATE sites SET config = jsonb_set(config, '{cameras,0,url}', to_jsonb($2::text)) WHERE id = $1",
            site["id"],
            stored,
        )
    for caller in (operator, inspector):
        shown = (await client.get(f"/sites/{site['id']}", headers=caller.headers)).json()
        assert shown["config"]["cameras"][0]["url"] == "rtsp://***@10.0.0.1/main"
        assert "secret" not in (await client.get("/sites", headers=caller.headers)).text
    edited = shown["config"] | {"version": 2, "name": "改名后的塘口"}
    assert (await client.put(f"/sites/{site['id']}", json=edited, headers=operator.headers)).status_code == 200
    async with pool.acquire() as conn:
        config = await conn.fetchval("SELECT config FROM sites WHERE id = $1", site["id"])
    assert config["cameras"][0]["url"] == stored
    versions = (await client.get(f"/sites/{site['id']}/versions", headers=operator.headers)).text
    assert "secret" not in versions
