"""JSON responses, errors and the middlewares: bearer-token auth and security headers."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The page and its assets carry no data, so only /api needs the token. The stream also takes
# it as ?token= because a browser's EventSource cannot send headers; nothing else does, so
# tokens do not end up in access logs for ordinary calls.
QUERY_TOKEN_PATHS = frozenset({"/api/stream"})

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ApiError(Exception):
    """A client error answered as ``{"error": message, "field": field}``."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def json_response(data: Any, status: int = 200, **kw: Any) -> web.Response:
    return web.Response(
        body=orjson.dumps(data), status=status, content_type="application/json", **kw
    )


def error_response(status: int, message: str, field: str | None = None) -> web.Response:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    return json_response(body, status)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.message, exc.field)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400:
            raise
        return error_response(exc.status, exc.reason)


def auth_middleware(token: str | None) -> Any:
    expected = token.encode() if token else None

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        if expected is None or not request.path.startswith("/api/"):
            return await handler(request)
        given = _bearer(request)
        if given is None and request.path in QUERY_TOKEN_PATHS:
            given = request.query.get("token")
        # Constant-time compare: response timing must not reveal how much of a guess matched.
        if given is None or not hmac.compare_digest(given.encode(), expected):
            return _unauthorized()
        return await handler(request)

    return auth


def _unauthorized() -> web.Response:
    response = error_response(401, "missing or invalid bearer token")
    response.headers["WWW-Authenticate"] = 'Bearer realm="frontwire"'
    return response


def _bearer(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: applied to every response, errors and static files included."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # The page URL may carry ?token=; never leak it to the source sites the page links to.
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", CSP)
    if request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")
