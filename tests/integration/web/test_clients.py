"""Real clients against the real server: the `openai` package and `gradio_client` (scripted stylist)."""

from __future__ import annotations

import httpx
import pytest

from stylist.reply import Reply, ToolCall
from stylist.settings import Settings
from tests.fake_stylist import card

pytestmark = pytest.mark.integration


def test_openai_package_non_stream_and_stream(web, subset_products):
    from openai import OpenAI

    web.fake.calls.clear()
    client = OpenAI(base_url=web.app_url + "/v1", api_key="unused")
    assert [m.id for m in client.models.list()] == ["stylist"]
    web.fake.enqueue(
        Reply(
            "A navy shirt and chinos.",
            [card(subset_products[0], "navy")],
            [ToolCall("search_catalog", {"query": "navy"})],
        )
    )
    done = client.chat.completions.create(
        model="stylist", messages=[{"role": "user", "content": "navy shirt"}]
    )
    assert done.choices[0].message.content == "A navy shirt and chinos."
    extra = done.model_extra["stylist"]  # the documented extra field
    assert [p["id"] for p in extra["products"]] == [str(subset_products[0]["id"])]
    assert extra["products"][0]["image"] == f"{web.app_url}/api/products/{subset_products[0]['id']}/image"

    web.fake.enqueue(Reply("Cheaper: this one.", [card(subset_products[1], "cheaper")]))
    stream = client.chat.completions.create(
        model="stylist", stream=True, messages=[{"role": "user", "content": "cheaper?"}],
        extra_body={"thread_id": extra["thread_id"]},
    )  # fmt: skip
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Cheaper: this one."
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["stylist"]["products"][0]["id"] == str(subset_products[1]["id"])
    # The follow-up continued the same conversation.
    assert [c["thread_id"] for c in web.fake.calls] == [extra["thread_id"]] * 2

    from openai import BadRequestError, NotFoundError

    with pytest.raises(BadRequestError, match="empty"):
        client.chat.completions.create(model="stylist", messages=[{"role": "user", "content": "  "}])
    with pytest.raises(NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "hi"}])


def test_gradio_client_against_the_ui(web, subset_products):
    from gradio_client import Client

    web.fake.calls.clear()
    client = Client(web.app_url + "/", verbose=False)
    web.fake.enqueue(
        Reply("Try these <b>two</b>.", [card(subset_products[0], "fits"), card(subset_products[1], "also")])
    )
    history, box, photo, cards, trends, status = client.predict("navy shirt", None, [], api_name="/respond")
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[1]["content"][0]["text"] == "Try these &lt;b&gt;two&lt;/b&gt;."  # escaped before Markdown
    assert box == "" and photo is None and status == ""
    for p in subset_products[:2]:
        assert f'data-product-id="{p["id"]}"' in cards
    history, *_ = client.predict("and cheaper?", None, history, api_name="/respond")
    assert len(history) == 4
    threads = {c["thread_id"] for c in web.fake.calls}
    assert len(threads) == 1 and [c["message"] for c in web.fake.calls] == ["navy shirt", "and cheaper?"]
    cleared = client.predict(api_name="/clear")
    assert cleared[0] == [] and cleared[3] == ""
    client.predict("after clearing", None, [], api_name="/respond")
    assert web.fake.calls[-1]["thread_id"] not in threads  # a clear starts a new conversation
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", None, [], api_name="/respond")


def test_ui_page_and_api_share_one_server(web):
    page = httpx.get(web.app_url + "/")
    assert page.status_code == 200 and "gradio" in page.text.lower()
    assert httpx.get(web.app_url + "/healthz").json() == {"status": "ok"}
    assert httpx.get(web.app_url + "/docs").status_code == 200


def test_gradio_client_sees_a_failed_turn_as_a_message(web):
    from gradio_client import Client

    web.fake.enqueue(RuntimeError("model crashed"))
    history, *_ = Client(web.app_url + "/", verbose=False).predict(
        "navy shirt", None, [], api_name="/respond"
    )
    assert history[-1]["role"] == "assistant"
    assert (
        history[-1]["content"][0]["text"]
        == "Sorry, the stylist failed on this message (RuntimeError). Please try again."
    )


@pytest.mark.parametrize("trusted", ["127.0.0.1", "10.9.9.9"])
def test_behind_a_load_balancer_the_rate_limit_is_per_shopper_not_per_balancer(
    subset_products, tmp_path, trusted
):
    # The app trusts X-Forwarded-For only from the configured proxies (here the test client's
    # 127.0.0.1, or a balancer elsewhere, so the header must be ignored).
    from stylist.api import create_app
    from tests.fake_stylist import FakeStylist
    from tests.integration.web.servers import AppServer, free_port

    settings = Settings(
        data_dir=tmp_path, rate_limit_per_minute=0.5, rate_limit_burst=1, forwarded_allow_ips=trusted
    )
    port = free_port()
    with AppServer(create_app(settings, FakeStylist(subset_products), ui=False), port, settings) as server:

        def chat(shopper: str) -> int:
            headers = {"x-forwarded-for": shopper}
            return httpx.post(
                server.url + "/api/chat", json={"message": "shoes"}, headers=headers
            ).status_code

        codes = [chat("203.0.113.7"), chat("198.51.100.4"), chat("203.0.113.7")]
    assert codes == ([200, 200, 429] if trusted == "127.0.0.1" else [200, 429, 429])
