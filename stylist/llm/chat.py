"""The chat model the agent talks to: ``ChatOpenAI`` pointed at the vLLM server."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from stylist.settings import Settings


def chat_model(settings: Settings, base_url: str) -> BaseChatModel:
    """``ChatOpenAI`` pointed at a vLLM OpenAI-compatible endpoint."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=base_url,
        api_key=settings.llm_api_key,  # type: ignore[arg-type]
        model=settings.llm_served_name,
        temperature=settings.agent_temperature,
        max_tokens=settings.agent_max_tokens,  # type: ignore[call-arg]
        timeout=120,
        max_retries=0,
        # vLLM reports token counts in streamed replies only when asked (Reply.model_tokens).
        stream_usage=True,
        extra_body={"repetition_penalty": settings.agent_repetition_penalty},
    )
