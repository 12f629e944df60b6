"""`python -m dashboard.contract`: print the contract's documentation (data/README.md)."""

from dashboard.contract.readme import render_markdown

print(render_markdown(), end="")
