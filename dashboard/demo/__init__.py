"""Demo layer: a seeded generator of raw extracts, mess included, for demos and tests.

`python -m dashboard.demo RAW_DIR --people N --seed S` writes files in exactly the formats of
`shared/extracts/README.md`; cleaning them with `python -m dashboard.clean` reproduces the
calibration targets of `dashboard.demo.calibration`.
"""

from dashboard.demo.generator import generate

__all__ = ["generate"]
