"""``/copy [N] [code M]``: an answer of this session, or one of its code blocks, to the clipboard.

The command finds the text; the front end copies it (the TUI with OSC 52 and the system
tool, the line mode likewise where its terminal allows) and says how it went.
"""

from __future__ import annotations

from wits_tui.commands.context import CommandContext
from wits_tui.commands.impl import UsageError, need_session
from wits_tui.commands.results import CopyText, Notice, Result
from wits_tui.engine.markdown_code import code_blocks

COPY_USAGE = "/copy [N] [code M]"
#: How far back /copy N looks (answers).
LOOK_BACK = 200


def parse_copy(args: str) -> tuple[int, int | None]:
    """``""`` -> (1, None); ``"3"`` -> (3, None); ``"code 2"`` -> (1, 2); ``"3 code 2"`` -> (3, 2)."""
    words = args.lower().split()
    answer, code = 1, None
    if words and words[0] != "code":
        if not words[0].isdigit() or int(words[0]) < 1:
            raise UsageError(f"N counts answers back from the last (1 is the last), not {words[0]!r}")
        answer = int(words.pop(0))
    if words:
        if words[0] != "code" or len(words) != 2 or not words[1].isdigit() or int(words[1]) < 1:
            raise UsageError(f"expected 'code M' with M a code block's number, not {' '.join(words)!r}")
        code = int(words[1])
    return answer, code


async def cmd_copy(ctx: CommandContext, args: str) -> Result:
    answer_n, code_n = parse_copy(args)
    session_id = need_session(ctx)
    recent = await ctx.db(ctx.store.messages.list, session_id, limit=LOOK_BACK)
    answers = [m for m in recent if m.role == "assistant" and m.content.strip()]
    if not answers:
        return Notice("there is no answer to copy in this session yet", "warning")
    if answer_n > len(answers):
        return Notice(f"this session has {len(answers)} answer{'s' * (len(answers) != 1)} to copy, not {answer_n}", "error")
    message = answers[-answer_n]
    which = "the last answer" if answer_n == 1 else f"answer {answer_n} from the end"
    if code_n is None:
        return CopyText(message.content, which)
    blocks = code_blocks(message.content)
    if not blocks:
        return Notice(f"{which} has no code blocks; /copy{' ' + str(answer_n) if answer_n > 1 else ''} copies all of it",
                      "warning")
    if code_n > len(blocks):
        return Notice(f"{which} has {len(blocks)} code block{'s' * (len(blocks) != 1)}, not {code_n}", "error")
    block = blocks[code_n - 1]
    label = f"code block {code_n}" + (f" ({block.language})" if block.language else "")
    return CopyText(block.code, label if answer_n == 1 else f"{label} of {which}")
