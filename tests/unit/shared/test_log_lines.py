"""Log lines: JSON for machines, as before; human lines for a terminal, with no control
sequence from logged article text."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import orjson
import pytest
import structlog

from shared.observability import log_formatter

HOSTILE = "\x1b]0;pwned\x07\x1b[2J[bold]title\x1b[31m\nforged_line level=error\u202e"


@pytest.fixture
def lines() -> Iterator[tuple[structlog.stdlib.BoundLogger, io.StringIO, logging.Handler]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    stdlib = logging.Logger("frontwire.test")  # not the root: the test's own, not registered
    stdlib.addHandler(handler)
    logger = structlog.wrap_logger(
        stdlib, wrapper_class=structlog.stdlib.BoundLogger,
        processors=[structlog.processors.add_log_level,
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    )
    yield logger, out, handler


def test_human_lines_carry_no_control_sequence_from_logged_text(lines: tuple) -> None:
    logger, out, handler = lines
    handler.setFormatter(log_formatter(json=False, colors=True))
    logger.info("article_received", title=HOSTILE, urls=[HOSTILE])
    try:
        raise ValueError(HOSTILE)
    except ValueError:
        logger.exception("record_failed")
    text = out.getvalue()
    ours = re.sub(r"\x1b\[[0-9;]*m", "", text)  # the renderer's own colours
    assert not [c for c in ours if c in "\x1b\x07\u202e"], repr(ours)
    assert "[bold]title" in ours and "article_received" in ours
    first, *rest = ours.splitlines()
    assert "forged_line" in first  # flattened onto the line, not a line of its own
    assert "Traceback (most recent call last):" in rest  # tracebacks keep their lines


def test_json_lines_escape_and_keep_the_data(lines: tuple) -> None:
    logger, out, handler = lines
    handler.setFormatter(log_formatter(json=True))
    logger.info("article_received", title=HOSTILE)
    [line] = out.getvalue().splitlines()
    assert "\x1b" not in line
    assert orjson.loads(line) == {"event": "article_received", "title": HOSTILE, "level": "info"}
