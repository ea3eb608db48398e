"""Benchmarks: reports, not tests. Run them as modules, e.g. ``python -m bench.crypto``."""
