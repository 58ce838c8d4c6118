"""``qudao screening …``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import _, cli_locale, command_unit, console, handles_errors
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, coerce_locale
from qudao.partners import repository as partners
from qudao.partners.models import Partner
from qudao.screening import exports, present, service

app = typer.Typer(help="Score candidates: ratings, shortlist, tracking table.",
                  no_args_is_help=True)


def _partner_id(session: Session, value: str) -> int:
    """A candidate by id or by exact name."""
    if value.isdigit():
        return int(value)
    rows, _total = partners.search(session, SYSTEM, q=value, limit=5, offset=0)
    exact = [p for p in rows if p.name.casefold() == value.casefold()]
    found: list[Partner] = exact or rows
    if len(found) != 1:
        raise Unprocessable(N_("Name the candidate by its id: %(value)s matches %(n)s."),
                            value=value, n=len(found))
    return found[0].id


def parse_ratings(text: str) -> dict[str, object]:
    ratings: dict[str, object] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise Unprocessable(N_("Write ratings as key=value pairs, e.g. "
                                   "market_coverage=8,resource_match=7."), field="ratings")
        ratings[key.strip()] = value.strip()
    return ratings


@app.command("rate")
@handles_errors
def rate(
    partner: Annotated[str, typer.Argument(help="Candidate id or exact name")],
    evaluator: Annotated[str, typer.Option(help="The evaluator's e-mail (a staff user)")],
    ratings: Annotated[str, typer.Option(help="market_coverage=8,resource_match=7,...")],
    notes: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record one evaluator's ratings; prints the candidate's scorecard."""
    with command_unit() as (session, _settings):
        partner_id = _partner_id(session, partner)
        service.rate(session, SYSTEM, partner_id, evaluator_email=evaluator,
                     ratings=parse_ratings(ratings), notes=notes)
        card = present.scorecard_out(session, service.scorecard(session, SYSTEM, partner_id),
                                     cli_locale())
    table = Table(_("Criterion"), _("Weight"), _("Mean"), _("Evaluators"), _("Points"),
                  title=card.partner)
    for row in card.criteria:
        table.add_row(row.label, f"{row.weight_percent:f}%", f"{row.mean or 0:f}",
                      str(row.evaluators), f"{row.contribution:f}")
    console.print(table)
    verdict = _("passes") if card.passes else card.reason or ""
    console.print(_("Score %(score)s of 10 (threshold %(threshold)s): %(verdict)s",
                    score=format(card.total, "f"), threshold=format(card.threshold, "f"),
                    verdict=verdict))


@app.command("shortlist")
@handles_errors
def shortlist(
    size: Annotated[int | None, typer.Option(min=1, max=50)] = None,
    output: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """The best candidates that pass the threshold."""
    with command_unit() as (session, _settings):
        ranked = present.ranked_out(service.shortlist(session, SYSTEM, size), cli_locale())
    if output == "json":
        print(json.dumps([r.model_dump(mode="json") for r in ranked], ensure_ascii=False))
        return
    table = Table(_("Rank"), _("Id"), _("Candidate"), _("Score"), _("Evaluators"),
                  title=_("Shortlist"))
    for row in ranked:
        table.add_row(str(row.rank), str(row.partner_id), row.partner, f"{row.total:f}",
                      str(row.evaluators))
    console.print(table)
    if not ranked:
        console.print(_("No candidate passes the threshold yet."))


@app.command("ranking")
@handles_errors
def ranking() -> None:
    """Every evaluated candidate, best first, with the reason of each exclusion."""
    with command_unit() as (session, _settings):
        ranked = present.ranked_out(service.ranking(session, SYSTEM), cli_locale())
    table = Table(_("Rank"), _("Id"), _("Candidate"), _("Score"), _("Verdict"))
    for row in ranked:
        table.add_row(str(row.rank), str(row.partner_id), row.partner, f"{row.total:f}",
                      _("passes") if row.passes else (row.reason or ""))
    console.print(table)


@app.command("table")
@handles_errors
def tracking_table(
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write")],
    lang: Annotated[str, typer.Option(help="zh or en headers")] = "",
) -> None:
    """Write the guide's tracking table (候选伙伴 | 市场覆盖 | … | 总分 | 备注) as XLSX."""
    with command_unit() as (session, _settings):
        body = exports.tracking_table(session, SYSTEM, coerce_locale(lang) or cli_locale())
    output.write_bytes(body)
    console.print(_("Wrote %(path)s.", path=str(output)))
