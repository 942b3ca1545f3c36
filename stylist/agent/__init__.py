"""The stylist agent: LangChain ``create_agent`` over the vLLM chat model, with tools and guards.

- ``graph``: :func:`build_agent`, the compiled graph (a test passes a scripted model).
- ``checkpoint``: where conversations are kept (:func:`checkpointer`, :func:`redact`).
- ``streaming``: the sentence gate that releases answer text checked sentence by sentence.
- ``service``: the :class:`Stylist` facade the CLI, the HTTP API and the UI use, and
  :func:`open_stylist` / :func:`build_stylist` that wire it to vLLM and the catalog.
"""

from stylist.agent.checkpoint import checkpointer, redact
from stylist.agent.graph import build_agent, grounding_for, uses_tool_call_grammar, with_tool_call_grammar
from stylist.agent.service import Stylist, build_stylist, open_stylist, reply_from_dict
from stylist.agent.streaming import SentenceGate

__all__ = [
    "SentenceGate",
    "Stylist",
    "build_agent",
    "build_stylist",
    "checkpointer",
    "grounding_for",
    "open_stylist",
    "redact",
    "reply_from_dict",
    "uses_tool_call_grammar",
    "with_tool_call_grammar",
]
