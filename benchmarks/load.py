"""`python -m benchmarks.load`: concurrent sessions on loopback visit every page and change filters.

By default one `streamlit run` process is started over the extract, or with `--release DIR` in
public mode over the releases folder's current release alone (no extract: DASHBOARD_DATA_DIR names
a folder that does not exist); `--replicas N` starts N replicas behind nginx with
scripts/replicas.sh; `--url` points at a running deployment. Each
session is a websocket client (benchmarks.wsclient), not a browser: the server does all the
work it does for a browser, the client draws nothing. Latency is the time from the request
to the end of the script run. The server's memory is sampled every second.

`--exporters N` runs the visitors twice on the same server(s), first alone and then beside N
clients that make files on request (press kits and fact sheets of varied views, each clicked and
fetched as a browser does), and reports the visitors' page views of both runs side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import machine
from benchmarks.pagerun import public_settings
from benchmarks.wsclient import Session, ViewResult

DEFAULT_DATA = Path(tempfile.gettempdir()) / "hub-benchmarks" / "clean-tier1-1000000"
SAMPLE_S = 1.0  # memory sampling period
TIMELINE_S = 10  # one row of the memory table per this many seconds
WARMUP_S = 15  # requests started before this are cold-start, reported apart
VIEW_TIMEOUT_S = 120  # a view that takes longer counts as an error
LEVEL_TOLERANCE = 0.05  # memory "levels off": the last third grows < 5% (+ 20 MB) over the middle third
LEVEL_SLACK_MB = 20
REPLICAS_SCRIPT = machine.ROOT / "scripts" / "replicas.sh"
MIX_REGIONS = 8  # the busiest regions a visitor may filter to
EXPORT_PAGE = "exports"
# The Exports page's files made on request: (widget key of the download button, kind, what its bytes start with).
EXPORT_FILES = (("export_kit", "press_kit", b"PK\x03\x04"), ("export_sheet_pdf", "fact_sheet", b"%PDF"))
MAKE = "_make"  # suffix of the key of the button that makes a file (dashboard/ui/exports.py)
EXPORT_YEARS = 3  # an exporter's periods: months, quarters and years of the data date's year and the two before
EXPORT_REGIONS = 4  # the busiest regions an exporter's files are of (or the whole country)
EXPORT_PAUSE_S = 0.2  # an exporter asks for its next view at once: the worst case for the visitors
# How an exporter's request for a file ended (ExportResult.outcome), in the words of the report.
OUTCOMES = {"made": "made on request", "ready": "offered at once (made before, or the release's own)",
            "busy": "no turn in time", "empty": "none (nobody in the view)", "failed": "failed"}


# ---- what the sessions ask for ---------------------------------------------------------------

def extract_regions(data: Path) -> list[str]:
    """ISO codes of the extract's busiest regions in the default programme."""
    from benchmarks.pipeline import busiest_regions

    return busiest_regions(data, MIX_REGIONS)


def release_regions(releases: Path) -> list[str]:
    """ISO codes of the busiest regions of the releases folder's current release."""
    from benchmarks.release import busiest_regions

    return [code for code, _uk, _en in busiest_regions(releases, MIX_REGIONS)]


def data_date(data: Path, releases: Path | None) -> dt.date:
    """The data date of the extract (its report) or of the releases folder's current release."""
    if releases is not None:
        from dashboard.release import catalogue

        return dt.date.fromisoformat(catalogue.current(releases).manifest["data_date"])
    return dt.date.fromisoformat(json.loads((data / "report.json").read_text(encoding="utf-8"))["data_date"])


def view_mix(regions: list[str]) -> list[str]:
    """Query strings a visitor may have: languages, periods, one of `regions`, a segment; in codes,
    as the app writes its links."""
    periods = [{}, {"from": "2024-01-01", "to": "2024-12-31"}, {"from": "2023-01-01", "to": "2023-12-31"},
               {"from": "2025-01-01"}]
    mix = []
    for i, code in enumerate([None, *regions]):
        for j, period in enumerate(periods):
            params = {"lang": "en" if (i + j) % 2 else "uk", **period}
            if code:
                params["region"] = code
            if (i + j) % 5 == 4:
                params["age"] = "60_69"
            mix.append(urlencode(params))
    return mix


