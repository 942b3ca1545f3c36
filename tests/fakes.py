"""Scripted fakes for unit tests: they record what they were sent and replay what they were told."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult


class ScriptedChatModel(BaseChatModel):
    """A chat model that answers from a script, one entry per call, and records every call.

    Script entries are AIMessages, or exceptions to raise.
    """

    script: list[Any]
    history: list[list[BaseMessage]] = []
    bound_tools: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def enqueue(self, *entries: Any) -> ScriptedChatModel:
        self.script.extend(entries)
        return self

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        self.bound_tools = [getattr(t, "name", str(t)) for t in tools]
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self.history.append(list(messages))
        if not self.script:
            raise AssertionError(
                f"scripted model called more often than scripted ({len(self.history)} calls)"
            )
        entry = self.script.pop(0)
        if isinstance(entry, BaseException):
            raise entry
        message = entry if isinstance(entry, AIMessage) else AIMessage(content=str(entry))
        return ChatResult(generations=[ChatGeneration(message=message.model_copy())])


def scripted(*entries: Any) -> ScriptedChatModel:
    return ScriptedChatModel(script=list(entries), history=[])
