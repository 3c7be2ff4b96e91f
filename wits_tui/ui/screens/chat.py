"""The chat screen: the session sidebar, the chat column and the status bar, and
the handlers that tie them to the controllers (:mod:`wits_tui.ui.controllers`).

The screen owns its widgets (it builds them, and keeps the references) and its
workers: when it goes, its workers are cancelled first (:meth:`on_prune`), so no
handler or worker ever reaches for a widget that is gone.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.messages import Prune
from textual.screen import Screen
from textual.widgets import Static

from wits_tui.ui import messages as msg
from wits_tui.ui.context_view import show_context
from wits_tui.ui.controllers import modules, replay
from wits_tui.ui.controllers.attach import AttachController
from wits_tui.ui.controllers.collector import QuietCollector
from wits_tui.ui.controllers.copy import CopyController
from wits_tui.ui.controllers.docs import DocsJobs
from wits_tui.ui.controllers.edits import EditController
from wits_tui.ui.controllers.health import HealthMonitor
from wits_tui.ui.controllers.memory import MemoryJobs
from wits_tui.ui.controllers.modules import ModulesController
from wits_tui.ui.controllers.pull import PullJob
from wits_tui.ui.controllers.queue import SendQueue
from wits_tui.ui.controllers.replay import REPLAY_ACTIONS, ReplayController
from wits_tui.ui.controllers.routing_bank import RoutingBank
from wits_tui.ui.controllers.sessions import SessionsController, SessionView
from wits_tui.ui.controllers.slash import SlashCommands
from wits_tui.ui.controllers.training import TrainingJob
from wits_tui.ui.controllers.turns import TurnController
from wits_tui.ui.keymap import bound_keys, keymap_for
from wits_tui.ui.widgets.attachments import AttachmentBar
from wits_tui.ui.widgets.chat import ChatView
from wits_tui.ui.widgets.chat_scroll import SCROLL_BINDINGS
from wits_tui.ui.widgets.footer import KeyFooter
from wits_tui.ui.widgets.module_bar import ModuleBar
from wits_tui.ui.widgets.progress import JobProgress
from wits_tui.ui.widgets.prompt import CompletionMenu, PromptInput
from wits_tui.ui.widgets.queue import QueueBar, QueuedLine
from wits_tui.ui.widgets.setup_card import SetupCard
from wits_tui.ui.widgets.sidebar import SessionList, Sidebar
from wits_tui.ui.widgets.status import StatusBar

if TYPE_CHECKING:
    from wits_tui.settings import Settings
    from wits_tui.ui.bridge import EngineBridge


class ChatScreen(Screen[None]):
    BINDINGS = [
        # The app's Quit again, so that the footer keeps it first (the app's bindings come last).
        Binding("ctrl+q", "app.quit", "Quit", id="quit", priority=True),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="toggle_sidebar"),
        Binding("escape", "stop", "Stop", id="stop", show=False),
        Binding("ctrl+n", "new_session", "New", id="new_session"),
        Binding("f2", "rename_session", "Rename", id="rename_session"),
        Binding("ctrl+l", "focus_prompt", "Prompt", id="focus_prompt", show=False),
        Binding("ctrl+s", "focus_sessions", "Sessions", id="focus_sessions", show=False),
        *modules.BINDINGS,
        *replay.BINDINGS,
        *SCROLL_BINDINGS,
    ]

    def __init__(self, settings: "Settings", bridge: "EngineBridge",
                 replay_at_start: tuple[int, float, int] | None = None) -> None:
        """``replay_at_start``: (session id, speed, from turn) to play once ready; ending it quits."""
        super().__init__()
        self.settings = settings
        self.bridge = bridge
        self.replay_at_start = replay_at_start
        self.ready = False  # the engine is open and the first session is on screen
        self.closing = False  # set before the widgets go
        self.typed_at = 0.0  # time.monotonic() of the last change typed in the prompt
        self.sidebar = Sidebar(id="sidebar")
        self.sidebar.display = settings.ui.show_sidebar
        self.chat = ChatView(id="chat")
        self.setup_card = SetupCard(id="setup")
        self.job = JobProgress(id="job")
        self.module_bar = ModuleBar(id="modules")
        self.menu = CompletionMenu(id="completions")
        self.attach_bar = AttachmentBar(id="attachments")
        self.prompt = PromptInput(id="prompt", placeholder="Message Wits…  (/ for commands)")
        self.prompt.pass_keys = bound_keys(keymap_for(settings))
        self.queue_bar = QueueBar(id="queue")
        self.status = StatusBar(id="status")
        self.sessions = SessionsController(self, bridge)
        self.turns = TurnController(self, bridge)
        self.queue = SendQueue(self, bridge)
        self.edits = EditController(self, bridge)
        self.slash = SlashCommands(self, bridge)
        self.modules = ModulesController(self, bridge)
        self.health = HealthMonitor(self, bridge)
        self.routing_bank = RoutingBank(self, bridge)
        self.pull = PullJob(self, bridge)
        self.training = TrainingJob(self, bridge)
        self.memory = MemoryJobs(self, bridge)
        self.docs = DocsJobs(self, bridge)
        self.replay = ReplayController(self, bridge)
        self.copier = CopyController(self, bridge)
        self.attach = AttachController(self, bridge)
        self.collector = QuietCollector(self, bridge)

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self.sidebar
            with Vertical(id="chat-column"):
                yield self.setup_card
                yield self.chat
                yield self.job
                yield self.module_bar
                yield self.menu
                yield self.attach_bar
                yield self.queue_bar
                yield self.prompt
        yield self.status
        yield KeyFooter()

    @property
    def session_list(self) -> SessionList:
        return self.sidebar.query_one(SessionList)

    def on_mount(self) -> None:
        self.job.hide()
        self.menu.hide()
        self.attach_bar.display = False
        self.queue_bar.display = False
        self.prompt.menu = self.menu
        self.prompt.take_back = self.queue.take_back
        self.prompt.edit_target = self.edits.target
        self.prompt.focus()

    def shut(self) -> None:
        """The app is quitting or the screen is going: from now on no worker runs and no
        report of one is handled, so nothing reaches for a widget on its way out."""
        self.closing = True
        self.workers.cancel_node(self)

    def check_message_enabled(self, message: Message) -> bool:
        if self.closing and type(message).__module__ == msg.__name__:
            return False  # a worker's report (it was cancelled, its finally still posts)
        return super().check_message_enabled(message)

    async def on_prune(self, event: Prune) -> None:
        self.shut()
        await super().on_prune(event)

    # -- start-up ---------------------------------------------------------------------
    async def on_engine_ready(self, event: msg.EngineReady) -> None:
        self.prompt.past = event.history
        await self.sessions.show(SessionView(event.session, event.messages, event.has_more))
        self.session_list.show(event.sessions, event.session.id)
        self.ready = True
        self.typed_at = max(self.typed_at, time.monotonic())  # the first screen counts as activity (until_quiet)
        self.bridge.engine.refresh_after_turn = True  # the window in use, known before the next turn
        if self.turns.send_when_ready:
            self.turns.send_when_ready = False
            self.prompt.action_submit()  # what is in the prompt now, as the person left it
        # The first look at Ollama imports its client (~0.1 s holding the interpreter): after the
        # session is on screen, not while its newest answer is laid out and drawn.
        self.call_after_refresh(self.health.start)
        self.call_after_refresh(self.modules.load)
        self.memory.start()
        self.collector.start()
        self.routing_bank.start()  # after the memory has opened: one heavy start-up job at a time
        if self.replay_at_start is not None:
            self.replay.start(*self.replay_at_start, quit_after=True)

    async def on_engine_failed(self, event: msg.EngineFailed) -> None:
        self.status.query_one("#status-health", Static).update("✗ cannot start")
        await self.chat.add_notice(f"Wits could not open its data: {event.error}", "error")

    async def confirm_tool(self, name: str, arguments: Any) -> bool:
        """Asked by the engine (on its loop, inside a turn) before a tool with side effects runs."""
        shown = json.dumps(arguments, ensure_ascii=False)[:200]
        return await self.slash.frontend.confirm(f"Let the model run {name} with {shown}?")

    def on_confirm_asked(self, event: msg.ConfirmAsked) -> None:
        from wits_tui.ui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if not event.answer.done():
                event.answer.set_result(bool(yes))

        self.app.push_screen(ConfirmScreen(event.question), callback=answered)

    # -- the prompt -------------------------------------------------------------------
    def on_prompt_input_submitted(self, event: PromptInput.Submitted) -> None:
        text = event.text.lstrip()
        if text.startswith("/") and not text.startswith("//"):
            self.slash.submit(event.text)
        elif self.slash.pending:
            self.run_worker(self._after_commands(event.text, event.edit_of), group="after-commands", exit_on_error=False)
        else:
            self.turns.submit(event.text, event.edit_of)

    async def _after_commands(self, text: str, edit_of: int | None) -> None:
        """A message sent while commands before it still run goes out after them."""
        async with self.slash.order:
            pass
        self.turns.submit(text, edit_of)

    def on_prompt_input_nudged(self) -> None:
        self.queue.release()  # Enter on an empty prompt: a held queue goes out

    def on_edit_asked(self, event: msg.EditAsked) -> None:
        self.edits.begin(event.message_id, event.text)

    def on_earlier_asked(self, event: msg.EarlierAsked) -> None:
        self.edits.show_earlier(event.message_id, event.widget)

    @on(QueuedLine.Dropped)
    def _queued_dropped(self, event: QueuedLine.Dropped) -> None:
        self.queue.drop(event.key)

    def on_prompt_input_typed(self, event: PromptInput.Typed) -> None:
        if not event.programmatic:
            self.typed_at = time.monotonic()
            self.collector.hold()
        self.slash.typed(event.text, event.programmatic)

    # -- what workers and widgets report ----------------------------------------------------
    async def on_retry_requested(self, event: msg.RetryRequested) -> None:
        await self.turns.retry()

    def on_answer_done(self, event: msg.AnswerDone) -> None:
        self.turns.answer_done(event)

    def on_turn_finished(self, event: msg.TurnFinished) -> None:
        self.turns.finished()

    async def on_context_changed(self, event: msg.ContextChanged) -> None:
        await show_context(self, event)

    @on(SessionList.Chosen)
    def _session_chosen(self, event: SessionList.Chosen) -> None:
        if self.ready:
            self.sessions.open(event.session_id)
            if self.narrow:  # over the chat: out of the way once a session is chosen
                self.sidebar.display = False
                self.prompt.focus()

    @on(SessionList.DeleteAsked)
    def _session_delete_asked(self, event: SessionList.DeleteAsked) -> None:
        if self.ready:
            self.slash.run(f"/delete {event.session_id}")

    def on_load_older(self, event: msg.LoadOlder) -> None:
        if self.ready:
            self.sessions.load_older(event.session_id, event.before_id)

    def on_load_newer(self, event: msg.LoadNewer) -> None:
        if self.ready:
            self.sessions.load_newer(event.session_id, event.after_id)

    def on_load_edge(self, event: msg.LoadEdge) -> None:
        if self.ready:
            self.sessions.load_edge(event.session_id, event.first)

    def action_chat_scroll(self, how: str) -> None:
        """PageUp/PageDown/Ctrl+Home/Ctrl+End: the chat scrolls, the prompt keeps focus."""
        self.chat.scroll_key(how)

    async def on_pull_finished(self, event: msg.PullFinished) -> None:
        await self.pull.finished(event)

    def on_train_update(self, event: msg.TrainUpdate) -> None:
        self.training.update(event)

    async def on_train_finished(self, event: msg.TrainFinished) -> None:
        await self.training.finished(event)

    def on_prompt_input_paths_pasted(self, event: PromptInput.PathsPasted) -> None:
        self.attach.pasted(event.paths, event.text)

    def on_attachment_bar_remove(self, event: AttachmentBar.Remove) -> None:
        self.attach.remove(event.index)

    def on_copy_requested(self, event: msg.CopyRequested) -> None:
        self.copier.copy(event.text, event.what)

    def action_copy_text(self) -> None:
        """Ctrl+C with text selected (mouse) in the chat: copied as every copy is, with a toast."""
        from textual.actions import SkipAction

        if not self.copier.copy_selection():
            raise SkipAction()

    def on_feedback_given(self, event: msg.FeedbackGiven) -> None:
        self.modules.feedback(event.word, event.message_id)

    def on_memory_status_changed(self, event: msg.MemoryStatusChanged) -> None:
        self.memory.status_changed(event)

    async def on_memory_pruned(self, event: msg.MemoryPruned) -> None:
        await self.memory.pruned(event)

    def on_memory_job_update(self, event: msg.MemoryJobUpdate) -> None:
        self.memory.job_update(event)

    def on_docs_job_update(self, event: msg.DocsJobUpdate) -> None:
        self.docs.job_update(event)

    def on_replay_progress(self, event: msg.ReplayProgress) -> None:
        self.replay.progress(event)

    # -- keys ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in REPLAY_ACTIONS:
            return self.replay.state is not None
        return True

    def action_stop(self) -> None:
        if self.replay.state is not None:
            self.replay.quit()
        elif not self.turns.stop() and not self.pull.stop():
            self.docs.stop()

    def action_toggle_sidebar(self) -> None:
        self.sidebar.display = not self.sidebar.display

    # -- small terminals ------------------------------------------------------------
    #: Below this width the sidebar hides itself (Ctrl+B shows it over the chat), so the chat
    #: keeps room to read (the module bar abbreviates by its own width: widgets/module_bar.py).
    NARROW = 100
    narrow: bool | None = None

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < self.NARROW
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self.set_class(narrow, "-narrow")
        # the sidebar as the person asked for it on a wide screen; hidden until asked for on a narrow one
        self.sidebar.display = not narrow and self.settings.ui.show_sidebar

    def action_focus_prompt(self) -> None:
        self.prompt.focus()

    def action_focus_sessions(self) -> None:
        self.sidebar.display = True
        self.session_list.focus()

    def action_new_session(self) -> None:
        self.slash.run("/new")

    def action_rename_session(self) -> None:
        self.slash.rename_session()

    def action_pin_module(self, key: str) -> None:
        self.modules.pin_key(key)

    def action_cycle_module(self) -> None:
        self.modules.cycle()

    def action_auto_module(self) -> None:
        self.modules.switch(None)

    def action_replay_toggle(self) -> None:
        self.replay.toggle()

    def action_replay_step(self) -> None:
        self.replay.step()

    def action_replay_quit(self) -> None:
        self.replay.quit()
