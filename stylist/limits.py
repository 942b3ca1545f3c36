"""What the web service accepts: message and image limits, and a per-client rate limit.

Both the HTTP API and the Gradio UI go through these checks, so a shopper gets the
same clear error wherever they type.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass

from stylist.errors import ImageError, InputRejected

_log = logging.getLogger(__name__)

#: Longest accepted conversation id (ids the service makes are 32 hex digits).
MAX_THREAD_ID_CHARS = 128
_THREAD_ID = re.compile(r"[A-Za-z0-9._:@-]+")
#: Characters that show nothing: a message made only of these (and spaces) is empty.
_INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Mn"}


def estimate_tokens(text: str) -> int:
    """A generous estimate of how many tokens a byte-level BPE tokenizer makes of ``text``.

    Half a token per ASCII character (English runs at about 0.3) and one per byte of
    anything else (measured on the bundled model's tokenizer at 2,000 characters: emoji
    0.75 tokens a byte, CJK 0.67, Arabic 0.6, Devanagari 0.43, combining marks 1.0). A
    token covers at least one byte, so the estimate is high for scripts and exact only
    for the worst case.
    """
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    other_bytes = len(text.encode("utf-8", errors="surrogatepass")) - ascii_chars
    return ascii_chars // 2 + other_bytes


def check_message(
    message: object, max_chars: int, field: str = "message", max_tokens: int | None = None
) -> str:
    """The shopper's message, stripped, or :class:`InputRejected`.

    400 when it is empty (also when it shows nothing: zero-width characters only), holds a
    control character (a null byte, an escape sequence; tabs and newlines are fine) or is
    not valid Unicode (a lone surrogate, which no database or model can store); 413 when it
    is longer than ``max_chars`` characters or, with ``max_tokens``, when the model would read
    more than ``max_tokens`` tokens (:func:`estimate_tokens`: 2,000 emoji are 6,000 tokens,
    more than the bundled model's whole context).
    """
    if not isinstance(message, str):
        raise InputRejected(400, f"{field} must be a string")
    text = message.strip()
    if len(text) > max_chars:
        raise InputRejected(413, f"{field} is {len(text)} characters long; the limit is {max_chars}")
    for i, ch in enumerate(text):
        code = ord(ch)
        if (code < 32 and ch not in "\t\n\r") or 0x7F <= code <= 0x9F:
            raise InputRejected(
                400,
                f"{field} contains a control character (U+{code:04X}) at position {i + 1}; send plain text",
            )
        if 0xD800 <= code <= 0xDFFF:
            raise InputRejected(
                400, f"{field} is not valid Unicode text (a lone surrogate U+{code:04X} at position {i + 1})"
            )
    if not text or all(unicodedata.category(ch) in _INVISIBLE or ch.isspace() for ch in text):
        raise InputRejected(400, f"{field} is empty: say what you are looking for")
    if max_tokens is not None and (tokens := estimate_tokens(text)) > max_tokens:
        raise InputRejected(
            413,
            f"{field} is too long for the language model to read (about {tokens:,} tokens; the limit is "
            f"{max_tokens:,}): say it in fewer words",
        )
    return text


def message_token_budget(model_context: int) -> int:
    """Most tokens a shopper's message may take: a third of the model's context.

    The rest holds the system prompt, the tools' results, the last turns and the answer.
    """
    return model_context // 3


def check_thread_id(value: object) -> str | None:
    """A conversation id as sent by a client (None or empty: start a new one), or 400.

    Ids are what a reply returned (32 hex digits) or a client's own: 1 to 128 letters,
    digits and ``. _ : @ -``. Anything else (a megabyte, a path, control characters) is
    refused before it reaches the conversation store.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputRejected(400, "thread_id must be a string (the id a reply returned)")
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_THREAD_ID_CHARS or not _THREAD_ID.fullmatch(value):
        shown = value[:40] + ("..." if len(value) > 40 else "")
        raise InputRejected(
            400,
            f"thread_id {shown!r} is not a conversation id: use the thread_id a reply returned "
            f"(1 to {MAX_THREAD_ID_CHARS} letters, digits or . _ : @ -), or leave it out to start one",
        )
    return value


def decode_base64_image(data: str, max_bytes: int) -> bytes:
    """Decode a base64 photo (plain or a ``data:image/...;base64,`` URL) and check it."""
    if not isinstance(data, str):
        raise InputRejected(400, "image must be a base64 string")
    payload = data.strip()
    if payload.startswith("data:"):
        header, sep, payload = payload.partition(",")
        if not sep or ";base64" not in header:
            raise InputRejected(400, "image data URL must be base64-encoded")
        if not header[5:].startswith("image/"):
            raise InputRejected(415, f"upload is not an image ({header[5:].split(';')[0] or 'no type'})")
    # base64 inflates by 4/3: refuse a payload that cannot fit before decoding it.
    if len(payload) > (max_bytes * 4) // 3 + max_bytes // 20 + 8:
        raise InputRejected(413, f"image is larger than the limit of {max_bytes} bytes")
    # MIME-style base64 breaks lines every 76 characters; those breaks are not errors.
    payload = re.sub(r"[ \t\r\n]+", "", payload)
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InputRejected(400, "image is not valid base64") from None
    return check_image(raw, max_bytes)


def check_image(raw: bytes, max_bytes: int, content_type: str | None = None) -> bytes:
    """Return ``raw`` if it is a readable photo within the limits (the one image check).

    The checks are :func:`stylist.vision.data.open_image`'s, the same the image model's
    decoder applies, plus a full decode here to catch truncated files.

    Raises:
        InputRejected: 415 for something that is not an image, 413 for too large,
            400 for a corrupt or truncated image.
    """
    from PIL import Image

    from stylist.vision.data import open_image

    if content_type and not content_type.lower().startswith("image/"):
        raise InputRejected(415, f"upload is not an image ({content_type})")
    try:
        with open_image(raw, max_bytes) as img:
            img.load()  # decodes every pixel: catches truncated or corrupt files
    except ImageError as exc:
        raise InputRejected(exc.http_status, str(exc)) from None
    except Image.DecompressionBombError:
        raise InputRejected(413, "image has too many pixels") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputRejected(400, f"image is corrupt: {exc}") from None
    return raw


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per client: ``burst`` requests at once, then ``per_minute`` on average.

    Thread-safe; idle clients are forgotten once their bucket is full again.
    """

    def __init__(self, per_minute: float, burst: int, clock=time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, client: str) -> float:
        """Take one token for ``client``; returns 0.0 if allowed, else seconds until one is free."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = self._buckets[client] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                self._forget_idle(now)
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        # Bounded memory: drop buckets that have refilled completely (their state is the default).
        if len(self._buckets) < 10_000:
            return
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]


