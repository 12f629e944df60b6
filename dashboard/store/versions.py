"""Store layer: the extract folder, shared by the pipeline that publishes it and the store that reads it.

The folder users name, CLEAN_DIR, is a symbolic link to one
version folder in `.<name>.versions/` next to it. A new extract is published by replacing that
link (one rename), so CLEAN_DIR always names a whole extract, and a reader that opened the
previous version keeps reading it: the previous version is removed only by the next publication.
An extract folder of the older layout (a real folder) is moved into the versions first, under a
journal, so that an interruption between the two renames is undone by `recover` (at the start of
the next run and when the app finds no extract). Scratch folders of runs that died are swept by
the next run (`sweep`): a live run holds a lock on a file in its scratch folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

try:  # POSIX: a lock the system releases when its process dies, whatever the cause
    import fcntl
except ImportError:  # pragma: no cover - Windows: the pid in the lock file decides
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

VERSIONS_SUFFIX = ".versions"  # `.<name>.versions/` next to the extract folder `<name>`
JOURNAL = "swap.json"  # in the versions folder while an extract folder of the older layout is moved
LOCK_FILE = "run.lock"  # in a scratch folder: held by its live run; its pid for the reader
_SWAP_LOCK = ".lock"  # in the versions folder: held while publishing or recovering
# A scratch folder without a lock file older than this is a dead run's (a live run writes its
# lock within microseconds of creating the folder; runs of older versions wrote none).
GRACE_SECONDS = 60


def rename(src: Path, dst: Path) -> None:
    """Every rename of a publication goes through here (os.replace: atomic, and over an existing
    symbolic link it replaces the link); tests replace it to interrupt a publication."""
    os.replace(src, dst)


def hold(folder: Path) -> TextIO:
    """Mark `folder` as used by this process until the returned file is closed: a lock file with
    the pid, locked (POSIX) so that `abandoned` sees it free the moment the process dies."""
    handle = open(folder / LOCK_FILE, "w", encoding="utf-8")  # noqa: SIM115 - the caller closes it
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # a file system without locks: the pid decides
    return handle


def abandoned(folder: Path, grace: float = GRACE_SECONDS) -> bool:
    """Whether the scratch folder `folder` belongs to no live process (see `hold`)."""
    lock = folder / LOCK_FILE
    try:
        if not lock.is_file():
            return time.time() - folder.stat().st_mtime > grace
        if fcntl is not None:
            with open(lock, "a", encoding="utf-8") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                fcntl.flock(handle, fcntl.LOCK_UN)
                return True
        pid = int(lock.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return False
    return not _alive(pid)


def _alive(pid: int) -> bool:  # pragma: no cover - used where there is no fcntl
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep(parent: Path, prefix: str) -> list[str]:
    """Remove the scratch folders `<parent>/<prefix>*` that no live process holds (runs that were
    killed or failed without cleaning up); returns their names. The versions folder of an extract
    whose name shares the prefix (`.clean-2024.versions` beside `clean-2024/`) is never one."""
    swept = []
    try:
        candidates = [p for p in Path(parent).iterdir()
                      if p.name.startswith(prefix) and not p.name.endswith(VERSIONS_SUFFIX) and p.is_dir()]
    except OSError:
        return swept
    for path in sorted(candidates):
        if not path.is_symlink() and abandoned(path):
            shutil.rmtree(path, ignore_errors=True)
            swept.append(path.name)
    if swept:
        log.info("removed the scratch folders of dead runs in %s: %s", parent, ", ".join(swept))
    return swept


def versions_dir(clean_dir: Path) -> Path:
    """The folder holding the versions of the extract folder `clean_dir` (next to it, hidden)."""
    clean_dir = Path(clean_dir)
    return clean_dir.parent / f".{clean_dir.name}{VERSIONS_SUFFIX}"


def current_version(clean_dir: Path) -> str | None:
    """The name of the version `clean_dir` links to, when it is one of its versions folder."""
    clean_dir = Path(clean_dir)
    if not clean_dir.is_symlink():
        return None
    target = Path(os.readlink(clean_dir))
    if not target.is_absolute():
        target = clean_dir.parent / target
    store = versions_dir(clean_dir)
    return target.name if os.path.normpath(target.parent) == os.path.normpath(store) else None


@contextlib.contextmanager
def _swap_lock(store: Path) -> Iterator[None]:
    """One publication or recovery at a time for one extract folder (POSIX; best effort)."""
    try:
        handle = open(store / _SWAP_LOCK, "a", encoding="utf-8")  # noqa: SIM115
    except OSError:  # a read-only folder: nothing here will be changed anyway
        yield
        return
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()


def publish(out: Path, clean_dir: Path, name: str | None = None) -> Path:
    """Make the finished extract in `out` the one `clean_dir` names, and return its version folder.

    `out` is moved into the versions folder as version `name`; then `clean_dir`, a symbolic link,
    is pointed at it by replacing the link (one rename: there is always a whole extract at
    `clean_dir`). The version it named before is kept, so that readers that opened it finish on
    it; every older version (and any left by an interrupted run) is removed. An extract folder of
    the older layout (a real folder) is first moved into the versions folder under a journal,
    which `recover` reads if the process stops before the link is in place; a symbolic link that
    points elsewhere is replaced and its target left alone. Where no symbolic link can be made,
    the new version is renamed to `clean_dir` instead (the same journal covers the two renames).
    """
    clean_dir = Path(clean_dir)
    store = versions_dir(clean_dir)
    store.mkdir(exist_ok=True)
    name = name or f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{os.getpid()}-{time.monotonic_ns()}"
    with _swap_lock(store):
        _recover(clean_dir, store)
        for stray in clean_dir.parent.glob(f".{clean_dir.name}.link-*"):
            stray.unlink(missing_ok=True)
        new = store / name
        rename(out, new)  # nothing served changes yet
        previous = current_version(clean_dir)
        moved = None
        if clean_dir.is_dir() and not clean_dir.is_symlink():
            moved = f"{name}-previous"
            (store / JOURNAL).write_text(json.dumps({"moved": moved}), encoding="utf-8")
            previous = moved
        try:
            if moved is not None:
                rename(clean_dir, store / moved)
            served = _link(new, clean_dir)
        except BaseException:
            if moved is not None:
                try:
                    _recover(clean_dir, store)
                except Exception:  # noqa: BLE001 - the first failure is the one to report
                    log.exception("could not undo the interrupted publication of %s: the next run "
                                  "or the app's start undoes it", clean_dir)
            raise
        (store / JOURNAL).unlink(missing_ok=True)
        for old in store.iterdir():
            if old.name not in (name, previous) and not old.name.startswith(".") and old.name != JOURNAL:
                shutil.rmtree(old, ignore_errors=True)
    return served


def _link(new: Path, clean_dir: Path) -> Path:
    """Point `clean_dir` at `new` with one rename; returns where the extract now is."""
    link = clean_dir.parent / f".{clean_dir.name}.link-{os.getpid()}"
    try:
        os.symlink(os.path.relpath(new, clean_dir.parent), link, target_is_directory=True)
    except (OSError, NotImplementedError):  # pragma: no cover - no symbolic links here
        rename(new, clean_dir)
        return clean_dir
    try:
        rename(link, clean_dir)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    return new


def recover(clean_dir: Path) -> bool:
    """Undo a publication that stopped between moving an extract folder of the older layout
    aside and putting the link in its place: the previous extract is put back where it was.
    Called at the start of every run and by the store when it finds no extract; returns whether
    anything was put back. Without a journal (no publication was under way) it changes nothing,
    so a folder removed on purpose stays removed."""
    store = versions_dir(clean_dir)
    if not (store / JOURNAL).is_file():
        return False
    with _swap_lock(store):
        return _recover(Path(clean_dir), store)


def _recover(clean_dir: Path, store: Path) -> bool:
    journal = store / JOURNAL
    try:
        moved = str(json.loads(journal.read_text(encoding="utf-8"))["moved"])
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        moved = ""
    restored = False
    if moved and "/" not in moved and not os.path.lexists(clean_dir) and (store / moved).is_dir():
        rename(store / moved, clean_dir)
        log.warning("an interrupted publication of %s was undone: the previous extract is back", clean_dir)
        restored = True
    if os.path.lexists(clean_dir) or not moved:
        journal.unlink(missing_ok=True)
    return restored
