"""Whistleblower identity sealed with AES-256-GCM (pycryptodome) under a key kept outside the database.

The key comes from ``COMPLAINT_IDENTITY_KEY`` (32 bytes, URL-safe base64). In
embedded mode, as for the JWT secret, one is generated into the data folder
(owner-only) when the servers are resolved (``api.runtime``), and passed on to
worker processes like the other settings. The complaint's id is the associated data, so a sealed identity
copied onto another complaint does not open. Each sealed value records the
key's id (first 16 hex digits of its SHA-256) so a key change is detected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import uuid

import msgspec
from Crypto.Cipher import AES

from api.settings import Settings
from mobile_contract.complaints import Whistleblower

KEY_ENV = "COMPLAINT_IDENTITY_KEY"
NONCE_BYTES, TAG_BYTES = 12, 16


class KeyUnavailable(RuntimeError):
    """The identity cannot be opened with the configured key."""


class IdentityCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError(f"{KEY_ENV} must decode to 32 bytes (AES-256)")
        self._key = key
        self.key_id = hashlib.sha256(key).hexdigest()[:16]

    def seal(self, identity: Whistleblower, complaint_id: uuid.UUID) -> bytes:
        """nonce ‖ ciphertext ‖ tag of the identity's JSON, bound to the complaint."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce, mac_len=TAG_BYTES)
        cipher.update(complaint_id.bytes)
        ciphertext, tag = cipher.encrypt_and_digest(msgspec.json.encode(identity))
        return nonce + ciphertext + tag

    def open(self, sealed: bytes, complaint_id: uuid.UUID, key_id: str) -> Whistleblower:
        if key_id != self.key_id:
            raise KeyUnavailable(f"identity sealed under key {key_id}, configured key is {self.key_id}")
        nonce, ciphertext, tag = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:-TAG_BYTES], sealed[-TAG_BYTES:]
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce, mac_len=TAG_BYTES)
        cipher.update(complaint_id.bytes)
        try:
            plaintext = cipher.decrypt_and_verify(ciphertext, tag)
        except ValueError as exc:  # wrong key, tampered bytes or another complaint's identity
            raise KeyUnavailable("identity failed authentication") from exc
        return msgspec.json.decode(plaintext, type=Whistleblower)


def cipher_from(settings: Settings) -> IdentityCipher:
    """The configured key (``COMPLAINT_IDENTITY_KEY``, or embedded mode's from the data folder); else refuse.

    The API refuses to start without one: a server with its own database must not invent a key
    on a disk that may not outlive it (identities sealed under a lost key can never be read
    again), and intake must not fail per request with a 503 once people rely on it.
    """
    value = settings.auth.complaint_identity_key
    if not value:
        raise KeyUnavailable(f"{KEY_ENV} is not set: whistleblower identities cannot be protected")
    try:
        return IdentityCipher(base64.urlsafe_b64decode(value))
    except (ValueError, binascii.Error) as exc:
        raise KeyUnavailable(f"{KEY_ENV} must be 32 bytes in URL-safe base64: {exc}") from exc
