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
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={"WITS_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "enabled True frozen True"
