"""Benchmarks: national-scale data, pipeline throughput, page script times against the floor, load tests.

`python -m benchmarks` runs the tier-1 benchmark (or `--tier stress`), `python -m benchmarks.load`
the load test; both write their tables into docs/benchmarks.md.
"""
