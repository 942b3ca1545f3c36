"""The Gradio chat page: streamed answers, product cards, trends, photo upload, feedback.

Product cards and trend panels are built from the agent's structured reply (never
from model text) by :mod:`stylist.render`, which escapes everything. Chat text is
escaped here before Gradio's Markdown renderer sees it.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from stylist.limits import InputRejected, RateLimiter, check_image, check_message, message_token_budget
from stylist.personal import clean_shopper_id
from stylist.render import chat_markdown, reply_cards, trend_panel
from stylist.runtime import NotReady, StylistRuntime

if TYPE_CHECKING:
    from stylist.feedback import FeedbackStore
    from stylist.settings import Settings

log = logging.getLogger(__name__)

#: Tools whose turn ends with the forecast's own wording: the model's retelling is not shown.
TREND_TOOLS = ("get_trend_forecast", "classify_trend")
_PRICED = re.compile(r"\(\s*[\d.,]+\s*[A-Z]{3}\s*\)|^\s*outfit\s*:", re.IGNORECASE)
_LISTED = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


def _remark(line: str) -> bool:
    """Whether a streamed line is one of the model's remarks the final answer keeps: not an item of
    a list, not a product with its price, not an introduction to a list (the answer lists the
    products itself, with a reason each)."""
    return bool(line.strip()) and not (
        _LISTED.match(line) or _PRICED.search(line) or line.rstrip().endswith(":")
    )


def draft(streamed: str) -> str:
    """What the page shows of the model's text while a turn streams.

    The final answer keeps the model's remarks and then lists the products it found in its own
    words, so showing the model's list (or its "I found these:" line, which may even name other
    items) would be replaced a moment later. Only the remarks are shown; the last, unfinished line
    is held until it is known not to be one of those.
    """
    *done, last = streamed.split("\n")
    lines = [line for line in done if _remark(line)]
    if _remark(last) and not re.search(r"\(\s*[\d.,]*\s*[A-Z]{0,3}$", last):
        lines.append(last)
    return "\n".join(lines).strip()


EXAMPLES = [
    "A navy blue shirt for a formal office day, under 1500 rupees",
    "Casual summer t-shirts for women",
    "Sports shoes for men under 3000",
    "What goes with black jeans?",
    "Which styles are trending for women's tops?",
]

CSS = """
.stylist-cards { display: flex; flex-wrap: wrap; gap: 12px; }
.stylist-card { width: 150px; border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px;
  background: var(--background-fill-secondary); font-size: 13px; }
