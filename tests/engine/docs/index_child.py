"""Run by test_resume.py in a subprocess: index a collection, say when the first batch is
recorded, then hang there until killed."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from wits_tui.engine.backends.ollama import OllamaBackend
from wits_tui.engine.docs.facade import Docs
from wits_tui.engine.store import Store
from wits_tui.settings import DocsSettings, OllamaSettings


def main() -> None:
    database, directory, host, name, where = sys.argv[1:6]
    store = Store(Path(database))
    docs = Docs(DocsSettings(), Path(directory), store, OllamaBackend(OllamaSettings(host=host)))
    catalog, calls = store.docs, []

    class Catalog:  # hangs in the first batch's second catalog write: its passages are in LanceDB already
        def __getattr__(self, attr):
            return getattr(catalog, attr)

        def record(self, *args):
            calls.append(1)
            if len(calls) == 2:
                print("passages written, files not recorded", flush=True)
                threading.Event().wait()
            return catalog.record(*args)

    if where == "between-writes":
        store.docs = Catalog()

    def progress(p) -> None:
        if where == "after-batch" and p.stage == "indexing" and p.files_done:
            print(f"recorded {p.files_done}", flush=True)
            threading.Event().wait()  # the parent kills us here, mid-run

    docs.run_sync(docs.index(name, progress))
    print("finished", flush=True)


if __name__ == "__main__":
    main()
