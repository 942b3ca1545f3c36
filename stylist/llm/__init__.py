"""The chat model and its serving: prepare the weights, run or reach a vLLM server.

``prepare_model`` converts the bundled model once; ``LLMServer`` runs a local vLLM
OpenAI-compatible server; ``llm_endpoint`` yields a ready base URL, remote
(``STYLIST_LLM_URL``) or local; ``check_llm`` is the readiness probe; ``LLMUnavailable`` is
raised with a clear message whenever the server is down.
"""

from stylist.llm.client import (
    LLMUnavailable,
    chat,
    check_llm,
    llm_errors,
    normalize_url,
    openai_client,
    served_models,
)
from stylist.llm.model import ModelError, bundled_gguf, check_model_dir, prepare_model, serving_model
from stylist.llm.prompt import chat_template
from stylist.llm.server import LLMServer, LLMStartError, build_command, build_env, free_port, llm_endpoint

__all__ = [
    "LLMServer",
    "LLMStartError",
    "LLMUnavailable",
    "ModelError",
    "build_command",
    "build_env",
    "bundled_gguf",
    "chat",
    "chat_template",
    "check_llm",
    "check_model_dir",
    "free_port",
    "llm_endpoint",
    "llm_errors",
    "normalize_url",
    "openai_client",
    "prepare_model",
    "served_models",
    "serving_model",
]
