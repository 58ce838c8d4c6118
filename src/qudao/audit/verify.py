"""Walk every chain and name the first row that was edited, deleted or moved."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.audit.chain import GENESIS, row_hash
from qudao.audit.models import AuditEntry, AuditHead
from qudao.core.i18n import N_


@dataclass(frozen=True)
class Break:
    chain: str
    entry_id: int | None
    message: str
    params: dict[str, object]


@dataclass(frozen=True)
class Verification:
    checked: int
    breaks: list[Break]

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def verify(session: Session) -> Verification:
    heads = {h.chain: h for h in session.scalars(select(AuditHead))}
    # Rows are walked in the order they were written (ids rise with each chain's head lock
    # held), not by their own ``seq``: a row whose content, sequence number and hashes were
    # all moved to another place is then caught where it now sits.
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.chain, AuditEntry.id))
    breaks: list[Break] = []
    checked = 0
    chains_with_rows: set[str] = set()
    for chain, entries in groupby(rows, key=lambda e: e.chain):
        chains_with_rows.add(chain)
        seq, prev = 0, GENESIS
        problem: Break | None = None
        for entry in entries:
            checked += 1
            if problem is None:
                problem = _check_row(entry, seq + 1, prev)
                seq, prev = entry.seq, entry.row_hash
        if problem is not None:
            breaks.append(problem)
            continue
        head = heads.get(chain)
        if head is None or head.seq != seq or head.row_hash != prev:
            breaks.append(Break(chain, None, N_(
                "Chain %(chain)s ends at sequence %(seq)s, but its head says %(head)s: "
                "the newest rows were deleted."
            ), {"chain": chain, "seq": seq, "head": head.seq if head else "?"}))
    for chain, head in heads.items():
        if head.seq > 0 and chain not in chains_with_rows:
            breaks.append(Break(chain, None, N_("Chain %(chain)s has lost all its rows."),
                                {"chain": chain}))
    breaks.sort(key=lambda b: (b.entry_id is None, b.entry_id or 0))
    return Verification(checked=checked, breaks=breaks)


def _check_row(entry: AuditEntry, expected_seq: int, expected_prev: str) -> Break | None:
    params: dict[str, object] = {"id": entry.id, "chain": entry.chain}
    if entry.seq != expected_seq:
        return Break(entry.chain, entry.id, N_(
            "Row %(id)s of chain %(chain)s: sequence %(seq)s where %(expected)s was expected; "
            "rows before it were deleted or moved."
        ), {**params, "seq": entry.seq, "expected": expected_seq})
    if entry.prev_hash != expected_prev:
        return Break(entry.chain, entry.id, N_(
            "Row %(id)s of chain %(chain)s does not follow the row before it: "
            "a row was deleted, inserted or moved."
        ), params)
    if row_hash(entry) != entry.row_hash:
        return Break(entry.chain, entry.id, N_(
            "Row %(id)s of chain %(chain)s was edited after it was written."
        ), params)
    return None
