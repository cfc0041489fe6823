"""JSON responses, errors and the middlewares: request guard (Host, Origin, Content-Type),
bearer-token auth and security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from shared.errors import InputError
from shared.web_guard import WRITE_METHODS, Refusals, RequestPolicy, same_secret

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The page and its assets carry no data, so only /api needs the token. The stream also takes
# it as ?token= because a browser's EventSource cannot send headers; nothing else does, so
# tokens do not end up in access logs for ordinary calls.
QUERY_TOKEN_PATHS = frozenset({"/api/stream"})

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ApiError(InputError):
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


def guard_middleware(policy: RequestPolicy, refusals: Refusals) -> Any:
    """Before anything else: a foreign Host (DNS rebinding) or Origin (a cross-site page) is
    refused with 403, a write without a JSON body with 415 (see shared/web_guard.py)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        refusal = policy.refusal(request.method, request.headers)
        if refusal is None:
            return await handler(request)
        refusals.record(refusal, request.method, request.path, request.headers)
        return error_response(refusal.status, refusal.message)

    return guard


def auth_middleware(token: str | None) -> Any:
    """With a token, all of /api needs it. Without one the API is read-only: reads stay open
    (the server is loopback-only then, see `check_exposure`) and writes are refused, so no
    local process or page can silence alerts."""

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/"):
            return await handler(request)
        if token is None:
            if request.method in WRITE_METHODS:
                return error_response(
                    403, "read-only: set FRONTWIRE_API_TOKEN to create or expire silences"
                )
            return await handler(request)
        given = _bearer(request)
        if given is None and request.path in QUERY_TOKEN_PATHS:
            given = request.query.get("token")
        # Constant-time compare: response timing must not reveal how much of a guess matched;
        # a non-ASCII guess is a wrong token (401), not a server error.
        if not same_secret(given, token):
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
