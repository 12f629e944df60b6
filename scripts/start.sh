#!/usr/bin/env bash
# Install the dashboard, build the demo extracts once, and start it on http://localhost:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
export DASHBOARD_DATA_DIR=${DASHBOARD_DATA_DIR:-data/clean}
DEMO_RAW=${DEMO_RAW:-data/raw/demo}
if [ ! -f "$DASHBOARD_DATA_DIR/report.json" ]; then
  # The demo goes only into a folder this script made for it (.start-demo), or a new or empty one:
  # never among files of another origin.
  if [ ! -f "$DEMO_RAW/.demo.json" ]; then
    if [ -d "$DEMO_RAW" ] && [ ! -f "$DEMO_RAW/.start-demo" ] && [ ! -f "$DEMO_RAW/.complete" ] &&
       [ -n "$(find "$DEMO_RAW" -mindepth 1 -maxdepth 1 ! -name '.*' -print -quit)" ]; then
      echo "error: $DEMO_RAW holds files that are not a demo this script generated; clean real extracts" \
           "with: DASHBOARD_SALT=<your secret> $VENV/bin/python -m dashboard.clean RAW_DIR $DASHBOARD_DATA_DIR" >&2
      exit 2
    fi
    mkdir -p "$DEMO_RAW" && touch "$DEMO_RAW/.start-demo"
    # Writes $DEMO_RAW/.demo.json last: the recipe and a digest of every file it wrote.
    "$VENV/bin/python" -m dashboard.demo "$DEMO_RAW"
  fi
  # The demo's people are invented, so its salt is public (--demo-salt); the clean command takes
  # it only for a folder that python -m dashboard.demo wrote, unchanged. A DASHBOARD_SALT of your
  # own is used instead when it is set. Real extracts always need their own secret salt.
  SALT_FLAG=--demo-salt
  [ -z "${DASHBOARD_SALT:-}" ] || SALT_FLAG=
  # The demo is small: answering the whole-country views is enough; regions are quick live.
  "$VENV/bin/python" -m dashboard.clean "$DEMO_RAW" "$DASHBOARD_DATA_DIR" --warm-country-only $SALT_FLAG
fi
# Public pages show an approved release: the demo's is computed and approved once (a real extract's
# release is computed and approved by its operator: see the README's Privacy section).
export DASHBOARD_RELEASES_DIR=${DASHBOARD_RELEASES_DIR:-data/releases}
if [ "${DASHBOARD_MODE:-public}" = public ] && [ -f "$DEMO_RAW/.demo.json" ] && ! "$VENV/bin/python" -m dashboard.release --list "$DASHBOARD_RELEASES_DIR" | grep -q '^\*'; then
  NAME="demo-$(date +%Y%m%d-%H%M%S)"
  if "$VENV/bin/python" -m dashboard.release "$DASHBOARD_DATA_DIR" "$DASHBOARD_RELEASES_DIR" --name "$NAME"; then
    "$VENV/bin/python" -m dashboard.release --approve "$NAME" "$DASHBOARD_RELEASES_DIR" --by "scripts/start.sh (demo)" --no-files
    # Its standard files (press kits, fact sheets) take minutes: written in the background, at a low
    # priority, while the dashboard already serves; until then the Exports page makes them on request.
    echo "writing the release's standard files in the background" >&2
    nice -n 10 "$VENV/bin/python" -m dashboard.release --files "$NAME" "$DASHBOARD_RELEASES_DIR" >/dev/null 2>&1 &
  else
    echo "warning: no release could be computed; the public pages say how to publish one" >&2
  fi
fi
exec "$VENV/bin/streamlit" run streamlit_app.py --server.port "${PORT:-8501}" "$@"
