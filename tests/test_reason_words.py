"""Every quarantine reason the cleaning can give is shown in words, in both languages.

The codes are read from the pipeline's source (dashboard/clean), so a new reason without words
fails here; the ones built from a field's name (`missing_<column>`, `unknown_<vocabulary>`,
`<area>_out_of_range`) are listed from the calls that build them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.clean import assemble
from dashboard.contract import AREAS
from dashboard.i18n import Translator
from dashboard.wording.quality import reason_text

CLEAN = Path(__file__).resolve().parents[1] / "dashboard" / "clean"


def _source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(CLEAN.glob("*.py")))


def pipeline_codes() -> set[str]:
    """Every reason code dashboard/clean can write into the quarantine."""
    text = _source()
    codes = set(re.findall(r'Invalid\(\s*"([a-z_]+)"', text))                  # normalise: fixed codes
    codes |= set(re.findall(r'\.fail\([^;]*?,\s*"([a-z_]+)"', text, re.S))     # transforms: row rules
    codes |= set(re.findall(r'\.bad\.append\(\(\w+,\s*"([a-z_]+)"', text))     # readers: unreadable lines
    codes |= {reason for _key, _order, reason in assemble.KEYS.values() if reason}  # repeated keys
    codes |= {f"missing_{c}" for c in re.findall(r'\.require\("([a-z_]+)"', text)}
    codes |= {f"unknown_{f}" for f in re.findall(r'n\.category\("([a-z_]+)"', text)}
    codes |= {f"unknown_{f}" for f in re.findall(r'cat\("([a-z_]+)"\)', text)}
    codes |= {f"{f}_out_of_range" for f in re.findall(r'n\.score\(v, "([a-z_]+)"', text)}
    codes |= {f"{a}_out_of_range" for a in AREAS}  # n.score(v, a, ...) for each Digigram area
    return codes


def test_the_source_scan_finds_the_known_codes():
    found = pipeline_codes()
    assert {"unfinished_test", "unknown_hub", "unknown_region", "bad_date", "wrong_field_count",
            "duplicate_hub_id", "repeated_test", "missing_hub_id", "unknown_gender", "unknown_yes_no",
            "self_rating_out_of_range", "safety_out_of_range", "completed_exceeds_enrolled"} <= found
    assert len(found) > 40


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_every_pipeline_code_has_words(lang):
    tr = Translator(lang)
    other = tr("dq.reason_other")
    for code in sorted(pipeline_codes()):
        words = reason_text(code, tr)
        assert words != other, f"{lang}: {code} has no words"
        assert "_" not in words and code not in words, f"{lang}: {code} reads {words!r}"


@pytest.mark.parametrize("lang, code, expected", [
    ("en", "unfinished_test", "a Digigram test started but not finished (no score)"),
    ("uk", "unfinished_test", "тест Digigram розпочато, але не завершено (немає балів)"),
    ("en", "missing_activity_date", "no class date"),
    ("uk", "missing_activity_date", "не вказано: дата заняття"),
    ("en", "unknown_gender", "unrecognised gender"),
    ("uk", "unknown_gender", "нерозпізнане значення: стать"),
    ("en", "safety_out_of_range", "a Digigram score outside 0–100: Safety"),
    ("en", "a_code_from_the_future", "another problem (described in the quarantine file)"),
    ("uk", "missing_something_new", "інша вада (описана у файлі карантину)"),
])
def test_reason_words(lang, code, expected):
    assert reason_text(code, Translator(lang)) == expected
