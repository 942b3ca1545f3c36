"""Real servers for integration tests: ONE vLLM server per test session, serving the bundled model.

The converted model is cached across test sessions (``.data/models`` in the checkout, or
``STYLIST_TEST_MODEL_CACHE``), so a run converts it at most once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from stylist.settings import PROJECT_ROOT, Settings

#: Where the converted bundled model is kept between test sessions (git-ignored).
MODEL_CACHE = Path(os.environ.get("STYLIST_TEST_MODEL_CACHE", PROJECT_ROOT / ".data" / "models"))
#: Seconds a test session waits for its vLLM server (cold starts on a busy 2-core machine are slow).
START_TIMEOUT_S = float(os.environ.get("STYLIST_TEST_LLM_START_TIMEOUT_S", "420"))


def llm_test_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test vLLM server: the cached bundled model, a free port, the test data folder."""
    from stylist.llm import free_port

    values: dict[str, object] = {
        "data_dir": data_dir,
        "model_cache_dir": MODEL_CACHE,
        "llm_url": None,
        "llm_model": None,
        "llm_port": free_port(),
        "llm_start_timeout_s": START_TIMEOUT_S,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def llm_settings():
    """Factory of settings for an extra test vLLM server: ``llm_settings(data_dir, **overrides)``."""
    return llm_test_settings


@pytest.fixture(scope="session")
def vllm_model_cache() -> Path:
    """Folder the converted bundled model is cached in between test sessions."""
    return MODEL_CACHE


@pytest.fixture(scope="session")
def vllm_model_dir() -> Path:
    """The model the product serves by default: the bundled one, converted and fine-tuned (cached)."""
    from stylist.llm import serving_model

    return serving_model(Settings(model_cache_dir=MODEL_CACHE, llm_model=None), progress=True)


@pytest.fixture(scope="session")
def vllm_server(vllm_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The session's real vLLM server (an ``LLMServer``), stopped at the end of the session.

    Tests may stop and restart it (``start()`` reuses the port); they must leave it running.
    """
    from stylist.llm import LLMServer

    settings = llm_test_settings(tmp_path_factory.mktemp("vllm"))
    server = LLMServer(settings, model_dir=vllm_model_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def vllm_url(vllm_server) -> str:
    """Base URL (``http://127.0.0.1:PORT/v1``) of the session's real vLLM server.

    Serves the bundled model as ``Settings().llm_served_name`` with the hermes tool parser.
    Use it as ``Settings(llm_url=vllm_url)``.
    """
    return vllm_server.url


@pytest.fixture
def vllm_running(vllm_server) -> str:
    """Like ``vllm_url``, but restarts the session server first if an earlier test left it stopped."""
    if not vllm_server.running:
        vllm_server.start()
    return vllm_server.url
