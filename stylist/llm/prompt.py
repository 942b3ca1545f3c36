"""The chat template file (the format the model is served and fine-tuned with)."""

from __future__ import annotations

from stylist.settings import Settings


def chat_template(settings: Settings | None = None) -> str:
    """Text of the configured chat template (``prompts/chat_template.jinja`` by default).

    Fine-tuning passes it to ``tokenizer.apply_chat_template(chat_template=...)`` so training
    text and served text are the same.

    Raises:
        FileNotFoundError: the template file is missing (the message names the setting).
    """
    path = (settings or Settings()).llm_chat_template
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"Chat template {path} does not exist (STYLIST_LLM_CHAT_TEMPLATE).") from exc
