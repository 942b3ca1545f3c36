"""The vLLM command line, the server process life cycle (with a scripted stand-in) and the endpoint rule."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import psutil
import pytest

from stylist.llm import (
    LLMServer,
    LLMStartError,
    LLMUnavailable,
    ModelError,
    build_command,
    build_env,
    chat_model,
    check_llm,
    free_port,
    llm_endpoint,
    llm_errors,
    served_models,
)
from stylist.llm import server as server_module
from stylist.settings import PROJECT_ROOT, Settings

FAKE_SERVER = Path(__file__).with_name("fake_vllm_server.py")


# --- the command line -----------------------------------------------------------


def test_command_from_default_settings() -> None:
    settings = Settings()
    command = build_command(settings, Path("/models/smol"), 8123, python="/py")
    assert command == [
        "/py", "-m", "vllm.entrypoints.openai.api_server",
        "--model", "/models/smol",
        "--served-model-name", "stylist-base",
        "--host", "127.0.0.1",
        "--port", "8123",
        "--max-model-len", "4096",
        "--dtype", "bfloat16",
        "--enable-auto-tool-choice",
        "--tool-call-parser", "hermes",
        "--chat-template", str(PROJECT_ROOT / "prompts" / "chat_template.jinja"),
        "--enforce-eager",
    ]  # fmt: skip
    assert Path(command[command.index("--chat-template") + 1]).is_file()


def test_lora_adapters_add_the_lora_flags(tmp_path: Path) -> None:
    settings = Settings(
        llm_lora={"tuned": tmp_path / "lora-a", "odd": tmp_path / "with,comma"}, llm_max_lora_rank=32
    )
    command = build_command(settings, Path("/m"), 1, python="/py")
    start = command.index("--enable-lora")
    assert command[start : start + 2] == ["--enable-lora", "--lora-modules"]
    assert command[start + 2] == f"tuned={tmp_path / 'lora-a'}"
    # vLLM reads NAME=PATH only without commas; such paths go as JSON.
    assert json.loads(command[start + 3]) == {"name": "odd", "path": str(tmp_path / "with,comma")}
    assert command[start + 4 : start + 6] == ["--max-lora-rank", "32"]
    assert "--enable-lora" not in build_command(Settings(), Path("/m"), 1)


def test_extra_args_come_last_and_flags_follow_settings(tmp_path: Path) -> None:
    template = tmp_path / "t.jinja"
    settings = Settings(
        llm_extra_args=["--max-num-seqs", "8"],
        llm_enforce_eager=False,
        llm_chat_template=template,
        llm_served_name="big",
        llm_max_model_len=8192,
        llm_tool_parser="llama3_json",
    )
    command = build_command(settings, Path("/m"), 9000)
    assert command[-2:] == ["--max-num-seqs", "8"]
    assert "--enforce-eager" not in command
    assert command[command.index("--chat-template") + 1] == str(template)
    assert command[command.index("--served-model-name") + 1] == "big"
    assert command[command.index("--max-model-len") + 1] == "8192"
    assert command[command.index("--tool-call-parser") + 1] == "llama3_json"
    assert command[0] == sys.executable


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STYLIST_LLM_LORA", json.dumps({"tuned": str(tmp_path)}))
    monkeypatch.setenv("STYLIST_LLM_EXTRA_ARGS", '["--seed", "7"]')
    monkeypatch.setenv("STYLIST_LLM_CPU_KVCACHE_GB", "3")
    settings = Settings()
    command = build_command(settings, Path("/m"), 1)
    assert f"tuned={tmp_path}" in command
    assert command[-2:] == ["--seed", "7"]
    assert build_env(settings, base={})["VLLM_CPU_KVCACHE_SPACE"] == "3"
    # An explicit argument beats the environment.
    assert build_env(Settings(llm_cpu_kvcache_gb=2), base={})["VLLM_CPU_KVCACHE_SPACE"] == "2"


def test_server_environment_is_offline_and_keeps_the_callers_variables() -> None:
    env = build_env(Settings(), base={"PATH": "/bin", "HF_HUB_OFFLINE": "0"})
    assert env["PATH"] == "/bin"
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["TRANSFORMERS_OFFLINE"] == "1"
    assert env["VLLM_CPU_KVCACHE_SPACE"] == "1"


def test_server_environment_bounds_onednns_primitive_cache_unless_the_operator_set_it() -> None:
    assert build_env(Settings(), base={})["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "8"
    mine = build_env(Settings(), base={"ONEDNN_PRIMITIVE_CACHE_CAPACITY": "256"})
    assert mine["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "256"


# --- the process life cycle, with a scripted stand-in for vLLM --------------------------


@pytest.fixture
def fake_model(tmp_path: Path) -> Path:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"]}))
    (model / "model.safetensors").write_bytes(b"")
    (model / "tokenizer.json").write_text("{}")
    return model


def use_fake_server(monkeypatch: pytest.MonkeyPatch, mode: str) -> list[tuple]:
    """Make LLMServer run the stand-in in ``mode``; returns the recorded build_command calls."""
    calls: list[tuple] = []

    def fake_build_command(
        settings: Settings, model_dir: Path, port: int, python: str | None = None
    ) -> list[str]:
        calls.append((model_dir, port))
        return [sys.executable, str(FAKE_SERVER), str(port), mode]

    monkeypatch.setattr(server_module, "build_command", fake_build_command)
    return calls


def test_start_waits_for_readiness_and_stop_leaves_no_process(
    monkeypatch: pytest.MonkeyPatch, fake_model: Path
) -> None:
    calls = use_fake_server(monkeypatch, "ok")
    server = LLMServer(Settings(llm_port=0), model_dir=fake_model)
    url = server.start(timeout=20)
    assert calls == [(fake_model.resolve(), server.port)]
    assert url == f"http://127.0.0.1:{server.port}/v1"
    assert check_llm(url) is True
    assert served_models(url) == ["stylist-base"]
    tree = [psutil.Process(server.process.pid), *psutil.Process(server.process.pid).children(recursive=True)]
    assert len(tree) == 2  # the server and its child
    server.stop()
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in tree)
    assert check_llm(url) is False
    server.stop()  # a second stop is harmless


def test_context_manager_stops_on_error(monkeypatch: pytest.MonkeyPatch, fake_model: Path) -> None:
    use_fake_server(monkeypatch, "ok")
    with pytest.raises(RuntimeError, match="inside"):
        with LLMServer(Settings(llm_port=0), model_dir=fake_model) as server:
            pid = server.process.pid
            raise RuntimeError("inside")
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert server.process is None


def test_a_server_that_dies_gives_its_exit_code_and_log_tail(
    monkeypatch: pytest.MonkeyPatch, fake_model: Path
) -> None:
    use_fake_server(monkeypatch, "die")
    server = LLMServer(Settings(llm_port=0), model_dir=fake_model)
    with pytest.raises(LLMStartError, match=r"exited with code 3") as info:
        server.start(timeout=20)
    assert "engine core failed to start (boom)" in str(info.value)
    assert str(server.log_path) in str(info.value)
    assert isinstance(info.value, LLMUnavailable)


def test_a_server_that_never_gets_ready_times_out_and_is_stopped(
    monkeypatch: pytest.MonkeyPatch, fake_model: Path
) -> None:
    use_fake_server(monkeypatch, "hang")
    server = LLMServer(Settings(llm_port=0), model_dir=fake_model)
    started = time.monotonic()
    with pytest.raises(LLMStartError, match=r"not ready after 2 s") as info:
        server.start(timeout=2)
    assert time.monotonic() - started < 10
    assert "fake vllm starting in mode hang" in str(info.value)
    assert server.process is None


def test_stop_escalates_to_sigkill(monkeypatch: pytest.MonkeyPatch, fake_model: Path) -> None:
    use_fake_server(monkeypatch, "stubborn")
    server = LLMServer(Settings(llm_port=0, llm_stop_timeout_s=1.0), model_dir=fake_model)
    server.start(timeout=20)
    process = psutil.Process(server.process.pid)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 8
    assert not process.is_running() or process.status() == psutil.STATUS_ZOMBIE


def test_a_taken_port_is_refused_before_starting(monkeypatch: pytest.MonkeyPatch, fake_model: Path) -> None:
    calls = use_fake_server(monkeypatch, "ok")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(LLMStartError, match=f"Port {port} .* already in use"):
            LLMServer(Settings(llm_port=port), model_dir=fake_model).start(timeout=5)
    assert calls == []


def test_a_missing_model_folder_is_refused_before_starting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = use_fake_server(monkeypatch, "ok")
    with pytest.raises(ModelError, match="does not exist"):
        LLMServer(Settings(llm_port=0), model_dir=tmp_path / "missing").start(timeout=5)
    with pytest.raises(ModelError, match="does not exist"):
        LLMServer(Settings(llm_port=0, llm_model=tmp_path / "missing")).start(timeout=5)
    assert calls == []


def test_a_missing_template_or_adapter_is_refused(
    monkeypatch: pytest.MonkeyPatch, fake_model: Path, tmp_path: Path
) -> None:
    calls = use_fake_server(monkeypatch, "ok")
    with pytest.raises(ModelError, match="Chat template"):
        LLMServer(Settings(llm_chat_template=tmp_path / "x.jinja"), model_dir=fake_model).start(timeout=5)
    with pytest.raises(ModelError, match="LoRA adapter 'tuned'"):
        LLMServer(Settings(llm_lora={"tuned": tmp_path}), model_dir=fake_model).start(timeout=5)
    assert calls == []


# --- the endpoint rule and client errors --------------------------------------------


class _Models(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"data": [{"id": "remote-model"}]}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def remote_server():
    httpd = HTTPServer(("127.0.0.1", 0), _Models)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_llm_url_is_used_and_nothing_is_started(monkeypatch: pytest.MonkeyPatch, remote_server: str) -> None:
    def no_local_server(*args: object, **kwargs: object) -> None:
        raise AssertionError("llm_endpoint must not start a server when llm_url is set")

    monkeypatch.setattr(server_module, "LLMServer", no_local_server)
    monkeypatch.setattr(server_module, "serving_model", no_local_server)
    with llm_endpoint(Settings(llm_url=remote_server + "/")) as url:
        assert url == remote_server


def test_an_unreachable_llm_url_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LLMUnavailable, match="stylist llm serve") as info:
        with llm_endpoint(Settings(llm_url=url)):
            pytest.fail("must not yield")
    assert url in str(info.value)


def test_without_llm_url_a_local_server_is_owned_and_stopped(
    monkeypatch: pytest.MonkeyPatch, fake_model: Path
) -> None:
    use_fake_server(monkeypatch, "ok")
    prepared: list[Settings] = []

    def fake_prepare(settings: Settings, progress: bool = True) -> Path:
        prepared.append(settings)
        return fake_model

    monkeypatch.setattr(server_module, "serving_model", fake_prepare)
    settings = Settings(llm_port=0)
    with llm_endpoint(settings) as url:
        assert check_llm(url)
    assert prepared == [settings]
    assert not check_llm(url)


def test_check_llm_is_false_for_a_closed_port_and_a_non_api() -> None:
    assert check_llm(f"http://127.0.0.1:{free_port()}/v1", timeout=0.5) is False
    assert check_llm("not a url") is False


def test_a_request_to_a_down_server_raises_llm_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LLMUnavailable, match=r"language model server at .* is unavailable") as info:
        with llm_errors(url):
            chat_model(Settings(), url).invoke("hi")
    assert url in str(info.value)
    assert "STYLIST_LLM_URL" in str(info.value)
    with pytest.raises(LLMUnavailable):
        served_models(url)


def test_an_interrupt_while_waiting_stops_the_half_started_server(
    monkeypatch: pytest.MonkeyPatch, fake_model: Path
) -> None:
    use_fake_server(monkeypatch, "hang")
    seen: list[int] = []

    def interrupted(self: LLMServer, timeout: float) -> None:
        seen.append(self.process.pid)
        raise KeyboardInterrupt

    monkeypatch.setattr(LLMServer, "_wait_ready", interrupted)
    server = LLMServer(Settings(llm_port=0), model_dir=fake_model)
    with pytest.raises(KeyboardInterrupt):
        with server:
            pytest.fail("must not enter")
    assert server.process is None
    assert not psutil.pid_exists(seen[0]) or psutil.Process(seen[0]).status() == psutil.STATUS_ZOMBIE


class _KeyedModels(BaseHTTPRequestHandler):
    """A vLLM started with --api-key: 401 without the key."""

    def do_GET(self) -> None:  # noqa: N802
        keyed = self.headers.get("Authorization") == "Bearer sesame"
        self.send_response(200 if keyed else 401)
        self.end_headers()
        self.wfile.write(b'{"data": [{"id": "keyed-model"}]}' if keyed else b'{"error": "unauthorized"}')

    def log_message(self, *args: object) -> None:
        pass


def test_readiness_sends_the_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    httpd = HTTPServer(("127.0.0.1", 0), _KeyedModels)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    try:
        assert check_llm(url) is False
        assert check_llm(url, api_key="sesame") is True
        # The stylist's /readyz probe goes through the same door, with the configured key.
        from stylist.agent import Stylist

        class _Store:
            def heartbeat(self) -> None:
                pass

        stylist = Stylist.__new__(Stylist)
        stylist.settings, stylist.llm_url = Settings(llm_api_key="sesame"), url
        stylist.retriever = type("R", (), {"client": _Store()})()
        assert stylist.ready() == {"llm": True, "chroma": True}
        stylist.settings = Settings(llm_api_key="wrong")
        assert stylist.ready()["llm"] is False
    finally:
        httpd.shutdown()