.stylist-card img { width: 100%; height: 170px; object-fit: contain; background: #fff; border-radius: 4px; }
.stylist-card-title { font-weight: 600; margin-top: 4px; }
.stylist-card div { overflow-wrap: anywhere; }
.stylist-card-price { color: var(--color-accent); font-weight: 600; }
.stylist-card-colour, .stylist-card-reason { color: var(--body-text-color-subdued); }
.stylist-trend { display: flex; gap: 10px; align-items: center; margin: 4px 0; }
.stylist-trend-status { font-weight: 600; }
.stylist-trends-title { font-weight: 600; margin-top: 8px; }
.stylist-trend[data-reading="unclear"] .stylist-trend-status { font-weight: 400; color: var(--body-text-color-subdued); }
.stylist-cards-note { color: var(--body-text-color-subdued); font-style: italic; margin-bottom: 6px; }
#stylist-notice { background: #fff4d6; border-radius: 6px; padding: 4px 12px; }
@media (max-width: 600px) { .stylist-card { width: calc(50% - 24px); } }
"""


def _text(value: str) -> str:
    """Chat text as Markdown that shows HTML, links and images as text (catalog titles come from suppliers)."""
    return chat_markdown(value)


def build_ui(
    runtime: StylistRuntime, settings: Settings, feedback: FeedbackStore, limiter: RateLimiter
) -> gr.Blocks:
    """The chat page, talking to the stylist held by ``runtime``."""

    def respond(
        message: str,
        image_path: str | None,
        history: list[dict[str, Any]] | None,
        thread_id: str | None,
        turns: list[dict[str, Any]] | None,
        shopper_id: str | None,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        history = list(history or [])
        turns = list(turns or [])
        thread_id = thread_id or uuid.uuid4().hex
        try:
            budget = message_token_budget(settings.llm_max_model_len)
            text = check_message(message, settings.max_message_chars, max_tokens=budget)
            image = None
            if image_path:
                raw = Path(image_path).read_bytes()
                image = check_image(raw, settings.max_image_bytes)
        except InputRejected as exc:
            raise gr.Error(exc.message) from None
        client = request.client.host if request is not None and request.client else "ui"
        if (wait := limiter.acquire(client)) > 0:
            raise gr.Error(f"Too many messages; try again in {wait:.0f} s.")
        try:
            stylist = runtime.get()
        except NotReady as exc:
            raise gr.Error(str(exc)) from None

        history.append({"role": "user", "content": _text(text) + ("\n\n📷 photo attached" if image else "")})
        user_index = len(history) - 1

        def say(text: str) -> None:
            # The answer bubble appears with its first text (an empty one reads "Loading content").
            message = {"role": "assistant", "content": _text(text)}
            if len(history) == user_index + 1:
                history.append(message)
            else:
                history[-1] = message

        status = "Thinking…"
        answer = streamed = ""
        cards = trends = ""
        trend_turn = False
        yield history, "", None, cards, trends, thread_id, turns, status
        reply: dict[str, Any] | None = None
        try:
            for event in stylist.stream(
                text, thread_id=thread_id, image=image, shopper_id=shopper(shopper_id)
            ):
                if event.type == "token":
                    streamed += str(event.data.get("text", ""))
                    shown = "" if trend_turn else draft(streamed)
                    if shown == answer or not shown.startswith(answer):
                        continue  # the shown text only grows; the final answer settles the rest
                    answer = shown
                    say(answer)
                elif event.type == "tool":
                    name = str(event.data.get("name") or "")
                    if name in TREND_TOOLS:
                        # The answer will be the forecast read in shopper terms: the model's retelling,
                        # which may claim a trend the data cannot support, is not shown meanwhile.
                        trend_turn = True
                        status = "Reading the trend forecasts…"
                    else:
                        status = f"Using {name or 'a tool'}…"
                elif event.type == "error":
                    answer = f"Sorry, something went wrong: {event.data.get('message', '')}"
                    say(answer)
                elif event.type == "final":
                    reply = dict(event.data.get("reply") or {})
                    # The final reply is authoritative (a guard may have changed the streamed text).
                    answer = str(reply.get("answer") or streamed)
                    say(answer)
                    cards = reply_cards(reply)
                    trends = trend_panel(list(reply.get("trends") or []))
                    status = ""
                yield history, "", None, cards, trends, thread_id, turns, status
        except Exception as exc:  # noqa: BLE001 - the shopper sees a message in the chat, not a stack trace
            log.exception("UI chat turn failed")
            answer = f"Sorry, the stylist failed on this message ({type(exc).__name__}). Please try again."
            say(answer)
            yield history, "", None, cards, trends, thread_id, turns, ""
            return
        if len(history) == user_index + 1:
            say(answer)
        turns.append(
            {
                "index": len(history) - 1,
                "turn": len(turns) + 1,
                "message": text,
                "answer": answer,
                "product_ids": [str(p.get("id")) for p in (reply or {}).get("products") or []],
            }
        )
        yield history, "", None, cards, trends, thread_id, turns, ""

    def on_like(
        data: gr.LikeData, thread_id: str | None, turns: list[dict[str, Any]] | None, shopper_id: str | None
    ) -> str:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turn = next((t for t in turns or [] if t["index"] == index), None)
        if turn is None or not thread_id:
            return ""
        liked = None if data.liked in ("", None) else data.liked is True or data.liked == "Like"
        feedback.record(
            thread_id=thread_id,
            turn=turn["turn"],
            message=turn["message"],
            answer=turn["answer"],
            product_ids=turn["product_ids"],
            liked=liked,
        )
        sid = shopper(shopper_id)
        personal = getattr(runtime.get(), "personal", None) if runtime.state == "ready" and sid else None
        if personal is not None and personal.enabled:
            # A thumb on an answer is a (half-weight) signal about each product it showed.
            personal.record_answer_feedback(sid, thread_id, turn["product_ids"], liked)
        return "Thanks for the feedback." if liked is not None else ""

    def shopper(value: str | None) -> str | None:
        """The page's anonymous shopper id (kept in the browser's localStorage), if valid."""
        try:
            return clean_shopper_id(value)
        except ValueError:
            return None

    def ensure_shopper(value: str | None) -> tuple[str, str]:
        sid = shopper(value) or f"anon-{uuid.uuid4().hex}"
        return sid, sid

    def clear() -> tuple[Any, ...]:
        return [], "", None, "", "", uuid.uuid4().hex, [], ""

    def poll() -> tuple[Any, Any]:
        text = runtime.notice()
        return gr.update(value=text, visible=bool(text)), gr.Timer(active=runtime.state == "starting")

    with gr.Blocks(title="stylist") as demo:
        gr.Markdown("## Your stylist\nAsk for outfits, items under a budget, or what is trending.")
        notice = gr.Markdown(runtime.notice(), visible=runtime.state != "ready", elem_id="stylist-notice")
        timer = gr.Timer(2.0, active=runtime.state != "ready")
        with gr.Row():
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(
                    label="Stylist",
                    height=460,
                    elem_id="stylist-chat",
                    feedback_options=("Like", "Dislike"),
                    sanitize_html=True,
                    allow_tags=False,
                    buttons=["copy"],
                )
                status = gr.Markdown("", elem_id="stylist-status")
                with gr.Row(equal_height=True):
                    textbox = gr.Textbox(
                        placeholder="e.g. a summer wedding outfit under 5000 rupees",
                        show_label=False,
                        scale=5,
                        elem_id="stylist-input",
                        max_length=settings.max_message_chars,
                    )
                    image = gr.Image(
                        type="filepath", sources=["upload"], label="Photo", scale=1, height=120, min_width=120,
                        elem_id="stylist-photo",
                    )  # fmt: skip
                with gr.Row():
                    send = gr.Button("Send", variant="primary", elem_id="stylist-send")
                    clear_btn = gr.Button("Clear conversation", elem_id="stylist-clear")
            with gr.Column(scale=2, min_width=320):
                gr.Markdown("**Picked for you**")
                cards = gr.HTML("", elem_id="stylist-cards")
                trends = gr.HTML("", elem_id="stylist-trends")
        gr.Examples(EXAMPLES, inputs=[textbox], label="Try")
        thanks = gr.Markdown("", elem_id="stylist-thanks")
        thread_id = gr.State(None)
        turns = gr.State([])
        # A stable anonymous id per browser (localStorage): the personal stylist remembers sizes and
        # taste under it. Copied into the session's state, so the page's API (/respond) is unchanged.
        stored_shopper = gr.BrowserState(None, storage_key="stylist-shopper-id")
        shopper_id = gr.State(None)

        outputs = [chatbot, textbox, image, cards, trends, thread_id, turns, status]
        inputs = [textbox, image, chatbot, thread_id, turns, shopper_id]
        send.click(respond, inputs, outputs, api_name="respond")
        textbox.submit(respond, inputs, outputs, api_name=False)
        clear_btn.click(clear, None, outputs, api_name="clear")
        chatbot.like(on_like, [thread_id, turns, shopper_id], thanks, api_name=False)
        timer.tick(poll, None, [notice, timer], api_name=False)
        demo.load(poll, None, [notice, timer], api_name=False)
        demo.load(ensure_shopper, stored_shopper, [stored_shopper, shopper_id], api_name=False)
    return demo
