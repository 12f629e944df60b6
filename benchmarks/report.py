"""Benchmark report: page times against the floor, the targets they meet or miss, as Markdown tables."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.pipeline import StepCost

# The targets of the national-scale tier (issue "Real browser, real load, national scale").
MAX_RATIO = 2.0  # warm page and filter change: at most twice the floor
MAX_SCRIPT_S = 0.300  # ...and under 300 ms of script time
MAX_COLD_S = 3.0  # cold first page
MAX_PEAK_MB = 1536  # 1.5 GB per process


@dataclass
class PageRow:
    """One page's measured times, its floor and whether it meets the targets."""

    page: str
    cold_s: float
    warm_s: float
    filter_s: float
    floor_warm_s: float  # bare script run + raw DuckDB time of the page's default-view queries
    floor_filter_s: float  # bare script run + raw DuckDB time of the filtered view's queries
    peak_mb: float
    queries: str  # statements sent to DuckDB: cold / warm / filter change
    problems: list[str]
    db_cold_s: float = 0.0  # time the page itself spent in DuckDB during the cold run
    db_filter_s: float = 0.0  # ... during a filter change

    @property
    def warm_ratio(self) -> float:
        return self.warm_s / self.floor_warm_s if self.floor_warm_s else float("inf")

    @property
    def filter_ratio(self) -> float:
        return self.filter_s / self.floor_filter_s if self.floor_filter_s else float("inf")

    def misses(self) -> list[str]:
        """The targets this page misses, with the numbers (every page is measured as a deep link's
        first page of a fresh process, so the cold target applies to each)."""
        out = []
        for what, seconds, ratio in (("warm rerun", self.warm_s, self.warm_ratio),
                                     ("filter change", self.filter_s, self.filter_ratio)):
            why = [f"over {ms(MAX_SCRIPT_S)}"] if seconds > MAX_SCRIPT_S else []
            why += [f"{times(ratio)} the floor"] if ratio > MAX_RATIO else []
            if why:
                out.append(f"{what} {ms(seconds)}: {' and '.join(why)}")
        if self.cold_s > MAX_COLD_S:
            out.append(f"cold first run {self.cold_s:.2f} s: over {MAX_COLD_S:g} s")
        if self.peak_mb > MAX_PEAK_MB:
            out.append(f"peak memory {self.peak_mb:,.0f} MB: over {MAX_PEAK_MB:,} MB")
        if self.problems:
            out.append(f"errors: {'; '.join(self.problems)[:300]}")
        return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def times(ratio: float) -> str:
    return f"{ratio:,.1f}×" if ratio >= 0.1 else f"{ratio:.2f}×"


def page_row(result: dict, bare_warm_s: float) -> PageRow:
    """A PageRow from one worker result (benchmarks.pagerun) and the bare script's warm run."""
    return PageRow(
        page=result["page"],
        cold_s=result["cold_s"],
        warm_s=result["warm_s"],
        filter_s=result["filter_s"] or 0.0,
        floor_warm_s=bare_warm_s + result["floor_db_default_s"],
        floor_filter_s=bare_warm_s + result["floor_db_filter_s"],
        peak_mb=result["peak_mb"],
        queries=f"{result['queries_cold']} / {result['queries_warm']} / {result['queries_filter']:g}",
        problems=result["problems"],
        db_cold_s=result["page_db_cold_s"],
        db_filter_s=result["page_db_filter_s"],
    )


def pages_table(rows: list[PageRow]) -> str:
    """Markdown: each page's cold, warm and filter-change script times, floors, ratios and memory."""
    head = ("| page | cold first run (DuckDB in it) | warm rerun | floor (warm) | warm ÷ floor "
            "| filter change (DuckDB in it) | floor (filter) | filter ÷ floor | peak memory "
            "| DuckDB statements cold / warm / filter |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    lines = [
        f"| {r.page} | {r.cold_s:.2f} s ({r.db_cold_s:.2f} s) | {ms(r.warm_s)} | {ms(r.floor_warm_s)} "
        f"| {times(r.warm_ratio)} | {ms(r.filter_s)} ({ms(r.db_filter_s)}) | {ms(r.floor_filter_s)} "
        f"| {times(r.filter_ratio)} | {r.peak_mb:,.0f} MB | {r.queries} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"


def floor_table(bare: dict, results: list[dict]) -> str:
    """Markdown: the two halves of the floor — the bare script run and each page's raw DuckDB time."""
    lines = [f"| bare `st.write` script | {bare['cold_s']:.2f} s | {ms(bare['warm_s'])} | — | — |"]
    for r in results:
        lines.append(f"| DuckDB, {r['page']} | — | — | {ms(r['floor_db_default_s'])} | {ms(r['floor_db_filter_s'])} |")
    return ("| floor part | cold | warm | default view | filter change |\n|---|---:|---:|---:|---:|\n"
            + "\n".join(lines) + "\n")


def pipeline_table(costs: list[StepCost | None]) -> str:
    """Markdown: generation and cleaning wall time, rows per second and peak memory."""
    lines = []
    for c in costs:
        if c is None:
            continue
        note = "" if c.measured else " (earlier run)"
        lines.append(f"| {c.step}{note} | {c.rows:,} | {c.seconds:,.1f} s | {c.rows_per_s:,.0f} | {c.peak_mb:,.0f} MB |")
    if not lines:
        return "Pipeline not run here: the cleaned extract was given with `--clean`.\n"
    return ("| step | rows | wall time | rows per second | peak memory (RSS) |\n|---|---:|---:|---:|---:|\n"
            + "\n".join(lines) + "\n")


def targets_text(rows: list[PageRow], pipeline: list[StepCost | None]) -> str:
    """A list of the targets missed, with numbers (or a line saying all are met)."""
    missed = []
    for row in rows:
        for miss in row.misses():
            missed.append(f"- {row.page}: {miss}")
    for cost in pipeline:
        if cost is not None and cost.peak_mb > MAX_PEAK_MB:
            missed.append(f"- pipeline {cost.step}: peak memory {cost.peak_mb:,.0f} MB")
    if not missed:
        return "All targets met.\n"
    return "Targets missed:\n\n" + "\n".join(missed) + "\n"
