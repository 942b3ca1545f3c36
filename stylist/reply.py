"""What the stylist returns for one turn, shared by the CLI, the HTTP API and the UI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass
class ProductCard:
    """A product shown to the shopper; always taken from a tool result, never from model text."""

    id: str
    title: str
    price: float
    currency: str
    colour: str = ""
    article_type: str = ""
    gender: str = ""
    usage: str = ""
    image: str = ""
    url: str = ""
    reason: str = ""  # one line: why the stylist picked it
    #: Stock per size from the catalog (the widget offers the sizes in stock; size advice reads it).
    sizes: dict[str, int] = field(default_factory=dict)
    #: The piece's place in a planned outfit ("top", "footwear", ...); empty outside a look.
    role: str = ""


@dataclass
class ToolCall:
    """A tool the agent ran this turn. ``source``: the model emitted it, or a guard added/changed it."""

    name: str
    args: dict[str, Any]
    source: Literal["model", "guard"] = "model"


@dataclass
class Reply:
    """One answer of the stylist."""

    answer: str
    products: list[ProductCard] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    latency_ms: float = 0.0
    #: Time until the first answer text was streamed (the whole turn when nothing was streamed).
    ttft_ms: float = 0.0
    #: Tokens the model generated this turn (all calls).
    model_tokens: int = 0
    thread_id: str = ""
    #: Trend information when a trend tool ran: {"label", "status", "change", "chart": [...]}.
    trends: list[dict[str, Any]] = field(default_factory=list)
    #: Items offered after relaxing a constraint (labelled as such), when nothing matched.
    relaxed: dict[str, Any] | None = None
    #: Notes on how the request was read (e.g. currency conversion).
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Event:
    """A streaming event: a tool step, a piece of answer text, or the final reply."""

    type: Literal["tool", "token", "final", "error"]
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.data}
