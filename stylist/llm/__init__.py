"""The model server's one door: the chat model, its weights and its serving.

Nothing outside this package builds a client for vLLM or probes it. ``chat_model`` is the
``ChatOpenAI`` the agent talks through; ``check_llm`` is the readiness probe (with the API
key); ``llm_errors`` / ``unavailable_cause`` say when a failure means the server is down
(:class:`~stylist.errors.LLMUnavailable`). ``prepare_model`` converts the bundled model once
and ``serving_model`` merges the shipped fine-tuning adapter (``SHIPPED_ADAPTER``, in
``stylist/llm/adapter``) into it; ``LLMServer`` runs a local vLLM OpenAI-compatible server;
``llm_endpoint`` yields a ready base URL, remote (``STYLIST_LLM_URL``) or local.
"""

from stylist.errors import LLMStartError, LLMUnavailable, ModelError
from stylist.llm.chat import (
    chat_model,
    check_llm,
    llm_errors,
    normalize_url,
    openai_client,
    served_models,
    unavailable_cause,
    unavailable_message,
)
from stylist.llm.model import (
    SHIPPED_ADAPTER,
    bundled_gguf,
    check_model_dir,
    merge_adapter,
    prepare_model,
    serving_model,
)
from stylist.llm.prompt import chat_template
from stylist.llm.server import LLMServer, build_command, build_env, free_port, llm_endpoint

__all__ = [
    "SHIPPED_ADAPTER",
    "LLMServer",
    "LLMStartError",
    "LLMUnavailable",
    "ModelError",
    "build_command",
    "build_env",
    "bundled_gguf",
    "chat_model",
    "chat_template",
    "check_llm",
    "check_model_dir",
    "free_port",
    "llm_endpoint",
    "llm_errors",
    "merge_adapter",
    "normalize_url",
    "openai_client",
    "prepare_model",
    "served_models",
    "serving_model",
    "unavailable_cause",
    "unavailable_message",
]
