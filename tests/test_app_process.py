"""What `wits` sets for the process that shows the app (cli/app_cmd.prepare_process)."""

from __future__ import annotations

import os
import subprocess
import sys

from wits_tui.cli.app_cmd import FRAME_RATE, prepare_process


def test_the_app_process_draws_up_to_frame_rate_unless_the_user_chose(monkeypatch):
    interval = sys.getswitchinterval()
    try:
        monkeypatch.delenv("TEXTUAL_FPS", raising=False)
        prepare_process()
        assert os.environ["TEXTUAL_FPS"] == str(FRAME_RATE)
        monkeypatch.setenv("TEXTUAL_FPS", "30")
        prepare_process()
        assert os.environ["TEXTUAL_FPS"] == "30"
    finally:
        sys.setswitchinterval(interval)


def test_textual_is_imported_after_the_process_is_prepared():
    # Textual reads TEXTUAL_FPS once, when it is imported: `wits` must not import it earlier.
    code = ("import sys; from wits_tui.cli import app_cmd, replay_cmd; assert 'textual' not in sys.modules; "
            "app_cmd.prepare_process(); from textual import constants; print(constants.MAX_FPS)")
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(FRAME_RATE)
