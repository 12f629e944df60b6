"""Benchmark data: generate national-scale demo raw files and clean them, timing both as subprocesses."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.machine import ROOT

TIME = "/usr/bin/time"  # GNU time (Debian package `time`): wall clock and peak RSS of a child
# The demo's people are invented; a fixed salt keeps the cleaned extract the same run to run.
SALT = "benchmark-demo-salt"
COMPLETE = ".complete"  # marker written after a finished generation: a half-written folder is redone


@dataclass
class StepCost:
    """Wall time, peak resident memory and rows of one pipeline step run as its own process."""

    step: str
    seconds: float
    peak_mb: float
    rows: int = 0
    measured: bool = True  # False: reused from an earlier run (figures read from its sidecar)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def run_timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `cmd`; return (wall seconds, peak RSS in MB) from GNU time, or from rusage without it."""
    if Path(TIME).exists():
        with open(os.devnull, "w") as devnull:
            proc = subprocess.run([TIME, "-v", *cmd], cwd=ROOT, env=env, stdout=devnull,
                                  stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        wall = re.search(r"Elapsed \(wall clock\) time .*?: ([\d:.]+)", proc.stderr)
        seconds = 0.0
        for part in wall.group(1).split(":"):
            seconds = seconds * 60 + float(part)
        return seconds, int(rss.group(1)) / 1024
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    # Largest child so far: exact when the pipeline is the biggest process this run has started.
    return time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _sidecar(folder: Path) -> Path:
    return folder.with_name(folder.name + ".bench.json")


def _saved(folder: Path, step: str) -> StepCost | None:
    try:
        data = json.loads(_sidecar(folder).read_text(encoding="utf-8"))
        return StepCost(**{**data, "step": step, "measured": False})
    except (OSError, ValueError, TypeError):
        return None


def generate(raw: Path, people: int, seed: int) -> StepCost | None:
    """Write the demo raw files for `people` into `raw` (a folder of the work dir), unless done before.

    A folder without the completion marker is a generation that was cut short: it is redone.
    """
    if (raw / COMPLETE).exists():
        return _saved(raw, "generate")
    if raw.exists():
        shutil.rmtree(raw)
    print(f"generating {people:,} people into {raw} …", flush=True)
    cmd = [sys.executable, "-m", "dashboard.demo", str(raw), "--people", str(people), "--seed", str(seed), "--quiet"]
    seconds, peak = run_timed(cmd, dict(os.environ))
    rows = sum(max(0, _line_count(p) - 1) for p in raw.glob("*.csv"))
    (raw / COMPLETE).write_text("")
    cost = StepCost("generate", seconds, peak, rows)
    _sidecar(raw).write_text(json.dumps({k: v for k, v in asdict(cost).items() if k != "step"}), encoding="utf-8")
    return cost


def saved_cost(folder: Path, step: str) -> StepCost | None:
    """The cost an earlier run measured for the folder (its sidecar), or None."""
    return _saved(folder, step)


def clean(raw: Path, folder: Path) -> StepCost:
    """Clean `raw` into `folder` with `python -m dashboard.clean` (query-ready copies included, the
    answers of the standard views not: see `warm`); rows are the raw rows read."""
    env = {**os.environ, "DASHBOARD_SALT": os.environ.get("DASHBOARD_SALT", SALT)}
    cmd = [sys.executable, "-m", "dashboard.clean", str(raw), str(folder), "--quiet", "--no-warm"]
    seconds, peak = run_timed(cmd, env)
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    rows = sum(int(f.get("rows_in", 0)) for f in report.get("files", {}).values())
    cost = StepCost("clean", seconds, peak, rows)
    _sidecar(folder).write_text(json.dumps({k: v for k, v in asdict(cost).items() if k != "step"}), encoding="utf-8")
    return cost


def warm(folder: Path, regions: bool = True) -> StepCost:
    """Store the answers of the standard views with `python -m dashboard.warm` (the last step of
    `python -m dashboard.clean`, timed on its own); rows are the answers stored."""
    from dashboard.store import prepared
    from dashboard.store.database import answers_fingerprint

    cmd = [sys.executable, "-m", "dashboard.warm", str(folder), *([] if regions else ["--no-regions"])]
    seconds, peak = run_timed(cmd, dict(os.environ))
    # One folder per version of the whole extract (dashboard.store.database.answers_fingerprint).
    answers = prepared.location(folder) / prepared.ANSWERS_DIR / answers_fingerprint(folder)
    return StepCost("warm", seconds, peak, len(list(answers.glob("*.parquet"))))


def _line_count(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def table_rows(folder: Path) -> dict[str, int]:
    """Rows of each cleaned table (participants, activities, assessments, hubs...)."""
    import duckdb

    con = duckdb.connect()
    try:
        return {p.stem: con.execute("SELECT count(*) FROM read_parquet(?)", [str(p)]).fetchall()[0][0]
                for p in sorted(folder.glob("*.parquet"))}
    finally:
        con.close()


def busiest_regions(folder: Path, n: int = 3) -> list[str]:
    """Codes of the `n` regions of the default programme with the most participants (filter targets)."""
    import duckdb

    from dashboard.filters import DEFAULT_PROGRAMME

    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT region_code FROM read_parquet(?) WHERE programme = ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?",
            [str(folder / "participants.parquet"), DEFAULT_PROGRAMME, n]).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]
