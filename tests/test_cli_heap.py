"""The console script manages the garbage collector; main() called in-process does not."""

from __future__ import annotations

import gc
import subprocess
import sys

from wits_tui.cli import heap, main


def test_main_in_process_leaves_the_collector_alone(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WITS_HOME", str(tmp_path))
    frozen = gc.get_freeze_count()
    assert main(["config", "path"]) == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    assert not heap._managed


def _run(code: str, home) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={"WITS_HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_the_console_script_collects_during_the_command(tmp_path):
    code = (
        "import gc, sys\n"
        "from wits_tui.cli import heap, run\n"
        "import wits_tui.cli.config_cmd as c\n"
        "def spy(args, ctx):\n"
        "    print('enabled', gc.isenabled(), 'frozen', gc.get_freeze_count() > 0)\n"
        "    return 0\n"
        "c.cmd_path = spy\n"
        "sys.argv = ['wits', 'config', 'path']\n"
        "run()\n"
    )
    # a long-running command (the TUI) or any other keeps a heap the collector manages as usual
    assert _run(code, tmp_path) == "enabled True frozen False"


def test_ask_freezes_what_start_up_built(tmp_path):
    code = (
        "import gc, sys\n"
        "from wits_tui.cli import run\n"
        "import wits_tui.cli.ask_cmd as a\n"
        "async def spy(engine, *args):\n"
        "    print('enabled', gc.isenabled(), 'frozen', gc.get_freeze_count() > 1000)\n"
        "a._stream = spy\n"
        "sys.argv = ['wits', 'ask', 'hello']\n"
        "run()\n"
    )
    assert _run(code, tmp_path) == "enabled True frozen True"


def test_bare_wits_starts_the_app_with_the_collector_off_and_no_parser(tmp_path):
    """Bare `wits` goes straight to the app: no argparse tree (it imported every command's module
    and sqlite-utils, ~0.1 s of CPU before the first frame), the collector off until the app says
    it has started."""
    code = (
        "import gc, sys\n"
        "from wits_tui.cli import run\n"
        "import wits_tui.cli.app_cmd as a, wits_tui.cli.chat_cmd as c\n"
        "c.wants_plain = lambda: False\n"
        "def spy(ctx):\n"
        "    from wits_tui.cli import heap\n"
        "    loaded = sorted(m for m in ('wits_tui.cli.ask_cmd', 'sqlite_utils') if m in sys.modules)\n"
        "    before = gc.isenabled()\n"
        "    heap.release()  # what the app is given as `started`\n"
        "    print('enabled', before, gc.isenabled(), 'loaded', loaded)\n"
        "    return 0\n"
        "a.run_app = spy\n"
        "sys.argv = ['wits']\n"
        "run()\n"
    )
    assert _run(code, tmp_path) == "enabled False True loaded []"


def test_importing_the_app_leaves_heavy_modules_for_later(tmp_path):
    """What the first frame does not need is imported when it is (the engine's thread opens the store;
    the first answer drawn imports the Markdown parser and Pygments)."""
    code = ("import sys, wits_tui.ui.app\n"
            "print(sorted(m for m in ('sqlite_utils', 'lancedb', 'ollama', 'httpx', 'markdown_it', 'pygments',\n"
            "     'rich.markdown', 'wits_tui.engine.store', 'wits_tui.engine.core') if m in sys.modules))\n")
    assert _run(code, tmp_path) == "[]"
