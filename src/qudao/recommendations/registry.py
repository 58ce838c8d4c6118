"""The model the API serves: loaded at start, replaced by a newer one without dropping a
request. Training publishes a file and then points ``CURRENT`` at it; each server worker
notices the pointer change and swaps its model reference in one assignment."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from qudao.recommendations.model import RecommenderModel

log = logging.getLogger("qudao.recommendations")
POINTER = "CURRENT"


def publish(model: RecommenderModel, directory: Path) -> Path:
    """Write a versioned model file and make it the current one, atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = model.created_at.replace(":", "").replace("-", "")[:15]
    path = directory / f"model-{stamp}-{model.fingerprint[:12]}.npz"
    partial = path.with_suffix(".partial")
    model.save(partial)
    os.replace(partial, path)
    pointer = directory / f".{POINTER}.tmp"
    pointer.write_text(path.name)
    os.replace(pointer, directory / POINTER)
    return path


def current_path(directory: Path) -> Path | None:
    pointer = directory / POINTER
    if not pointer.exists():
        return None
    name = pointer.read_text().strip()
    path = directory / name
    return path if name and "/" not in name and path.exists() else None


class ModelRegistry:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.model: RecommenderModel | None = None
        self.path: Path | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> bool:
        """Load the current model if it changed; True when a new one was swapped in."""
        path = current_path(self.directory)
        if path is None or path == self.path:
            return False
        try:
            model = RecommenderModel.load(path)
        except (OSError, ValueError, KeyError):
            log.exception("could not load model %s; keeping the one in service", path)
            return False
        # One reference assignment: requests in flight keep the model they started with.
        self.model, self.path = model, path
        log.info("serving recommendation model %s", path.name)
        return True

    def watch(self, every: float = 5.0) -> None:
        if self._thread is not None:
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(every):
                self.refresh()

        self._thread = threading.Thread(target=run, name="qudao-model-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
