#!/usr/bin/env bash
# Builds and starts the Hookloupe desktop app on a Debian/Ubuntu machine, installing what is
# missing first (system packages, npm packages, the UI build). Extra arguments are ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
command -v cargo >/dev/null || { echo "cargo is missing: install Rust (https://rustup.rs) and run again" >&2; exit 1; }
bash scripts/ui-deps.sh
(cd ui && npm run build)
cargo build --locked --release -p hookloupe-app
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display: run this from a desktop session (or under 'xvfb-run -a')." >&2
  exit 1
fi
exec ./target/release/hookloupe-app
