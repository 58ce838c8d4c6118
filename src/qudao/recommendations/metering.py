"""Metering of the partner API: counted in memory on the hot path, written in batches by a
background thread, and flushed on a clean shutdown so that no count is lost.

A call costs the hot path two dictionary writes: its count, and the list of products it
showed, kept whole. Splitting lists into (partner, user, product) rows, leaving out what was
already written today, and writing them are the background thread's work."""

from __future__ import annotations

import copy
import logging
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qudao.db.session import Database
from qudao.recommendations.models import ApiUsage, RecommendationShown

log = logging.getLogger("qudao.metering")
# Shown products are written this many rows per statement, each statement compiled once.
BATCH = 1000
Shown = dict[tuple[int, str, str], date]


class Meter:
    def __init__(self, db: Database, *, flush_every: float = 2.0,
                 attribution_days: int = 90) -> None:
        self.db = db
        self.flush_every = flush_every
        self.attribution = timedelta(days=attribution_days)
        self._lock = threading.Lock()
        self._calls: Counter[tuple[date, int, str]] = Counter()
        # (partner, user, products shown) -> the last day they were shown.
        self._lists: dict[tuple[int, str, tuple[str, ...]], date] = {}
        # Rows split out of the lists but not written yet (a failed write keeps them here).
        self._shown: Shown = {}
        # What was already written for the current day: a product shown again to the same
        # user today changes nothing, so it is not written again.
        self._written = _Written()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, *, day: date, partner_id: int, endpoint: str, user_id: str | None = None,
               item_ids: Iterable[str] = ()) -> None:
        items = item_ids if isinstance(item_ids, tuple) else tuple(item_ids)
        with self._lock:
            self._calls[(day, partner_id, endpoint)] += 1
            if user_id is None or not items:
                return
            key = (partner_id, user_id, items)
            seen = self._lists.get(key)
            if seen is None or seen < day:
                self._lists[key] = day

    def pending(self) -> int:
        """Calls counted and not written yet."""
        with self._lock:
            return sum(self._calls.values())

    def pending_shown(self) -> set[tuple[int, str, str]]:
        """The (partner, user, product) rows the next flush writes."""
        with self._lock:
            lists = dict(self._lists)
        return set(_split(lists, dict(self._shown), copy.copy(self._written)))

    def flush(self) -> None:
        with self._lock:
            calls, self._calls = self._calls, Counter()
            lists, self._lists = self._lists, {}
        written = self._written
        shown, self._shown = _split(lists, self._shown, written), {}
        if not calls and not shown:
            return
        try:
            with self.db.unit_of_work() as session:
                write(session, calls, shown, self.attribution)
            written.rows.update(k for k, d in shown.items() if d == written.day)
            written.lists.update(k for k, d in lists.items() if d == written.day)
        except Exception:
            # Put the counts back: the next flush tries again.
            log.exception("metering flush failed; will retry")
            with self._lock:
                self._calls.update(calls)
            for key, day in shown.items():
                self._shown[key] = max(day, self._shown.get(key, day))

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="qudao-meter", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_every):
            self.flush()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.flush()


@dataclass
class _Written:
    """The rows and whole lists written for the latest day seen; a later day starts over."""

    day: date | None = None
    rows: set[tuple[int, str, str]] = field(default_factory=set)
    lists: set[tuple[int, str, tuple[str, ...]]] = field(default_factory=set)

    def see(self, day: date) -> None:
        if self.day is None or day > self.day:
            self.day, self.rows, self.lists = day, set(), set()


def _split(lists: dict[tuple[int, str, tuple[str, ...]], date], shown: Shown,
           written: _Written) -> Shown:
    """``shown`` plus the rows of ``lists`` that were not written on their day already."""
    for key, day in lists.items():
        written.see(day)
        today = day == written.day
        if today and key in written.lists:
            continue  # the same list again: one lookup instead of one per product
        partner_id, user_id, items = key
        for item in items:
            row = (partner_id, user_id, item)
            if today and row in written.rows:
                continue
            if shown.get(row, day) <= day:
                shown[row] = day
    return shown


def write(session: Session, calls: Counter[tuple[date, int, str]], shown: Shown,
          attribution: timedelta) -> None:
    """Upserts: one statement for the counts, and one statement per batch of shown rows,
    executed with many parameter sets so that it is compiled once, not once per row."""
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    if calls:
        rows = [{"day": d, "partner_id": p, "endpoint": e, "calls": n}
                for (d, p, e), n in calls.items()]
        statement = insert(ApiUsage).values(rows)
        session.execute(statement.on_conflict_do_update(
            index_elements=["day", "partner_id", "endpoint"],
            set_={"calls": ApiUsage.calls + statement.excluded.calls}))
    if not shown:
        return
    upsert = insert(RecommendationShown)
    upsert = upsert.on_conflict_do_update(
        index_elements=["partner_id", "user_id", "item_id"],
        set_={"last_day": upsert.excluded.last_day,
              "convert_until": upsert.excluded.convert_until})
    items = [{"partner_id": p, "user_id": u, "item_id": i, "first_day": d, "last_day": d,
              "convert_until": d + attribution} for (p, u, i), d in shown.items()]
    connection = session.connection()
    for start in range(0, len(items), BATCH):
        connection.execute(upsert, items[start:start + BATCH])
