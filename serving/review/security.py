"""What keeps `xxgk review` safe by default.

* **CSRF**: every browser gets a random id in a cookie (HttpOnly, SameSite=Strict); every
  form carries the HMAC of that id under a secret the app draws at start. A POST whose
  token does not match its cookie is refused, so another site cannot make a reviewer's
  browser record a review.
* **Headers**: a Content-Security-Policy that allows no script at all, the app's own
  stylesheet, forms posting to the app only, and frames of the app's own pages only (the
  report's text is one); no MIME sniffing; no referrer.
* **Hosts**: only the address the app binds to (and localhost) is accepted as Host, so a
  page of another site cannot reach it by DNS rebinding (Starlette's TrustedHostMiddleware).

Document-derived strings are escaped by Jinja2's autoescaping (app.py), never marked safe.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

BROWSER_COOKIE = "xxgk_review_browser"
TOKEN_FIELD = "csrf_token"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
}


class CsrfTokens:
    """Tokens bound to a browser's cookie under a secret of this app instance."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def token(self, browser_id: str) -> str:
        return hmac.new(self._secret, browser_id.encode(), hashlib.sha256).hexdigest()

    def valid(self, browser_id: str | None, token: str | None) -> bool:
        if not browser_id or not token:
            return False
        return hmac.compare_digest(self.token(browser_id), token)


def browser_id(request: Request) -> str:
    """The browser's id: its cookie, or the new one this response sets."""
    return str(request.state.browser_id)


class SafeByDefault(BaseHTTPMiddleware):
    """Gives each browser its id cookie and each response the security headers."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        known = request.cookies.get(BROWSER_COOKIE)
        request.state.browser_id = known or secrets.token_urlsafe(24)
        response = await call_next(request)
        if not known:
            response.set_cookie(
                BROWSER_COOKIE,
                request.state.browser_id,
                httponly=True,
                samesite="strict",
                path="/",
            )
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
