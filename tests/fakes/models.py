"""The fake server's model catalogue: names, metadata and the JSON shapes of
/api/tags, /api/show and /api/ps, modelled on the real Ollama server."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

Embedder = Callable[[list[str]], list[list[float]]]

DEFAULT_TEMPLATE = (
    "{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}"
    "{{ range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}"
    "<|start_header_id|>assistant<|end_header_id|>\n\n"
)
_REGISTRY_PREFIX = "registry.ollama.ai/library/"


def normalize_name(name: str) -> str:
    """'llama3.2' -> 'llama3.2:latest' (the tag defaults to 'latest', as in Ollama)."""
    name = name.strip()
    if name.lower().startswith(_REGISTRY_PREFIX):
        name = name[len(_REGISTRY_PREFIX) :]
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def model_key(name: str) -> str:
    """Lookup key: Ollama matches model names case-insensitively."""
    return normalize_name(name).lower()


def registry_name(name: str) -> str:
    """The fully qualified name Ollama puts in capability errors."""
    name = normalize_name(name)
    first = name.split("/", 1)[0]
    if "/" in name and ("." in first or ":" in first):
        return name
    return ("registry.ollama.ai/" if "/" in name else _REGISTRY_PREFIX) + name


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def go_time(moment: datetime) -> str:
    """RFC 3339 with microseconds, like Go's JSON time (UTC printed as 'Z')."""
    text = moment.isoformat(timespec="microseconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def now_local() -> datetime:
    return datetime.now(UTC).astimezone()


def parse_parameter_count(parameter_size: str) -> int:
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMBT]?)\s*", parameter_size.upper())
    if not match:
        return 1_000_000_000
    scale = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[match.group(2)]
    return int(float(match.group(1)) * scale)


