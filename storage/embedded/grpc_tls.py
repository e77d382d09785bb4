"""Mutual TLS for the gRPC ports of the embedded SeaweedFS (内部通信双向认证).

``weed mini`` runs master, volume server, filer and S3 gateway in one process; they talk gRPC
to each other, and every gRPC port also listens on loopback TCP, where any local account could
otherwise delete a whole bucket (``weed shell`` → ``collection.delete``) without a credential.
With a CA and a certificate configured for every component (SeaweedFS reads them from
``WEED_GRPC_*`` variables, security.toml's ``[grpc.*]``), a gRPC peer must present a certificate
signed by that CA. Both are made on first start into the data folder (0600) and live ten years;
SeaweedFS does not check host names, so one certificate serves every component.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from storage.embedded.folder import secret

COMPONENTS = ("MASTER", "VOLUME", "FILER", "S3", "ADMIN", "WORKER", "CLIENT", "MSG_BROKER", "MQ")
LIFETIME = dt.timedelta(days=3650)


def grpc_tls_environment(folder: Path) -> dict[str, str]:
    """``WEED_GRPC_*`` variables naming the CA and the components' certificate, made if missing."""
    ca_key, node_key = (_key(folder / name) for name in ("ca.key", "node.key"))
    ca_cert = _pem_file(folder / "ca.crt", lambda: _certificate(ca_key, ca_key, "enforce embedded CA", ca=True))
    issuer = x509.load_pem_x509_certificate(ca_cert.encode())
    _pem_file(folder / "node.crt", lambda: _certificate(node_key, ca_key, "enforce embedded s3", ca=False, by=issuer))
    environment = {"WEED_GRPC_CA": str(folder / "ca.crt")}
    for component in COMPONENTS:
        environment[f"WEED_GRPC_{component}_CERT"] = str(folder / "node.crt")
        environment[f"WEED_GRPC_{component}_KEY"] = str(folder / "node.key")
    return environment


def _key(path: Path) -> ec.EllipticCurvePrivateKey:
    text = _pem_file(path, lambda: _pem_key(ec.generate_private_key(ec.SECP256R1())))
    key = serialization.load_pem_private_key(text.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _pem_file(path: Path, make: Callable[[], str]) -> str:
    return secret(path, make) + "\n"


def _pem_key(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _certificate(
    key: ec.EllipticCurvePrivateKey,
    signer: ec.EllipticCurvePrivateKey,
    name: str,
    *,
    ca: bool,
    by: x509.Certificate | None = None,
) -> str:
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(by.subject if by else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + LIFETIME)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
        loopback = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        builder = builder.add_extension(x509.SubjectAlternativeName(loopback), critical=False)
    return builder.sign(signer, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
