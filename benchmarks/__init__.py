"""tau's benchmark suite: ``python -m benchmarks`` (``--quick`` for a short run).

Each figure is measured several times and reported as a median with its range,
against the target from the performance issue; nothing here is a timed unit test.
"""
