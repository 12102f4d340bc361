#!/usr/bin/env bash
# Starts PostgreSQL with pgvector (PGlite compiled to WebAssembly, from the
# npm packages pinned in package.json) on 127.0.0.1, runs a command with
# PGVECTOR_TEST_URL pointing at it, and stops the server.
#
#   scripts/pgvector-test.sh                      # the Postgres store's tests
#   scripts/pgvector-test.sh go run ./cmd/ragcite eval --suite testdata/eval/seed.yaml --store '$PGVECTOR_TEST_URL'
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules/@electric-sql/pglite-socket ] || npm ci --no-audit --no-fund

port=${PGVECTOR_TEST_PORT:-54329}
log=$(mktemp)
node node_modules/@electric-sql/pglite-socket/dist/scripts/server.js \
  --db=memory:// --host=127.0.0.1 --port="$port" --max-connections=4 \
  --extensions=@electric-sql/pglite-pgvector:vector >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 120); do
  grep -q "PGLiteSocketServer listening" "$log" && break
  if ! kill -0 "$pid" 2>/dev/null; then echo "pglite exited:"; cat "$log"; exit 1; fi
  sleep 0.5
done
grep -q "PGLiteSocketServer listening" "$log" || { echo "pglite did not start in 60 s:"; cat "$log"; exit 1; }

export PGVECTOR_TEST_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
if [ $# -eq 0 ]; then
  set -- go test -race -count=1 -p 1 ./rag/pgstore/
fi
# Arguments may name $PGVECTOR_TEST_URL literally; expand it here.
args=()
for a in "$@"; do args+=("${a//\$PGVECTOR_TEST_URL/$PGVECTOR_TEST_URL}"); done
"${args[@]}"
