"""Demo data, so that the first run shows a working program."""
