"""Every theme offered (bundled and Textual's) keeps the chat, cards, status bar and sidebar
legible: WCAG contrast >= 4.5 for text and >= 3 for borders, measured on the colours the
widgets really get (CSS variables resolved, transparency blended)."""

from __future__ import annotations

import pytest
from textual.color import Color

from tests.fakes.ollama_server import Reply
from tests.ui.conftest import MODEL, ready, seed, type_text, wait_for
from wits_tui.ui.widgets.error_card import ErrorCard

pytestmark = pytest.mark.anyio

TEXT, BORDER = 4.5, 3.0


def luminance(c: Color) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)


def contrast(a: Color, b: Color) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_pairs(app) -> list[tuple[str, Color, Color]]:
    """(what, foreground, background) for text people read."""
    screen = app.chat_screen
    pairs = []

    def text(what: str, selector: str) -> None:
        for widget in screen.query(selector)[:1]:
            _, _, background, color = widget.colors
            pairs.append((what, color, background))

    def title(what: str, selector: str) -> None:
        for widget in screen.query(selector)[:1]:
            _, _, background, _ = widget.colors
            pairs.append((what, background + widget.styles.border_title_color, background))

    text("answer text", ".message.assistant")
    text("'wits' label", ".message.assistant .who")
    text("route label", ".message.assistant .route")
    text("your message", ".message.user")
    title("'you' label", ".message.user")
    text("warning notice", ".notice.-warning")
    text("error notice", ".notice.-error")
    text("error card text", ".error-card .what")
    text("error card hint", ".error-card .hint")
    title("error card title", ".error-card")
    text("status bar model", "#status-model")
    text("status bar health", "#status-health")
    text("sidebar session", "#sessions")
    return pairs


def border_pairs(app) -> list[tuple[str, Color, Color]]:
    screen = app.chat_screen
    pairs = []
    for what, selector, edge in (("your message border", ".message.user", "border_top"),
                                 ("answer border", ".message.assistant", "border_left"),
                                 ("error card border", ".error-card", "border_top")):
        for widget in screen.query(selector)[:1]:
            base, _, background, _ = widget.colors
            pairs.append((what, background + getattr(widget.styles, edge)[1], background))
    return pairs


async def test_every_theme_is_legible(make_app, app_paths, server):
    seed(app_paths, [("user", "How do I count words?"), ("assistant", "Use `str.split()` and a dict.")], title="Words")
    server.script(MODEL, Reply(text="", error_after=0, error="model runner has unexpectedly stopped"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = app.chat_screen
        await type_text(pilot, "And with Counter?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.chat.query(ErrorCard) and not screen.turns.running, what="the card")
        await screen.chat.add_notice("a warning", "warning")
        await screen.chat.add_notice("an error", "error")
        problems = []
        themes = sorted(app.available_themes)
        assert {"wits-dark", "wits-light", "wits-high-contrast", "textual-dark", "nord"} <= set(themes)
        for theme in themes:
            app.theme = theme
            await pilot.pause()
            if theme.startswith("ansi-"):
                # the terminal's own palette: no ratio to compute, but nothing drawn on its own colour
                for what, fg, bg in text_pairs(app):
                    if fg.ansi is not None and fg.ansi >= 0 and fg.ansi == bg.ansi:  # -1: the terminal's default pair
                        problems.append(f"{theme}: {what} is {fg} on {bg}")
                continue
            for what, fg, bg in text_pairs(app):
                if (r := contrast(fg, bg)) < TEXT:
                    problems.append(f"{theme}: {what} {fg.hex} on {bg.hex} = {r:.2f} (< {TEXT})")
            for what, fg, bg in border_pairs(app):
                if (r := contrast(fg, bg)) < BORDER:
                    problems.append(f"{theme}: {what} {fg.hex} on {bg.hex} = {r:.2f} (< {BORDER})")
        assert not problems, "\n".join(problems)
