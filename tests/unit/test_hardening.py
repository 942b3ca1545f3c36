"""The request guard and the input checks of issue 19 (the full hostile suite is tests/integration/test_hostile.py)."""

from __future__ import annotations

import httpx
import pytest

from stylist.api.deps import context_overflow, store_unavailable, validation_message
from stylist.errors import InputRejected
from stylist.limits import check_message, check_thread_id, estimate_tokens
from stylist.render import chat_markdown
from tests.unit.test_api import _tiny_catalog_path, fake, make_client, products  # noqa: F401 - fixtures


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        ("navy\x00shirt", 400, "U+0000"),
        ("\x1b[31mred", 400, "control character"),
        ("shirt\x85please", 400, "U+0085"),
        ("shirt \ud800", 400, "lone surrogate"),
        ("\u200b\u200d\ufeff  ", 400, "empty"),
        ("x" * 2001, 413, "2001 characters"),
        ("👠" * 1000, 413, "too long for the language model"),
    ],
)
def test_messages_that_cannot_be_read_are_refused(text, status, words):
    with pytest.raises(InputRejected) as exc:
        check_message(text, 2000, max_tokens=1365)
    assert exc.value.status == status and words in exc.value.message


def test_tabs_newlines_rtl_and_emoji_are_fine():
    text = "שלום\ta navy shirt\nfor men 👔"
    assert check_message(f"  {text}  ", 2000, max_tokens=1365) == text


def test_token_estimate_is_high_for_scripts_and_low_for_english():
    assert estimate_tokens("a navy shirt") == 6
    assert estimate_tokens("👠" * 10) == 40  # 4 bytes each (the tokenizer makes 3)
    assert estimate_tokens("नीली") == 12


@pytest.mark.parametrize("tid", ["t-1", "0f" * 16, "shop:42@user.x"])
def test_thread_ids_a_client_may_use(tid):
    assert check_thread_id(tid) == tid
    assert check_thread_id(None) is None and check_thread_id("  ") is None


@pytest.mark.parametrize("tid", ["a" * 129, "../../etc", "a b", "t\x00", "שיחה", 42])
def test_thread_ids_refused(tid):
    with pytest.raises(InputRejected) as exc:
        check_thread_id(tid)
    assert exc.value.status == 400 and "thread_id" in exc.value.message


def test_validation_messages_say_what_is_wrong_without_echoing_input():
    assert validation_message([{"type": "json_invalid", "loc": ("body", 12), "msg": "JSON decode error",
                                "ctx": {"error": "Expecting value"}}]) == (
        "the body is not valid JSON: Expecting value (at character 12)"
    )  # fmt: skip
    assert validation_message([{"type": "missing", "loc": ("body",), "msg": "Field required"}]).startswith(
        "the body is empty"
    )
    assert validation_message([{"type": "string_type", "loc": ("body", "message"), "msg": "Input should be a "
                                "valid string", "input": "x" * 10_000}]) == (
        "invalid request: message: Input should be a valid string"
    )  # fmt: skip


def test_failures_are_classified_by_type():
    import openai
    import psycopg

    request = httpx.Request("POST", "http://x/v1/chat/completions")
    overflow = openai.BadRequestError(
        "This model's maximum context length is 4096 tokens.", response=httpx.Response(400, request=request),
        body=None,
    )  # fmt: skip
    assert context_overflow(overflow) and not context_overflow(ValueError("context length"))
    wrapped = RuntimeError("turn failed")
    wrapped.__cause__ = psycopg.OperationalError("server closed the connection")
    assert store_unavailable(wrapped) and not store_unavailable(ValueError("x"))


def test_chat_bubbles_show_links_and_images_as_text():
    text = chat_markdown(
        "Bag [90% off](https://evil.example/x) ![t](javascript:alert(1)) www.evil.example <b>"
    )
    assert "](" not in text.replace("\\](", "") and "https://" not in text and "www." not in text
    assert "&lt;b&gt;" in text and "\\[90% off\\]" in text


def test_the_guard_refuses_large_and_compressed_bodies_before_reading(fake, tmp_path):  # noqa: F811
    with make_client(fake, tmp_path, max_image_bytes=30_000) as client:
        big = client.post("/api/chat", content=b"x" * 2_000_000, headers={"content-type": "application/json"})
        assert big.status_code == 413 and "limit" in big.json()["detail"]
        oa = client.post(
            "/v1/chat/completions", content=b"x" * 2_000_000, headers={"content-type": "application/json"}
        )
        assert oa.status_code == 413 and oa.json()["error"]["type"] == "invalid_request_error"
        gz = client.post(
            "/api/chat",
            content=b"{}",
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        )
        assert gz.status_code == 415
        assert client.get("/api/nope").json() == {
            "detail": "not found: GET /api/nope is not a route of this service (see /docs)"
        }
        wrong = client.get("/api/chat")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
    assert fake.calls == []
