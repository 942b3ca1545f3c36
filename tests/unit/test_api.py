"""The HTTP API with a scripted stylist: what it was sent, what the API returned, and every limit."""

from __future__ import annotations

import base64
import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from stylist.api import create_app
from stylist.errors import ImageError, LLMUnavailable
from stylist.reply import Reply, ToolCall
from stylist.settings import Settings
from tests.fake_stylist import FakeStylist, card


def jpeg(size: tuple[int, int] = (30, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _tiny_catalog_path(tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog (the folder photos are served from) is the tiny one the products come from."""
    monkeypatch.setenv("STYLIST_CATALOG_PATH", str(tiny_catalog))


@pytest.fixture
def products(tiny_products: list[dict]) -> list[dict]:
    return tiny_products


@pytest.fixture
def fake(products: list[dict]) -> FakeStylist:
    return FakeStylist(products)


def make_client(fake: Any, tmp_path: Path, **overrides: Any) -> TestClient:
    options = {"data_dir": tmp_path / "data", "rate_limit_per_minute": 0.0, **overrides}
    return TestClient(create_app(Settings(**options), fake, ui=False))


@pytest.fixture
def client(fake: FakeStylist, tmp_path: Path):
    with make_client(fake, tmp_path) as c:
        yield c


def scripted_reply(products: list[dict], answer: str = "Try these two shirts.") -> Reply:
    return Reply(
        answer=answer,
        products=[card(products[0], "navy, within budget"), card(products[1], "formal")],
        tool_calls=[ToolCall("search_catalog", {"query": "navy shirt", "price_max": 1500})],
        trends=[{"trend": "eu_female_top_1", "status": "rising", "change": 0.12, "series": [1, 2, 3]}],
    )


# -- /api/chat --------------------------------------------------------------------------------


def test_chat_json_passes_message_and_returns_reply_with_public_image_urls(client, fake, products):
    fake.enqueue(scripted_reply(products))
    r = client.post("/api/chat", json={"message": "  a navy shirt under 1500  "})
    assert r.status_code == 200
    body = r.json()
    assert len(fake.calls) == 1
    call = fake.calls[0]
    assert (
        call["method"] == "respond" and call["message"] == "a navy shirt under 1500" and call["image"] is None
    )
    assert len(call["thread_id"]) == 32  # a fresh thread id was made for a new conversation
    assert body["thread_id"] == call["thread_id"]
    assert body["answer"] == "Try these two shirts."
    assert [p["id"] for p in body["products"]] == [str(products[0]["id"]), str(products[1]["id"])]
    assert body["products"][0]["reason"] == "navy, within budget"
    # Local photo paths never leave the server: the client gets the app's image route.
    assert body["products"][0]["image"] == f"http://testserver/api/products/{products[0]['id']}/image"
    assert body["tool_calls"] == [
        {"name": "search_catalog", "args": {"query": "navy shirt", "price_max": 1500}, "source": "model"}
    ]
    assert body["trends"][0]["status"] == "rising"


def test_follow_up_keeps_the_thread(client, fake):
    first = client.post("/api/chat", json={"message": "red dress"}).json()
    second = client.post(
        "/api/chat", json={"message": "cheaper please", "thread_id": first["thread_id"]}
    ).json()
    assert [c["thread_id"] for c in fake.calls] == [first["thread_id"]] * 2
    assert second["thread_id"] == first["thread_id"]


def test_multipart_upload_passes_the_photo_bytes(client, fake):
    photo = jpeg()
    r = client.post(
        "/api/chat",
        data={"message": "something like this", "thread_id": "t-1"},
        files={"image": ("look.jpg", photo, "image/jpeg")},
    )
    assert r.status_code == 200, r.text
    assert fake.calls[0]["image"] == photo and fake.calls[0]["thread_id"] == "t-1"
    assert r.json()["notes"] == []


@pytest.mark.parametrize("data_url", [False, True])
def test_json_base64_photo(client, fake, data_url):
    photo = jpeg()
    encoded = base64.b64encode(photo).decode()
    if data_url:
        encoded = "data:image/jpeg;base64," + encoded
    r = client.post("/api/chat", json={"message": "like this", "image": encoded})
    assert r.status_code == 200, r.text
    assert fake.calls[0]["image"] == photo


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"message": ""}, 400, "empty"),
        ({"message": "   \n "}, 400, "empty"),
        ({"message": "x" * 2001}, 413, "2001 characters"),
        ({"message": "hi", "image": "%%%not base64%%%"}, 400, "base64"),
        (
            {"message": "hi", "image": base64.b64encode(b"plain text, not a photo").decode()},
            415,
            "not an image",
        ),
        ({"message": "hi", "image": "data:text/plain;base64,aGVsbG8="}, 415, "not an image"),
        ({"message": "hi", "image": base64.b64encode(jpeg()[:200]).decode()}, 400, "corrupt"),
        ({"thread_id": "x"}, 422, "message"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_never_reaches_the_stylist(
    client, fake, body, status, words
):
    r = client.post("/api/chat", json=body)
    assert r.status_code == status
    assert words in r.json()["detail"]
    assert fake.calls == []


def test_oversized_and_non_image_uploads(fake, tmp_path):
    with make_client(fake, tmp_path, max_image_bytes=2000) as c:
        big = jpeg((400, 400))
        assert len(big) > 2000
        r = c.post("/api/chat", data={"message": "hi"}, files={"image": ("a.jpg", big, "image/jpeg")})
        assert r.status_code == 413 and "limit is 2000" in r.json()["detail"]
        r = c.post("/api/chat", data={"message": "hi"}, files={"image": ("a.txt", b"hello", "text/plain")})
        assert r.status_code == 415 and "text/plain" in r.json()["detail"]
        r = c.post("/api/chat", json={"message": "hi", "image": base64.b64encode(big).decode()})
        assert r.status_code == 413
        r = c.post("/api/chat", content=b"message=hi", headers={"content-type": "text/plain"})
        assert r.status_code == 415
    assert fake.calls == []


def test_rate_limit_per_client_returns_429_with_retry_after(fake, tmp_path):
    with make_client(fake, tmp_path, rate_limit_per_minute=1.0, rate_limit_burst=2) as c:
        codes = [c.post("/api/chat", json={"message": "shoes"}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = c.post(
            "/v1/chat/completions", json={"model": "stylist", "messages": [{"role": "user", "content": "x"}]}
        )
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert "too many requests" in r.json()["error"]["message"]
    assert len(fake.calls) == 2


def test_stylist_failure_is_a_500_and_unreachable_model_a_503(client, fake):
    fake.enqueue(ValueError("boom"), LLMUnavailable("the language model is not reachable"))
    r = client.post("/api/chat", json={"message": "shirt"})
    assert r.status_code == 500 and "ValueError" in r.json()["detail"]
    r = client.post("/api/chat", json={"message": "shirt"})
    assert r.status_code == 503 and "not reachable" in r.json()["detail"] and r.headers["retry-after"] == "5"


def test_stylist_errors_keep_their_status_in_both_api_families(client, fake):
    fake.enqueue(ImageError("the photo is corrupt; send a JPEG or PNG"), LLMUnavailable("down; try again"))
    r = client.post("/api/chat", json={"message": "shirt"})
    assert r.status_code == 400 and r.json() == {"detail": "the photo is corrupt; send a JPEG or PNG"}
    assert "retry-after" not in r.headers
    r = client.post(
        "/v1/chat/completions", json={"model": "stylist", "messages": [{"role": "user", "content": "hi"}]}
    )
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert r.json()["error"] == {"message": "down; try again", "type": "server_error", "code": 503}


# -- SSE -----------------------------------------------------------------------------------------


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    assert text.endswith("\n\n")
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        assert len(lines) == 2 and lines[0].startswith("event: ") and lines[1].startswith("data: "), block
        events.append((lines[0][7:], json.loads(lines[1][6:])))
    return events


def test_stream_is_sse_framed_tool_tokens_final(client, fake, products):
    fake.enqueue(scripted_reply(products, answer="Two shirts:\nnavy & white <b>"))
    r = client.post("/api/chat/stream", json={"message": "navy shirt", "thread_id": "abc"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    kinds = [k for k, _ in events]
    assert kinds[0] == "tool" and kinds[-1] == "final" and set(kinds[1:-1]) == {"token"}
    assert events[0][1] == {
        "type": "tool",
        "name": "search_catalog",
        "args": {"query": "navy shirt", "price_max": 1500},
        "source": "model",
    }
    assert "".join(d["text"] for k, d in events if k == "token") == "Two shirts:\nnavy & white <b>"
    final = events[-1][1]["reply"]
    assert final["thread_id"] == "abc" and final["products"][1]["image"].endswith(
        f"/api/products/{products[1]['id']}/image"
    )
    assert fake.calls[0]["method"] == "stream" and fake.calls[0]["thread_id"] == "abc"


def test_stream_failure_mid_way_is_an_error_event(client, fake):
    fake.enqueue(RuntimeError("down"))
    events = parse_sse(client.post("/api/chat/stream", json={"message": "hi"}).text)
    assert events == [("error", {"type": "error", "message": "the stylist failed: RuntimeError"})]


def test_stream_validates_before_streaming(client, fake):
    assert client.post("/api/chat/stream", json={"message": ""}).status_code == 400
    assert fake.calls == []


# -- OpenAI facade --------------------------------------------------------------------------------


def test_openai_non_stream_shape(client, fake, products):
    fake.enqueue(scripted_reply(products))
    r = client.post(
        "/v1/chat/completions",
        json={
            "model": "stylist",
            "messages": [{"role": "system", "content": "be nice"}, {"role": "user", "content": "navy shirt"}],
            "thread_id": "t9",
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert (
        body["object"] == "chat.completion"
        and body["model"] == "stylist"
        and body["id"].startswith("chatcmpl-")
    )
    assert body["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Try these two shirts."},
            "finish_reason": "stop",
        }
    ]
    assert body["stylist"]["thread_id"] == "t9"
    assert [p["id"] for p in body["stylist"]["products"]] == [str(products[0]["id"]), str(products[1]["id"])]
    assert body["stylist"]["tool_calls"][0]["name"] == "search_catalog"
    assert fake.calls[0]["message"] == "navy shirt" and fake.calls[0]["thread_id"] == "t9"


def test_openai_stream_chunks(client, fake, products):
    fake.enqueue(scripted_reply(products, answer="Two good shirts"))
    r = client.post(
        "/v1/chat/completions",
        json={"model": "stylist", "stream": True, "messages": [{"role": "user", "content": "shirt"}]},
    )
    lines = [line for line in r.text.split("\n\n") if line]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "stylist" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "Two good shirts"
    assert chunks[1]["stylist"]["tool"]["name"] == "search_catalog"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert len(chunks[-1]["stylist"]["products"]) == 2 and chunks[-1]["stylist"]["thread_id"]


def test_openai_image_part_and_errors(client, fake):
    photo = jpeg()
    url = "data:image/jpeg;base64," + base64.b64encode(photo).decode()
    content = [{"type": "text", "text": "like this"}, {"type": "image_url", "image_url": {"url": url}}]
    r = client.post(
        "/v1/chat/completions", json={"model": "stylist", "messages": [{"role": "user", "content": content}]}
    )
    assert (
        r.status_code == 200 and fake.calls[0]["image"] == photo and fake.calls[0]["message"] == "like this"
    )
    r = client.post(
        "/v1/chat/completions", json={"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}
    )
    assert r.status_code == 404 and "use 'stylist'" in r.json()["error"]["message"]
    r = client.post(
        "/v1/chat/completions", json={"model": "stylist", "messages": [{"role": "assistant", "content": "x"}]}
    )
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    r = client.post(
        "/v1/chat/completions", json={"model": "stylist", "messages": [{"role": "user", "content": ""}]}
    )
    assert r.status_code == 400 and "empty" in r.json()["error"]["message"]
    assert len(fake.calls) == 1


# -- products and photos ------------------------------------------------------------------------


def test_product_and_its_photo(client, products):
    p = products[3]
    r = client.get(f"/api/products/{p['id']}")
    assert r.status_code == 200
    assert r.json()["title"] == p["title"] and r.json()["image"].endswith(f"/api/products/{p['id']}/image")
    r = client.get(f"/api/products/{p['id']}/image")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert r.content == Path(p["image"]).read_bytes()
    assert client.get("/api/products/no-such-id").status_code == 404
    assert client.get("/api/products/no-such-id/image").status_code == 404


def test_only_catalog_photos_are_served(tmp_path, products):
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(jpeg())
    evil = [
        {**products[0], "id": "e1", "image": "/etc/passwd"},
        {**products[0], "id": "e2", "image": str(outside)},  # a photo, but outside the catalog folder
        {**products[0], "id": "e3", "image": products[0]["image"] + "/../../styles.csv"},
        {**products[0], "id": "e4", "image": "https://cdn.example/p.jpg"},
    ]
    with make_client(FakeStylist(evil), tmp_path) as c:
        for pid in ("e1", "e2", "e3"):
            r = c.get(f"/api/products/{pid}/image")
            assert r.status_code == 404 and "no photo" in r.json()["detail"], pid
        r = c.get("/api/products/e4/image", follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == "https://cdn.example/p.jpg"


# -- service routes, CORS, docs, widget -----------------------------------------------------------


def test_health_and_readiness(client, fake):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"ready": True, "state": "ready", "llm": True, "chroma": True}
    fake.ready_state = {"llm": False, "chroma": True}
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["llm"] is False and r.json()["chroma"] is True


def test_while_starting_chat_is_503_and_readyz_says_starting(tmp_path, monkeypatch, products):
    release = threading.Event()
    built = FakeStylist(products)

    def slow_build(settings):
        release.wait(10)
        return built

    import stylist.agent

    monkeypatch.setattr(stylist.agent, "build_stylist", slow_build)
    app = create_app(Settings(data_dir=tmp_path / "d"), None, ui=False)
    with TestClient(app) as c:
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["state"] == "starting"
        r = c.post("/api/chat", json={"message": "shirt"})
        assert r.status_code == 503 and "starting" in r.json()["detail"] and r.headers["retry-after"] == "5"
        release.set()
        assert app.state.runtime.wait(10)
        assert c.post("/api/chat", json={"message": "shirt"}).status_code == 200
    assert built.closed  # shutting the app down closes the stylist (and the vLLM it owns)


def test_cors_allows_only_configured_origins(fake, tmp_path):
    with make_client(fake, tmp_path, allowed_origins=["http://shop.example:8080"]) as c:
        ok = c.options(
            "/api/chat/stream",
            headers={
                "Origin": "http://shop.example:8080",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert (
            ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://shop.example:8080"
        )
        bad = c.options(
            "/api/chat/stream",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert bad.status_code == 400 and "access-control-allow-origin" not in bad.headers
        r = c.post("/api/chat", json={"message": "hi"}, headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_openapi_docs_and_widget(client):
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/chat",
        "/api/chat/stream",
        "/v1/chat/completions",
        "/api/products/{product_id}",
        "/healthz",
        "/readyz",
    ):
        assert path in spec["paths"], path
    assert "multipart/form-data" in spec["paths"]["/api/chat"]["post"]["requestBody"]["content"]
    assert client.get("/docs").status_code == 200
    js = client.get("/widget.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/javascript")
    # The widget inserts every text with textContent; innerHTML would parse catalog/model text as HTML.
    assert (
        "innerHTML" not in js.text and "insertAdjacentHTML" not in js.text and "/api/chat/stream" in js.text
    )


def test_ui_is_mounted_with_the_configured_queue_concurrency(fake, tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "d", ui_concurrency=7), fake, ui=True)
    assert app.state.blocks._queue.default_concurrency_limit == 7
    with TestClient(app) as c:
        assert c.get("/").status_code == 200 and "gradio" in c.get("/").text.lower()
        assert c.get("/healthz").json() == {"status": "ok"}  # API routes win over the UI mounted at /
