"""The tool-call grammar built from a real store's catalog values (the sample subset, real embedder)."""

from __future__ import annotations

from stylist.agent import with_tool_call_grammar
from stylist.llm import chat_model
from stylist.retrieval import Retriever
from stylist.settings import Settings
from stylist.tools import build_tools, catalog_values
from tests.fakes import scripted


def test_the_agents_model_sends_the_grammar_with_the_live_catalogs_values(store_settings, embedder) -> None:
    retriever = Retriever(store_settings, embedder=embedder)
    tools = build_tools(retriever)
    model = with_tool_call_grammar(chat_model(Settings(), "http://127.0.0.1:1/v1"), tools, retriever)

    body = model.extra_body
    assert body["repetition_penalty"] == Settings().agent_repetition_penalty
    tags = body["response_format"]["format"]["tags"]
    assert len(tags) == len(tools)
    search = next(t for t in tags if '"search_catalog"' in t["begin"])
    types = search["content"]["json_schema"]["properties"]["article_type"]["anyOf"][0]["enum"]
    assert types == catalog_values(retriever.snapshot().metas)["article_type"] and "Tshirts" in types
    fake = scripted("hi")
    assert with_tool_call_grammar(fake, tools, retriever) is fake
