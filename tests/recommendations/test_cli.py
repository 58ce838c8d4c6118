"""``qudao recommend train | evaluate | top`` on a slice of the real data."""

from __future__ import annotations

import csv
import gzip
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qudao.cli import app
from qudao.core.config import get_settings
from qudao.recommendations.registry import current_path

DATA = Path(__file__).resolve().parents[2] / "data" / "online-retail-2010-12-to-2011-09.csv.gz"
runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """The first 40,000 lines, cut into the purchases before and from 2010-12-12."""
    monkeypatch.setenv("QUDAO_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("QUDAO_LANG", "en")
    get_settings.cache_clear()
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    with gzip.open(DATA, "rt", newline="") as source, train.open("w", newline="") as a, \
            test.open("w", newline="") as b:
        reader = csv.reader(source)
        header = next(reader)
        early, late = csv.writer(a), csv.writer(b)
        early.writerow(header)
        late.writerow(header)
        for row in itertools.islice(reader, 40_000):
            (late if row[4] >= "2010-12-12" else early).writerow(row)
    yield train, test
    get_settings.cache_clear()


def test_train_publishes_and_top_prints_json_lines(files: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    train, _test = files
    result = runner.invoke(app, ["recommend", "train", "--transactions", str(train)])
    assert result.exit_code == 0, result.output
    assert "cancellations" in result.output
    published = current_path(get_settings().model_directory)
    assert published is not None
    users = tmp_path / "users.txt"
    users.write_text("17850\nnobody\n")
    result = runner.invoke(app, ["recommend", "top", "--users", str(users), "--limit", "3"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["userId"] for line in lines] == ["17850", "nobody"]
    assert all(len(line["recommendations"]) == 3 for line in lines)


def test_evaluate_compares_every_method_in_one_run(files: tuple[Path, Path]) -> None:
    train, test = files
    result = runner.invoke(app, ["recommend", "evaluate", "--train", str(train), "--test",
                                 str(test), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"all", "new"}
    for rows in report.values():
        assert set(rows) == {"popularity", "buy-again", "item-knn-bm25", "als", "ours"}
        assert all(0 <= rows[m]["ndcg"] <= 1 for m in rows)


def test_missing_files_exit_2_with_a_message(files: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["recommend", "train", "--transactions", "nope.csv"])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    result = runner.invoke(app, ["recommend", "top", "--users", "nope.txt",
                                 "--model", "missing.npz"])
    assert result.exit_code == 2
