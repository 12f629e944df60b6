"""Kernel: text made safe to place in Markdown (names from data, files and identity providers)."""

from __future__ import annotations

import re

# Markdown and LaTeX signs that could turn data text into markup (links, emphasis, formulas).
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")


def escape_md(text: str) -> str:
    """Text (data names included) made safe to place in Markdown: every markup sign escaped."""
    return _SPECIAL.sub(r"\\\1", str(text))
