"""Camera stream addresses (取流地址) and the credentials kept out of them.

A camera's URL in the site registry carries no user name or password: those are stored apart,
written by operators and handed only to the vision node that holds the camera's lease, which
writes them into the URL it opens. ``redacted`` hides credentials wherever a URL is shown (answers,
pages, logs), including URLs stored before credentials were kept apart.
"""

from __future__ import annotations

import urllib.parse

HIDDEN = "***"
STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "rtmp", "rtmps", "http", "https"})


def has_credentials(url: str) -> bool:
    """Whether a network URL names a user or password (``rtsp://admin:pw@host/…``)."""
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in STREAM_SCHEMES and "@" in parts.netloc


def redacted(url: str) -> str:
    """The URL with its user name and password replaced by ``***``; other URLs and paths unchanged."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in STREAM_SCHEMES or "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{HIDDEN}@{host}"))


def with_credentials(url: str, username: str, password: str) -> str:
    """The URL a node opens: the stored credentials written in, percent-encoded (a ``@`` in a password)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in STREAM_SCHEMES:
        return url
    host = parts.netloc.rpartition("@")[2]
    user, secret = urllib.parse.quote(username, safe=""), urllib.parse.quote(password, safe="")
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:{secret}@{host}"))
