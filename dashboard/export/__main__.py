"""Export layer: `python -m dashboard.export` runs the command line (see cli.py, or --help)."""

import sys

from dashboard.export.cli import main

sys.exit(main())
