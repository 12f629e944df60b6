#!/usr/bin/env bash
# Install everything the tests need (Python packages, Debian's Chromium, nginx and fonts) and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
have_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }
if ! command -v chromium >/dev/null || ! have_nginx || ! fc-list 2>/dev/null | grep -qi "Noto Sans"; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    chromium nginx fonts-noto-core fonts-dejavu-core fontconfig >/dev/null
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# The sign-in tests start a real OpenID Connect provider (npm package oidc-provider) on 127.0.0.1.
npm ci --prefix tests/oidc --no-audit --no-fund --silent
# The accessibility tests inject axe-core (npm package axe-core) into every page.
npm ci --prefix tests/browser/axe --no-audit --no-fund --silent
exec "$VENV/bin/python" -m pytest "$@"
