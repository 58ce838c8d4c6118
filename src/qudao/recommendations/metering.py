"""Metering of the partner API: counted in memory on the hot path, written in batches by a
background thread, and flushed on a clean shutdown so that no count is lost."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qudao.db.session import Database
from qudao.recommendations.models import ApiUsage, RecommendationShown

log = logging.getLogger("qudao.metering")


class Meter:
    def __init__(self, db: Database, *, flush_every: float = 2.0,
                 attribution_days: int = 90) -> None:
        self.db = db
        self.flush_every = flush_every
        self.attribution = timedelta(days=attribution_days)
        self._lock = threading.Lock()
        self._calls: Counter[tuple[date, int, str]] = Counter()
        self._shown: dict[tuple[int, str, str], date] = {}
        # What was already written for the current day: a product shown again to the same
        # user today changes nothing, so it is not written again.
        self._written_day: date | None = None
        self._written: set[tuple[int, str, str]] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, *, day: date, partner_id: int, endpoint: str, user_id: str | None = None,
               item_ids: Iterable[str] = ()) -> None:
        with self._lock:
            self._calls[(day, partner_id, endpoint)] += 1
            if user_id is None:
                return
            if day != self._written_day:
                self._written_day, self._written = day, set()
            for item in item_ids:
                key = (partner_id, user_id, item)
                if key not in self._written:
                    self._shown[key] = day

    def pending(self) -> int:
        with self._lock:
            return sum(self._calls.values())

    def flush(self) -> None:
        with self._lock:
            calls, self._calls = self._calls, Counter()
            shown, self._shown = self._shown, {}
        if not calls and not shown:
            return
        try:
            with self.db.unit_of_work() as session:
                write(session, calls, shown, self.attribution)
            with self._lock:
                self._written.update(k for k, d in shown.items() if d == self._written_day)
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


def write(session: Session, calls: Counter[tuple[date, int, str]],
          shown: dict[tuple[int, str, str], date], attribution: timedelta) -> None:
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    if calls:
        rows = [{"day": d, "partner_id": p, "endpoint": e, "calls": n}
                for (d, p, e), n in calls.items()]
        statement = insert(ApiUsage).values(rows)
        session.execute(statement.on_conflict_do_update(
            index_elements=["day", "partner_id", "endpoint"],
            set_={"calls": ApiUsage.calls + statement.excluded.calls}))
    items = [{"partner_id": p, "user_id": u, "item_id": i, "first_day": d, "last_day": d,
              "convert_until": d + attribution} for (p, u, i), d in shown.items()]
    for start in range(0, len(items), 500):
        statement = insert(RecommendationShown).values(items[start:start + 500])
        session.execute(statement.on_conflict_do_update(
            index_elements=["partner_id", "user_id", "item_id"],
            set_={"last_day": statement.excluded.last_day,
                  "convert_until": statement.excluded.convert_until}))
