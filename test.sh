#!/usr/bin/env bash
# Runs the whole test suite on real parts: the embedded Mongo-wire store (or MONGODB_URI),
# a real redis-server (REDIS_URL, or a throwaway one started here) and headless Chromium; then
# the store, rollup, cases and fault tests again on an external Mongo-wire server, FerretDB on
# the PostgreSQL at 127.0.0.1:5432 (started here, or installed, when it is not running).
# Usage: ./test.sh [extra go test flags]     FUZZTIME=10s ./test.sh     EXTERNAL_STORE=0 ./test.sh
set -euo pipefail
cd "$(dirname "$0")"

need() { # need COMMAND DEBIAN_PACKAGE: install the package when the command is missing and we may
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing $2" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2") >/dev/null
  else
    echo "test.sh: $1 is needed: sudo apt-get install $2" >&2
    exit 1
  fi
}
need chromium chromium
need redis-server redis-server
need zbarimg zbar-tools
need soffice libreoffice-writer-nogui # the report's DOCX is rendered to PDF in tests
need pdftotext poppler-utils

if [ -z "${REDIS_URL:-}" ]; then
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
  redis_pid=$!
  trap 'kill $redis_pid 2>/dev/null || true' EXIT
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  export REDIS_URL="redis://127.0.0.1:$port/0"
  echo "test.sh: throwaway redis-server on port $port" >&2
fi
export HAILONG_CHROMIUM="${HAILONG_CHROMIUM:-$(command -v chromium)}"

# Mailpit, the real SMTP server the e-mail tests send to (each test starts its own on free ports).
if [ -z "${HAILONG_MAILPIT:-}" ]; then
  mailpit_bin="${XDG_CACHE_HOME:-$HOME/.cache}/hailong/mailpit-1.33.1"
  if [ ! -x "$mailpit_bin/mailpit" ]; then
    echo "test.sh: installing mailpit v1.33.1 (go install)" >&2
    GOBIN="$mailpit_bin" go install github.com/axllent/mailpit@v1.33.1
  fi
  export HAILONG_MAILPIT="$mailpit_bin/mailpit"
fi

# axe-core for the accessibility checks of the browser tests, from the npm registry, pinned.
if [ -z "${HAILONG_AXE:-}" ]; then
  need npm npm
  axe_dir="${XDG_CACHE_HOME:-$HOME/.cache}/hailong/axe-core-4.14.1"
  if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
    mkdir -p "$axe_dir"
    npm install --prefix "$axe_dir" --no-save --no-audit --no-fund axe-core@4.14.1 >/dev/null
  fi
  export HAILONG_AXE="$axe_dir/node_modules/axe-core/axe.min.js"
fi

go vet ./...
go test -race -count=1 -timeout 20m "$@" ./...

# The external store: FerretDB's PostgreSQL handler (internal/testkit/pgstore) on a TCP port, over
# PostgreSQL on 127.0.0.1:5432 with trust authentication, as on the development and CI machines.
postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
start_postgres() {
  postgres_up && return 0
  need pg_ctlcluster postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    echo "test.sh: trusting local TCP connections in $hba" >&2
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  pg_ctlcluster "$version" main start
  for _ in $(seq 100); do postgres_up && return 0; sleep 0.1; done
  echo "test.sh: PostgreSQL did not start on 127.0.0.1:5432" >&2
  exit 1
}
if [ -z "${MONGODB_URI:-}" ] && [ "${EXTERNAL_STORE:-1}" != 0 ]; then
  start_postgres
  pgdb="hailong_test_$$"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $pgdb" >/dev/null
  pgstore="$(mktemp -d)/pgstore"
  go build -o "$pgstore" ./internal/testkit/pgstore
  for _ in $(seq 50); do
    store_port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$store_port") 2>/dev/null || break
  done
  "$pgstore" -listen "127.0.0.1:$store_port" -postgresql "postgres://postgres@127.0.0.1:5432/$pgdb?sslmode=disable" 2>"$pgstore.log" &
  pgstore_pid=$!
  trap 'kill $pgstore_pid 2>/dev/null || true; kill ${redis_pid:-} 2>/dev/null || true; psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true' EXIT
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$store_port") 2>/dev/null && break; sleep 0.1; done
  echo "test.sh: store, rollup, cases and fault tests on FerretDB over PostgreSQL (127.0.0.1:$store_port)" >&2
  MONGODB_URI="mongodb://127.0.0.1:$store_port/" HAILONG_TEST_POSTGRESQL="postgres://postgres@127.0.0.1:5432/$pgdb?sslmode=disable" \
    go test -race -count=1 -timeout 20m "$@" ./internal/mongodb ./internal/rollup ./internal/cases ./internal/faulttest ./internal/testkit/pgstore
fi

# Brief fuzzing of every parser of outside input; the corpora are committed under testdata/fuzz.
fuzztime="${FUZZTIME:-8s}"
grep -rl --include='*_test.go' '^func Fuzz' internal cmd | while read -r file; do
  pkg="./$(dirname "$file")"
  grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2 | while read -r target; do
    echo "fuzz $pkg $target ($fuzztime)"
    if ! out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" 2>&1); then
      if ! grep -q 'Failing input written to' <<<"$out" && grep -q 'context deadline exceeded' <<<"$out"; then
        # Go's fuzzing engine can report the end of -fuzztime itself as a failure when a worker
        # is starved at that moment (golang/go#51484); a real failure always writes its input.
        echo "fuzz $pkg $target: stopped at the time limit with nothing found (golang/go#51484)" >&2
        continue
      fi
      printf '%s\n' "$out" | grep -v '^fuzz: elapsed' >&2
      input=$(sed -n 's/.*Failing input written to //p' <<<"$out" | head -1)
      if [ -n "$input" ]; then echo "--- $input"; cat "$(dirname "$file")/$input"; fi >&2
      exit 1
    fi
  done
done
echo "test.sh: all tests passed"
