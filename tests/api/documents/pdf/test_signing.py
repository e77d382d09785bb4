"""Signing identities: generated owner-only in embedded mode, read from the key folder otherwise."""

import stat

import pytest

from api.documents.pdf.signing import IdentityStore, SigningUnavailable


def test_generated_identities_are_owner_only_and_chain_to_the_local_root(tmp_path) -> None:
    store = IdentityStore(tmp_path / "signing", generate=True)
    identity = store.get("ZRZY-360102", "某区自然资源局")
    assert identity.chain[0].subject.rfc4514_string() == "O=某区自然资源局,CN=某区自然资源局"
    assert identity.chain[-1] == store.root_certificate()
    assert stat.S_IMODE((tmp_path / "signing").stat().st_mode) == 0o700
    for key_file in ("ZRZY-360102.pem", "root.pem"):
        assert stat.S_IMODE((tmp_path / "signing" / key_file).stat().st_mode) == 0o600
    again = IdentityStore(tmp_path / "signing", generate=True).get("ZRZY-360102", "某区自然资源局")
    assert again.certificate_sha256 == identity.certificate_sha256  # made once, then read


def test_an_encrypted_key_needs_its_password(tmp_path) -> None:
    IdentityStore(tmp_path, generate=True, password="口令 correct horse").get("D1", "测试局")
    assert IdentityStore(tmp_path, generate=False, password="口令 correct horse").get("D1", "测试局").chain
    with pytest.raises(SigningUnavailable):
        IdentityStore(tmp_path, generate=False, password="wrong").get("D1", "测试局")


def test_without_generation_a_missing_key_is_refused_by_name(tmp_path) -> None:
    with pytest.raises(SigningUnavailable, match=r"D2\.pem"):
        IdentityStore(tmp_path, generate=False).get("D2", "测试局")
    with pytest.raises(SigningUnavailable):
        IdentityStore(tmp_path, generate=True).get("../escape", "测试局")
