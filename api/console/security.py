"""Security headers of console pages (安全响应头).

The Content-Security-Policy admits scripts, styles, fonts and connections from this origin only: no
inline script, no ``eval``, no style attribute, no third-party host. Evidence images and clips are
shown from the evidence store through short-lived signed links, so its origin is admitted for
images and media alone. Pages are never framed (clickjacking) and never stored by caches.
"""

from __future__ import annotations

import functools

from api.settings import ObjectStoreSettings


@functools.cache
def content_security_policy(store: ObjectStoreSettings) -> str:
    evidence = f" {'https' if store.secure else 'http'}://{store.endpoint}" if store.endpoint else ""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            f"img-src 'self' data:{evidence}",
            f"media-src 'self'{evidence}",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


def page_headers(store: ObjectStoreSettings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(store),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
