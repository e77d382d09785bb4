"""Signing identities of departments and the sealer that signs an issued PDF (电子签章).

A department signs with its own key and certificate, kept outside the repository: one PEM file
per department, ``<department code>.pem``, holding the private key (PKCS#8, encrypted with
``DOCUMENT_SIGNING_KEY_PASSWORD`` if set) and its certificate chain, leaf first. Production points
``DOCUMENT_SIGNING_DIR`` at the folder the organ's CA issued into. Without it (embedded mode) the
folder is ``<data dir>/signing``: a local root certificate and one certificate per department are
generated there on first use, owner-only, like ``jwt_secret``; ``root.crt`` is what a PDF reader
must trust for the signature to show as valid, since no public CA issued it.

``Sealer`` is the interface a seal provider implements. ``PadesSealer`` signs with pyHanko
(PAdES B-B, ECDSA P-256 or RSA, SHA-256); a national-cryptography provider (SM2/SM3 electronic
seal, GB/T 38540) would implement the same method.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import os
import re
import threading
import warnings
from pathlib import Path
from typing import Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID

with warnings.catch_warnings():  # pyHanko imports cryptography's DSA module, which warns on import
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

SIGNATURE_BYTES = 8192  # room reserved for the CMS container (an ECDSA one with two certificates is ~2 KB)
ROOT = "root"
CERT_YEARS = 10
SAFE_CODE = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


class SigningUnavailable(Exception):
    """No usable key for a department; the message says which file was looked for."""


@dataclasses.dataclass(frozen=True)
class SigningIdentity:
    """签章身份 / a department's private key and certificate chain (leaf first)."""

    key: PrivateKeyTypes
    chain: tuple[x509.Certificate, ...]

    @property
    def certificate_sha256(self) -> str:
        return hashlib.sha256(self.chain[0].public_bytes(serialization.Encoding.DER)).hexdigest()

    @property
    def subject(self) -> str:
        return self.chain[0].subject.rfc4514_string()


class Sealer(Protocol):
    """签章服务 / signs an issued PDF for a department; returns the signed PDF."""

    def seal(self, pdf: bytes, identity: SigningIdentity, *, reason: str, location: str) -> bytes: ...


class PadesSealer:
    """PAdES baseline signature (ETSI.CAdES.detached) as an incremental update, with pyHanko."""

    def seal(self, pdf: bytes, identity: SigningIdentity, *, reason: str, location: str) -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name="OrganSeal",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location=location,
        )
        signer = signers.PdfSigner(meta, _signer(identity))
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        return signer.sign_pdf(writer, bytes_reserved=SIGNATURE_BYTES).getvalue()


@functools.lru_cache(maxsize=64)
def _signer(identity: SigningIdentity) -> signers.SimpleSigner:
    der = serialization.Encoding.DER
    key = identity.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in identity.chain]
    # Intermediates travel in the signature; a root does not (a validator must already trust it).
    intermediates = [c for c in chain[1:] if c.self_signed == "no"]  # asn1crypto answers no, maybe or yes
    return signers.SimpleSigner(
        signing_cert=chain[0],
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(intermediates),
    )


class IdentityStore:
    """The departments' signing identities in one folder; generates missing ones when allowed."""

    def __init__(self, folder: Path, *, generate: bool, password: str = "") -> None:
        self.folder = folder
        self.generate = generate
        self.password = password.encode() or None
        self._lock = threading.Lock()
        self._cache: dict[str, SigningIdentity] = {}

    def get(self, code: str, organ: str) -> SigningIdentity:
        if not SAFE_CODE.match(code):
            raise SigningUnavailable(f"department code {code!r} cannot name a key file")
        with self._lock:
            if code not in self._cache:
                self._cache[code] = self._load_or_make(code, organ)
            return self._cache[code]

    def root_certificate(self) -> x509.Certificate:
        """The local root (generated mode), for readers and validators to trust."""
        return self._load_or_make(ROOT, "本地文书签章根证书").chain[-1]

    def _load_or_make(self, code: str, organ: str) -> SigningIdentity:
        path = self.folder / f"{code}.pem"
        if not path.exists():
            if not self.generate:
                raise SigningUnavailable(f"no signing key file {path}")
            issuer = None if code == ROOT else self._load_or_make(ROOT, "本地文书签章根证书")
            _write_new(path, _make_identity(organ, issuer), self.password)
        return _read(path, self.password)


def _make_identity(organ: str, issuer: SigningIdentity | None) -> SigningIdentity:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, organ), x509.NameAttribute(NameOID.ORGANIZATION_NAME, organ)]
    )
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * CERT_YEARS))
    )
    is_root = issuer is None
    signer_name, signer_key, parents = (
        (name, key, ()) if issuer is None else (issuer.chain[0].subject, issuer.key, issuer.chain)
    )
    builder = builder.issuer_name(signer_name)
    constraints = x509.BasicConstraints(ca=is_root, path_length=0 if is_root else None)
    builder = builder.add_extension(constraints, critical=True)
    builder = builder.add_extension(_key_usage(is_root), critical=True)
    # A key read from PEM is typed as any private key; ours are EC keys, which can sign certificates.
    cert = builder.sign(signer_key, hashes.SHA256())  # type: ignore[arg-type]
    return SigningIdentity(key=key, chain=(cert, *parents))


def _key_usage(is_root: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not is_root,
        content_commitment=not is_root,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=is_root,
        crl_sign=is_root,
        encipher_only=False,
        decipher_only=False,
    )


def _write_new(path: Path, identity: SigningIdentity, password: bytes | None) -> None:
    """Write key and chain owner-only; if another process got there first, its file stands."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    pem = identity.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    pem += b"".join(c.public_bytes(serialization.Encoding.PEM) for c in identity.chain)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    try:
        os.link(temporary, path)  # atomic, and refuses to replace an existing file
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    if path.stem == ROOT:
        (path.parent / "root.crt").write_bytes(identity.chain[0].public_bytes(serialization.Encoding.PEM))


def _read(path: Path, password: bytes | None) -> SigningIdentity:
    data = path.read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=password)
        chain = tuple(x509.load_pem_x509_certificates(data))
    except (ValueError, TypeError) as exc:
        raise SigningUnavailable(f"{path}: not a PEM private key with its certificate chain ({exc})") from exc
    return SigningIdentity(key=key, chain=chain)
