"""Pipeline layer: find a raw file's header among its first rows and map its cells to canonical columns."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from dashboard.clean.limits import FileProblem
from dashboard.clean.normalise import VOCAB_DIR, key

# Title rows (a report's name, its date, a blank line) can sit above the header of an exported
# report; the header is looked for among this many first rows (and the row under the last of
# them, for a grouped two-row header). Ten leave room for a title block; a header further down is
# more likely a second table than a title.
HEADER_SEARCH_ROWS = 10
# A header cell is quoted in a message up to this many characters.
QUOTED = 80
# A cell longer than this names no known column (the longest known header has under 50 characters;
# this leaves room for spaces and line breaks around one). Longer cells are cut to it before they are
# compared, so that a cell of megabytes costs no copies of itself.
LONGEST_HEADER = 1000


@dataclass(frozen=True)
class Layout:
    """How one file's header maps to canonical columns."""

    positions: dict[str, int]  # canonical → column index
    unknown: list[str]  # header cells that map to nothing (kept out, reported)
    personal: frozenset[str]


@dataclass(frozen=True)
class Header:
    index: int  # 0-based index among the rows looked at of the header's (first) row
    height: int  # 1, or 2 for a grouped header
    names: list[str]
    score: int  # known columns named


@lru_cache(maxsize=None)
def header_table() -> dict[str, dict[str, tuple[str, bool, bool]]]:
    """kind → {header key → (canonical, required, personal)} from vocab/headers.csv."""
    out: dict[str, dict[str, tuple[str, bool, bool]]] = {}
    with open(VOCAB_DIR / "headers.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["kind"], {})[key(r["header"])] = (
                r["canonical"], r["required"] == "yes", r["personal"] == "yes")
    return out


def required_columns(kind: str) -> set[str]:
    return {c for c, req, _ in header_table()[kind].values() if req}


@lru_cache(maxsize=None)
def header_groups(kind: str) -> dict[str, frozenset[str]]:
    """Leading words that known headers of two or more columns share (e.g. 'самооцінка' of
    'самооцінка до' and 'самооцінка після'): the top cell of a grouped two-row header."""
    shared: dict[str, set[str]] = {}
    for header, (canonical, _, _) in header_table()[kind].items():
        words = header.split()
        for i in range(1, len(words)):
            shared.setdefault(" ".join(words[:i]), set()).add(canonical)
    return {g: frozenset(cols) for g, cols in shared.items() if len(cols) > 1}


def header_key(cell: str) -> str:
    """The key a header cell is looked up by in the vocabulary (case, spacing and a BOM ignored); ''
    for a cell longer than LONGEST_HEADER."""
    return key(cell.lstrip("\ufeff")) if len(cell) <= LONGEST_HEADER else ""


def _clipped(row: list[str]) -> list[str]:
    """The row with every cell longer than LONGEST_HEADER cut to one character more (still too long)."""
    return [c if len(c) <= LONGEST_HEADER else c[:LONGEST_HEADER + 1] for c in row]


def known_columns(kind: str, names: list[str]) -> set[str]:
    """The canonical columns a header's names stand for."""
    table = header_table()[kind]
    return {table[k][0] for k in map(header_key, filter(str.strip, _clipped(names))) if k in table}


def missing_columns(kind: str, mapped: set[str]) -> list[str]:
    """The required columns a header that names `mapped` lacks (empty when it is complete)."""
    missing = sorted(required_columns(kind) - mapped)
    # A participant report carries a birth year or an age; one of them is enough.
    if kind == "participants" and not {"birth_year", "age"} & mapped:
        missing.append("birth_year (Рік народження) or age (Вік)")
    return missing


def _example(kind: str, canonical: str) -> str:
    return next(h for h, (c, _, _) in header_table()[kind].items() if c == canonical)


def _required_examples(kind: str) -> str:
    """The required columns with a header text of each, e.g. "hub_id ('код хабу')"."""
    return ", ".join(f"{c} ('{_example(kind, c)}')" for c in sorted(required_columns(kind)))


