#!/usr/bin/env bash
# Installs the UI's npm packages when they are missing or the lockfile changed.
set -euo pipefail
cd "$(dirname "$0")/../ui"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  echo "npm packages: all present"
fi
