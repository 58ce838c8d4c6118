"""Work shared by two processes: a forked child produces items and a result, the parent
consumes the items as they come. Two cores then do what one did, with neither waiting for
the other's interpreter lock.

The child is forked, so it starts with everything the parent prepared (modules, caches, an
object half set up) and nothing has to be imported or pickled to start it; only the items,
the result and an error cross, pickled. The child must not use what it shares with the
parent but cannot share, such as a database connection: whatever it needs from the
database is read by the parent before.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
_ITEM, _RESULT, _ERROR, _FAILED = range(4)


def available() -> bool:
    """Linux only: on macOS the system libraries do not survive a fork, and Windows has
    none."""
    return sys.platform == "linux"


def run_in_child(produce: Callable[[Callable[[Item], None]], Result],
                 consume: Callable[[Item], None]) -> Result:
    """Calls ``produce(emit)`` in a forked child while the parent calls ``consume`` on each
    item the child emits, in order, and returns what ``produce`` returned. An exception of
    ``produce`` is raised again in the parent (a ``RuntimeError`` with the child's traceback
    when it cannot be pickled); an exception of ``consume`` stops the child."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(produce, sending), name="qudao-child",
                            daemon=True)
    child.start()
    sending.close()
    try:
        while True:
            try:
                kind, payload = receiving.recv()
            except EOFError:
                child.join()
                raise RuntimeError(f"The child process stopped (exit code {child.exitcode}) "
                                   "before it finished.") from None
            if kind == _ITEM:
                consume(payload)
            elif kind == _RESULT:
                result: Result = payload
                return result
            elif kind == _ERROR:
                raise payload
            else:
                raise RuntimeError(f"The child process failed:\n{payload}")
    except BaseException:
        child.kill()
        raise
    finally:
        receiving.close()
        child.join()


def _child(produce: Callable[[Callable[[Any], None]], Any], sending: Connection) -> None:
    # Ctrl-C reaches the whole process group: the parent takes it and stops the child,
    # which would otherwise print a second traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        result = produce(lambda item: sending.send((_ITEM, item)))
    except Exception as error:
        sending.send(_reported(error))
    else:
        sending.send((_RESULT, result))
    finally:
        sending.close()


def _reported(error: Exception) -> tuple[int, Any]:
    """The error itself when it survives the trip to the parent, else its traceback."""
    try:
        # Our own object, pickled and read back here: nothing untrusted is read.
        pickle.loads(pickle.dumps(error))  # noqa: S301
    except Exception:
        return _FAILED, "".join(traceback.format_exception(error))
    return _ERROR, error
