"""The agent end to end: a real vLLM CPU server with the bundled model, a real Chroma store on disk."""

from __future__ import annotations

import pytest

from stylist.agent import Stylist
from stylist.llm import LLMUnavailable, chat_model
from stylist.retrieval import Retriever

pytestmark = pytest.mark.integration


@pytest.fixture
def stylist(store_settings, embedder, vllm_running):
    settings = store_settings.model_copy(update={"checkpoint_db": ":memory:", "llm_url": vllm_running})
    return Stylist(settings, chat_model(settings, vllm_running), Retriever(settings, embedder=embedder),
                   llm_url=vllm_running)  # fmt: skip


def test_budget_and_gender_hold_and_a_follow_up_refines(stylist):
    first = stylist.respond("casual tshirts for men under 1000", thread_id="it-1")
    assert first.products and first.answer.strip()
    catalog = stylist.retriever
    for card in first.products:
        item = catalog.get(card.id)
        assert item is not None, f"{card.id} is not in the catalog"
        assert item.gender == "Men" and item.price <= 1000 and item.article_type == "Tshirts"
    assert stylist.grounding().ungrounded(first.answer, [p.__dict__ for p in first.products]) == []

    black = stylist.respond("in black", thread_id="it-1")
    assert black.products
    for card in black.products:
        item = catalog.get(card.id)
        assert (item.gender, item.article_type, item.colour) == ("Men", "Tshirts", "Black")
        assert item.price <= 1000


def test_vllm_stopped_mid_conversation_gives_a_clear_error_then_recovers(stylist, vllm_server):
    assert stylist.respond("black heels for women", thread_id="it-2").products
    vllm_server.stop()
    try:
        assert stylist.ready()["llm"] is False
        with pytest.raises(LLMUnavailable, match="not reachable"):
            stylist.respond("cheaper", thread_id="it-2")
    finally:
        vllm_server.start()
    again = stylist.respond("cheaper", thread_id="it-2")
    assert again.products and all(p.gender == "Women" for p in again.products)
    assert stylist.ready()["llm"] is True


def test_native_mode_sends_the_tool_call_grammar_and_the_models_call_drives_the_search(
    store_settings, embedder, vllm_running
):
    settings = store_settings.model_copy(
        update={"checkpoint_db": ":memory:", "llm_url": vllm_running, "agent_tool_mode": "native"}
    )
    stylist = Stylist(settings, chat_model(settings, vllm_running), Retriever(settings, embedder=embedder))
    reply = stylist.respond("black heels for women under 3000", thread_id="it-native")

    assert reply.products and all(
        (p.gender, p.article_type, p.colour) == ("Women", "Heels", "Black") and p.price <= 3000
        for p in reply.products
    )
    searches = [c for c in reply.tool_calls if c.name == "search_catalog"]
    assert searches and searches[0].args.get("article_type") == "Heels"
