"""What to do when Ollama cannot be reached: shown above the chat until it answers."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static


def setup_text(host: str, model: str) -> str:
    name = escape(model)
    return (
        f"[b]Wits needs Ollama, and nothing answers at {escape(host)}.[/b]\n\n"
        "  1. Install it    [b]curl -fsSL https://ollama.com/install.sh | sh[/b]\n"
        "                   [dim](macOS and Windows: https://ollama.com/download)[/dim]\n"
        "  2. Start it      [b]ollama serve[/b]\n"
        f"  3. Get a model   [b]ollama pull {name}[/b]   [dim](or /pull {name} here)[/dim]\n\n"
        "[dim]Ollama elsewhere? Set OLLAMA_HOST, or ollama.host in the file `wits config path` prints, "
        "and start Wits again. This card goes away by itself once the server answers.[/dim]"
    )


class SetupCard(Static):
    """Hidden while Ollama answers."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", classes="setup-card", **kwargs)  # type: ignore[arg-type]
        self.display = False

    def show_for(self, host: str, model: str) -> None:
        self.update(setup_text(host, model))
        self.display = True

    def hide(self) -> None:
        self.display = False
