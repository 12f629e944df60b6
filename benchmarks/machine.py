"""Benchmark context: the machine a run measured (cores, memory, CPU, versions, load) and the docs writer."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
PACKAGES = ("streamlit", "duckdb", "pandas", "pyarrow", "altair", "pydeck")


def _meminfo_gb() -> float:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return float("nan")
    match = re.search(r"MemTotal:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024**2 if match else float("nan")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages (other work on the machine skews timings)."""
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def describe() -> dict[str, str]:
    """Cores, RAM, CPU model, OS and the versions of Python and the libraries that set the times."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cores (nproc)": str(cores),
        "RAM": f"{_meminfo_gb():.1f} GB",
        "CPU": _cpu_model(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
    }
    for name in PACKAGES:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = "not installed"
    info["load average at start"] = load_average()
    return info


def machine_table(info: dict[str, str]) -> str:
    """The machine as a two-column Markdown table."""
    rows = "\n".join(f"| {k} | {v} |" for k, v in info.items())
    return f"| machine | |\n|---|---|\n{rows}\n"


def update_section(name: str, body: str, doc: Path = DOC) -> None:
    """Replace the text between `<!-- begin:name -->` and `<!-- end:name -->` in the doc (append if absent).

    Each command owns its sections, so the benchmark and the load tests can rewrite their own
    figures without touching the others' or the hand-written text around them.
    """
    begin, end = f"<!-- begin:{name} -->", f"<!-- end:{name} -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _old, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


def registered_pages() -> list[str]:
    """Page files of the app in registry order (dashboard.ui.frame.PAGES); the first is served at "/"."""
    from streamlit import logger

    logger.set_log_level("error")  # importing the UI outside a server warns about missing runtime
    from dashboard.ui import frame as ui

    return [path for path, _key, _icon in ui.PAGES]
