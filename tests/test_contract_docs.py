"""The contract is documented: data/README.md is generated from the code and every column has a definition."""

from pathlib import Path

from dashboard.contract import TABLES
from dashboard.contract.readme import render_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_data_readme_matches_the_contract():
    assert (ROOT / "data" / "README.md").read_text(encoding="utf-8") == render_markdown(), (
        "data/README.md is stale: run `python -m dashboard.contract > data/README.md`")


def test_every_column_has_a_definition_and_every_table_a_key():
    for t in TABLES.values():
        assert t.description and set(t.key) <= set(t.names()), t.name
        for c in t.columns:
            assert len(c.definition) > 10, f"{t.name}.{c.name}"
            assert f"`{c.name}`" in render_markdown()


def test_the_before_and_after_rule_is_written_down():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert "*before* rating is the one given at their first" in text
    assert "*after* rating is the last one given at the end of an activity" in text


def test_every_setting_is_documented_in_the_readme():
    from dashboard.settings import SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, setting in SETTINGS.items():
        assert f"`{name}`" in readme, name
        assert setting.help
