"""Small controllers of the chat screen, one concern each, with explicit state.

Each is built by :class:`wits_tui.ui.screens.chat.ChatScreen` with the screen and
the engine bridge; it runs its workers on the screen (so they end with it) and
updates the widgets the screen owns.
"""
