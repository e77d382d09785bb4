"""The OpenAPI document is generated from the contract and checked in, so contract changes show in review."""

from pathlib import Path

from api.cli import openapi_document

SNAPSHOT = Path(__file__).parents[2] / "mobile_contract" / "openapi.json"


def test_checked_in_openapi_matches_the_contract() -> None:
    assert SNAPSHOT.read_bytes() == openapi_document(), (
        "The API contract changed. Review the change, then run `uv run enforce openapi` and commit the file."
    )


def test_every_operation_documents_its_summary() -> None:
    import json

    paths = json.loads(openapi_document())["paths"]
    missing = [
        f"{method.upper()} {path}" for path, ops in paths.items() for method, op in ops.items() if not op.get("summary")
    ]
    assert missing == []
