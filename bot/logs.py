"""Logging for the server and the worker: one format, and no Slack token ever written out.
slack-sdk logs request and response bodies at DEBUG (an OAuth exchange's answer holds the
new token), and a traceback can quote one; the filter masks them in every record."""

from __future__ import annotations

import logging
import re
from typing import IO

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Slack tokens: bot, user, app-level, refresh, config and rotating (xoxe.xoxb-...) kinds.
TOKEN = re.compile(r"\bxox(?:e\.xox)?[abposre]-[A-Za-z0-9~._-]+|\bxapp-[A-Za-z0-9-]+")
MASK = "xox…[redacted]"


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = TOKEN.sub(MASK, message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = TOKEN.sub(MASK, logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = TOKEN.sub(MASK, record.exc_text)
        return True


def configure_logging(level: int = logging.INFO, stream: IO[str] | None = None) -> None:
    """Root logging to stderr (or `stream`) with tokens masked in whatever any library logs."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "coachbot", False)]:
        root.removeHandler(old)
    handler.coachbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
