"""Release layer: the releases folder — which releases exist, which is current, and their approval.

A release folder holds one folder per release (its tables and `manifest.json`) and nothing else
that matters: scratch folders of builds under way start with a dot and are skipped. A release's
tables never change; approving it rewrites its manifest once (atomically) to record who approved
it and when, and writing its standard files (`add_files`, once it is approved: each file names
the day it was published) rewrites it once more to list them with their hashes. The current
release is the approved one created last.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashboard.release.build import FILES, MANIFEST, NAME, ReleaseError


@dataclass(frozen=True)
class Entry:
    """One release: its name, folder and manifest."""

    name: str
    folder: Path
    manifest: dict

    @property
    def approved(self) -> bool:
        return bool(self.manifest.get("approval"))

    @property
    def created(self) -> str:
        return str(self.manifest.get("created", ""))


def read_manifest(folder: Path) -> dict:
    """The manifest of the release in `folder`; ReleaseError naming the release when unreadable."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReleaseError(f"release {Path(folder).name}: no {MANIFEST} (not a release, or not finished)") from None
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"release {Path(folder).name}: {MANIFEST} cannot be read ({type(exc).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("name") != Path(folder).name:
        raise ReleaseError(f"release {Path(folder).name}: its {MANIFEST} names another release")
    return manifest


def releases(releases_dir: Path) -> list[Entry]:
    """Every readable release in the folder, oldest first (an unreadable one is skipped)."""
    root = Path(releases_dir)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if folder.name.startswith(".") or not folder.is_dir() or not NAME.match(folder.name):
            continue
        try:
            found.append(Entry(folder.name, folder, read_manifest(folder)))
        except ReleaseError:
            continue
    return sorted(found, key=lambda e: (e.created, e.name))


def find(releases_dir: Path, name: str) -> Entry:
    """The release `name`; ReleaseError when there is none of that name."""
    if not NAME.match(name or ""):
        raise ReleaseError(f"no release named {name!r}")
    folder = Path(releases_dir) / name
    if not folder.is_dir():
        raise ReleaseError(f"no release named {name!r}")
    return Entry(name, folder, read_manifest(folder))


def current(releases_dir: Path) -> Entry | None:
    """The approved release created last, or None when no release is approved."""
    approved = [e for e in releases(releases_dir) if e.approved]
    return approved[-1] if approved else None


def approve(releases_dir: Path, name: str, by: str, now: dt.datetime | None = None) -> Entry:
    """Record that `by` approved the release `name` (once: an approved release stays as approved).

    The manifest is rewritten through a temporary file and a rename, so a reader sees the old
    manifest or the new one, never half of it; the tables are not touched.
    """
    entry = find(releases_dir, name)
    if entry.approved:
        approval = entry.manifest["approval"]
        raise ReleaseError(f"release {name} was approved already, by {approval.get('by')} on {approval.get('at')}")
    if not by.strip():
        raise ReleaseError("say who approves the release (an e-mail address or a name)")
    manifest = dict(entry.manifest)
    manifest["approval"] = {"by": by.strip()[:200],
                            "at": (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")}
    _replace_manifest(entry.folder, manifest)
    return Entry(name, entry.folder, manifest)


def _replace_manifest(folder: Path, manifest: dict) -> None:
    """Write the manifest through a temporary file and a rename: a reader sees the old one or the new one."""
    scratch = folder / f".{MANIFEST}.{os.getpid()}"
    try:
        scratch.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        scratch.chmod(0o444)
        os.replace(scratch, folder / MANIFEST)
    finally:
        scratch.unlink(missing_ok=True)


FileWriter = Callable[[Entry, Path], dict[str, dict]]


def add_files(releases_dir: Path, name: str, write: FileWriter) -> Entry:
    """Write the standard files of the approved release `name` into its `files/` folder and list
    them in its manifest (once: a release's files never change).

    `write(entry, folder)` writes the files into `folder` and returns, per file name, what the
    manifest records of it (at least its `sha256`). The files are written into a scratch folder
    renamed into place before the manifest that lists them: a reader sees no files or all of them,
    and a failure leaves the release as it was.
    """
    entry = find(releases_dir, name)
    if not entry.approved:
        raise ReleaseError(f"release {name} is not approved: its files name the day it is published, approve it first")
    if entry.manifest.get("files"):
        raise ReleaseError(f"release {name} has its files already; a release's files are never changed")
    target, scratch = entry.folder / FILES, entry.folder / f".{FILES}.{os.getpid()}"
    shutil.rmtree(target, ignore_errors=True)  # left by a run that failed before its manifest listed it
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        scratch.mkdir()
        listed = write(entry, scratch)
        for path in scratch.iterdir():
            path.chmod(0o444)
        os.rename(scratch, target)
        manifest = dict(entry.manifest, files={f"{FILES}/{file}": meta for file, meta in listed.items()})
        _replace_manifest(entry.folder, manifest)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        if not read_manifest(entry.folder).get("files"):
            shutil.rmtree(target, ignore_errors=True)
        raise
    return Entry(name, entry.folder, manifest)
