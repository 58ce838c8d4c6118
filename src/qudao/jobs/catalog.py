"""The modules that declare jobs. A domain with jobs adds its module here."""

from __future__ import annotations

import importlib

JOB_MODULES = (
    "qudao.jobs.maintenance",
    "qudao.engagement.periodic",
)


def load() -> None:
    for name in JOB_MODULES:
        importlib.import_module(name)
