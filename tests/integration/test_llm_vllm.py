"""The real vLLM server serving the bundled model: answers, tool-call structure, stop/restart, start-up errors."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from stylist.llm import (
    LLMServer,
    LLMStartError,
    LLMUnavailable,
    ModelError,
    check_llm,
    free_port,
    llm_errors,
    openai_client,
    served_models,
)
from stylist.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.integration

MODEL = Settings().llm_served_name
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search_catalog",
        "description": "Search the shop's catalog.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What the shopper wants."}},
            "required": ["query"],
        },
    },
}


def chat(url: str, model: str, messages: list[dict], **params: object):
    """One chat completion through the raw client; a server that is down is ``LLMUnavailable``
    (the model server door's own classification, ``llm_errors``)."""
    with llm_errors(url):
        return openai_client(url).chat.completions.create(model=model, messages=messages, **params)


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_the_server_serves_the_configured_name(vllm_running: str) -> None:
    assert check_llm(vllm_running)
    assert served_models(vllm_running) == [MODEL]


def test_a_chat_completion_answers(vllm_running: str) -> None:
    response = chat(
        vllm_running,
        MODEL,
        [{"role": "user", "content": "Suggest one colour for a summer shirt."}],
        max_tokens=24,
        temperature=0.0,
        extra_body={"repetition_penalty": 1.15},
    )
    choice = response.choices[0]
    assert isinstance(choice.message.content, str) and choice.message.content.strip()
    assert choice.finish_reason in {"stop", "length"}
    assert 0 < response.usage.completion_tokens <= 24
    assert response.model == MODEL


def test_streaming_delivers_the_answer_in_pieces(vllm_running: str) -> None:
    stream = openai_client(vllm_running).chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Describe a linen shirt."}],
        max_tokens=16,
        stream=True,
        extra_body={"ignore_eos": True},
    )
    pieces = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    assert len(pieces) >= 8
    assert "".join(pieces).strip()


def test_required_tool_choice_returns_a_parsed_tool_call(vllm_running: str) -> None:
    """The 135M model's arguments may be nonsense; the structure must be a parsed tool call."""
    response = chat(
        vllm_running,
        MODEL,
        [{"role": "user", "content": "Find me a black dress."}],
        tools=[SEARCH_TOOL],
        tool_choice="required",
        max_tokens=200,
        temperature=0.0,
    )
    calls = response.choices[0].message.tool_calls
    assert calls, f"no tool call parsed from: {response.choices[0].message.content!r}"
    assert calls[0].type == "function"
    assert calls[0].function.name == "search_catalog"
    assert isinstance(json.loads(calls[0].function.arguments), dict)
    assert calls[0].id


