"""The line mode: a plain chat on prompt-toolkit for screen readers, dumb
terminals and scripts. Same engine and slash commands as the TUI; only the
way results are shown differs."""
