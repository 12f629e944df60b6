"""Replicas behind nginx (scripts/replicas.sh, deploy/nginx.conf): a visitor's downloads are
served by the process that holds the session, also after that replica dies and returns.

Real processes on 127.0.0.1: two public replicas over the browser tests' release, nginx in
front, and a client that speaks the frontend's websocket protocol (benchmarks.wsclient): it
loads the index page, opens the session, asks for the Exports page, and fetches a download as
the browser fetches one (the session's process makes the file, then its URL is read over HTTP).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.wsclient import Session
from . import driver

SCRIPT = driver.ROOT / "scripts" / "replicas.sh"
EXPORTS = "exports"  # the Exports page's url path
TIMEOUT_S = 120

pytestmark = pytest.mark.browser


def _free_ports(n: int) -> int:
    """The first of `n` consecutive free loopback ports."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + n >= 65535:
            continue
        try:
            holders = []
            for port in range(first, first + n):
                s = socket.socket()
                holders.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in holders:
                s.close()
    raise RuntimeError("no free loopback ports")


@pytest.fixture
def replicas(browser_data, tmp_path):
    """Two replicas behind nginx; yields (url, run_dir, env); stopped afterwards."""
    assert shutil.which("nginx") or Path("/usr/sbin/nginx").exists(), \
        "nginx is needed (scripts/test.sh installs Debian's package)"
    run_dir = tmp_path / "replicas"
    first = _free_ports(3)
    env = {**os.environ, "RUN_DIR": str(run_dir), "FIRST_PORT": str(first), "PORT": str(first + 2),
           "VENV": str(Path(sys.executable).parent.parent), "DASHBOARD_MODE": "public",
           "DASHBOARD_DATA_DIR": str(browser_data),
           "DASHBOARD_RELEASES_DIR": str(driver.releases_of(browser_data)), "START_TIMEOUT": "180"}
    subprocess.run(["bash", str(SCRIPT), "start", "2"], env=env, check=True, cwd=driver.ROOT,
                   capture_output=True, timeout=300)
    try:
        yield f"http://127.0.0.1:{first + 2}", run_dir, env
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, cwd=driver.ROOT, capture_output=True, timeout=120)


def _pid(run_dir: Path, replica: int) -> int:
    return int((run_dir / "replica.pids").read_text().split()[replica])


async def _exports_download(session: Session) -> tuple[int, bytes, list[str]]:
    """Open the Exports page and fetch its first download: (status, body, the view's errors)."""
    view = await session.view(EXPORTS, "lang=en")
    if view.errors or not view.downloads:
        return -1, b"", view.errors or ["no download button on the Exports page"]
    status, body = await session.download(view.downloads[0])
    return status, body, []


def test_downloads_follow_the_session_across_a_replica_that_dies_and_returns(replicas):
    url, run_dir, env = replicas

    async def visit() -> None:
        session = Session(url, TIMEOUT_S)
        await session.open()
        try:
            status, body, errors = await _exports_download(session)
            assert (status, errors) == (200, []) and body, (status, errors)
            home = session.cookies["hub_route"]
            assert home in ("replica_0", "replica_1")
            dead = int(home.rsplit("_", 1)[1])

            # The session's replica dies: the view fails, the client reconnects as a browser does.
            os.kill(_pid(run_dir, dead), signal.SIGKILL)
            time.sleep(1)
            failed = await session.view(EXPORTS, "lang=en")
            assert failed.errors
            await session.reconnect()
            status, body, errors = await _exports_download(session)
            assert (status, errors) == (200, []) and body, (status, errors)
            survivor = session.cookies["hub_route"]
            assert survivor != home  # the route now names the process that holds the session

            # The dead replica returns: the session and its downloads stay with the survivor.
            subprocess.run(["bash", str(SCRIPT), "restart", str(dead)], env=env, check=True, cwd=driver.ROOT,
                           capture_output=True, timeout=300)
            for _ in range(3):
                status, body, errors = await _exports_download(session)
                assert (status, errors) == (200, []) and body, (status, errors)
            assert session.cookies["hub_route"] == survivor

            # A new visitor can be placed on the returned replica and is served there.
            for _ in range(6):
                other = Session(url, TIMEOUT_S)
                await other.open()
                try:
                    status, _body, errors = await _exports_download(other)
                    assert (status, errors) == (200, [])
                finally:
                    await other.close()
        finally:
            await session.close()

    # Run in a thread of its own: a browser test of this process may hold the main thread's event loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, visit()).result()
