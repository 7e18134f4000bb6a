#!/usr/bin/env bash
# Makes sure what the test suite needs is installed and running: PostgreSQL,
# Redis and Chromium. Idempotent and quick when everything is already there;
# on a bare Debian machine (as root) it installs the Debian packages.
set -euo pipefail

PG_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
need_install=()
have() { command -v "$1" >/dev/null 2>&1; }

have pg_ctlcluster || need_install+=(postgresql)
have redis-server || need_install+=(redis-server)
[ -x /usr/bin/chromium ] || need_install+=(chromium)

if [ ${#need_install[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! have apt-get; then
    echo "Missing: ${need_install[*]}. Install them (Debian: apt-get install ${need_install[*]}) and re-run." >&2
    exit 1
  fi
  echo "[services] installing ${need_install[*]}…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_install[@]}" >/dev/null
fi

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432; }
if [ -z "${TEST_DATABASE_URL:-}" ] && ! pg_up; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "[services] starting PostgreSQL $version…"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
fi
if [ -z "${TEST_DATABASE_URL:-}" ] && ! psql "$PG_URL" -Atqc 'select 1' >/dev/null 2>&1; then
  # A fresh Debian cluster asks for passwords over TCP; the tests connect as
  # postgres without one, like the developer machines (trust on loopback).
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  echo "[services] allowing trust authentication on loopback in $hba"
  sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  sleep 0.5
fi
psql "$PG_URL" -Atqc 'select 1' >/dev/null || { echo "PostgreSQL is not reachable at $PG_URL" >&2; exit 1; }

if [ -z "${TEST_REDIS_URL:-}" ] && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "[services] starting Redis…"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp >/dev/null
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || [ -n "${TEST_REDIS_URL:-}" ] || { echo "Redis is not reachable" >&2; exit 1; }
echo "[services] PostgreSQL, Redis and Chromium are ready"
