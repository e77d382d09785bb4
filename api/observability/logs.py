"""Structured logs (结构化日志): one JSON object per line, on standard error.

Each line has ``time``, ``level``, ``logger``, ``message``, the ``request_id`` of the request it was
written for (absent outside requests), and whatever the caller passed in ``extra``. Before a line
leaves, anything shaped like a secret or personal datum is replaced by ``[redacted]``: bearer
tokens and JWTs, passwords in ``key=value`` or JSON form, presigned-URL signatures and credentials,
resident ID numbers (GB 11643) and mainland mobile numbers. That is a net under the rule, not the
rule: code logs no bodies, headers or query strings at all (``requests.py``), and names of
whistleblowers cannot be recognised by shape, so they must simply never be logged.
"""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from storage.audit import current_request_id

REDACTED = "[redacted]"
SECRET_SHAPES = re.compile(
    r"(?i)bearer\s+[\w.~+/=-]+"  # Authorization values
    r"|eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*"  # a JWT anywhere
    r"|(?<=password)(?:\\?[\"']?\s*[:=]\s*\\?[\"']?)[^\s\"'\\,}&]+"  # password=… or "password": "…"
    r"|(?<=X-Amz-Signature=)[0-9a-f]+|(?<=X-Amz-Credential=)[^&\s\"]+"  # presigned URLs
    r"|(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"  # 居民身份证号码
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"  # 手机号码
)


def scrub(text: str) -> str:
    return SECRET_SHAPES.sub(REDACTED, text)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (rid := current_request_id.get()) is not None:
            record.request_id = rid
        return True


class ScrubbedJsonFormatter(JsonFormatter):
    """python-json-logger's formatter with our field names, and the scrub applied to the whole line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("fmt", "{asctime}{levelname}{name}{message}")
        kwargs.setdefault("style", "{")
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "color_message"])  # uvicorn's copy with ANSI colours
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config`` dictionary: every logger, uvicorn's included, through the JSON handler.

    uvicorn's own access log is off (``requests.py`` writes one without the query string).
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": ScrubbedJsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


def configure(level: str = "INFO") -> None:
    logging.config.dictConfig(config(level))
