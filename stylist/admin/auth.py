"""The staff token: ``STYLIST_ADMIN_TOKEN`` guards the console (``/admin``) and the admin API.

Unset, everything is closed (401). Scripts send ``Authorization: Bearer <token>``; a browser
signs in once on the login page, which sets an HttpOnly cookie holding an HMAC of the token (so
the token itself is never stored in the browser, and changing the token signs everyone out).
"""

from __future__ import annotations

import hashlib
import hmac
import html
from collections.abc import Mapping

COOKIE = "stylist_admin"
CLOSED = "the staff console is closed: set STYLIST_ADMIN_TOKEN to open it"
MISSING = "staff token required: send 'Authorization: Bearer <STYLIST_ADMIN_TOKEN>'"
WRONG = "wrong staff token"


def session_value(token: str) -> str:
    """The cookie value for ``token`` (an HMAC: it proves the token without being it)."""
    return hmac.new(token.encode(), b"stylist-admin-session-v1", hashlib.sha256).hexdigest()


def bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization") or ""
    scheme, _, credential = value.partition(" ")
    return credential.strip() if scheme.lower() == "bearer" and credential.strip() else None


def check(token: str | None, headers: Mapping[str, str], cookies: Mapping[str, str]) -> str | None:
    """None when the request may pass, else why not (the 401's message)."""
    if not token:
        return CLOSED
    presented = bearer(headers)
    if presented is not None:
        return None if hmac.compare_digest(presented.encode(), token.encode()) else WRONG
    cookie = cookies.get(COOKIE)
    if cookie is not None:
        return None if hmac.compare_digest(cookie.encode(), session_value(token).encode()) else WRONG
    return MISSING


def login_page(message: str, *, closed: bool = False, action: str = "/admin/login") -> str:
    """The sign-in page shown with a 401 (no script; the form posts the token)."""
    form = (
        ""
        if closed
        else f"""<form method="post" action="{html.escape(action)}">
  <label>Staff token <input type="password" name="token" id="admin-token" autocomplete="current-password" required></label>
  <button type="submit" id="admin-login">Sign in</button>
</form>"""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stylist staff console: sign in</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}
input{{margin:0 .5rem;padding:.3rem}} .why{{color:#a01818}}</style></head>
<body><h1>Staff console</h1><p class="why" id="admin-why">{html.escape(message)}</p>
{form}</body></html>"""
