"""Release benchmark report: the release builds and every public page's times, sizes side by side, as Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.report import ms

# The page measures of benchmarks.pagerun shown side by side: (key of its result, label, format).
MEASURES = (
    ("cold_s", "cold first run", lambda s: f"{s:.2f} s"),
    ("warm_s", "warm rerun", ms),
    ("filter_s", "filter change", ms),
    ("peak_mb", "peak memory", lambda mb: f"{mb:,.0f} MB"),
)


@dataclass
class BuildCost:
    """A release built from one size's extract: wall time, peak memory and its tables' rows."""

    people: int
    seconds: float
    peak_mb: float
    rows: dict[str, int] = field(default_factory=dict)  # rows of each release table (its manifest)
    disk_mb: float = 0.0  # bytes of the release folder
    measured: bool = True  # False: the release of an earlier run, figures read from its sidecar

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def people(n: int) -> str:
    """A size as the column heading: 60,000 people."""
    return f"{n:,}"


def build_table(builds: list[BuildCost]) -> str:
    """Markdown: one row per size — the build's wall time, peak RSS, rows of all tables, size on disk."""
    lines = [
        f"| {people(b.people)}{'' if b.measured else ' (earlier run)'} | {b.seconds:,.1f} s | {b.peak_mb:,.0f} MB "
        f"| {b.total_rows:,} | {len(b.rows)} | {b.disk_mb:,.1f} MB |"
        for b in builds
    ]
    return ("| people | build wall time | peak memory (RSS) | rows of the release tables | tables | on disk |\n"
            "|---:|---:|---:|---:|---:|---:|\n" + "\n".join(lines) + "\n")


def table_rows_table(builds: list[BuildCost]) -> str:
    """Markdown: rows of each release table, one column per size (does the release grow with the data?)."""
    names = list(dict.fromkeys(t for b in builds for t in b.rows))
    head = "| table | " + " | ".join(people(b.people) for b in builds) + " |\n"
    rule = "|---|" + "---:|" * len(builds) + "\n"
    lines = [f"| {t} | " + " | ".join(f"{b.rows[t]:,}" if t in b.rows else "—" for b in builds) + " |"
             for t in names]
    return head + rule + "\n".join(lines) + "\n"


def ratio(first: float | None, last: float | None) -> str:
    """last ÷ first, as the table writes it (— when either is missing or the first is 0)."""
    if not first or last is None:
        return "—"
    return f"{last / first:,.1f}×"


def pages_table(sizes: list[int], results: dict[int, list[dict]]) -> str:
    """Markdown: one row per page and measure, one column per size, and the largest size ÷ the smallest.

    `results` maps a size to the pagerun results of its pages (in the same page order for every size).
    """
    pages = list(dict.fromkeys(r["page"] for size in sizes for r in results[size]))
    by_page = {size: {r["page"]: r for r in results[size]} for size in sizes}
    last = f"{people(sizes[-1])} ÷ {people(sizes[0])}" if len(sizes) > 1 else "—"
    head = ("| page | measure | " + " | ".join(people(s) for s in sizes) + f" | {last} |\n"
            "|---|---|" + "---:|" * (len(sizes) + 1) + "\n")
    lines = []
    for page in pages:
        for key, label, fmt in MEASURES:
            values = [by_page[s].get(page, {}).get(key) for s in sizes]
            cells = " | ".join("—" if v is None else fmt(v) for v in values)
            change = ratio(values[0], values[-1]) if len(sizes) > 1 else "—"
            lines.append(f"| {page} | {label} | {cells} | {change} |")
    return head + "\n".join(lines) + "\n"


def findings(sizes: list[int], results: dict[int, list[dict]]) -> str:
    """Errors the pages showed and statements they sent to an extract's store (a release needs neither)."""
    found = []
    for size in sizes:
        for r in results[size]:
            if r.get("problems"):
                found.append(f"- {people(size)}, {r['page']}: errors: {'; '.join(r['problems'])[:600]}")
            sent = r.get("queries_cold", 0) + r.get("queries_warm", 0) + r.get("queries_filter", 0)
            if sent:
                found.append(f"- {people(size)}, {r['page']}: {sent:g} statements sent to the extract's store")
    if not found:
        return "No page showed an error or sent a statement to an extract's store.\n"
    return "\n".join(found) + "\n"
