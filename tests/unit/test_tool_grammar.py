"""The tool-call grammar accepts the calls the chat template renders, and only the catalog's values."""

from __future__ import annotations

import pytest
import xgrammar
from transformers.utils.chat_template_utils import render_jinja_template

from stylist.agent import uses_tool_call_grammar, with_tool_call_grammar
from stylist.llm import chat_model, chat_template
from stylist.retrieval import Retriever
from stylist.settings import Settings
from stylist.tools import build_tools, tool_call_grammar, tool_schemas

VALUES = {
    "article_type": ["Shirts", "Tshirts"],
    "colour": ["Black", "Navy Blue"],
    "usage": ["Casual"],
    "season": [],
}


@pytest.fixture(scope="module")
def schemas() -> list[dict]:
    return tool_schemas(build_tools(retriever=None))  # the schemas do not touch the retriever


def model_output(name: str, arguments: dict, text: str = "") -> str:
    """What the tuned model writes for a call: the assistant turn the project's template renders."""
    call = {"type": "function", "function": {"name": name, "arguments": arguments}}
    messages = [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": text, "tool_calls": [call]},
    ]
    rendered, _ = render_jinja_template([messages], chat_template=chat_template())
    return rendered[0].rsplit("<|im_start|>assistant\n", 1)[1].removesuffix("\n").removesuffix("<|im_end|>")


def accepts(grammar: dict, text: str) -> bool:
    compiled = xgrammar.GrammarCompiler(xgrammar.TokenizerInfo([])).compile_structural_tag(grammar)
    matcher = xgrammar.GrammarMatcher(compiled, terminate_without_stop_token=True)
    return matcher.accept_string(text)


def test_calls_in_the_trained_format_pass_in_any_argument_order(schemas) -> None:
    grammar = tool_call_grammar(schemas, VALUES)
    ordered = {"query": "navy shirt", "article_type": "Shirts", "colour": "Navy Blue", "gender": "Men"}
    shuffled = {"gender": "Men", "price_max": 1500.0, "query": "navy shirt", "colour": "Navy Blue"}

    assert accepts(grammar, model_output("search_catalog", ordered))
    assert accepts(grammar, model_output("search_catalog", shuffled))
    assert accepts(grammar, model_output("complete_the_look", {"product_id": "15970"}, text="Let me look."))
    assert accepts(grammar, "Hello! What are you looking for today?")  # no call: free text


def test_values_outside_the_catalog_and_unknown_tools_are_refused(schemas) -> None:
    grammar = tool_call_grammar(schemas, VALUES)

    assert not accepts(
        grammar, model_output("search_catalog", {"query": "pants", "article_type": "Navy Pants"})
    )
    assert not accepts(grammar, model_output("search_catalog", {"query": "khaki", "colour": "KH"}))
    assert not accepts(grammar, model_output("search_catalog", {"query": "x", "gender": "Gents"}))
    assert not accepts(grammar, model_output("search_catalogue", {"query": "x"}))


def test_the_grammar_is_on_where_the_models_own_calls_drive_the_search() -> None:
    def on(grammar: str, mode: str) -> bool:
        return uses_tool_call_grammar(Settings(agent_tool_call_grammar=grammar, agent_tool_mode=mode))

    assert on("native", "native") and not on("native", "prefetch")
    assert on("always", "prefetch") and on("always", "native")
    assert not on("off", "native")


def test_before_anything_is_ingested_the_grammar_holds_calls_to_the_schemas_alone(tmp_path) -> None:
    retriever = Retriever(Settings(data_dir=tmp_path), embedder=object())
    model = with_tool_call_grammar(
        chat_model(Settings(), "http://127.0.0.1:1/v1"), build_tools(retriever), retriever
    )

    tags = model.extra_body["response_format"]["format"]["tags"]
    search = next(t for t in tags if '"search_catalog"' in t["begin"])
    assert "enum" not in str(search["content"]["json_schema"]["properties"]["article_type"])
