"""Issuing a document as a sealed PDF: verification code and QR code, typesetting, signature.

The press is made once per process from the settings (``configure``, called when the app starts)
and used from the issuing transaction through ``current``; the work is CPU-bound and runs in a
worker thread (``asyncio.to_thread``), so the event loop keeps serving while a document is sealed.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from typing import Any

import msgspec
import segno

from api.documents.pdf.signing import IdentityStore, PadesSealer, Sealer, SigningIdentity
from api.documents.pdf.typesetting import CUSTODY_TEMPLATE, Typesetter
from api.documents.render import Rendered, zh_date
from api.settings import Settings

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread
CODE_LENGTH = 10  # 50 bits: not guessable one by one, short enough to type from paper
SEAL_REASON = "行政执法文书电子签章"


class IssuedPdf(msgspec.Struct, frozen=True, kw_only=True):
    pdf: bytes
    sha256: str
    verification_code: str
    certificate_sha256: str


def new_verification_code() -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


class Press:
    def __init__(
        self, typesetter: Typesetter, identities: IdentityStore, public_url: str, sealer: Sealer | None = None
    ) -> None:
        self.typesetter = typesetter
        self.identities = identities
        self.public_url = public_url.rstrip("/")
        self.sealer = sealer or PadesSealer()
        self.reports = Typesetter(CUSTODY_TEMPLATE)

    def verification_url(self, code: str) -> str:
        return f"{self.public_url}/verify/{code}"

    def issue(self, document: Rendered, *, department_code: str, location: str) -> IssuedPdf:
        """Typeset ``document`` (which carries its verification code) and seal it for the department."""
        identity = self.identity(department_code, document.organ)
        unsealed = self.typesetter.pdf(template_data(document), self.qr_svg(document.verification_code))
        pdf = self.sealer.seal(unsealed, identity, reason=SEAL_REASON, location=location)
        return IssuedPdf(
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            verification_code=document.verification_code,
            certificate_sha256=identity.certificate_sha256,
        )

    def report(self, data: dict[str, Any], *, department_code: str, organ: str) -> bytes:
        """A report (the chain-of-custody table) typeset and sealed by the department, as documents are."""
        pdf = self.reports.pdf(data, "")
        return self.sealer.seal(pdf, self.identity(department_code, organ), reason="证据保管链报告", location=organ)

    def unsealed(self, document: Rendered) -> bytes:
        """A form printed to be filled in by hand (the blank 送达回证): typeset, not sealed."""
        return self.typesetter.pdf(template_data(document), self.qr_svg(document.verification_code))

    def preview(self, document: Rendered, *, ppi: int = 60) -> list[bytes]:
        return self.typesetter.png_pages(template_data(document), self.qr_svg(document.verification_code), ppi=ppi)

    def identity(self, department_code: str, organ: str) -> SigningIdentity:
        return self.identities.get(department_code, organ)

    def qr_svg(self, code: str) -> str:
        out = io.BytesIO()
        segno.make(self.verification_url(code), error="m").save(out, kind="svg", border=0, xmldecl=False)
        return out.getvalue().decode()


def template_data(document: Rendered) -> dict[str, Any]:
    data = msgspec.to_builtins(document)
    data["issued_on"] = zh_date(document.issued_on)
    return data


_press: Press | None = None


def configure(settings: Settings) -> Press:
    """Make the process's press from the settings (embedded mode: keys generated under the data dir)."""
    global _press
    docs = settings.documents
    folder = docs.signing_dir or settings.data_dir.resolve() / "signing"
    identities = IdentityStore(folder, generate=docs.signing_dir is None, password=docs.signing_key_password)
    _press = Press(Typesetter(), identities, docs.public_url)
    return _press


def current() -> Press:
    if _press is None:
        raise RuntimeError("api.documents.pdf.press.configure(settings) was not called at start")
    return _press
