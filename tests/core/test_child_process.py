"""Work shared by a forked child and its parent: items in order, the result, the child's
errors raised again in the parent, and a parent's error stopping the child."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest

from qudao.core import child_process
from qudao.core.errors import Unprocessable

pytestmark = pytest.mark.skipif(not child_process.available(), reason="Linux only")


class LineError(Unprocessable):
    """A subclass whose __init__ takes other arguments than its message."""

    def __init__(self, line: int, column: str) -> None:
        super().__init__("Line %(line)s: %(column)s", field=column, line=line, column=column)
        self.line = line


def test_items_arrive_in_order_and_the_result_comes_back() -> None:
    seen: list[tuple[int, int]] = []

    def produce(emit: Callable[[tuple[int, int]], None]) -> int:
        for number in range(500):
            emit((number, os.getpid()))
        return os.getpid()

    child_pid = child_process.run_in_child(produce, seen.append)
    assert [number for number, _ in seen] == list(range(500))
    assert {pid for _, pid in seen} == {child_pid}
    assert child_pid != os.getpid()


def test_a_domain_error_of_the_child_is_raised_whole_in_the_parent() -> None:
    def produce(emit: Callable[[int], None]) -> None:
        emit(1)
        raise LineError(6, "Quantity")

    seen: list[int] = []
    with pytest.raises(LineError) as raised:
        child_process.run_in_child(produce, seen.append)
    assert seen == [1]
    error = raised.value
    assert (error.line, error.field, error.params) == (6, "Quantity",
                                                       {"line": 6, "column": "Quantity"})
    assert str(error) == "Line 6: Quantity"
    assert error.status == 422


def test_an_error_that_cannot_cross_comes_back_as_its_traceback() -> None:
    class Local(Exception):  # defined in a function: it cannot be pickled
        pass

    def produce(_emit: Callable[[int], None]) -> None:
        raise Local("the reason")

    with pytest.raises(RuntimeError, match=r"(?s)child process failed.*Local: the reason"):
        child_process.run_in_child(produce, lambda _item: None)


def test_a_child_that_dies_is_reported() -> None:
    def produce(_emit: Callable[[int], None]) -> None:
        os._exit(3)

    with pytest.raises(RuntimeError, match="exit code 3"):
        child_process.run_in_child(produce, lambda _item: None)


def test_an_error_of_the_parent_stops_the_child() -> None:
    pids: list[int] = []

    def produce(emit: Callable[[int], None]) -> None:
        while True:  # would never end by itself
            emit(os.getpid())

    def consume(pid: int) -> None:
        pids.append(pid)
        if len(pids) == 3:
            raise ValueError("the database refused")

    with pytest.raises(ValueError, match="refused"):
        child_process.run_in_child(produce, consume)
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)  # gone, and reaped


def test_ctrl_c_is_the_parents_to_handle() -> None:
    """Ctrl-C reaches the whole process group; the child leaves it to the parent."""

    def produce(emit: Callable[[int], None]) -> str:
        emit(os.getpid())
        time.sleep(0.5)  # SIGINT arrives meanwhile
        return "finished"

    assert child_process.run_in_child(produce, lambda pid: os.kill(pid, signal.SIGINT)) == \
        "finished"
