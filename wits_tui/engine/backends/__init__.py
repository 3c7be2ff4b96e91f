"""Model backends. `base` is the protocol; each server type has one module."""

import sys

if "httpx" not in sys.modules:
    # httpx's __init__ imports its command-line tool whenever rich, pygments and
    # click are installed (textual and sqlite-utils bring them), which costs about
    # 110 ms per start and loads UI libraries into the engine. Wits never uses
    # httpx's CLI; with this entry httpx falls back to its stub `main`.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
