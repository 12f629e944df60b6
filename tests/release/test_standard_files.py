"""A release's standard files (dashboard/export/standard.py, dashboard/release/catalogue.py
`add_files`): the press kits and fact sheets of its default view, written once it is approved,
listed in its manifest with their hashes, read back checked, and handed out by the Exports page
as they are (the files of any other view are made on request: tests/ui/test_page_exports.py).

The release is the fixture extract's (tests/conftest.py, tests/standard_release.py), k = 10,
noise 2, approved on 1 July 2025. Its default view is the hubs programme over its whole span: 1
January of its first year (its first hub joined and its first training ran in October 2022) to
the data date, 30 June 2025, the whole country, everyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from conftest import DATA_DATE, REGIONS, run_app
from pypdf import PdfReader
from standard_release import NAME, older_release, published_release

from dashboard.export import standard
from dashboard.export.queue import MadeFiles
from dashboard.filters import Filters
from dashboard.privacy import Rule
from dashboard.release import __main__ as cli
from dashboard.release import catalogue
from dashboard.release.build import FILES, MANIFEST, ReleaseError, build
from dashboard.ui import exports

LANGS = ("uk", "en")
PERIOD = ("2022-10-01", DATA_DATE)  # all time: from the first month of the programme's data
# The hubs programme's regions: every Ukrainian region of the extract (Kemerovo's centres are another programme).
UA_REGIONS = sorted(code for code, country, *_rest in REGIONS if country == "UA")
NAMES_OF = {code: {"uk": uk, "en": en} for code, _country, uk, en, *_rest in REGIONS}
DEFAULT_CHARTS = ["participation_trend", "key_figures", "skills", "region_map"]
PUBLISHED_WORDS = {"uk": f"випуск {NAME}, оприлюднено 1 липня 2025 р.", "en": f"release {NAME}, published 1 July 2025"}
KIT, SHEET = "export_kit", "export_sheet_pdf"


def _plain(text: str) -> str:
    """Text with its no-break spaces (between a date and "р.", say) read as spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _kit_name(lang: str) -> str:
    return f"press_kit_{lang}_{PERIOD[0]}_{PERIOD[1]}.zip"


def _sheet_name(lang: str, region: str | None) -> str:
    return f"factsheet_{region or 'UA'}_{lang}.pdf"