def _month_end(day: dt.date) -> dt.date:
    following = day.replace(day=28) + dt.timedelta(days=4)
    return following - dt.timedelta(days=following.day)


def export_periods(last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Months, quarters and years of the last EXPORT_YEARS years that end by `last` (the data date):
    periods a release holds, so that each is a file of its own rather than the nearest view's."""
    out = []
    for year in range(last.year - EXPORT_YEARS + 1, last.year + 1):
        out.append((dt.date(year, 1, 1), dt.date(year, 12, 31)))
        for quarter in range(4):
            start = dt.date(year, 3 * quarter + 1, 1)
            out.append((start, _month_end(start.replace(month=start.month + 2))))
        out += [(dt.date(year, month, 1), _month_end(dt.date(year, month, 1))) for month in range(1, 13)]
    return [(start, end) for start, end in out if end <= last]


def export_mix(regions: list[str], last: dt.date) -> list[str]:
    """Query strings of the Exports page an exporter asks for: each of `export_periods`, the whole
    country and each of the first EXPORT_REGIONS `regions`, in either language (the fact sheet
    follows the region of the view)."""
    mix = []
    for start, end in export_periods(last):
        for code in [None, *regions[:EXPORT_REGIONS]]:
            for lang in ("uk", "en"):
                params = {"lang": lang, "from": start.isoformat(), "to": end.isoformat()}
                if code:
                    params["region"] = code
                mix.append(urlencode(params))
    return mix


def page_paths() -> list[str]:
    """Url paths of the registered pages ("" for the first, served at /)."""
    return ["" if i == 0 else Path(path).stem for i, path in enumerate(machine.registered_pages())]


# ---- the server(s) and their memory ------------------------------------------------------------

def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemorySampler(threading.Thread):
    """Samples the servers' RSS every SAMPLE_S seconds until stopped."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.samples, self._halt = pids, [], threading.Event()
        self.start_time = time.monotonic()

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append((time.monotonic() - self.start_time, [rss_mb(p) for p in self.pids]))
            self._halt.wait(SAMPLE_S)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def server_env(data: Path, releases: Path | None) -> dict[str, str]:
    """The settings of the servers: the extract, or public mode on a releases folder with no extract."""
    return {"DASHBOARD_DATA_DIR": str(data)} if releases is None else public_settings(releases)


def start_single(settings: dict[str, str], log: Path) -> tuple[str, list[int], callable]:
    """One `streamlit run` on a free loopback port with `settings` in its environment; (url, [pid], stop)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, **settings}
    cmd = [sys.executable, "-m", "streamlit", "run", str(machine.ROOT / "streamlit_app.py"),
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(cmd, cwd=machine.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return url, [process.pid], stop
        except OSError:
            time.sleep(0.3)
    stop()
    raise RuntimeError(f"streamlit did not start; see {log}")


def start_replicas(n: int, settings: dict[str, str], run_dir: Path) -> tuple[str, list[int], callable]:
    """N replicas behind nginx via scripts/replicas.sh, `settings` in their environment; (nginx url,
    replica pids, stop)."""
    env = {**os.environ, **settings, "RUN_DIR": str(run_dir)}
    out = subprocess.run(["bash", str(REPLICAS_SCRIPT), "start", str(n)], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"replicas.sh start failed:\n{out.stdout}\n{out.stderr}")
    url = (run_dir / "url").read_text().strip()
    pids = [int(p) for p in (run_dir / "replica.pids").read_text().split()]

    def stop() -> None:
        subprocess.run(["bash", str(REPLICAS_SCRIPT), "stop"], env=env, capture_output=True, text=True)

    return url, pids, stop


# ---- the sessions ------------------------------------------------------------------------------

@dataclass
class ExportResult:
    """One file an exporter asked for: which, of what view, how long from the click to the file in
    hand, and how it ended (`made`: in a turn of the queue; `ready`: offered at once, made before
    or one of the release's own; `busy`: no turn came in time; `empty`: nobody in the view, so no
    file to make; `failed`)."""

    kind: str
    query: str
    started: float  # time.monotonic() at the click (at the view when no click was needed)
    seconds: float = 0.0
    outcome: str = "failed"
    size: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    """Every view of the run, connection failures and the memory samples; the exporters' files."""

    sessions: int
    duration_s: float
    views: list[ViewResult] = field(default_factory=list)
    connect_errors: list[str] = field(default_factory=list)
    memory: list[tuple[float, list[float]]] = field(default_factory=list)
    exporters: int = 0
    exports: list[ExportResult] = field(default_factory=list)


async def _visitor(i: int, url: str, pages: list[str], mix: list[str], stop_at: float, ramp_s: float,
                   think: tuple[float, float], out: LoadResult) -> None:
    rng = random.Random(i)
    await asyncio.sleep(ramp_s * i / max(1, out.sessions))
    session = Session(url, VIEW_TIMEOUT_S)
    try:
        await session.open()
    except Exception as exc:
        out.connect_errors.append(f"session {i}: {type(exc).__name__}: {exc}")
        await session.close()
        return
    order = pages[i % len(pages):] + pages[:i % len(pages)]
    try:
        while time.monotonic() < stop_at:
            for page in order:
                out.views.append(await session.view(page, rng.choice(mix)))
                if not session.connected:
                    # Its server went away (a replica died): reconnect as the frontend does, so that
                    # one failed view is counted, not every later view of the session.
                    try:
                        await session.reconnect()
                    except Exception as exc:  # noqa: BLE001 - no server took it: the visit ends here
                        out.connect_errors.append(f"session {i} reconnect: {type(exc).__name__}: {exc}")
                        return
                await asyncio.sleep(rng.uniform(*think))
                if time.monotonic() >= stop_at:
                    break
    finally:
        await session.close()


async def export_files(session: Session, query: str) -> tuple[ViewResult, list[tuple[ExportResult, bytes]]]:
    """Open the Exports page at `query` and take its press kit and fact sheet as a visitor does:
    click the button that makes each (unless the file is offered at once), wait for the run that
    makes it, fetch it. Returns the page view and each file's result with its bytes."""
    view = await session.view(EXPORT_PAGE, query)
    page, files, view_errors = view, [], [f"view: {e}" for e in view.errors]
    for widget, kind, magic in EXPORT_FILES:
        result, data = ExportResult(kind, query, time.monotonic()), b""
        result.errors, view_errors = view_errors, []  # the view's errors are counted once
        file_id = page.offered.get(widget)
        if file_id is not None and widget + MAKE not in page.buttons:
            result.outcome = "ready"
        elif widget + MAKE in page.buttons:
            page = await session.click(EXPORT_PAGE, query, page.buttons[widget + MAKE])
            result.errors += page.errors
            file_id = page.offered.get(widget)
            result.outcome = "made" if file_id else "busy" if page.warnings else "failed"
        elif not page.offered and not page.errors:
            result.outcome = "empty"  # no data in the view: the page offers no file at all, and says so
        else:
            result.errors.append(f"no {kind} on the page")
        if file_id is not None:
            status, data = await session.download(file_id)
            if status != 200 or not data.startswith(magic):
                result.errors.append(f"{kind}: HTTP {status}, {data[:40]!r}")
                result.outcome = "failed"
        result.seconds, result.size = time.monotonic() - result.started, len(data)
        if result.errors:
            result.outcome = "failed"
        files.append((result, data))
    return view, files


async def _exporter(i: int, url: str, mix: list[str], stop_at: float, ramp_s: float, out: LoadResult) -> None:
    rng = random.Random(10_000 + i)  # seeds apart from the visitors'
    await asyncio.sleep(ramp_s * i / max(1, out.exporters))
    session = Session(url, VIEW_TIMEOUT_S)
    try:
        await session.open()
    except Exception as exc:
        out.connect_errors.append(f"exporter {i}: {type(exc).__name__}: {exc}")
        await session.close()
        return
    try:
        while time.monotonic() < stop_at:
            _view, files = await export_files(session, rng.choice(mix))
            out.exports += [result for result, _data in files]
            if not session.connected:
                try:
                    await session.reconnect()
                except Exception as exc:  # noqa: BLE001 - no server took it: this exporter stops
                    out.connect_errors.append(f"exporter {i} reconnect: {type(exc).__name__}: {exc}")
                    return
            await asyncio.sleep(EXPORT_PAUSE_S)
    finally:
        await session.close()


async def _run(url: str, sessions: int, duration: float, think: tuple[float, float], mix: list[str],
               pages: list[str], out: LoadResult, exports: list[str]) -> None:
    stop_at = time.monotonic() + duration
    ramp = min(10.0, duration / 4)  # visitors arrive over the first seconds, not all at once
    await asyncio.gather(*(_visitor(i, url, pages, mix, stop_at, ramp, think, out) for i in range(sessions)),
                         *(_exporter(i, url, exports, stop_at, ramp, out) for i in range(out.exporters)))


def run_load(url: str, pids: list[int], sessions: int, duration: float, think: tuple[float, float],
             mix: list[str], exporters: int = 0, exports: list[str] | None = None) -> LoadResult:
    """Drive `sessions` visitors (and `exporters` clients making files of the views in `exports`)
    for `duration` seconds against `url`, sampling the servers' memory."""
    out = LoadResult(sessions, duration, exporters=exporters)
    sampler = MemorySampler(pids)
    sampler.start()
    t0 = time.monotonic()
    try:
        asyncio.run(_run(url, sessions, duration, think, mix, page_paths(), out, exports or []))
    finally:
        sampler.stop()
    for item in [*out.views, *out.exports]:
        item.started -= t0
    out.memory = sampler.samples
    return out


# ---- the report --------------------------------------------------------------------------------

def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p90, p95, p99 and max of `values` (seconds), nearest-rank."""
    if not values:
        return {}
    ordered = sorted(values)
    pick = {f"p{q}": ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] for q in (50, 90, 95, 99)}
    return {**pick, "max": ordered[-1]}


def levels_off(memory: list[tuple[float, list[float]]]) -> tuple[bool, float, float]:
    """(verdict, max total RSS of the middle third, of the last third), in MB."""
    totals = [(t, sum(v)) for t, v in memory]
    if len(totals) < 6:
        return False, float("nan"), float("nan")
    third = len(totals) // 3
    middle = max(v for _t, v in totals[third:2 * third])
    last = max(v for _t, v in totals[2 * third:])
    return last <= middle * (1 + LEVEL_TOLERANCE) + LEVEL_SLACK_MB, middle, last


def _fmt(stats: dict[str, float]) -> str:
    return " | ".join(f"{stats[k] * 1000:,.0f} ms" for k in ("p50", "p90", "p95", "p99", "max")) if stats else "— | — | — | — | —"


def render(result: LoadResult, label: str, setup: str, think: tuple[float, float]) -> str:
    """Markdown of one load run: errors, latency percentiles (all, steady state, per page), memory."""
    views = result.views
    errors = [e for v in views for e in v.errors] + result.connect_errors
    steady = [v.seconds for v in views if v.started >= WARMUP_S]
    lines = [
        f"### Load test: {label}\n",
        f"{setup}; {result.sessions} sessions for {result.duration_s:.0f} s, each visiting every page in turn "
        f"with a random filter set (language, period, region, age group) and {think[0]:g}–{think[1]:g} s "
        f"of reading between views. Clients: Streamlit websocket sessions (benchmarks/wsclient.py), "
        f"run on the same machine. Load average at the end: {machine.load_average()}.\n",
        f"- views completed: {len(views):,} ({len(views) / result.duration_s:.1f} per second)",
        f"- errors: {len(errors)}" + (f" — first: {errors[:3]}" if errors else ""),
        "",
        "| views | n | p50 | p90 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| all | {len(views)} | {_fmt(percentiles([v.seconds for v in views]))} |",
        f"| after the first {WARMUP_S} s | {len(steady)} | {_fmt(percentiles(steady))} |",
    ]
    for page in dict.fromkeys(v.page for v in views):
        times = [v.seconds for v in views if v.page == page]
        lines.append(f"| page `/{page}` | {len(times)} | {_fmt(percentiles(times))} |")
    ok, middle, last = levels_off(result.memory)
    lines += ["", "Server memory (RSS, MB; one column per process):", "",
              "| t | " + " | ".join(f"process {i + 1}" for i in range(len(result.memory[0][1]) if result.memory else 0))
              + " | total |",
              "|---:|" + "---:|" * ((len(result.memory[0][1]) if result.memory else 0) + 1)]
    next_row = 0.0
    for t, values in result.memory:
        if t + 1e-9 >= next_row or (t, values) == result.memory[-1]:
            lines.append(f"| {t:.0f} s | " + " | ".join(f"{v:,.0f}" for v in values) + f" | {sum(values):,.0f} |")
            next_row = (int(t // TIMELINE_S) + 1) * TIMELINE_S
    lines += ["", f"Memory levels off: **{'yes' if ok else 'no'}** (peak of the middle third {middle:,.0f} MB, "
              f"of the last third {last:,.0f} MB)."]
    return "\n".join(lines) + "\n"


def steady_views(result: LoadResult) -> list[float]:
    """Seconds of the visitors' views that started after the first WARMUP_S of the run."""
    return [v.seconds for v in result.views if v.started >= WARMUP_S]


def _ms(stats: dict[str, float], key: str) -> str:
    return f"{stats[key] * 1000:,.0f} ms" if stats else "—"


def _ratio(busy: dict[str, float], idle: dict[str, float], key: str) -> str:
    return f"{busy[key] / idle[key]:.1f}×" if busy and idle and idle[key] > 0 else "—"


def render_exporters(idle: LoadResult, busy: LoadResult, label: str, setup: str, think: tuple[float, float],
                     slots: str) -> str:
    """Markdown of a run with exporters: the visitors' page views without and with them, side by
    side (after the first WARMUP_S of each), per page, and the exporters' files."""
    before, after = percentiles(steady_views(idle)), percentiles(steady_views(busy))
    files = busy.exports
    errors = [e for r in (idle, busy) for v in r.views for e in v.errors] + idle.connect_errors + busy.connect_errors
    errors += [e for f in files for e in f.errors]
    lines = [
        f"### Load test with exporters: {label}\n",
        f"{setup}; {idle.sessions} visitor sessions, each visiting every page in turn with a random filter "
        f"set (language, period, region, age group) and {think[0]:g}–{think[1]:g} s of reading between views, "
        f"for {idle.duration_s:.0f} s alone and then {busy.duration_s:.0f} s beside {busy.exporters} exporters: "
        f"clients that open the Exports page at a random view (a month, quarter or year of the last "
        f"{EXPORT_YEARS} years, the whole country or one of the {EXPORT_REGIONS} busiest regions, either "
        f"language), click to make its press kit and then its fact sheet, fetch each, and start again at "
        f"once. Files made on request: {slots} at a time per process (DASHBOARD_EXPORT_SLOTS). Load average "
        f"at the end: {machine.load_average()}.\n",
        f"| visitors' page views after the first {WARMUP_S} s | n | p50 | p90 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| without exporters | {len(steady_views(idle))} | {_fmt(before)} |",
        f"| with {busy.exporters} exporters | {len(steady_views(busy))} | {_fmt(after)} |",
        "| with ÷ without | | " + " | ".join(_ratio(after, before, k) for k in ("p50", "p90", "p95", "p99", "max"))
        + " |",
        "",
        f"The median page view with exporters is **{_ratio(after, before, 'p50')}** the one without "
        "(the aim: at most 2×).",
        "",
        "| page | p50 without | p50 with | p90 without | p90 with |",
        "|---|---:|---:|---:|---:|",
    ]
    for page in dict.fromkeys(v.page for r in (idle, busy) for v in r.views):
        alone, beside = ([v.seconds for v in r.views if v.page == page and v.started >= WARMUP_S]
                         for r in (idle, busy))
        a, b = percentiles(alone), percentiles(beside)
        lines.append(f"| `/{page}` | {_ms(a, 'p50')} | {_ms(b, 'p50')} | {_ms(a, 'p90')} | {_ms(b, 'p90')} |")
    minutes = busy.duration_s / 60
    lines += ["", "| exporters' files | n | per minute | p50 | p90 | max |", "|---|---:|---:|---:|---:|---:|"]
    for kind in dict.fromkeys(kind for _widget, kind, _magic in EXPORT_FILES):
        for outcome in OUTCOMES:
            times = percentiles([f.seconds for f in files if f.kind == kind and f.outcome == outcome])
            n = sum(1 for f in files if f.kind == kind and f.outcome == outcome)
            if n:
                lines.append(f"| {kind.replace('_', ' ')}, {OUTCOMES[outcome]} | {n} | {n / minutes:.1f} | "
                             f"{_ms(times, 'p50')} | {_ms(times, 'p90')} | {_ms(times, 'max')} |")
    lines += ["", "Times of a file: from the click to the file in hand (its turn in the queue, the making, the "
              "fetch).", f"- errors: {len(errors)}" + (f" — first: {errors[:3]}" if errors else "")]
    peaks = [max((sum(v) for _t, v in r.memory), default=0.0) for r in (idle, busy)]
    lines.append(f"- server memory (RSS, peak): {peaks[0]:,.0f} MB without exporters, {peaks[1]:,.0f} MB with them")
    return "\n".join(lines) + "\n"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"cleaned extract the servers read (default {DEFAULT_DATA}, made by python -m benchmarks)")
    parser.add_argument("--release", type=Path, metavar="RELEASES_DIR",
                        help="public mode on this releases folder's current release instead of --data, with no "
                             "extract (e.g. /tmp/hub-benchmarks/releases-tier1-1000000, made by "
                             "python -m benchmarks.release)")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
                        help="seconds a visitor reads between views (default 1 3)")
    parser.add_argument("--replicas", type=int, default=0, help="run N replicas behind nginx (scripts/replicas.sh)")
    parser.add_argument("--url", help="load a running deployment instead of starting one")
    parser.add_argument("--pids", default="", help="with --url: comma-separated server pids whose memory to sample")
    parser.add_argument("--exporters", type=int, default=0, metavar="N",
                        help="run the visitors alone, then beside N clients making press kits and fact sheets of "
                             "varied views on the Exports page, and report both side by side")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    return parser.parse_args(argv)


