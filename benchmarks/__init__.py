"""Benchmarks: national-scale data, pipeline throughput, page script times against the floor, load tests.

`python -m benchmarks` runs the tier-1 benchmark (or `--tier stress`), `python -m benchmarks.release`
the public pages on a release at several sizes side by side, `python -m benchmarks.load` the load
test (`--release` for public mode on a release); all write their tables into docs/benchmarks.md.
"""
