"""The service's ASGI middleware: body and request limits, the Host check, security headers on every response.

Each refuses with a small JSON error before the application runs, so that a refused request costs next to nothing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class _TooLarge(HTTPException):
    """Raised while a streamed body grows past the limit; an HTTPException, so that body parsers pass it on."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over the limit of {limit:,} bytes")


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether announced by Content-Length or streamed;
    paths in ``smaller`` have their own (lower) limits."""

    def __init__(self, app: ASGIApp, limit: int, smaller: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = limit
        self.smaller = smaller or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await _Limited(self.app, self.smaller.get(scope["path"], self.default))(scope, receive, send)


class _Limited:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.limit
            except ValueError:
                await _json_error(send, 400, "Content-Length is not a number")
                return
            if too_large:
                await _json_error(send, 413, f"request body over the limit of {self.limit:,} bytes")
                return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _json_error(send, 413, f"request body over the limit of {self.limit:,} bytes")


class RequestLimit:
    """At most ``limit`` requests in progress; more get 503 at once rather than queueing without bound (each
    holds its body in memory). Health checks and static files are not counted, so they answer under load."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0  # the event loop runs one middleware call at a time: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path == "/api/health" or path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            await _json_error(send, 503, "the service is busy; retry in a moment", [(b"retry-after", b"1")])
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


class HostCheck:
    """Answer only requests whose Host header names this service, so that a page on another site cannot reach
    the API through a DNS name rebound to this address. ``allowed`` None: no check."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str] | None) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.allowed is not None:
            given = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if host_name(given) not in self.allowed:
                await _json_error(
                    send,
                    400,
                    "unexpected Host header: this service answers under the address it is bound to; "
                    "start it with --public-name NAME to serve it under another name",
                )
                return
        await self.app(scope, receive, send)


def host_name(header: str) -> str:
    """The name in a Host header, without port, in lower case: '[::1]:8000' -> '::1', 'A.org.:80' -> 'a.org'."""
    header = header.strip().lower()
    if header.startswith("["):
        name = header[1:].partition("]")[0]
    elif header.count(":") == 1:
        name = header.partition(":")[0]
    else:
        name = header
    return name.rstrip(".")


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def allowed_hosts(bound: str, public_names: tuple[str, ...] = ()) -> frozenset[str] | None:
    """The Host names a service bound to ``bound`` answers to; None (no check) when bound to every address and
    no public name is given."""
    names = {host_name(n) for n in public_names}
    if bound in ("0.0.0.0", "::", ""):
        return frozenset(names | LOOPBACK) if names else None
    names.add(host_name(bound))
    if host_name(bound) in LOOPBACK:
        names |= LOOPBACK
    return frozenset(names)


async def _json_error(send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"status": status, "error": message, "detail": None}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            + (extra or [])
            + _SECURITY_HEADERS,
        }
    )
    await send({"type": "http.response.body", "body": body})


_SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """The same defensive headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in _SECURITY_HEADERS if k not in names
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
