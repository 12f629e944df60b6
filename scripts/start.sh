#!/usr/bin/env bash
# Install the dashboard, build the demo extracts once, and start it on http://localhost:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
# The demo's people are invented, so its salt need not be secret; real extracts need their own.
export DASHBOARD_SALT=${DASHBOARD_SALT:-demo-only-salt}
export DASHBOARD_DATA_DIR=${DASHBOARD_DATA_DIR:-data/clean}
DEMO_RAW=${DEMO_RAW:-data/raw/demo}
if [ ! -f "$DASHBOARD_DATA_DIR/report.json" ]; then
  [ -f "$DEMO_RAW/.complete" ] || { "$VENV/bin/python" -m dashboard.demo "$DEMO_RAW" && touch "$DEMO_RAW/.complete"; }
  # The demo is small: answering the whole-country views is enough; regions are quick live.
  "$VENV/bin/python" -m dashboard.clean "$DEMO_RAW" "$DASHBOARD_DATA_DIR" --warm-country-only
fi
exec "$VENV/bin/streamlit" run streamlit_app.py --server.port "${PORT:-8501}" "$@"
