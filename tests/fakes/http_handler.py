"""The request handler of the fake Ollama server: which endpoint serves which path.

Status codes and error texts follow the real server (ollama/ollama server/routes.go).
"""

from __future__ import annotations

from .inference import InferenceEndpoints
from .management import ManagementEndpoints
from .systemone import SystemOneEndpoints


class OllamaHandler(InferenceEndpoints, ManagementEndpoints, SystemOneEndpoints):
    ROUTES = {
        "/": {"GET": "root", "HEAD": "root"},
        "/api/version": {"GET": "version", "HEAD": "version"},
        "/api/tags": {"GET": "tags", "HEAD": "tags"},
        "/api/ps": {"GET": "ps"},
        "/api/show": {"POST": "show"},
        "/api/chat": {"POST": "chat"},
        "/api/generate": {"POST": "generate"},
        "/api/embed": {"POST": "embed"},
        "/api/embeddings": {"POST": "embeddings"},
        "/api/pull": {"POST": "pull"},
        "/api/create": {"POST": "create"},
        "/api/copy": {"POST": "copy"},
        "/api/delete": {"DELETE": "delete"},
        "/v1/systemone": {"POST": "systemone"},
    }
    BLOB_ROUTE = {"HEAD": "blob_head", "POST": "blob_create"}
