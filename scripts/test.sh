#!/usr/bin/env bash
# Runs every Hookloupe test on a Debian/Ubuntu machine, installing what is missing first:
#   signatures cross-checked both ways with the providers' own PyPI and npm libraries
#   (and re-signed replays sent over HTTP to servers that verify with them),
#   Rust unit + integration tests (real HTTP on 127.0.0.1, real SQLite, the real CLI binary),
#   UI type check + unit tests, IPC bindings drift check, a fuzz smoke run of every target,
#   GUI end-to-end tests (the real app under Xvfb through tauri-driver).
# Usage: scripts/test.sh [--no-e2e | --e2e-only]
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"

# Each section says how long the previous one took, so CI's budget can be watched.
started=$SECONDS
last=$SECONDS
section() {
  printf '\n=== %s  (previous section %ds, total %ds)\n' "$*" "$((SECONDS - last))" "$((SECONDS - started))"
  last=$SECONDS
}

section "system packages"
bash scripts/install-system-deps.sh --test
# No incremental-compilation cache: this run builds once, and the cache would roughly double the
# target directory's size on disk (CI's disk is not large). Set CARGO_INCREMENTAL=1 to keep it.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export HOOKLOUPE_REQUIRE_KEYRING=1  # the OS keyring tests must run, not skip (packages installed above)
command -v cargo >/dev/null || { echo "cargo is missing: install Rust (https://rustup.rs) and run again" >&2; exit 1; }

section "test tools (tauri-driver, bore)"
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
command -v bore >/dev/null || [ -x "$HOME/.cargo/bin/bore" ] || cargo install bore-cli --locked

if [ "$mode" != "--e2e-only" ]; then
  # The fuzz targets build in their own workspace with AFL's instrumentation: started now, in
  # the background, so the build overlaps the sections that mostly wait on downloads. They need
  # only the core's pure modules (hookloupe-core without its `runtime` feature: no tokio
  # runtime, HTTP server, SQLite, TLS, tunnels or keyring), so this is a small build.
  mkdir -p target
  (
    fuzz_started=$SECONDS
    rc=0
    bash scripts/fuzz.sh --build-only || rc=$?
    echo "fuzz build: $((SECONDS - fuzz_started))s, $(grep -c '^ *Compiling' target/fuzz-build.log) crates compiled (exit $rc)"
    exit $rc
  ) >target/fuzz-build.log 2>&1 &
  fuzz_build=$!
fi

section "UI dependencies"
bash scripts/ui-deps.sh

# Every cargo call selects the whole workspace with the GUI-test feature on (see the build below).
CARGO_ALL=(--workspace --features hookloupe-tests/e2e)

if [ "$mode" != "--e2e-only" ]; then
  section "UI: type check, unit tests, build"
  (cd ui && npm run check && npm test && npm run build)

  section "Signatures: fixtures signed or verified by the providers' own libraries (PyPI)"
  python3 -m venv target/crosscheck-venv
  target/crosscheck-venv/bin/pip install -q --disable-pip-version-check -r tests/crosscheck/requirements.txt
  rm -rf target/crosscheck
  target/crosscheck-venv/bin/python tests/crosscheck/crosscheck.py target/crosscheck
  target/crosscheck-venv/bin/python tests/crosscheck/crosscheck_catalog.py target/crosscheck  # catalog providers

  section "Signatures: fixtures signed or verified by the providers' own libraries (npm)"
  # Node.js 20.19+ was checked by scripts/ui-deps.sh above.
  npm ci --prefix tests/crosscheck/npm --no-audit --no-fund
  node tests/crosscheck/npm/crosscheck.mjs target/crosscheck
  node tests/crosscheck/npm/catalog.mjs target/crosscheck  # catalog providers
  export HOOKLOUPE_CROSSCHECK_DIR="$PWD/target/crosscheck"

  section "Rust: one build of every member and test target (CLI, app, tests, GUI tests)"
  # One package selection and one feature set for every cargo call below, so Cargo's feature
  # unification resolves dependencies once and nothing is compiled twice (the app and the GUI
  # tests used to rebuild the core's dependencies with other features).
  cargo build --locked "${CARGO_ALL[@]}" --all-targets
  hookloupe_bin="${CARGO_TARGET_DIR:-target}/debug/hookloupe"

  section "Signatures: requests signed by hookloupe, accepted by the providers' own libraries (PyPI, npm)"
  target/crosscheck-venv/bin/python tests/crosscheck/reverse.py "$hookloupe_bin"
  node tests/crosscheck/npm/reverse.mjs "$hookloupe_bin"
  target/crosscheck-venv/bin/python tests/crosscheck/reverse_catalog.py "$hookloupe_bin"  # catalog providers (--scheme <provider id>)
  node tests/crosscheck/npm/reverse_catalog.mjs "$hookloupe_bin"

  section "Signatures: captures replayed re-signed over HTTP, accepted by the providers' own libraries (PyPI, npm)"
  target/crosscheck-venv/bin/python tests/crosscheck/replay.py "$hookloupe_bin"
  node tests/crosscheck/npm/replay.mjs "$hookloupe_bin"

  section "Rust: unit and integration tests"
  cargo test --locked "${CARGO_ALL[@]}" --lib --bins --test it
  if [ -n "${NGROK_AUTHTOKEN:-}" ]; then
    section "ngrok live test (NGROK_AUTHTOKEN is set)"
    cargo test --locked "${CARGO_ALL[@]}" --test it -- --ignored ngrok_live
  else
    echo "SKIPPED: ngrok live test (tunnel::ngrok_live_tunnel_captures) — NGROK_AUTHTOKEN is not set"
  fi

  section "Fuzz smoke: every coverage-guided target for a few seconds (cargo-afl, stable)"
  wait "$fuzz_build" || { tail -40 target/fuzz-build.log; echo "building the fuzz targets failed" >&2; exit 1; }
  tail -1 target/fuzz-build.log
  FUZZ_PREBUILT=1 bash scripts/fuzz.sh 5

  section "Generated files drift: IPC bindings, the provider catalog's docs (written by the tests above)"
  if git rev-parse --git-dir >/dev/null 2>&1; then
    if [ -n "$(git status --porcelain -- ui/src/bindings docs/providers.md README.md)" ]; then
      git status --short -- ui/src/bindings docs/providers.md README.md
      echo "ui/src/bindings, docs/providers.md or README.md's catalog count differ from the Rust sources: run 'cargo test -p hookloupe-core' and commit them" >&2
      exit 1
    fi
    echo "bindings and catalog docs up to date"
  fi
fi

if [ "$mode" != "--no-e2e" ]; then
  section "GUI end-to-end (real window under Xvfb, tauri-driver)"
  # The app embeds ui/dist: never test a stale one (built above unless --e2e-only).
  [ "$mode" = "--e2e-only" ] && (cd ui && npm run build)
  cargo build --locked "${CARGO_ALL[@]}" --bins
  xvfb-run -a -s "-screen 0 1280x800x24" \
    cargo test --locked "${CARGO_ALL[@]}" --test e2e -- --test-threads=1
  # Each GUI test ends the tauri-driver it started (and so its WebKitWebDriver and app) by
  # PID; nothing else is stopped, so a user's own running Hookloupe survives a test run.
  echo "screenshots: artifacts/e2e/"
fi
section "done"
echo "disk: target/ holds $(du -sh "${CARGO_TARGET_DIR:-target}" 2>/dev/null | cut -f1), $(df -h . | awk 'NR==2 {print $4}') free"