EXPECTED = {f"{FILES}/{_kit_name(lang)}": ("press_kit", lang, ()) for lang in LANGS} | {
    f"{FILES}/{_sheet_name(lang, region)}": ("fact_sheet", lang, (region,) if region else ())
    for lang in LANGS for region in [None, *UA_REGIONS]}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The releases folder holding the approved release NAME with its standard files."""
    return published_release(tmp_path_factory)


def _manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def _copy(published: Path, target: Path) -> Path:
    """A releases folder at `target` holding a copy of the published release (its files writable
    by the owner, so that a test can damage one)."""
    folder = shutil.copytree(published / NAME, target / NAME)
    for path in (folder / FILES).iterdir():
        path.chmod(0o644)
    return target


def _fake_writer(names=("one.pdf", "two.pdf"), fail_after: int | None = None):
    """A writer of small files for add_files, recording the entries it was given; raises after
    `fail_after` files."""
    seen = []

    def write(entry, out: Path) -> dict[str, dict]:
        seen.append(entry)
        listed = {}
        for i, name in enumerate(names):
            if fail_after is not None and i == fail_after:
                raise RuntimeError("the chart engine failed")
            data = name.encode()
            (out / name).write_bytes(data)
            listed[name] = {"kind": "fact_sheet", "sha256": hashlib.sha256(data).hexdigest()}
        return listed

    return write, seen


# ---- what an approved release holds ------------------------------------------------------------

def test_the_manifest_lists_every_standard_file_with_the_hash_of_its_bytes(published):
    folder = published / NAME
    listed = _manifest(folder)["files"]
    # 2 languages × (press kit + the whole country's fact sheet + one per region of the programme).
    assert len(listed) == 2 * (1 + 1 + len(UA_REGIONS)) == 12
    assert {path: (meta["kind"], meta["lang"], tuple(meta["regions"])) for path, meta in listed.items()} == EXPECTED
    on_disk = {f"{FILES}/{p.name}" for p in (folder / FILES).iterdir()}
    assert on_disk == set(listed)
    for path, meta in listed.items():
        data = (folder / path).read_bytes()
        assert meta["sha256"] == hashlib.sha256(data).hexdigest(), path
        assert meta["bytes"] == len(data), path
        assert (meta["programme"], meta["from"], meta["to"]) == ("ua_hubs", *PERIOD), path
        assert meta["figures"] == (DEFAULT_CHARTS if meta["kind"] == "press_kit" else []), path
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # no scratch left


def test_the_standard_files_are_read_only(published):
    for path in (published / NAME / FILES).iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o444, path.name


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("region", [None, "UA-05", "UA-46"])
def test_a_fact_sheet_names_its_region_and_the_release(published, lang, region):
    data = (published / NAME / FILES / _sheet_name(lang, region)).read_bytes()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    heading = {"uk": "Довідка: ", "en": "Fact sheet: "}[lang]
    place = NAMES_OF[region][lang] if region else {"uk": "Україна", "en": "Ukraine"}[lang]
    assert text.startswith(heading + place)
    assert PUBLISHED_WORDS[lang] in _plain(text)


@pytest.mark.parametrize("lang", LANGS)
def test_the_press_kit_holds_the_default_charts(published, lang):
    kit = zipfile.ZipFile(published / NAME / FILES / _kit_name(lang))
    assert kit.namelist() == [f"README_{lang}.txt", *[f"{name}_{lang}.{fmt}" for name in DEFAULT_CHARTS
                                                      for fmt in ("png", "svg", "csv")]]
    assert PUBLISHED_WORDS[lang] in _plain(kit.read(f"README_{lang}.txt").decode())
    assert kit.read(f"skills_{lang}.png").startswith(b"\x89PNG\r\n\x1a\n")


# ---- add_files: once, approved, whole or not at all ---------------------------------------------

def test_files_are_refused_to_a_release_not_yet_approved(clean_dir, tmp_path):
    build(clean_dir, tmp_path, "draft", Rule(k=10, noise=2))
    before = (tmp_path / "draft" / MANIFEST).read_bytes()
    write, seen = _fake_writer()
    with pytest.raises(ReleaseError, match="not approved"):
        catalogue.add_files(tmp_path, "draft", write)
    assert not seen and not (tmp_path / "draft" / FILES).exists()
    assert (tmp_path / "draft" / MANIFEST).read_bytes() == before


def test_a_release_gets_its_files_once(published, tmp_path):
    releases = _copy(published, tmp_path)
    before = (releases / NAME / MANIFEST).read_bytes()
    write, seen = _fake_writer()
    with pytest.raises(ReleaseError, match="already"):
        catalogue.add_files(releases, NAME, write)
    assert not seen and (releases / NAME / MANIFEST).read_bytes() == before
    assert sorted(p.name for p in (releases / NAME / FILES).iterdir()) == sorted(
        path.split("/", 1)[1] for path in EXPECTED)


def test_a_writer_that_fails_half_way_leaves_the_release_as_it_was(published, tmp_path):
    releases = older_release(published, tmp_path)
    folder = releases / NAME
    before = (folder / MANIFEST).read_bytes()
    write, seen = _fake_writer(fail_after=1)
    with pytest.raises(RuntimeError, match="chart engine"):
        catalogue.add_files(releases, NAME, write)
    assert len(seen) == 1  # it did start, and wrote one file
    assert not (folder / FILES).exists()
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert (folder / MANIFEST).read_bytes() == before
    # Nothing stands in the way of a second try.
    write, _seen = _fake_writer()
    entry = catalogue.add_files(releases, NAME, write)
    assert set(entry.manifest["files"]) == {f"{FILES}/one.pdf", f"{FILES}/two.pdf"}
    assert entry.manifest == _manifest(folder)


def test_files_left_by_a_run_stopped_before_its_manifest_are_replaced(published, tmp_path):
    releases = older_release(published, tmp_path)
    stale = releases / NAME / FILES
    stale.mkdir()
    (stale / "half.pdf").write_bytes(b"%PDF-half")
    write, seen = _fake_writer(names=("whole.pdf",))
    entry = catalogue.add_files(releases, NAME, write)
    assert [p.name for p in stale.iterdir()] == ["whole.pdf"]
    assert entry.manifest["files"][f"{FILES}/whole.pdf"]["sha256"] == hashlib.sha256(b"whole.pdf").hexdigest()
    # The writer was given the approved release (the files name the day it was published).
    assert seen[0].name == NAME and seen[0].manifest["approval"]["by"] == "official@example.org"


# ---- reading a file back, checked ---------------------------------------------------------------

def test_a_file_is_read_back_only_when_it_is_the_one_the_manifest_records(published, tmp_path):
    releases = _copy(published, tmp_path)
    folder = releases / NAME
    path = f"{FILES}/{_sheet_name('en', 'UA-05')}"
    sha = _manifest(folder)["files"][path]["sha256"]
    assert standard.read(folder, path, sha) == (folder / path).read_bytes()
    damaged = bytearray((folder / path).read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (folder / path).write_bytes(bytes(damaged))
    assert standard.read(folder, path, sha) is None
    (folder / path).unlink()
    assert standard.read(folder, path, sha) is None


@pytest.mark.parametrize("path", [MANIFEST, f"{FILES}/../{MANIFEST}", f"{FILES}/..", f"../{NAME}/{MANIFEST}",
                                  f"{FILES}/{FILES}/../../{MANIFEST}", "/etc/hostname", f"./{MANIFEST}"])
def test_a_path_outside_the_files_folder_is_refused_even_with_its_hash(published, path):
    folder = published / NAME
    target = (folder / path) if not path.startswith("/") else Path(path)
    sha = hashlib.sha256(target.read_bytes()).hexdigest() if target.is_file() else "0" * 64
    assert standard.read(folder, path, sha) is None


def test_find_names_the_file_of_a_view_and_only_of_that_view(published):
    manifest = _manifest(published / NAME)
    whole = Filters(programme="ua_hubs", start=dt.date(2022, 10, 1), end=dt.date(2025, 6, 30))
    found = standard.find(manifest, standard.FACT_SHEET, "en", whole)
    assert found == (f"{FILES}/factsheet_UA_en.pdf", manifest["files"][f"{FILES}/factsheet_UA_en.pdf"]["sha256"])
    kit = standard.find(manifest, standard.PRESS_KIT, "uk", whole, tuple(DEFAULT_CHARTS))
    assert kit is not None and kit[0] == f"{FILES}/{_kit_name('uk')}"
    assert standard.find(manifest, standard.PRESS_KIT, "uk", whole, ("skills",)) is None
    year = Filters(programme="ua_hubs", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    assert standard.find(manifest, standard.FACT_SHEET, "en", year) is None
    assert standard.find({k: v for k, v in manifest.items() if k != "files"}, standard.FACT_SHEET, "en", whole) is None


# ---- the command line ---------------------------------------------------------------------------

def test_the_command_writes_the_files_when_it_approves(clean_dir, tmp_path, capsys):
    build(clean_dir, tmp_path, "cli", Rule(k=10, noise=2))
    assert cli.main(["--approve", "cli", str(tmp_path), "--by", "official@example.org"]) == 0
    err = capsys.readouterr().err
    assert "approved cli" in err and "wrote 12 standard files of cli" in err
    folder = tmp_path / "cli"
    listed = _manifest(folder)["files"]
    assert {path: (meta["kind"], meta["lang"], tuple(meta["regions"])) for path, meta in listed.items()} == EXPECTED
    for path, meta in listed.items():
        assert hashlib.sha256((folder / path).read_bytes()).hexdigest() == meta["sha256"]


def test_the_command_can_leave_the_files_out_and_write_them_later(clean_dir, tmp_path, capsys, monkeypatch):
    build(clean_dir, tmp_path, "later", Rule(k=10, noise=2))
    assert cli.main(["--approve", "later", str(tmp_path), "--by", "x", "--no-files"]) == 0
    assert "standard files" not in capsys.readouterr().err
    assert not (tmp_path / "later" / FILES).exists() and "files" not in _manifest(tmp_path / "later")
    # --files calls the same writer as the approval (the real one is timed in the test above).
    calls = []

    def write_release(folder, manifest, out, progress):
        calls.append((Path(folder).name, manifest["approval"]["by"]))
        (Path(out) / "factsheet_UA_en.pdf").write_bytes(b"%PDF")
        progress("factsheet_UA_en.pdf (0.0 s)")
        return {"factsheet_UA_en.pdf": {"sha256": hashlib.sha256(b"%PDF").hexdigest()}}

    monkeypatch.setattr(standard, "write_release", write_release)
    assert cli.main(["--files", "later", str(tmp_path)]) == 0
    assert calls == [("later", "x")]
    assert "wrote 1 standard files of later" in capsys.readouterr().err
    assert set(_manifest(tmp_path / "later")["files"]) == {f"{FILES}/factsheet_UA_en.pdf"}
    # Once only: a second --files says why, without a traceback.
    assert cli.main(["--files", "later", str(tmp_path)]) == 2
    assert "has its files already" in capsys.readouterr().err



def test_files_that_fail_after_the_approval_say_the_approval_stands_and_how_to_write_them(
        clean_dir, tmp_path, capsys, monkeypatch):
    build(clean_dir, tmp_path, "full", Rule(k=10, noise=2))

    def write_release(folder, manifest, out, progress):
        (Path(out) / "factsheet_UA_en.pdf").write_bytes(b"%PDF")  # one file written, then the disk fills
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(standard, "write_release", write_release)
    assert cli.main(["--approve", "full", str(tmp_path), "--by", "official@example.org"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "full is approved and published, but its standard files were not written" in err
    assert "No space left on device" in err
    assert f"python -m dashboard.release --files full {tmp_path}" in err
    manifest = _manifest(tmp_path / "full")
    assert manifest["approval"]["by"] == "official@example.org" and "files" not in manifest
    assert not (tmp_path / "full" / FILES).exists()
    assert [p.name for p in (tmp_path / "full").iterdir() if p.name.startswith(".")] == []  # no scratch left


# ---- the Exports page hands them out ------------------------------------------------------------

@pytest.fixture
def public(navigation_mode, tmp_path, monkeypatch):
    """Public mode on a releases folder (`public(folder)`), with no extract, and no file made yet."""
    made = MadeFiles(exports.CACHE_ENTRIES)
    monkeypatch.setattr(exports, "made_files", lambda: made)
    monkeypatch.setenv("DASHBOARD_MODE", "public")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "no-extract-here"))

    def use(releases: Path) -> None:
        monkeypatch.setenv("DASHBOARD_RELEASES_DIR", str(releases))

    return use


def _make_buttons(at) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.endswith("_make")]


@pytest.mark.parametrize("lang", LANGS)
def test_the_default_view_hands_out_the_release_files_as_they_are(published, public, downloads, lang):
    public(published)
    files = published / NAME / FILES
    at = run_app({"lang": lang}, page="exports")
    assert not at.exception and not at.warning and not at.error
    assert _make_buttons(at) == []
    assert downloads[_kit_name(lang)]() == (files / _kit_name(lang)).read_bytes()
    assert downloads[_sheet_name(lang, None)]() == (files / _sheet_name(lang, None)).read_bytes()
    # Another region of the same view: its own file, as it is.
    at.selectbox(key=f"export_sheet_{lang}").set_value("UA-05").run()
    assert not at.exception and _make_buttons(at) == []
    assert downloads[_sheet_name(lang, "UA-05")]() == (files / _sheet_name(lang, "UA-05")).read_bytes()


def test_another_view_makes_its_files_on_request(published, public, downloads):
    public(published)
    at = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31"}, page="exports")
    assert not at.exception
    assert _make_buttons(at) == [f"{KIT}_make", f"{SHEET}_make"]
    assert not any(n.startswith("press_kit_") or n.startswith("factsheet_") for n in downloads)
    # Charts other than the preselected ones are another kit, even over the default view.
    default = run_app({"lang": "en"}, page="exports")
    default.multiselect(key="export_figures_en").set_value(["skills"]).run()
    assert not default.exception and _make_buttons(default) == [f"{KIT}_make"]


def test_a_damaged_file_is_made_again_instead_without_an_error(published, public, downloads, tmp_path):
    releases = _copy(published, tmp_path / "releases")
    sheet = releases / NAME / FILES / _sheet_name("en", None)
    intact = sheet.read_bytes()
    sheet.write_bytes(intact[:-100] + b"\0" * 100)
    public(releases)
    at = run_app({"lang": "en"}, page="exports")
    assert not at.exception and not at.error and not at.warning
    assert _make_buttons(at) == [f"{SHEET}_make"]  # the press kit is intact: it is handed out as it is
    assert downloads[_kit_name("en")]() == (releases / NAME / FILES / _kit_name("en")).read_bytes()
    at.button(key=f"{SHEET}_make").click().run()
    assert not at.exception
    made = downloads[_sheet_name("en", None)]()
    assert made != sheet.read_bytes()
    assert PdfReader(io.BytesIO(made)).pages[0].extract_text().startswith("Fact sheet: Ukraine")
    # The operator puts the file back: the next visitor is handed it, not a damaged file remembered.
    sheet.write_bytes(intact)
    again = run_app({"lang": "en"}, page="exports")
    assert not again.exception and _make_buttons(again) == []
    assert downloads[_sheet_name("en", None)]() == intact


def test_a_release_without_files_offers_to_make_them(published, public, downloads, tmp_path):
    public(older_release(published, tmp_path / "older"))
    at = run_app({"lang": "uk"}, page="exports")
    assert not at.exception and not at.error
    assert _make_buttons(at) == [f"{KIT}_make", f"{SHEET}_make"]
    at.button(key=f"{KIT}_make").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Файл готовий: збережіть його кнопкою нижче."]
    kit = zipfile.ZipFile(io.BytesIO(downloads[_kit_name("uk")]()))
    assert kit.namelist()[0] == "README_uk.txt"

