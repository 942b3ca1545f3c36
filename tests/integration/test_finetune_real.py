"""Fine-tuning data from a real store, and the served fine-tuned model calling tools through real vLLM."""

from __future__ import annotations

import json

import pytest

from stylist.agent import grounding_for
from stylist.finetune.data import DialogMaker
from stylist.guards import constraint_args
from stylist.prompts import load_prompt
from stylist.retrieval import Retriever
from stylist.tools import build_tools, tool_schemas


@pytest.fixture(scope="module")
def retriever(store_settings, embedder) -> Retriever:
    return Retriever(store_settings, embedder=embedder)


def maker(retriever: Retriever, split: str) -> DialogMaker:
    return DialogMaker(
        retriever, None, load_prompt("system", shop_name="Shop", currency="INR"), split, seed=3
    )


def test_dialogs_call_tools_with_the_request_constraints_and_answer_from_results(retriever) -> None:
    dialogs = maker(retriever, "train").make({"search": 12, "nomatch": 3, "followup": 4, "chat": 2})
    assert {d.kind for d in dialogs} == {"search", "nomatch", "followup", "chat"}
    ground = grounding_for(retriever)()
    for dialog in dialogs:
        assert dialog.messages[0]["role"] == "system" and dialog.messages[1]["role"] == "user"
        calls = [m["tool_calls"][0]["function"] for m in dialog.messages if m.get("tool_calls")]
        if dialog.kind == "chat":
            assert calls == [] and dialog.messages[-1]["role"] == "assistant"
            continue
        # The last call carries exactly the generator's truth, which the parser reads the same way.
        assert calls[-1]["name"] == dialog.truth["tool"] == "search_catalog"
        assert calls[-1]["arguments"] == dialog.truth["args"]
        if dialog.kind != "followup":
            parsed = retriever.parser.parse(dialog.truth["text"]).filters
            assert constraint_args(parsed) == {k: v for k, v in dialog.truth["args"].items() if k != "query"}
        # The answer names only products the tool result listed.
        result, answer = dialog.messages[-2], dialog.messages[-1]["content"]
        listed = [{"id": line[1:].split("]")[0], "title": line.split("] ")[1].split(" | ")[0]}
                  for line in result["content"].splitlines() if line.startswith("[")]  # fmt: skip
        assert ground.ungrounded(answer, listed) == []
        if dialog.kind == "nomatch":
            assert answer.startswith("Sorry, we don't carry")


def test_held_out_wordings_never_appear_in_training(retriever) -> None:
    train = {d.truth["text"] for d in maker(retriever, "train").make({"search": 30})}
    held = {d.truth["text"] for d in maker(retriever, "heldout").make({"search": 30})}
    assert train and held and not train & held
    from stylist.finetune import data

    for wordings in (data.TEMPLATES, data.BUDGETS, data.SIZE_WORDS, data.LOOK_REQUESTS, data.PHOTO_LOOK,
                     data.TREND_REQUESTS, data.CHAT):  # fmt: skip
        assert not set(wordings["train"]) & set(wordings["heldout"])
    for gender in data.WHO["heldout"]:
        assert not set(data.WHO["train"][gender]) & set(data.WHO["heldout"][gender])
    for what in data.FOLLOW_UPS["heldout"]:
        assert not set(data.FOLLOW_UPS["train"][what]) & set(data.FOLLOW_UPS["heldout"][what])


def test_the_served_fine_tuned_model_calls_the_right_tool_on_held_out_requests(retriever, vllm_url) -> None:
    from stylist.llm import openai_client
    from stylist.settings import Settings

    dialogs = maker(retriever, "heldout").make({"search": 6})
    schemas = tool_schemas(build_tools(retriever))
    client = openai_client(vllm_url)
    called = 0
    for dialog in dialogs:
        reply = client.chat.completions.create(
            model=Settings().llm_served_name,
            messages=dialog.messages[:2],
            tools=schemas,
            temperature=0,
            max_tokens=120,
        )
        calls = reply.choices[0].message.tool_calls or []
        if calls and calls[0].function.name == "search_catalog":
            assert isinstance(json.loads(calls[0].function.arguments), dict)
            called += 1
    # The base model makes no parseable calls (ENVIRONMENT.md, benchmarks/results/finetune.json).
    assert called >= 5, f"only {called}/6 held-out requests got a parsed search_catalog call"


def test_under_the_tool_call_grammar_calls_parse_and_use_only_catalog_values(retriever, vllm_url) -> None:
    from stylist.llm import openai_client
    from stylist.settings import Settings
    from stylist.tools import catalog_values, tool_call_grammar

    values = catalog_values(retriever.snapshot().metas)
    schemas = tool_schemas(build_tools(retriever))
    grammar = tool_call_grammar(schemas, values)
    client = openai_client(vllm_url)
    for dialog in maker(retriever, "heldout").make({"search": 6}):
        reply = client.chat.completions.create(
            model=Settings().llm_served_name, messages=dialog.messages[:2], tools=schemas, temperature=0,
            max_tokens=120, extra_body={"response_format": grammar},
        )  # fmt: skip
        calls = reply.choices[0].message.tool_calls or []
        assert calls, f"no parsed call for {dialog.truth['text']!r}: {reply.choices[0].message.content!r}"
        args = json.loads(calls[0].function.arguments)
        for key, allowed in values.items():
            assert args.get(key) is None or args[key] in allowed, (key, args)