def source_words(args: argparse.Namespace, short: bool = False) -> str:
    """What the servers read, for the report: the extract, or the release (public mode, no extract)."""
    if args.release is None:
        return f"extract `{args.data.name if short else args.data}`"
    from dashboard.release import catalogue

    entry = catalogue.current(args.release)
    name = entry.name if entry else "none approved"
    if short:
        return f"release `{name}` of `{args.release.name}`"
    return f"the release `{name}` in `{args.release}` (public mode, no extract on disk for the app)"


def _slots(args: argparse.Namespace) -> str:
    """Files made at once per process, as the servers started here read it."""
    if args.url:
        return "as the deployment sets it"
    from dashboard import settings

    return str(settings.export_slots())


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    regions = release_regions(args.release) if args.release else extract_regions(args.data)
    mix = view_mix(regions)
    exports = export_mix(regions, data_date(args.data, args.release)) if args.exporters else []
    settings = server_env(args.data, args.release)
    with tempfile.TemporaryDirectory() as tmp:
        if args.url:
            url, pids, stop = args.url, [int(p) for p in args.pids.split(",") if p], (lambda: None)
            setup, label = f"A running deployment at {args.url}", "given deployment"
        elif args.replicas:
            url, pids, stop = start_replicas(args.replicas, settings, Path(tmp) / "run")
            setup = f"{args.replicas} Streamlit replicas behind nginx (scripts/replicas.sh, deploy/nginx.conf)"
            label = f"{args.replicas} replicas behind nginx"
        else:
            url, pids, stop = start_single(settings, Path(tmp) / "streamlit.log")
            setup, label = "One Streamlit process", "one process"
        setup += f" over {source_words(args)}"
        label += f", {source_words(args, short=True)}"
        try:
            print(f"{args.sessions} sessions for {args.duration:.0f} s against {url} …", flush=True)
            result = run_load(url, pids, args.sessions, args.duration, tuple(args.think), mix)
            results = [result]
            if args.exporters:
                print(f"… and again beside {args.exporters} exporters …", flush=True)
                results.append(run_load(url, pids, args.sessions, args.duration, tuple(args.think), mix,
                                        args.exporters, exports))
        finally:
            stop()
    if args.exporters:
        body = render_exporters(*results, label, setup, tuple(args.think), _slots(args))
    else:
        body = render(result, label, setup, tuple(args.think))
    print("\n" + body)
    if not args.no_docs:
        kind = f"replicas{args.replicas}" if args.replicas else "single" if not args.url else "url"
        if args.exporters:
            kind += f"-exporters{args.exporters}"
        machine.update_section(f"load-{kind}-{(args.release or args.data).name}", body)
        print(f"written to {machine.DOC}")
    errors = sum(len(v.errors) for r in results for v in r.views) + sum(len(r.connect_errors) for r in results)
    errors += sum(1 for r in results for f in r.exports if f.outcome == "failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
