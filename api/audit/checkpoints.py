"""Anchoring the audit chain's head outside the database (留痕链锚定).

The hash chain shows any change behind the database's back *unless* the whole chain from the
change to the head is rewritten consistently, which a database superuser who knows the algorithm
can do. So the head (seq and hash) is written, signed, into the Object-Locked evidence bucket as
a checkpoint under COMPLIANCE retention: from then on no one — not the database superuser, not the
holder of the S3 keys — can change or remove it until retention ends, and ``enforce audit verify``
checks the chain against every checkpoint: a rewritten chain no longer passes through the hash a
checkpoint holds at its seq, and a shortened one no longer reaches it.

Signature: Ed25519 (``cryptography``), not HMAC. A court, an auditor or another system can check a
checkpoint with the public key alone (``enforce audit checkpoint`` prints its id and the key),
without being able to make one; with HMAC whoever verifies could also forge. The private key comes
from ``AUDIT_SIGNING_KEY`` (base64url of the 32-byte seed) or, in embedded mode, from
``audit_signing_key`` in the data folder (0600). A checkpoint does not rely on the signature alone:
what makes it evidence is that it cannot be changed once written; the signature says who wrote it.

Checkpoints are written every ``ENFORCE_AUDIT_CHECKPOINT_S`` seconds (default one hour; 0 turns it
off) by each serving process when the head has moved, and on demand by ``enforce audit checkpoint``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import AsyncIterator

import asyncpg
import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from api.background import background
from api.settings import Settings
from storage import audit
from storage.db import Connection, transaction
from storage.objects import ObjectStore

log = logging.getLogger(__name__)
PREFIX = "audit-checkpoints/"


class Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    """留痕链锚点: the chain's head at a moment, and which key signed it."""

    seq: int
    entry_hash: str
    written_at: dt.datetime
    key_id: str  # first 16 hex digits of SHA-256 of the raw public key


class SignedCheckpoint(msgspec.Struct, frozen=True):
    checkpoint: Checkpoint
    signature: str  # base64 Ed25519 over the checkpoint's sorted-key JSON


class Anchor(msgspec.Struct, frozen=True):
    """A checkpoint as found in the bucket: its object key, and why it cannot be trusted (None: it can)."""

    name: str
    checkpoint: Checkpoint | None
    flaw: str | None = None


class KeyUnavailable(RuntimeError):
    """No signing key: set AUDIT_SIGNING_KEY."""


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The installation's key (``AUDIT_SIGNING_KEY``; embedded mode makes one in the data folder)."""
    if not settings.auth.audit_signing_key:
        raise KeyUnavailable("AUDIT_SIGNING_KEY is not set: audit checkpoints cannot be signed or checked")
    return Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(settings.auth.audit_signing_key))


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_text(public_key: Ed25519PublicKey) -> str:
    """The public key as base64 of its 32 raw bytes, for whoever checks checkpoints elsewhere."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _signed_bytes(checkpoint: Checkpoint) -> bytes:
    return msgspec.json.encode(checkpoint, order="sorted")


async def write(conn: Connection, store: ObjectStore, key: Ed25519PrivateKey, *, prefix: str = PREFIX) -> Anchor:
    """Read the chain's head and store it, signed, under retention; returns what was written."""
    head = await audit.head(conn)
    now, signer = dt.datetime.now(dt.UTC), key_id(key.public_key())
    checkpoint = Checkpoint(seq=head["seq"], entry_hash=head["entry_hash"], written_at=now, key_id=signer)
    signature = base64.b64encode(key.sign(_signed_bytes(checkpoint))).decode()
    name = f"{prefix}{checkpoint.seq:012d}-{checkpoint.written_at:%Y%m%dT%H%M%S%fZ}.json"
    await store.put_retained(name, msgspec.json.encode(SignedCheckpoint(checkpoint, signature)))
    return Anchor(name, checkpoint)


async def load(store: ObjectStore, public_key: Ed25519PublicKey, *, prefix: str = PREFIX) -> list[Anchor]:
    """Every checkpoint in the bucket, each either trusted or with the reason it is not."""
    return [_opened(name, await store.read_small(name), public_key) for name in await store.keys(prefix)]


def _opened(name: str, data: bytes, public_key: Ed25519PublicKey) -> Anchor:
    try:
        signed = msgspec.json.decode(data, type=SignedCheckpoint)
    except msgspec.MsgspecError:
        return Anchor(name, None, f"checkpoint {name} is not a checkpoint (unreadable)")
    try:
        public_key.verify(base64.b64decode(signed.signature), _signed_bytes(signed.checkpoint))
    except (InvalidSignature, ValueError):
        return Anchor(name, None, f"checkpoint {name} does not carry this installation's signature (forged or altered)")
    return Anchor(name, signed.checkpoint)


async def write_periodically(pool: asyncpg.Pool, store: ObjectStore, key: Ed25519PrivateKey, every_s: float) -> None:
    """Write a checkpoint now and every ``every_s`` seconds, whenever the head has moved since the last."""
    last_seq = None
    while True:
        try:
            async with transaction(pool) as conn:
                if (seq := (await audit.head(conn))["seq"]) != last_seq:
                    await write(conn, store, key)
                    last_seq = seq
        except Exception:  # a store or database outage: try again next time, keep serving
            log.exception("audit checkpoint not written")
        await asyncio.sleep(every_s)


@contextlib.asynccontextmanager
async def anchoring(pool: asyncpg.Pool, store: ObjectStore, settings: Settings) -> AsyncIterator[None]:
    """While the app runs, write checkpoints every ``audit_checkpoint_s`` (not at all without a key or at 0)."""
    every_s = settings.serving.audit_checkpoint_s
    try:
        key = signing_key(settings)
    except KeyUnavailable as exc:
        log.warning("%s", exc)
        every_s = 0
    async with background(write_periodically(pool, store, key, every_s) if every_s else None):
        yield
