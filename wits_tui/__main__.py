from wits_tui.cli import run

run()
