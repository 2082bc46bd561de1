"""The process around one command line: `hz-assess …` and `python -m hz_assess …` start here.

A run is short and its objects are nearly all alive until it ends, so two things the
interpreter does for long-lived programs are pure cost here (measured with
bench/bench.py, see the README):

- the cyclic garbage collector: importing typer, pydantic and the models triggers
  about a hundred collections, each walking the objects made so far (~15–20 ms). It is
  off for the whole run; reference counting still frees everything that is not a cycle.
- tearing the interpreter down: freeing every module, class and schema one by one
  (~30 ms) only to hand the memory back to the operating system. When a command has
  finished normally (exit code 0 or 1), atexit functions are run, the streams are
  flushed, and the process ends with os._exit. Nothing is lost by this: every file we
  write is closed before the command returns (output.write_file renames a closed temp
  file), every ledger connection is closed by its `with closing(...)`, and a running
  thread sends us the ordinary way. Any other ending — a usage error, a bug, Ctrl-C,
  a stdout that cannot be flushed — takes the interpreter's ordinary way out, unchanged.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

FAST_EXIT_CODES = (0, 1)


def main() -> NoReturn:
    gc.disable()
    from hz_assess.cli import main as run

    try:
        run()
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code
        if not isinstance(code, int) or code not in FAST_EXIT_CODES:
            raise
    else:
        code = 0
    finish(code)


def finish(code: int) -> NoReturn:
    """End the process as the interpreter would (threads, atexit, flush), minus freeing memory object by object."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)  # the interpreter waits for them, as it always has
    import atexit

    atexit._run_exitfuncs()  # and forgets them: the interpreter will not run them twice
    try:
        for stream in dict.fromkeys((sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        # e.g. the reader of a pipe went away: the interpreter reports it and sets the exit code, as always
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    main()
