#!/usr/bin/env bash
# Prints a PostgreSQL URL for the test suite. Uses the server on 127.0.0.1:5432 when one answers;
# otherwise starts a private one (as the postgres OS user: the server refuses to run as root).
set -euo pipefail

url="postgresql://postgres@127.0.0.1:5432/test"
if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test" >&2
  echo "$url"
  exit 0
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  echo "no PostgreSQL server binaries; installing Debian's postgresql" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
port=55432
dir=$(mktemp -d /tmp/ci-pg.XXXXXX)
chown postgres "$dir" 2>/dev/null || true
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
run "'$bindir/initdb' -D '$dir/data' -U postgres --auth=trust" >&2
run "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/log' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1\" -w start" >&2
run "'$bindir/psql' -h 127.0.0.1 -p $port -U postgres -d postgres -qc 'CREATE DATABASE test'" >&2
echo "postgresql://postgres@127.0.0.1:$port/test"
