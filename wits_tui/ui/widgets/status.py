"""The status bar: backend and its health, model, session, speed of the last answer."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.containers import Horizontal
from textual.widgets import Label


class StatusBar(Horizontal):
    def compose(self):
        yield Label("○ starting…", id="status-health")
        yield Label("", id="status-model")
        yield Label("", id="status-context")
        yield Label("", id="status-session")
        yield Label("", id="status-memory")
        yield Label("", id="status-replay")
        yield Label("", id="status-speed")

    def _label(self, name: str) -> Label:
        return self.query_one(f"#status-{name}", Label)

    #: Under this many columns the bar leaves out Ollama's version and the time to the first token (both
    #: stay in the labels' tooltips), so the speed is not cut off mid-word.
    NARROW = 100
    narrow = False
    _health: Any = None
    _speed: tuple[float | None, float | None, bool] = (None, None, False)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < self.NARROW
        if narrow != self.narrow:
            self.narrow = narrow
            if self._health is not None:
                self.set_health(self._health)
            self.set_speed(*self._speed)

    def set_health(self, health: Any) -> None:
        self._health = health
        label = self._label("health")
        if health.ok:
            version = f" {health.version}" if health.version and not self.narrow else ""
            label.update(f"● ollama{version}")
        else:
            label.update("● ollama down")
        where = f"{health.host} (Ollama {health.version})" if health.version else health.host
        label.tooltip = where if health.ok else f"{health.host}: {health.error or ''}\n{health.hint or ''}"
        label.set_class(bool(health.ok), "-ok")
        label.set_class(not health.ok, "-down")

    def set_model(self, model: str) -> None:
        self._label("model").update(f"model {model}")

    _session_id: int | None = None

    def set_session(self, session_id: int, title: str) -> None:
        label = self._label("session")
        label.update(f"#{session_id} {' '.join(title.split())}")  # the CSS cuts it to the room there is
        label.tooltip = title
        if session_id != self._session_id:
            self._session_id = session_id
            self.set_speed(None, None)  # the figures were the other session's last answer

    def end_live(self) -> None:
        """The answer ended without final figures (stopped or failed): drop the live marker."""
        tokens_per_s, ttft_ms, live = self._speed
        if live:
            self.set_speed(tokens_per_s, ttft_ms)

    def set_speed(self, tokens_per_s: float | None, ttft_ms: float | None, live: bool = False) -> None:
        self._speed = (tokens_per_s, ttft_ms, live)
        rate = f"{tokens_per_s:,.1f} tok/s" if tokens_per_s is not None else None
        first = f"first token {ttft_ms / 1000:.2f} s" if ttft_ms is not None else None
        label = self._label("speed")
        label.update(("⟳ " if live else "") + " · ".join(p for p in (rate, None if self.narrow else first) if p))
        label.tooltip = " · ".join(p for p in (rate, first) if p) or None

    def set_memory(self, status: Any) -> None:
        """Memory's state, shown only when worth a look (text search only, re-embedding, broken)."""
        from wits_tui.commands.describe import status_text

        label = self._label("memory")
        text = status_text(status)
        label.update(text)
        label.tooltip = "\n".join(p for p in (status.message, status.hint) if p) or None
        label.set_class(bool(text), "-shown")
        label.set_class(status.state == "broken", "-broken")

    def set_replay(self, turn: int | None, total: int = 0, speed: float = 1.0, paused: bool = False,
                   done: bool = False) -> None:
        """The replay indicator: turn n/N, speed, paused; ``turn`` None hides it."""
        label = self._label("replay")
        label.set_class(turn is not None, "-shown")
        if turn is None:
            label.update("")
            return
        pace = "instant" if speed == 0 else f"{speed:g}×"
        state = "■ replayed" if done else ("⏸ paused" if paused else "▶ replay")
        label.update(f"{state} {turn}/{total} · {pace}")

    def set_context(self, used: int | None, window: int | None = None, *, estimated: bool = False,
                    warn_at: float = 0.8, tooltip: str | None = None) -> None:
        """"context 3.1k / 8k", in the warning colour past ``warn_at`` of the window; None hides it."""
        from wits_tui.engine.catalog import short_tokens

        label = self._label("context")
        shown = used is not None and bool(window)
        label.set_class(shown, "-shown")
        if not shown:
            label.update("")
            label.set_class(False, "-warn")
            return
        assert used is not None and window
        label.update(f"context {'~' if estimated else ''}{short_tokens(used)} / {short_tokens(window)}")
        label.set_class(used > warn_at * window, "-warn")
        label.tooltip = tooltip
