"""Test helper of tests/export: the views the export tests share, and readers of exported files.

Not a test module (no `test_` prefix); the export tests import it by name (pytest puts this
folder on sys.path, as it puts tests/ for `from conftest import ...`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
from PIL import Image
from pypdf import PdfReader

from dashboard.export import registry
from dashboard.export.view import Source, View
from dashboard.filters import Filters
from dashboard.privacy import Rule

D = dt.date
YEAR = (D(2024, 1, 1), D(2024, 12, 31))
# Hand counts need exact figures: k = 10 (the default), no perturbation.
EXACT = Rule(k=10, noise=0)
# "Vinnytsia Oblast, 2024, women aged 60 and over": group A of the fixture, 12 women of 60–69
# who learned in March 2024 at hub ХЦО-00001; 10 of them rated themselves 8 after training.
VINNYTSIA = Filters("ua_hubs", *YEAR, regions=("UA-05",), age_band=("60_69", "70_plus"), gender=("female",))
# Men in 2024: 8 in group B and person P, 9 people, so every count of people is 1..9 and hidden.
MEN = Filters("ua_hubs", *YEAR, gender=("male",))
# The exact counts of people of MEN that must never appear (1, person P alone, is also a count
# of hubs and regions there, so it is checked in the people cells only).
HIDDEN_VALUES = {"8", "9"}
SVG_NS = "{http://www.w3.org/2000/svg}"


def view(src: Source, f: Filters, lang: str = "uk") -> View:
    """The export View of filters over a source (its rule; region names from its regions table)."""
    return registry.make_view(src, f, lang)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads Cyrillic only with the mark
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def csv_table(data: bytes) -> pd.DataFrame:
    """The table of an exported CSV: after the header lines and the empty line, every cell as text."""
    rows = csv_rows(data)
    skip = rows.index([]) + 1
    return pd.read_csv(io.BytesIO(data), skiprows=skip, encoding="utf-8-sig", keep_default_na=False, dtype=str)


def xlsx_table(data: bytes, lines: int) -> pd.DataFrame:
    """The table of an exported workbook, below its `lines` header lines and the empty row."""
    return pd.read_excel(io.BytesIO(data), skiprows=lines + 1, dtype=object, keep_default_na=False)


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return ["".join(el.itertext()).strip() for el in root.iter(f"{SVG_NS}text")]


def ink(png: bytes) -> int:
    """Pixels darker than the white background."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return int((pixels < 200).sum())


def pdf_text(data: bytes) -> tuple[int, str]:
    """Pages of a PDF and its text, runs of white space as one space."""
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
