#!/usr/bin/env bash
# npm run demo: start an engine (installing it if needed), build Capstan, run the getting-started
# example with `capstan up -d --wait`, and print the page it serves on localhost:8000.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/engine.sh"
npm --prefix "$root" run --silent build
cd "$root/examples/getting-started"
# Start from a clean project so the visit counter starts at 1.
"$root/bin/capstan" --progress quiet down >/dev/null 2>&1 || true
"$root/bin/capstan" up -d --wait
echo
node -e '
  const get = async (tries) => {
    try { const r = await fetch("http://localhost:8000/"); process.stdout.write(await r.text()); }
    catch (e) { if (tries > 0) { await new Promise((r) => setTimeout(r, 500)); return get(tries - 1); } throw e; }
  };
  get(20);
'
echo "(the app keeps running: \`cd examples/getting-started && ../../bin/capstan down\` stops it)"
