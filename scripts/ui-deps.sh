#!/usr/bin/env bash
# Installs the UI's npm packages when they are missing or the lockfile changed.
set -euo pipefail
cd "$(dirname "$0")/../ui"
# Vite 8 needs Node.js 20.19+ (or 22.12+).
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)||(a===20&&b>=19)||a===21?0:1)'; then
  echo "Node.js $(node --version 2>/dev/null || echo '(none)') is too old for the UI build: install Node.js 20.19+ or 22.12+ (e.g. from nodejs.org or your distribution's backports) and run again" >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  echo "npm packages: all present"
fi
