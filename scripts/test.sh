#!/usr/bin/env bash
# `npm test`: the whole suite, as CI runs it. Installs dependencies and starts
# PostgreSQL and Redis when missing, then: lint, typecheck, unit + integration
# tests (server mode against real PostgreSQL and Redis, plus the embedded mode;
# they include the OpenAPI lint, Prism's validation proxy and the trap tests),
# the web build, end-to-end tests in Chromium, and a quick benchmark run that
# fails on lost or stale data.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# `npm install`, not `npm ci`: the registry mirror here lacks some platform builds that
# optional dependencies name (Biome's), so the lock file cannot list them and `npm ci`
# refuses it; `npm install` installs exactly the locked tree and leaves the lock unchanged.
[ -f node_modules/.package-lock.json ] || { step "npm install"; npm install --no-audit --no-fund; }
step "services"; bash scripts/ensure-services.sh
step "lint"; npm run --silent lint
step "typecheck"; npm run --silent typecheck
step "unit + integration tests"; npx vitest run
step "web build"; npx vite build --logLevel warn
step "end-to-end tests"; npm run --silent test:e2e
step "benchmarks (quick smoke run: fails only on lost, duplicated or stale data)"; npm run --silent bench -- --quick
step "all green"
