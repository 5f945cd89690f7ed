#!/usr/bin/env bash
# The production layout, the one the container image holds (docker/Dockerfile runs `assemble`):
# production dependencies only, the build, openapi/ and the dashboard's files beside the compiled code.
#
#   scripts/production-layout.sh assemble <dir>   assemble the layout into <dir> (run from a clone with
#                                                 dev dependencies installed: the build needs tsc)
#   scripts/production-layout.sh check            assemble into a temp folder, start it (DEMO=false; the
#                                                 embedded database, or DATABASE_URL when set), check that
#                                                 /health, /ocpi/versions and /openapi.json answer, stop it
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

assemble() {
  local out="$1"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  cp "$ROOT/package.json" "$ROOT/package-lock.json" "$out/"
  (cd "$out" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
  (cd "$ROOT" && npm run build --silent -- --outDir "$out/dist")
  # Read at run time beside the compiled code: dist/src/openapi-document.js reads dist/openapi,
  # dist/src/dashboard/dashboard.routes.js reads dist/src/dashboard/public.
  cp -R "$ROOT/openapi" "$out/dist/openapi"
  mkdir -p "$out/dist/src/dashboard"
  cp -R "$ROOT/src/dashboard/public" "$out/dist/src/dashboard/public"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

work=""
hub_pid=""
check() {
  work="$(mktemp -d)"
  # Ours to open: the embedded server's postgres user (as root) reaches the data folder through it.
  chmod 755 "$work"
  cleanup() {
    if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then kill -TERM "$hub_pid"; wait "$hub_pid" || true; fi
    rm -rf "$work"
  }
  trap cleanup EXIT

  echo "== production layout: assembling in $work/app"
  assemble "$work/app"
  if [ -e "$work/app/node_modules/jest" ] || [ -e "$work/app/node_modules/typescript" ]; then
    echo "== production layout holds dev dependencies (jest/typescript): npm ci --omit=dev did not" >&2
    exit 1
  fi

  local port pg_port
  port="$(free_port)"
  pg_port="$(free_port)"
  mkdir -p "$work/tmp" "$work/data"
  echo "== production layout: starting node dist/src/main.js on port $port"
  (
    cd "$work/app"
    # TMPDIR inside the work folder: the embedded server's binary copy goes away with it.
    exec env NODE_ENV=production DEMO=false HOST=127.0.0.1 PORT="$port" PUBLIC_URL="http://127.0.0.1:$port" \
      DATA_DIR="$work/data" EMBEDDED_PG_PORT="$pg_port" TMPDIR="$work/tmp" \
      node dist/src/main.js
  ) >"$work/hub.log" 2>&1 &
  hub_pid=$!

  local url="http://127.0.0.1:$port"
  if ! node -e "
    const url = process.argv[1];
    const deadline = Date.now() + 120000;
    const get = (p) => fetch(url + p).then(async (r) => ({ status: r.status, body: await r.text() }));
    (async () => {
      for (;;) {
        try { if ((await get('/health')).status === 200) break; } catch {}
        if (Date.now() > deadline) throw new Error('no answer on /health within 120 s');
        await new Promise((r) => setTimeout(r, 250));
      }
      const versions = await get('/ocpi/versions');
      if (versions.status !== 401 && versions.status !== 200) throw new Error('/ocpi/versions answered ' + versions.status);
      const openapi = await get('/openapi.json');
      const doc = JSON.parse(openapi.body);
      if (openapi.status !== 200 || !String(doc.openapi).startsWith('3.1')) throw new Error('/openapi.json answered ' + openapi.status);
      console.log('== production layout: /health 200, /ocpi/versions ' + versions.status + ', /openapi.json ' + doc.openapi + ' with ' + Object.keys(doc.paths).length + ' paths');
    })().catch((e) => { console.error('== production layout: ' + e.message); process.exit(1); });
  " "$url"; then
    echo "== production layout did not start; its log:" >&2
    tail -n 40 "$work/hub.log" >&2
    exit 1
  fi
  kill -TERM "$hub_pid"
  local code=0
  wait "$hub_pid" || code=$?
  hub_pid=""
  if [ "$code" != 0 ]; then
    echo "== production layout: the hub exited $code on SIGTERM; its log:" >&2
    tail -n 40 "$work/hub.log" >&2
    exit 1
  fi
  echo "== production layout: stopped cleanly"
}

case "${1:-}" in
  assemble) [ -n "${2:-}" ] || { echo "usage: $0 assemble <dir>" >&2; exit 2; }; assemble "$2" ;;
  check) check ;;
  *) echo "usage: $0 assemble <dir> | check" >&2; exit 2 ;;
esac
