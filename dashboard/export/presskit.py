"""Export layer: the press kit, one ZIP with every chosen chart (PNG, SVG, CSV) and a text file.

The text file (`README_<lang>.txt`) holds the filters in words, the headline sentence, the key
figures with their definitions, the privacy rule and the list of files, in the kit's language.
Entries carry the data date as their timestamp and are written in a fixed order, so the same
data and filters give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence

from dashboard.export import files, overview, registry
from dashboard.export.registry import Export
from dashboard.export.view import Source, View
from dashboard.indicators import INDICATORS
from dashboard.wording.common import describe_scope
from dashboard.wording.overview import headline

# Formats of each chart in the kit (XLSX stays a per-chart download on the Exports page).
KIT_FORMATS = ("png", "svg", "csv")
# ZIP timestamps cannot precede 1980; used when the data date is unknown.
ZIP_EPOCH = dt.datetime(1980, 1, 1)
RULE = "=" * 72


def readme_name(lang: str) -> str:
    """Name of the kit's text file."""
    return f"README_{lang}.txt"


def kit_name(view: View) -> str:
    """`press_kit_uk_2024-01-01_2024-12-31.zip`: language and period, ASCII only."""
    f = view.filters
    return f"press_kit_{view.lang}_{f.start.isoformat()}_{f.end.isoformat()}.zip"


def definition(key: str, tr) -> str:
    """The one-sentence definition of a key-figure row (its indicator's)."""
    return tr(INDICATORS[key].help)


def readme(view: View, key_figures, charts: Sequence[Export]) -> str:
    """The kit's text: filters, headline, key figures and definitions, privacy, files, source."""
    tr, f = view.tr, view.filters
    programme, period, regions, group = registry.scope_parts(view)
    scope = describe_scope(f, tr, view.region_names)
    lines = [tr("export.kit_title", programme=programme), RULE, "", tr("export.kit_selection")]
    lines += [f"- {tr('export.kit_programme')}: {programme}", f"- {tr('export.kit_period')}: {period}",
              f"- {tr('export.kit_regions')}: {regions}", f"- {tr('export.kit_group')}: {group}",
              registry.source_line(view), "", tr("export.kit_headline"),
              headline(key_figures, f, tr, scope), "", tr("export.kit_figures")]
    for row in overview.kpi_rows(key_figures):
        value, previous, change = overview.kpi_texts(row, tr)
        text = f"- {overview.kpi_label(row['key'], tr)}: {value}"
        if previous:
            text += f" ({tr('export.col_previous').lower()}: {previous}; {tr('export.col_change').lower()}: {change})"
        lines += [text, f"  {tr('export.kit_definition')}: {definition(row['key'], tr)}"]
    lines += [*overview.kpi_notes(key_figures, view), "", tr("export.kit_privacy"),
              tr("privacy.rule", k=tr.number(view.rule.k), k_minus=tr.number(view.rule.k - 1), d=tr.number(view.rule.noise)),
              "", tr("export.kit_files"), tr("export.kit_files_help")]
    for export in charts:
        names = ", ".join(files.file_name(export, fmt) for fmt in KIT_FORMATS)
        lines.append(f"- {export.title}: {names}")
    return "\n".join(lines) + "\n"


def _entry(name: str, when: dt.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever system writes it, so the bytes do not depend on it
    info.external_attr = 0o644 << 16
    return info


def kit_bytes(view: View, key_figures, charts: Sequence[Export]) -> bytes:
    """The ZIP: the text file first, then each chart's files in the order given."""
    day = view.data_date
    when = dt.datetime(day.year, day.month, day.day) if day and day.year >= 1980 else ZIP_EPOCH
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as kit:
        kit.writestr(_entry(readme_name(view.lang), when), readme(view, key_figures, charts).encode("utf-8"))
        for export in charts:
            for fmt in KIT_FORMATS:
                kit.writestr(_entry(files.file_name(export, fmt), when), files.write(export, fmt))
    return buffer.getvalue()


def build_kit(src: Source, view: View, names: Sequence[str] | None = None) -> bytes:
    """The press kit of the registered figures `names` (default: the preselected ones)."""
    chosen = list(names) if names is not None else registry.default_names()
    unknown = [n for n in chosen if n not in registry.FIGURES]
    if unknown:
        raise KeyError(f"not an exportable figure: {', '.join(unknown)}")
    charts = [registry.build(name, src, view) for name in chosen]
    key = next((e.frame for e in charts if e.figure.compute is overview.compute_key_figures), None)
    if key is None:
        key = overview.compute_key_figures(src, view.filters)
    return kit_bytes(view, key, charts)
