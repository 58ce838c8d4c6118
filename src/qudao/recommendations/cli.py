"""``qudao recommend …``: train, evaluate against the baselines, and list top products."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from qudao.accounts.subject import SYSTEM
from qudao.core.cli_support import _, command_unit, console, fail, handles_errors
from qudao.core.config import get_settings
from qudao.recommendations import evaluation, purchases
from qudao.recommendations.model import RecommenderModel
from qudao.recommendations.registry import current_path, publish
from qudao.recommendations.transactions import (
    load_train_test,
    load_transactions,
    parse_transactions,
)

app = typer.Typer(help="Product recommendations for the partner API.", no_args_is_help=True)
DEFAULT_FILE = Path("data") / "online-retail-2010-12-to-2011-09.csv.gz"
METRICS = ("ndcg", "recall", "hit_rate", "coverage")


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=console, transient=True)


@app.command("import-purchases")
@handles_errors
def import_purchases(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    currency: Annotated[str, typer.Option(help="ISO currency of the unit prices")] = "GBP",
) -> None:
    """Store the purchases of a transactions file (CSV or .csv.gz): what conversions are
    counted against and what `train --from-database` learns from. All or nothing."""
    with Progress(console=console, transient=True) as progress, \
            command_unit() as (session, _settings):
        task = progress.add_task(_("Importing purchases"), total=None)
        result = purchases.import_file(session, SYSTEM, file, currency=currency,
                                       progress=lambda n: progress.advance(task, n))
    skipped = ", ".join(f"{reason}: {n}" for reason, n in sorted(result.skipped.items()))
    console.print(_("Read %(read)s lines; imported %(imported)s purchases; left out %(skipped)s.",
                    read=result.read, imported=result.imported, skipped=skipped or "0"))


@app.command("train")
@handles_errors
def train(
    transactions: Annotated[Path, typer.Option(help="CSV(.gz) of purchases")] = DEFAULT_FILE,
    from_database: Annotated[bool, typer.Option(
        "--from-database", help="Learn from the imported purchases instead of a file")] = False,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Write the model here instead of publishing it")] = None,
) -> None:
    """Train on purchases and publish the model; running servers pick it up by themselves."""
    if not from_database and not transactions.exists():
        raise fail(_("%(path)s does not exist. Give a purchases file with --transactions.",
                     path=str(transactions)), 2)
    with _progress() as progress:
        source = _("the imported purchases") if from_database else transactions.name
        task = progress.add_task(_("Reading and cleaning %(path)s", path=source))
        started = time.perf_counter()
        if from_database:
            with command_unit() as (session, _settings):
                data = parse_transactions(purchases.as_rows(session))
        else:
            data = load_transactions(transactions)
        progress.update(task, description=_("Training on %(n)s purchases", n=len(data)))
        model = RecommenderModel().train(data)
        seconds = time.perf_counter() - started
        if output is not None:
            model.save(output)
            path = output
        else:
            path = publish(model, get_settings().model_directory)
    report = data.report
    console.print(_("Read %(read)s lines; kept %(kept)s purchases of %(items)s products by "
                    "%(users)s customers (dropped: %(cancelled)s cancellations, %(fees)s fees "
                    "and non-products, %(anonymous)s without a customer).",
                    read=report.rows_read, kept=report.rows_kept, items=data.n_items,
                    users=data.n_users, cancelled=report.cancellations,
                    fees=report.non_product_code, anonymous=report.missing_customer))
    console.print(_("Trained in %(s)s s; model %(path)s", s=format(seconds, ".1f"), path=str(path)))


@app.command("evaluate")
@handles_errors
def evaluate(
    train_file: Annotated[Path, typer.Option("--train", help="Purchases to learn from")],
    test_file: Annotated[Path, typer.Option("--test", help="Later purchases to predict")],
    target: Annotated[Literal["all", "new", "both"], typer.Option(
        help="all purchases, new products only, or both")] = "both",
    output: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """Rank all products for each test customer; NDCG@10, Recall@10, HR@10 and coverage of
    our model against popularity, buy-again, item-kNN (BM25) and ALS, in one run."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    for path in (train_file, test_file):
        if not path.exists():
            raise fail(_("%(path)s does not exist.", path=str(path)), 2)
    targets = evaluation.TARGETS if target == "both" else (target,)
    results: dict[str, dict[str, dict[str, float]]] = {}
    with _progress() as progress:
        task = progress.add_task(_("Reading the purchases"))
        train, test = load_train_test(train_file, test_file)
        for name in targets:
            progress.update(task, description=_("Evaluating target %(t)s", t=name))
            results[name] = evaluation.evaluate(train, test, name,
                                                evaluation.tuned_methods(name))
    if output == "json":
        print(json.dumps(results, indent=2))
        return
    for name, rows in results.items():
        table = Table(_("Method"), "NDCG@10", "Recall@10", "HR@10", _("Coverage"),
                      _("Train s"), title=_("Target %(t)s: %(n)s customers", t=name,
                                            n=int(next(iter(rows.values()))["users"])))
        best = max(v["ndcg"] for k, v in rows.items() if k != "ours")
        for method, row in rows.items():
            table.add_row(method, *[f"{row[m]:.4f}" for m in METRICS],
                          f"{row['train_seconds']:.1f}")
        console.print(table)
        lift = rows["ours"]["ndcg"] / best - 1 if best else 0.0
        console.print(_("Ours against the best baseline, NDCG@10: %(lift)s",
                        lift=format(lift, "+.1%")))


@app.command("top")
@handles_errors
def top(
    users: Annotated[Path, typer.Option(help="A file with one user id per line")],
    model: Annotated[Path | None, typer.Option(help="Model file (default: the current)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Print each user's recommendations as JSON lines."""
    path = model or current_path(get_settings().model_directory)
    if path is None or not path.exists():
        raise fail(_("No model yet: run qudao recommend train first."), 2)
    loaded = RecommenderModel.load(path)
    for line in users.read_text(encoding="utf-8").splitlines():
        user = line.strip()
        if not user:
            continue
        items = [{"id": i, "name": n, "score": round(s, 4)}
                 for i, n, s in loaded.recommend(user, limit)]
        print(json.dumps({"userId": user, "recommendations": items}, ensure_ascii=False))
