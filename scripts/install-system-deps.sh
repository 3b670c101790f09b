#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Hookloupe needs to build, run and test the desktop app.
# Idempotent: does nothing when everything is already installed. Uses sudo only when not root.
# `--test` adds what only the tests need (a private Secret Service for the OS keyring tests).
set -euo pipefail

PKGS=(
  build-essential curl file pkg-config libssl-dev libxdo-dev
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libgtk-3-dev
  librsvg2-dev libayatana-appindicator3-dev
  webkit2gtk-driver xvfb xauth x11-utils imagemagick dbus-x11 at-spi2-core fonts-dejavu-core
  nodejs npm
  python3 python3-venv
)
if [ "${1:-}" = "--test" ]; then
  PKGS+=(dbus gnome-keyring libsecret-tools)
fi

missing=()
for p in "${PKGS[@]}"; do
  # node/npm may come from elsewhere (nvm, nodesource): accept any working binary.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
    python3) command -v python3 >/dev/null 2>&1 && continue ;;
    python3-venv) python3 -c 'import venv, ensurepip' >/dev/null 2>&1 && continue ;;
  esac
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
