"""The whistleblower's identity cipher (举报人身份加密), without the database."""

from __future__ import annotations

import base64
import uuid

import pytest

from api.complaints.identity import KEY_ENV, IdentityCipher, KeyUnavailable, cipher_from
from api.settings import load_settings, local_complaint_identity_key, settings_environment
from mobile_contract.complaints import Whistleblower


def test_a_sealed_identity_opens_only_for_its_complaint_and_key() -> None:
    cipher = IdentityCipher(bytes(range(32)))
    person = Whistleblower(name="李四", phone="13900139000")
    complaint = uuid.uuid4()
    sealed = cipher.seal(person, complaint)
    assert cipher.open(sealed, complaint, cipher.key_id) == person
    with pytest.raises(KeyUnavailable):
        cipher.open(sealed, uuid.uuid4(), cipher.key_id)  # copied onto another complaint
    other = IdentityCipher(bytes(32))
    with pytest.raises(KeyUnavailable):
        other.open(sealed, complaint, cipher.key_id)
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(KeyUnavailable):
        cipher.open(tampered, complaint, cipher.key_id)


def test_the_key_comes_from_the_settings_and_is_never_invented_beside_a_real_database(tmp_path) -> None:
    key = base64.urlsafe_b64encode(bytes(range(32))).decode()
    given = load_settings({KEY_ENV: key, "DATABASE_URL": "postgresql://db.example/enforce"})
    assert cipher_from(given).key_id == IdentityCipher(bytes(range(32))).key_id
    with pytest.raises(KeyUnavailable, match=KEY_ENV):
        cipher_from(load_settings({"DATABASE_URL": "postgresql://db.example/enforce"}))
    with pytest.raises(KeyUnavailable, match="32 bytes"):
        cipher_from(load_settings({KEY_ENV: "c2hvcnQ="}))


def test_embedded_mode_makes_the_key_once_keeps_it_and_passes_it_on(tmp_path) -> None:
    made = local_complaint_identity_key(tmp_path)
    assert (tmp_path / "complaint_identity_key").stat().st_mode & 0o777 == 0o600
    assert local_complaint_identity_key(tmp_path) == made, "generated once, then reused"
    settings = load_settings({"COMPLAINT_IDENTITY_KEY": made})
    worker = load_settings(settings_environment(settings))  # what a uvicorn worker process reads
    assert cipher_from(worker).key_id == cipher_from(settings).key_id
