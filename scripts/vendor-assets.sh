#!/usr/bin/env bash
# Fetches the browser assets the app serves itself (no CDN) from the npm registry, at the
# versions package-lock.json pins, and copies them under src/qudao/web/static/vendor/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Node.js and npm to fetch the chart library …"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "qudao fetches its chart library with npm: install Node.js and npm" >&2
    echo "  (Debian/Ubuntu: sudo apt-get install -y nodejs npm), then run make again." >&2
    exit 1
  fi
fi
npm ci --no-audit --no-fund --loglevel=error
mkdir -p src/qudao/web/static/vendor
cp node_modules/echarts/dist/echarts.min.js src/qudao/web/static/vendor/echarts.min.js
