"""GET /api/openapi.json: the API's OpenAPI 3.1 document (openapi.yaml beside this file)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
import yaml
from aiohttp import web

OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")


@cache
def openapi_document() -> dict[str, Any]:
    """The document as data (read once: it ships with the package and never changes)."""
    data: dict[str, Any] = yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _body() -> bytes:
    return orjson.dumps(openapi_document())


async def openapi_json(request: web.Request) -> web.Response:
    return web.Response(body=_body(), content_type="application/json")
