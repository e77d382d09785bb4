"""PDF for numbered documents: typeset with Typst, sealed with the department's certificate (PAdES).

``typesetting`` turns a document's content into an archival PDF (PDF/A-2b, fonts embedded);
``signing`` holds the departments' signing identities and the sealer behind an interface, so an
SM2/SM3 electronic-seal provider (GB/T 38540) can take the PAdES sealer's place; ``press`` puts
the two together with the QR code and verification code every issued document carries.
"""
