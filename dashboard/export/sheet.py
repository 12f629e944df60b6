"""Export layer: what every page of the fact sheet is set with — the bundled fonts (Noto Sans, with
Noto Sans Math for the signs it lacks), paragraph styles, charts as print-resolution PNG, the page's
geometry, table rules, and the name of the place a sheet is of.

The first page (factsheet) and the second (reach_sheet) are built from these.
"""

from __future__ import annotations

import copy
import functools
import io
from xml.sax.saxutils import escape

import altair as alt
import pandas as pd
import vl_convert as vlc
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile
from reportlab.platypus import Image, Paragraph, TableStyle

from dashboard import charts, filters
from dashboard.export import files
from dashboard.export.view import Source, View

FONT, BOLD, SYMBOLS = "NotoSans", "NotoSans-Bold", "NotoSansMath"
FONT_FILES = {FONT: "NotoSans-Regular.ttf", BOLD: "NotoSans-Bold.ttf", SYMBOLS: "NotoSansMath-Regular.ttf"}
MARGIN = 14 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
# Charts are drawn this many times their CSS size: about 300 dpi at the size they are placed.
IMAGE_SCALE = 3
MAP_SHARE = 0.56  # of the page's width for the map beside a chart or table; the other column takes the rest
BLUE, INK, MUTED = colors.HexColor(charts.PALETTE[0]), colors.HexColor(charts.INK), colors.HexColor(charts.MUTED)


@functools.cache
def register_fonts() -> None:
    """Give ReportLab the bundled Noto Sans (regular and bold), once per process."""
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(files.FONT_DIR / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD)


@functools.cache
def text_glyphs() -> frozenset[int]:
    """The characters Noto Sans draws."""
    return frozenset(TTFontFile(str(files.FONT_DIR / FONT_FILES[FONT])).charToGlyph)


def markup(text: str) -> str:
    """Text as Paragraph markup: escaped, with the signs Noto Sans lacks (→, −) set in Noto Sans Math.

    ReportLab has no font fallback, so without this an arrow would simply not be drawn.
    """
    glyphs, out = text_glyphs(), []
    for char in str(text):
        if ord(char) in glyphs or char.isspace():
            out.append(escape(char))
        else:
            out.append(f'<font name="{SYMBOLS}">{escape(char)}</font>')
    return "".join(out)


def style(size: float, colour=INK, bold: bool = False, leading: float | None = None, after: float = 0,
           right: bool = False) -> ParagraphStyle:
    """Text of `size` points; `right`: aligned right (numbers in a table)."""
    return ParagraphStyle(f"s{size}{bold}", fontName=BOLD if bold else FONT, fontSize=size,
                          leading=leading or size * 1.3, textColor=colour, spaceAfter=after,
                          alignment=TA_RIGHT if right else TA_LEFT)


def para(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph text is markup: names from the data are escaped, never interpreted.
    return Paragraph(markup(text), style)


def chart_png(chart: alt.TopLevelMixin | dict, size: tuple[int, int] | None) -> bytes:
    """A chart alone (no title or footer: the sheet gives them) as PNG on white, at IMAGE_SCALE.

    `size` (CSS pixels) replaces the chart's own width and height; None keeps them.
    """
    files.register_fonts()
    spec = copy.deepcopy(chart) if isinstance(chart, dict) else chart.to_dict()
    spec.pop("title", None)
    if size:
        spec["width"], spec["height"] = size
        files.fixed_width(spec, size[0])
    spec["background"] = "white"
    return vlc.vegalite_to_png(spec, scale=IMAGE_SCALE)


def image(png: bytes, width: float) -> Image:
    """A PNG placed at `width` points, its height following its proportions."""
    with PILImage.open(io.BytesIO(png)) as img:
        w, h = img.size
    return Image(io.BytesIO(png), width=width, height=width * h / w)


def table_style(*extra: tuple) -> TableStyle:
    """A list table's rules: cells aligned at the top, a line under the header row, tight padding;
    `extra` commands after them."""
    return TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, MUTED),
                       ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                       ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2), *extra])


def programme_regions(src: Source, programme: str) -> pd.DataFrame:
    """The regions of the programme's countries: region_code, country_code, name_uk, name_en."""
    regions = src.regions()
    _dates, _phases, countries = filters.spans_by_programme(src.programme_spans())
    return regions[regions["country_code"].isin(countries.get(programme, []))].reset_index(drop=True)


def country_of(src: Source, programme: str) -> str:
    """The country code of a programme's regions (`UA` for the hubs); empty when it has none."""
    countries = programme_regions(src, programme)["country_code"]
    return str(countries.iloc[0]) if len(countries) else ""


def sheet_place(view: View, region: str | None, country: str) -> str:
    """The region's name in the view's language, or the country's for the whole-country sheet."""
    tr = view.tr
    if region:
        return view.region_names.get(region, region)
    key = f"export.country_{country}"
    return tr(key) if key in tr.messages else tr("export.all_regions")
