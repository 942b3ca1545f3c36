"""The chat template renders exactly the ChatML + Hermes tool format the model is served and tuned on."""

from __future__ import annotations

import json
import re

import pytest
from transformers.utils.chat_template_utils import render_jinja_template

from stylist.llm import chat_template
from stylist.settings import Settings

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "search_catalog",
            "description": "Search the shop's catalog for items <with> & filters.",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string"}, "max_price": {"type": "number"}},
                "required": ["query"],
            },
        },
    }
]

TOOLS_BLOCK = (
    "\n\n# Tools\n\nYou may call one or more functions to help with the user's request.\n"
    "Function signatures are inside <tools></tools>:\n<tools>\n"
    + json.dumps(TOOLS[0], ensure_ascii=False)
    + "\n</tools>\n\nTo call a function, answer with one JSON object per call inside <tool_call></tool_call>:\n"
    '<tool_call>\n{"name": <function-name>, "arguments": <arguments-json-object>}\n</tool_call>'
)


def render(messages: list[dict], tools: list[dict] | None = None, add_generation_prompt: bool = True) -> str:
    rendered, _ = render_jinja_template(
        [messages], tools=tools, chat_template=chat_template(), add_generation_prompt=add_generation_prompt
    )
    return rendered[0]


def test_conversation_with_tools_tool_calls_and_responses_renders_exactly() -> None:
    messages = [
        {"role": "system", "content": "You are a stylist."},
        {"role": "user", "content": "a black dress under 2000"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                # transformers passes arguments as a dict, the OpenAI wire format as a string.
                {
                    "id": "a",
                    "type": "function",
                    "function": {
                        "name": "search_catalog",
                        "arguments": {"query": "black dress", "max_price": 2000},
                    },
                },
                {
                    "id": "b",
                    "type": "function",
                    "function": {"name": "search_catalog", "arguments": '{"query": "clutch"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "a", "content": '[{"id": "15970", "title": "Black Dress"}]'},
        {"role": "tool", "tool_call_id": "b", "content": "[]"},
        {"role": "assistant", "content": "Try the Black Dress (15970)."},
        {"role": "user", "content": "cheaper"},
    ]
    expected = (
        "<|im_start|>system\nYou are a stylist." + TOOLS_BLOCK + "<|im_end|>\n"
        "<|im_start|>user\na black dress under 2000<|im_end|>\n"
        "<|im_start|>assistant\n"
        '<tool_call>\n{"name": "search_catalog", "arguments": {"query": "black dress", "max_price": 2000}}\n</tool_call>\n'
        '<tool_call>\n{"name": "search_catalog", "arguments": {"query": "clutch"}}\n</tool_call><|im_end|>\n'
        "<|im_start|>tool\n"
        '<tool_response>\n[{"id": "15970", "title": "Black Dress"}]\n</tool_response>\n'
        "<tool_response>\n[]\n</tool_response><|im_end|>\n"
        "<|im_start|>assistant\nTry the Black Dress (15970).<|im_end|>\n"
        "<|im_start|>user\ncheaper<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    assert render(messages, TOOLS) == expected


def test_without_tools_or_system_message_it_is_smollm2_chatml_with_the_default_system_prompt() -> None:
    out = render([{"role": "user", "content": "hi"}], tools=None)
    assert out == (
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
        "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    )
    assert "# Tools" not in out


def test_tools_without_a_system_message_go_under_the_default_system_prompt() -> None:
    out = render([{"role": "user", "content": "hi"}], tools=TOOLS, add_generation_prompt=False)
    assert out.startswith(
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
        + TOOLS_BLOCK
        + "<|im_end|>\n"
    )
    assert out.endswith("<|im_start|>user\nhi<|im_end|>\n")


def test_assistant_text_before_a_tool_call_is_kept_and_the_call_parses_back() -> None:
    """What the template writes for a call is what vLLM's hermes parser reads back."""
    call = {"name": "search_catalog", "arguments": {"query": "kurta", "colour": "Blue"}}
    out = render(
        [
            {"role": "user", "content": "blue kurta"},
            {
                "role": "assistant",
                "content": "Let me look.",
                "tool_calls": [{"type": "function", "function": call}],
            },
        ],
        add_generation_prompt=False,
    )
    assistant = out.split("<|im_start|>assistant\n", 1)[1]
    assert assistant.startswith("Let me look.\n<tool_call>\n")
    # The hermes parser's pattern: JSON between the tags.
    blocks = re.findall(r"<tool_call>(.*?)</tool_call>", assistant, re.DOTALL)
    assert [json.loads(b) for b in blocks] == [call]


def test_assistant_turns_are_marked_for_training_masks() -> None:
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello!"},
    ]
    rendered, indices = render_jinja_template(
        [messages], chat_template=chat_template(), return_assistant_tokens_mask=True
    )
    ((start, end),) = indices[0]
    assert rendered[0][start:end] == "Hello!<|im_end|>"


def test_a_missing_template_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="STYLIST_LLM_CHAT_TEMPLATE"):
        chat_template(Settings(llm_chat_template=tmp_path / "nope.jinja"))
