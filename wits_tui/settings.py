"""Settings: the one place that reads configuration.

Sources, later ones win: defaults < ``config.toml`` in the config dir <
``WITS_SECTION__KEY`` environment variables. Every problem is reported as a
:class:`ConfigError` naming the source (file or variable), the key, the bad
value and what is expected - never a traceback. Reading the sources (and the validated
snapshot quick commands use instead of validating again) is :mod:`wits_tui.settings_source`.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wits_tui.paths import Paths
from wits_tui.settings_choices import PruningStrategy
from wits_tui.settings_source import ConfigError, apply_env, read_file

__all__ = ["ConfigError", "Settings", "load_settings", "normalise_host", "settings_doc"]

DEFAULT_OLLAMA_PORT = 11434


def normalise_host(raw: str) -> str:
    """Turn what people put in OLLAMA_HOST (``0.0.0.0``, ``host:port``) into a URL.
    Raises ValueError (saying what is wrong) for an address that cannot be one."""
    raw = raw.strip().rstrip("/")
    if "://" not in raw:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        port_number = parts.port
    except ValueError as exc:  # "Port out of range 0-65535", "Invalid IPv6 URL"
        raise ValueError(f"{raw!r} is not a server address ({exc}); use host:port, e.g. 127.0.0.1:11434") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{raw!r} is not a server address (scheme {parts.scheme!r}); use http://host:port")
    host = parts.hostname or "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    port = port_number or (443 if parts.scheme == "https" else DEFAULT_OLLAMA_PORT)
    return f"{parts.scheme}://{host}:{port}{parts.path}"


def _default_host() -> str:
    return normalise_host(os.environ.get("OLLAMA_HOST") or "127.0.0.1:11434")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class OllamaSettings(Section):
    host: str = Field(default_factory=_default_host, description="URL of the Ollama server. Defaults to $OLLAMA_HOST, else http://127.0.0.1:11434.")

    connect_timeout: float = Field(5.0, gt=0, le=300, description="Seconds to wait for a connection to the server.")

    read_timeout: float = Field(300.0, gt=0, le=3600, description="Seconds to wait for the next bytes of an answer (covers loading a large model).")

    health_interval: float = Field(10.0, ge=1, le=3600, description="Seconds between background health checks of the server in the TUI.")

    keep_alive: str = Field("5m", description="How long Ollama keeps a model loaded after a request (Ollama duration syntax).")

    default_num_ctx: int = Field(4096, ge=256, le=10_000_000, description="The context window Ollama gives a model when no num_ctx is set (Ollama's own default, OLLAMA_CONTEXT_LENGTH); used until /api/ps reports the real one.")

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty (e.g. http://127.0.0.1:11434)")
        return normalise_host(value)


class ChatSettings(Section):
    default_model: str = Field("llama3.2", min_length=1, description="Model used when neither the session nor the command names one.")

    enable_model_fallback: bool = Field(True, description="Try the fallback models when a model fails before its first token.")

    fallback_models: list[str] = Field(default_factory=list, description="Models to try, in order, when the chosen model fails.")

    max_fallback_attempts: int = Field(2, ge=0, le=10, description="How many fallback models to try for one message at most.")

    context_messages: int = Field(200, ge=1, le=100_000, description="How many recent messages of a session are considered as context.")

    max_message_chars: int = Field(200_000, ge=1_000, le=100_000_000, description="Longest message Wits sends (characters); a longer one is saved to a file instead, which the read_file tool can read.")

    answer_reserve_tokens: int = Field(1024, ge=16, le=1_000_000, description="Tokens of the model's context window kept free for the answer.")

    think: Literal["on", "off", "low", "medium", "high"] = Field("on", description="Thinking for models that can think (their /api/show capabilities include thinking): on, off, or a level low/medium/high for models that take levels (gpt-oss). /think changes it per session.")

    show_thinking: bool = Field(True, description="Show what a thinking model thinks (the line mode prints it dimmed; the TUI in a collapsible block). Off: hidden, but still stored.")

    stall_notice_s: float = Field(20.0, ge=0, le=3600, description="Say so after this many seconds without a token while the connection stays open (\"no tokens for 20 s — Esc stops\"), and keep waiting until ollama.read_timeout. 0: never say.")

    context_warn_fraction: float = Field(0.8, gt=0, le=1, description="The status bar's context figure turns to the warning colour past this share of the window.")


class AttachmentSettings(Section):
    max_image_mb: float = Field(20.0, gt=0, le=1000, description="Largest image /attach takes (MB); images go to the model base64-encoded in the request.")

    max_text_chars: int = Field(200_000, ge=1_000, le=100_000_000, description="Largest text file /attach takes (characters); it must also fit the model's context window.")

    max_per_message: int = Field(8, ge=1, le=100, description="How many files one message may carry.")


class HistorySettings(Section):
    max_entries: int = Field(100_000, ge=10, le=100_000_000, description="Command history size cap: the oldest entries are trimmed beyond it.")


class UISettings(Section):
    theme: str = Field("wits-dark", min_length=1, description="Theme name (bundled: wits-dark, wits-light, wits-high-contrast; or a user theme).")

    show_sidebar: bool = Field(True, description="Show the session sidebar at start-up.")

    clipboard: Literal["auto", "osc52", "system"] = Field("auto", description="How copies reach the clipboard: auto (the terminal's OSC 52 escape, and the system tool wl-copy/xclip/xsel/pbcopy/clip.exe when one works here), osc52 (the terminal only) or system (the tool only).")

    option_digit_module_keys: bool = Field(False, description="Also switch modules with the characters Alt+digit arrives as in tmux and xterm (the macOS "
                                                              "Option characters ¡ ™ £ ¢ ∞ § ¶ • ª º). Off by default: on UK, Spanish and Portuguese keyboards "
                                                              "£ and º are characters people type.")


class MemorySettings(Section):
    enabled: bool = Field(True, description="Keep a long-term memory and recall it into prompts.")

    embedding_model: str = Field("nomic-embed-text", min_length=1, description="Ollama model used to embed memory segments.")

    enable_auto_pruning: bool = Field(True, description="Prune memory automatically when it reaches the size threshold.")

    max_memory_size_mb: float = Field(512.0, gt=0, le=1_000_000, description="Cap on the on-disk size of the memory directory, in MB.")

    pruning_threshold: float = Field(0.9, gt=0, le=1, description="Prune when the size reaches this fraction of max_memory_size_mb.")

    pruning_strategy: PruningStrategy = Field("hybrid", description="Which segments go first: oldest_first, least_relevant "
                                                                                                        "or hybrid.")

    prune_to_fraction: float = Field(0.8, gt=0, lt=1, description="Pruning removes segments until the size is at most this fraction of the threshold size "
                                                                  "(headroom for new writes).")

    prune_check_interval_s: float = Field(300.0, ge=1, le=86_400, description="Seconds between background checks of the memory size (besides the check after "
                                                                              "every write).")

    recall_max_segments: int = Field(6, ge=0, le=100, description="At most this many memory segments are added to a prompt.")

    recall_token_budget: int = Field(600, ge=0, le=100_000, description="Token budget for recalled memory in a prompt (estimated at about four characters a "
                                                                        "token).")

    recall_min_similarity: float = Field(0.55, ge=-1, le=1, description="Cosine similarity a segment needs to be recalled by meaning.")

    recall_min_text_score: float = Field(1.5, ge=0, description="BM25 score a segment needs to be recalled by a full-text (exact word or number) match.")

    embed_batch_size: int = Field(32, ge=1, le=4096, description="Texts sent to the embedding model in one request.")

    index_min_rows: int = Field(20_000, ge=256, description="Build an approximate vector index once memory holds this many segments (below it, exact search is "
                                                            "faster).")

    max_segment_chars: int = Field(4000, ge=100, le=1_000_000, description="Longer texts are cut to this many characters before they are stored.")


class CustomDomain(Section):
    """A domain of your own for the classifier (``[routing.domains.NAME]``)."""

    description: str = Field("", description="What the domain covers (shown by `wits classify`).")

    keywords: list[str] = Field(default_factory=list, description="Words or phrases that point to the domain (matched case-insensitively, whole words).")

    examples: list[str] = Field(default_factory=list, description="Example messages of the domain, compared by meaning when embeddings are available.")

    threshold: float | None = Field(None, ge=0, le=1, description="Confidence below which the message goes to general instead (default: "
                                                                  "routing.default_threshold).")


class RoutingSettings(Section):
    enabled: bool = Field(True, description="Route each message to a specialist module (unless the session pins one).")

    use_embeddings: bool = Field(True, description="Compare messages by meaning with example utterances, not only by keywords.")

    embedding_model: str = Field("all-minilm", min_length=1, description="Ollama embedding model used by the domain classifier.")

    keyword_weight: float = Field(0.15, ge=0, le=10, description="Weight of the keyword score in the domain score (with embeddings; keyword-only routing uses "
                                                                 "keywords alone).")

    semantic_weight: float = Field(1.0, ge=0, le=10, description="Weight of the similarity to example utterances in the domain score.")

    temperature: float = Field(0.05, gt=0, le=10, description="Softness of the confidence: lower makes the top domain's confidence sharper.")

    default_threshold: float = Field(0.4, ge=0, le=1, description="Confidence below which a message goes to the general domain.")

    thresholds: dict[str, float] = Field(default_factory=dict, description="Per-domain confidence thresholds, e.g. {code = 0.5}.")

    domains: dict[str, CustomDomain] = Field(default_factory=dict, description="Domains of your own: [routing.domains.NAME] with keywords, examples, threshold."
                                                                               )

    llm_tiebreak: bool = Field(False, description="Ask a model to choose between the top domains when the confidence is low.")

    tiebreak_model: str | None = Field(None, description="Model for the tiebreak (default: chat.default_model).")

    tiebreak_below: float = Field(0.5, ge=0, le=1, description="Use the tiebreak only when the confidence is below this.")

    tiebreak_timeout: float = Field(3.0, gt=0, le=60, description="Seconds the tiebreak may take before the keyword/embedding decision stands.")

    decision_model: str | None = Field(None, description="A decision model (Ollama's /v1/systemone) that settles low-confidence messages with a choice question over the domains' descriptions (below tiebreak_below, within tiebreak_timeout). Used instead of llm_tiebreak when set.")

    user: str | None = Field(None, description="Profile name for personalised routing (default: the OS user name).")

    prewarm_on_switch: bool = Field(True, description="Load a module's model as soon as you switch to it, so its first answer does not wait.")

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"thresholds must be between 0 and 1, got {bad}")
        return value


class ToolsSettings(Section):
    enabled: bool = Field(True, description="Offer tools to models that support them (Ollama's tools capability).")

    allowed_dirs: list[str] = Field(default_factory=list, description="Directories read_file and list_dir may read (none by default).")

    disabled: list[str] = Field(default_factory=list, description="Tools never offered, by name (e.g. [\"read_file\"]).")

    max_rounds: int = Field(4, ge=1, le=20, description="Rounds of tool calls in one turn before Wits stops and says so.")

    timeout_s: float = Field(10.0, gt=0, le=600, description="Seconds one tool call may take.")


class DocsSettings(Section):
    """Document collections (`wits docs`, `/docs`): indexed folders answered from with cited sources."""

    embedding_model: str = Field("nomic-embed-text", min_length=1, description="Ollama model used to embed document passages.")

    max_file_kb: int = Field(2048, ge=1, le=1_000_000, description="Files larger than this (in KB) are skipped when indexing.")

    chunk_tokens: int = Field(350, ge=50, le=8000, description="Largest passage, in estimated tokens (about four characters a token).")

    chunk_overlap_tokens: int = Field(40, ge=0, le=2000, description="Tokens a passage repeats from the one before when a long section is cut.")

    max_size_mb: float = Field(2048.0, gt=0, le=1_000_000, description="Cap on the on-disk size of the document index, in MB (separate from memory's cap; documents are never pruned).")

    retrieval_max_passages: int = Field(6, ge=1, le=50, description="At most this many passages are added to a prompt.")

    retrieval_token_budget: int = Field(1500, ge=100, le=200_000, description="Token budget for passages (and @file attachments) in a prompt.")

    embed_batch_size: int = Field(64, ge=1, le=4096, description="Passages sent to the embedding model in one request.")

    index_min_rows: int = Field(20_000, ge=256, description="Build an approximate vector index once the documents hold this many passages.")


class Settings(Section):
    ollama: OllamaSettings = Field(default_factory=OllamaSettings, description="The Ollama server.")

    chat: ChatSettings = Field(default_factory=ChatSettings, description="Models, fallback and context.")

    history: HistorySettings = Field(default_factory=HistorySettings, description="Command history.")

    attachments: AttachmentSettings = Field(default_factory=AttachmentSettings, description="Files sent with messages (/attach): images for vision models, text files as quoted context.")

    ui: UISettings = Field(default_factory=UISettings, description="The full-screen app.")

    memory: MemorySettings = Field(default_factory=MemorySettings, description="Long-term memory.")

    routing: RoutingSettings = Field(default_factory=RoutingSettings, description="Modules, the domain classifier and personalised routing.")

    tools: ToolsSettings = Field(default_factory=ToolsSettings, description="Tools the model can call.")

    docs: DocsSettings = Field(default_factory=DocsSettings, description="Document collections answered from with cited sources.")

    keymap: dict[str, str] = Field(default_factory=dict, description='Key remapping: binding id = "keys", e.g. toggle_sidebar = "ctrl+b".')


def _known_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys += _known_keys(ann, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def _expected(error: Mapping[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    msg = error["msg"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind.startswith("greater") or kind.startswith("less"):
        return msg.lower()
    if kind == "literal_error":
        return f"expected {ctx.get('expected', msg)}"
    return msg[0].lower() + msg[1:]


def _describe(errors: Sequence[Mapping[str, Any]], origin: dict[str, str], file: str) -> tuple[str | None, list[str]]:
    """(common source or None, one line per problem)."""
    known = _known_keys(Settings)
    found: list[tuple[str, str]] = []
    for err in errors:
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc)
        source = origin.get(key) or origin.get(loc[0], file)
        value = err.get("input")
        try:
            shown = json.dumps(value, default=str)
        except (RecursionError, ValueError):
            shown = "(nested too deeply to show)"
        line = f"{key} = {shown[:200]}: {_expected(err)}"
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            if len(loc) == 1:
                choices = sorted(Settings.model_fields)
            else:
                choices = [k for k in known if k.startswith(f"{loc[0]}.")]
            line = f"unknown key '{key}'{hint}; expected one of: {', '.join(choices)}"
        found.append((source, line))
    sources = {s for s, _ in found}
    if len(sources) == 1:
        return sources.pop(), [line for _, line in found]
    return None, [f"{s}: {line}" for s, line in found]


def load_settings(paths: Paths, environ: dict[str, str] | os._Environ[str] | None = None) -> Settings:
    """Load and validate settings; raises :class:`ConfigError` on any problem."""
    env = os.environ if environ is None else environ
    if env.get("OLLAMA_HOST"):
        try:
            normalise_host(env["OLLAMA_HOST"])
        except ValueError as exc:
            raise ConfigError("environment variable OLLAMA_HOST", [f"{exc}; fix or unset OLLAMA_HOST"]) from None
    data = read_file(paths.config_file)
    origin: dict[str, str] = {}
    apply_env(data, env, origin)
    try:
        return Settings.model_validate(data)
    except RecursionError:
        raise ConfigError(None, ["a value is nested too deeply; check the config file and WITS_ variables"]) from None
    except ValidationError as exc:
        raise ConfigError(*_describe(exc.errors(), origin, str(paths.config_file))) from None


def settings_doc(model: type[BaseModel] = Settings, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted key, description) for every setting and section, for `wits config show`."""
    rows = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        rows.append((f"{prefix}{name}", field.description or ""))
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            rows += settings_doc(ann, f"{prefix}{name}.")
    return rows