@dataclass
class FakeModel:
    """One model known to the fake server (installed, or pullable from its fake registry)."""

    name: str
    capabilities: list[str] = field(default_factory=lambda: ["completion"])
    family: str = "llama"
    families: list[str] | None = None
    parameter_size: str = "1.2B"
    quantization_level: str = "Q4_K_M"
    context_length: int = 4096
    embedding_dim: int | None = None
    size: int | None = None
    load_ms: float = 0.0
    #: Share of the model that /api/ps reports in VRAM (the rest runs on the CPU).
    vram_fraction: float = 1.0
    system: str = ""
    template: str = DEFAULT_TEMPLATE
    parameters: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    license: str = ""
    parent_model: str = ""
    embedder: Embedder | None = None
    modified_at: datetime = field(default_factory=now_local)
    # pull behaviour (only used while the model sits in the fake registry)
    pull_delay: float | None = None
    pull_steps: int = 4
    pull_error: str | None = None
    pull_error_after: int = 0

    def __post_init__(self) -> None:
        self.name = normalize_name(self.name)
        if self.families is None:
            self.families = [self.family]
        if self.size is None:
            # about 4.85 bits per weight for Q4_K_M, plus a little overhead
            self.size = int(parse_parameter_count(self.parameter_size) * 0.61) + 45_000_000

    # -- identity -----------------------------------------------------------
    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def is_embedding(self) -> bool:
        return "embedding" in self.capabilities

    @property
    def weights_digest(self) -> str:
        return "sha256:" + sha256_hex("weights:" + self.family + self.parameter_size + self.name.split(":")[0])

    @property
    def layers(self) -> list[tuple[str, int]]:
        """(digest, size) of each blob, as `ollama pull` would download them."""
        layers = [(self.weights_digest, int(self.size or 0))]
        layers.append(("sha256:" + sha256_hex("template:" + self.template), len(self.template)))
        if self.license:
            layers.append(("sha256:" + sha256_hex("license:" + self.license), len(self.license)))
        if self.parameters:
            params = json.dumps(self.parameters, sort_keys=True)
            layers.append(("sha256:" + sha256_hex("params:" + params), len(params)))
        if self.system:
            layers.append(("sha256:" + sha256_hex("system:" + self.system), len(self.system)))
        if self.messages:
            msgs = json.dumps(self.messages, sort_keys=True)
            layers.append(("sha256:" + sha256_hex("messages:" + msgs), len(msgs)))
        return layers

    @property
    def digest(self) -> str:
        """Manifest digest (what /api/tags shows): changes with every layer."""
        return sha256_hex("manifest:" + "".join(d for d, _ in self.layers))

    def copy(self, name: str, **changes: Any) -> FakeModel:
        return replace(self, name=name, modified_at=now_local(), **changes)

    # -- JSON shapes --------------------------------------------------------
    def details(self) -> dict[str, Any]:
        return {
            "parent_model": self.parent_model,
            "format": "gguf",
            "family": self.family,
            "families": list(self.families or []),
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization_level,
        }

    def tags_entry(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.name,
            "modified_at": go_time(self.modified_at),
            "size": self.size,
            "digest": self.digest,
            "details": self.details(),
        }

    def model_info(self) -> dict[str, Any]:
        arch = self.family
        info: dict[str, Any] = {
            "general.architecture": arch,
            "general.basename": self.name.split(":")[0].rsplit("/", 1)[-1],
            "general.file_type": 15,
            "general.parameter_count": parse_parameter_count(self.parameter_size),
            "general.quantization_version": 2,
            f"{arch}.block_count": 16,
            f"{arch}.context_length": self.context_length,
            f"{arch}.embedding_length": self.embedding_dim or 2048,
            f"{arch}.attention.head_count": 32,
            f"{arch}.attention.head_count_kv": 8,
            "tokenizer.ggml.model": "gpt2",
            "tokenizer.ggml.tokens": [],
            "tokenizer.ggml.merges": [],
            "tokenizer.ggml.token_type": [],
        }
        if self.is_embedding:
            info[f"{arch}.pooling_type"] = 1
        return info

    def parameters_text(self) -> str:
        lines = []
        for key, value in self.parameters.items():
            for item in value if isinstance(value, list) else [value]:
                lines.append(f"{key:<30} {json.dumps(item)}")
        return "\n".join(lines)

    def modelfile(self) -> str:
        out = [
            '# Modelfile generated by "ollama show"',
            "# To build a new Modelfile based on this, replace FROM with:",
            f"# FROM {self.name}",
            "",
            f"FROM /root/.ollama/models/blobs/{self.weights_digest.replace(':', '-')}",
            f'TEMPLATE """{self.template}"""',
        ]
        if self.system:
            out.append(f'SYSTEM """{self.system}"""')
        for key, value in self.parameters.items():
            for item in value if isinstance(value, list) else [value]:
                out.append(f"PARAMETER {key} {json.dumps(item) if isinstance(item, str) else item}")
        for msg in self.messages:
            out.append(f"MESSAGE {msg.get('role', 'user')} {json.dumps(msg.get('content', ''))}")
        if self.license:
            out.append(f'LICENSE """{self.license}"""')
        return "\n".join(out) + "\n"

    def show(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "modelfile": self.modelfile(),
            "parameters": self.parameters_text(),
            "template": self.template,
            "details": self.details(),
            "model_info": self.model_info(),
            "capabilities": list(self.capabilities),
            "modified_at": go_time(self.modified_at),
        }
        if self.license:
            body["license"] = self.license
        if self.system:
            body["system"] = self.system
        if self.messages:
            body["messages"] = [{"role": m.get("role"), "content": m.get("content", "")} for m in self.messages]
        if not self.parameters:
            del body["parameters"]
        return body

    def ps_entry(self, expires_at: datetime, context_length: int) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.name,
            "size": self.size,
            "digest": self.digest,
            "details": self.details(),
            "expires_at": go_time(expires_at),
            "size_vram": int((self.size or 0) * max(0.0, min(1.0, self.vram_fraction))),
            "context_length": context_length,
        }
