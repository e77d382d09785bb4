"""Photos published with a decision: faces and plates blurred in a copy, the original untouched."""

import hashlib
import io
import uuid
from pathlib import Path

import numpy as np
import pytest
import ultralytics
from PIL import Image, ImageDraw, ImageFont

from api.documents.pdf.typesetting import FONT_DIR
from tests.api.cases.support import open_case, penalty, take, to_notified, waive
from tests.api.evidence.conftest import Declared, upload_single
from tests.factories import evidence_item, uuid7

FACES = Path(ultralytics.__file__).parent / "assets" / "bus.jpg"  # a street scene with five pedestrians
PLATE = (500, 500, 720, 570)  # a blue plate (小型汽车) drawn at this box


def plate_photo() -> bytes:
    image = Image.new("RGB", (1200, 800), (120, 120, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle(PLATE, fill=(10, 60, 200))
    font = ImageFont.truetype(str(FONT_DIR / "NotoSansSC-Regular.otf"), 44)
    draw.text((PLATE[0] + 12, PLATE[1] + 5), "赣A·12345", font=font, fill=(250, 250, 250))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92)
    return out.getvalue()


async def published_case(client, inspector, partner, head, photos: list[bytes]) -> tuple[str, list[str]]:
    items = [evidence_item(p) for p in photos]
    case_id = await open_case(client, inspector, partner, evidence=[i for i, _ in items])
    record_id = (await client.get(f"/records?case_id={case_id}", headers=inspector.headers)).json()["items"][0]["id"]
    for item, data in items:
        await upload_single(client, inspector, Declared(id=item["id"], record_id=record_id, data=data))
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    await take(client, head, case_id, {"action": "decide", "penalty": penalty()})
    return case_id, [i["id"] for i, _ in items]


async def test_published_photos_are_blurred_and_the_originals_untouched(client, inspector, partner, head, pool) -> None:
    originals = [FACES.read_bytes(), plate_photo()]
    case_id, ids = await published_case(client, inspector, partner, head, originals)
    publication_id = str(uuid7())
    body = {"id": publication_id, "photos": ids}
    answer = await client.post(f"/cases/{case_id}/publication", json=body, headers=head.headers)
    assert answer.status_code == 201, answer.text
    images = (await client.get(f"/public/decisions/{publication_id}")).json()["decision"]["images"]
    assert len(images) == 2
    published = [(await client.get(path)).content for path in images]  # public: no token
    async with pool.acquire() as conn:
        found = await conn.fetch("SELECT faces, plates FROM publication_images WHERE publication_id = $1 ORDER BY n",
                                 publication_id)  # fmt: skip
    assert found[0]["faces"] >= 1 and found[1]["plates"] == 1
    plate_before = np.asarray(Image.open(io.BytesIO(originals[1])).convert("L").crop(PLATE), dtype=float)
    plate_after = np.asarray(Image.open(io.BytesIO(published[1])).convert("L").crop(PLATE), dtype=float)
    assert plate_after.std() < plate_before.std() / 2  # the characters are no longer readable
    for item_id, original in zip(ids, originals, strict=True):
        download = await client.get(f"/evidence/{item_id}/download", headers=head.headers)
        assert hashlib.sha256(download.content).hexdigest() == hashlib.sha256(original).hexdigest()
    async with pool.acquire() as conn:
        reads = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'evidence.publication_image'"
                                    " AND entity_id = ANY($1::text[])", ids)  # fmt: skip
    assert reads == 2


async def test_only_verified_photos_of_the_case_can_be_published(client, inspector, partner, head) -> None:
    case_id, _ = await published_case(client, inspector, partner, head, [plate_photo()])
    body = {"id": str(uuid7()), "photos": [str(uuid7())]}
    answer = await client.post(f"/cases/{case_id}/publication", json=body, headers=head.headers)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "photos[0]"


@pytest.mark.parametrize("n", [0, 2**31, 10**22])
async def test_a_photo_number_out_of_range_is_refused_not_a_500(client, n: int) -> None:
    """Found by the contract fuzzing: a number past PostgreSQL's integer was a 500."""
    answer = await client.get(f"/public/decisions/{uuid.uuid4()}/images/{n}")
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["n"]