TOOL_CONVERSATION = [
    {"role": "system", "content": "You are a stylist."},
    {"role": "user", "content": "A black dress under 2000."},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call-1",
                "type": "function",
                "function": {"name": "search_catalog", "arguments": '{"query": "black dress"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call-1", "content": '[{"id": "15970", "title": "Black Dress"}]'},
]


def test_vllm_renders_conversations_with_the_projects_template(vllm_running: str) -> None:
    """The prompt vLLM builds is token for token the template rendered here (the fine-tuning format)."""
    from transformers.utils.chat_template_utils import render_jinja_template

    from stylist.llm import chat_template

    root = vllm_running.removesuffix("/v1")
    served = httpx.post(
        f"{root}/tokenize",
        json={
            "model": MODEL,
            "messages": TOOL_CONVERSATION,
            "tools": [SEARCH_TOOL],
            "add_generation_prompt": True,
        },
        timeout=30,
    )
    served.raise_for_status()
    # vLLM hands templates the arguments as a dict; the template writes dicts and strings alike.
    rendered = render_jinja_template(
        [TOOL_CONVERSATION], tools=[SEARCH_TOOL], chat_template=chat_template(), add_generation_prompt=True
    )[0][0]
    assert "<tool_response>" in rendered and "<|im_start|>tool" in rendered
    local = httpx.post(
        f"{root}/tokenize", json={"model": MODEL, "prompt": rendered, "add_special_tokens": False}, timeout=30
    )
    local.raise_for_status()
    assert served.json()["tokens"] == local.json()["tokens"]


def test_a_conversation_with_a_tool_result_gets_an_answer(vllm_running: str) -> None:
    response = chat(
        vllm_running,
        MODEL,
        TOOL_CONVERSATION,
        tools=[SEARCH_TOOL],
        max_tokens=32,
        temperature=0.0,
        extra_body={"repetition_penalty": 1.15},
    )
    message = response.choices[0].message
    assert (message.content or "").strip() or message.tool_calls


def test_stop_leaves_no_process_and_a_restart_recovers(vllm_server: LLMServer) -> None:
    if not vllm_server.running:
        vllm_server.start()
    url = vllm_server.url
    leader = psutil.Process(vllm_server.process.pid)
    tree = [leader, *leader.children(recursive=True)]
    assert len(tree) >= 2  # the API server and vLLM's engine core process
    try:
        vllm_server.stop()
        assert alive(tree) == []
        assert check_llm(url) is False
        with pytest.raises(LLMUnavailable, match=r"unavailable.*stylist llm serve"):
            chat(url, MODEL, [{"role": "user", "content": "hi"}], max_tokens=4)
    finally:
        assert vllm_server.start() == url  # same port: URLs handed out before stay valid
    assert chat(url, MODEL, [{"role": "user", "content": "hi"}], max_tokens=4).choices[0].message.content


def test_a_model_folder_that_does_not_exist_fails_before_anything_starts(
    tmp_path: Path, llm_settings
) -> None:
    settings = llm_settings(tmp_path, llm_model=tmp_path / "no-such-model")
    started = time.monotonic()
    with pytest.raises(ModelError, match="no-such-model does not exist"):
        LLMServer(settings).start(timeout=60)
    assert time.monotonic() - started < 5
    assert not check_llm(f"http://127.0.0.1:{settings.llm_port}/v1")


def test_a_server_that_never_gets_ready_times_out_with_its_log(
    vllm_model_dir: Path, tmp_path: Path, llm_settings
) -> None:
    settings = llm_settings(tmp_path, llm_stop_timeout_s=10.0)
    server = LLMServer(settings, model_dir=vllm_model_dir)
    started = time.monotonic()
    with pytest.raises(LLMStartError, match=r"not ready after 3 s") as info:
        server.start(timeout=3)
    # Timeout + SIGTERM grace (vLLM exits at once while importing).
    assert time.monotonic() - started < 3 + 10 + 5
    assert "vllm.entrypoints.openai.api_server" in str(info.value)  # the log tail starts with the command
    assert server.process is None


def test_a_broken_model_folder_makes_vllm_exit_with_a_clear_error(
    vllm_model_dir: Path, tmp_path: Path, llm_settings
) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(vllm_model_dir / name, broken / name)
    (broken / "model.safetensors").write_bytes(b"this is not a safetensors file")
    server = LLMServer(llm_settings(tmp_path), model_dir=broken)
    with pytest.raises(LLMStartError, match=r"exited with code \d+ before it was ready") as info:
        server.start(timeout=300)
    assert "End of its log" in str(info.value)
    assert len(str(info.value).splitlines()) > 3
    assert server.process is None


def test_cli_serve_prints_the_url_and_ctrl_c_stops_everything(
    tmp_path: Path, llm_settings, vllm_model_cache: Path, vllm_model_dir: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "STYLIST_DATA_DIR": str(tmp_path),
        "STYLIST_MODEL_CACHE_DIR": str(vllm_model_cache),
        "STYLIST_LLM_START_TIMEOUT_S": str(llm_settings(tmp_path).llm_start_timeout_s),
    }
    env.pop("STYLIST_LLM_MODEL", None)
    cli = subprocess.Popen(
        [sys.executable, "-m", "stylist.cli", "llm", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        url = cli.stdout.readline().strip()
        assert url == f"http://127.0.0.1:{port}/v1", cli.stderr.read() if cli.poll() is not None else url
        assert check_llm(url)
        tree = psutil.Process(cli.pid).children(recursive=True)
        assert len(tree) >= 2
        cli.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
        assert cli.wait(timeout=60) == 0
        assert alive(tree) == []
        assert check_llm(url) is False
        assert "stopping" in cli.stderr.read()
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