def layout(kind: str, header: list[str], name: str, where: str = "") -> Layout:
    """Map a header row to canonical columns.

    A FileProblem names every problem: a missing required column; a header cell that looks like
    a known column but could not be read (the top of a grouped header that was not combined, e.g.
    'Самооцінка' without its 'до' / 'після'); two columns that name the same one. `where` (where
    the header was looked for) is added to the message.
    """
    table = header_table()[kind]
    header = _clipped(header)
    positions: dict[str, int] = {}
    unknown, personal = [], set()
    unread: list[tuple[int, str]] = []
    twice: list[str] = []
    for i, cell in enumerate(header):
        hit = table.get(header_key(cell))
        if hit is None:
            if cell.strip():
                unknown.append(cell.strip()[:QUOTED])
                unread.append((i, cell.strip()))
            continue
        canonical, _, is_personal = hit
        if canonical in positions:
            first = positions[canonical]
            twice.append(f"columns {first + 1} '{header[first].strip()[:QUOTED]}' and {i + 1} "
                         f"'{cell.strip()[:QUOTED]}' both name {canonical} (keep one)")
            continue
        positions[canonical] = i
        if is_personal:
            personal.add(canonical)
    problems = []
    missing = missing_columns(kind, set(positions))
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    for i, cell in unread:
        k = header_key(cell)
        for group, cols in header_groups(kind).items():
            left = sorted(cols - set(positions))
            if left and (k == group or k.startswith(group + " ")):
                examples = " / ".join(f"'{_example(kind, c)}'" for c in left)
                problems.append(f"column {i + 1} '{cell[:QUOTED]}' looks like {', '.join(left)} but could not be "
                                f"read (a grouped header that could not be combined? name each column in full: "
                                f"{examples})")
                break
    problems += twice
    if problems:
        raise FileProblem(f"{name}: {'; '.join(problems)}{where}")
    return Layout(positions, unknown, frozenset(personal))


def no_header(kind: str, name: str, looked: str, more_rows: bool) -> FileProblem:
    """The problem of a file where no row of those looked at (`looked`, e.g. "lines 1–10") names a
    known column: the columns a file of its kind needs, that its header was not found where, and, when
    the file goes on below the rows looked at (`more_rows`), that a header further down is not looked for."""
    further = (f" (a header below row {HEADER_SEARCH_ROWS} is not looked for: delete the title rows above it)"
               if more_rows else "")
    return FileProblem(f"{name}: missing required column(s): {_required_examples(kind)}; header not found: none of "
                       f"{looked} names a known column{further}")


# --- finding the header ------------------------------------------------------------------------

def _joined(group: str, sub: str) -> list[str]:
    """Names a group cell and a sub-header can make: 'Самооцінка до', and for 'Самооцінка (1-10)'
    over 'до' also 'Самооцінка до (1-10)'."""
    out = [f"{group} {sub}"]
    if group.endswith(")") and "(" in group:
        at = group.rindex("(")
        out.append(f"{group[:at].strip()} {sub} {group[at:]}")
    return out


def combined(kind: str, top: list[str], bottom: list[str]) -> list[str]:
    """Column names of a two-row header: a group cell (merged across the columns to its right,
    which are empty in the top row) joined to each sub-header under it, where the vocabulary knows
    the joined name; a cell merged down (empty below) keeps its own name."""
    table = header_table()[kind]
    names, group = [], ""
    for i in range(max(len(top), len(bottom))):
        t = top[i].strip() if i < len(top) else ""
        b = bottom[i].strip() if i < len(bottom) else ""
        if t:
            group = t
        elif not b:
            group = ""
        if not b:
            names.append(t)
            continue
        g = t or group
        if not g:
            names.append(b)
            continue
        hit = next((j for j in _joined(g, b) if header_key(j) in table), None)
        if hit is None and header_key(b) in table:
            hit = b
        if hit is None and t and header_key(t) in table:
            hit = t
        names.append(hit or f"{g} {b}")
    return names


def find_header(kind: str, rows: list[list[str]]) -> Header | None:
    """The header among the first rows: the row, or pair of rows of a grouped header, that names
    the most known columns (the first on a tie). A pair counts only where it names more than
    either of its rows alone, so a title row above a header is not taken for a group. With no known
    column at all, the first non-blank row; None when every row is blank."""
    rows = [_clipped(row) for row in rows[:HEADER_SEARCH_ROWS + 1]]
    scores = [len(known_columns(kind, row)) for row in rows]
    best: Header | None = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(c.strip() for c in row):
            continue
        pick = Header(i, 1, list(row), scores[i])
        if i + 1 < len(rows) and any(c.strip() for c in rows[i + 1]):
            names = combined(kind, row, rows[i + 1])
            pair = Header(i, 2, names, len(known_columns(kind, names)))
            if pair.score > max(scores[i], scores[i + 1]):
                pick = pair
        if best is None or pick.score > best.score:
            best = pick
    return best


def header_names(kind: str, rows: list[list[str]], found: Header) -> list[str]:
    """The column names of the header `found` among `rows` (its one row, or its two combined)."""
    top = _clipped(rows[found.index])
    return top if found.height == 1 else combined(kind, top, _clipped(rows[found.index + 1]))


def closest(n: int) -> str:
    """'names 1 known column' / 'names 3 known columns'."""
    return f"names {n} known column" + ("" if n == 1 else "s")