class SharedRateLimiter:
    """The :class:`RateLimiter` token bucket kept in PostgreSQL, so every app worker shares it.

    Behind a load balancer each worker with its own in-memory buckets would let a client
    make N times the rate. One row per client in ``stylist_rate_limit``, refilled and
    taken in one atomic ``INSERT ... ON CONFLICT DO UPDATE`` on the database's clock.
    When the database cannot be reached requests are let through (logged; asked again
    after 10 s): the limit must not take the shop down with it.

    Args:
        url: the ``postgresql://`` URL (the conversation database).
        per_minute, burst: as :class:`RateLimiter`.
        pool_size: connections this worker keeps for it.
    """

    _TAKE = """
        INSERT INTO stylist_rate_limit AS b (client, tokens, updated, allowed)
        VALUES (%(client)s, %(burst)s - 1, extract(epoch from clock_timestamp()), true)
        ON CONFLICT (client) DO UPDATE SET
            tokens = CASE WHEN least(%(burst)s, b.tokens + (extract(epoch from clock_timestamp()) - b.updated)
                                     * %(rate)s) >= 1
                     THEN least(%(burst)s, b.tokens + (extract(epoch from clock_timestamp()) - b.updated)
                                * %(rate)s) - 1
                     ELSE least(%(burst)s, b.tokens + (extract(epoch from clock_timestamp()) - b.updated)
                                * %(rate)s) END,
            allowed = least(%(burst)s, b.tokens + (extract(epoch from clock_timestamp()) - b.updated)
                            * %(rate)s) >= 1,
            updated = extract(epoch from clock_timestamp())
        RETURNING tokens, allowed
    """

    def __init__(self, url: str, per_minute: float, burst: int, pool_size: int = 2) -> None:
        self.url = url
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.pool_size = pool_size
        self._pool = None
        self._lock = threading.Lock()
        self._down_until = 0.0  # after a failure, requests pass without asking for a while

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _connection_pool(self):
        with self._lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                pool = ConnectionPool(self.url, min_size=1, max_size=self.pool_size, open=False, timeout=2.0,
                                      kwargs={"autocommit": True}, check=ConnectionPool.check_connection)  # fmt: skip
                pool.open(wait=True, timeout=5)
                with pool.connection() as db:
                    db.execute(
                        "CREATE TABLE IF NOT EXISTS stylist_rate_limit (client text PRIMARY KEY, "
                        "tokens double precision NOT NULL, updated double precision NOT NULL, "
                        "allowed boolean NOT NULL)"
                    )
                self._pool = pool
            return self._pool

    def acquire(self, client: str) -> float:
        """Take one token for ``client``; 0.0 if allowed, else seconds until one is free."""
        if not self.enabled or time.monotonic() < self._down_until:
            return 0.0
        try:
            with self._connection_pool().connection() as db:
                tokens, allowed = db.execute(
                    self._TAKE, {"client": client[:200], "burst": float(self.burst), "rate": self.rate}
                ).fetchone()
        except Exception as exc:  # noqa: BLE001 - fail open: the limit must not take the shop down
            self._down_until = time.monotonic() + 10.0
            _log.warning("rate limit not checked (the database is unreachable: %s)", type(exc).__name__)
            return 0.0
        return 0.0 if allowed else (1.0 - float(tokens)) / self.rate

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def rate_limiter(settings) -> RateLimiter | SharedRateLimiter:
    """The app's rate limit: shared through PostgreSQL when the conversations live there, else in memory."""
    db = settings.checkpoint_db
    if settings.rate_limit_per_minute > 0 and db.startswith(("postgresql://", "postgres://")):
        return SharedRateLimiter(db, settings.rate_limit_per_minute, settings.rate_limit_burst)
    return RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
