#!/usr/bin/env bash
# End-to-end test of the ledger explorer, `vouch serve explorer` (docs/explorer.md): its usage
# errors; an explorer of a log that does not answer (it starts and says why); then the log of
# `vouch demo --keep`, whose own explorer is opened in a real headless Chromium (Debian's
# `chromium`, driven by puppeteer-core from tests/browser; tests/browser/explorer.mjs): counts,
# root sets, admissions, cosignatures, entries decoded, checks of proofs and signatures in the
# browser, tampered proofs, entries and signatures flagged, search by measurement, a phone's
# width. Screenshots go to $ARTIFACTS (default: a directory under the build tree given by ctest).
# Last, a second explorer sees an entry appended after it started (only the new entries read).
# Needs chromium, node and `npm ci --prefix tests/browser` (scripts/test.sh runs it): without
# them the test fails, saying so. Run by ctest with VOUCH=<binary>, from the repository root.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export VOUCH_LOG_URL='' VOUCH_POLICY='' VOUCH_ROOT_SET_PIN='' VOUCH_SIM_DIR=''
REPO=$PWD
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
ARTIFACTS=${ARTIFACTS:-$TMP/shots}
mkdir -p "$ARTIFACTS"
if [ ! -x "$CHROMIUM" ] || ! command -v node >/dev/null || [ ! -d "$REPO/tests/browser/node_modules/puppeteer-core" ]; then
  bad "the browser test needs $CHROMIUM (apt-get install chromium), node and puppeteer-core (npm ci --prefix tests/browser); scripts/install-deps.sh and scripts/test.sh install them"
  finish
  exit 1
fi

# ---- usage ----
check help_example 0 "vouch serve explorer --log" -- "$VOUCH" serve explorer --help
check no_log 2 '--log is required' -- "$VOUCH" serve explorer --vkey x
check no_trust 2 'trust_missing|--policy' -- "$VOUCH" serve explorer --log http://127.0.0.1:1
check bad_url 2 'bad --log' -- "$VOUCH" serve explorer --log 'not a url' --policy examples/ledger/witness.policy
check bad_refresh 2 'refresh' -- "$VOUCH" serve explorer --log http://127.0.0.1:1 \
  --policy examples/ledger/witness.policy --refresh PT0S
check bad_pin 2 'bad usage' -- "$VOUCH" serve explorer --log http://127.0.0.1:1 \
  --policy examples/ledger/witness.policy --root-set-pin zz

# ---- `serve log --explorer URL` names its explorer at GET / ----
"$VOUCH" log keygen --origin log.example/explorer --out "$TMP/l.key" >/dev/null
check log_bad_explorer 2 'bad --explorer' -- "$VOUCH" serve log --data "$TMP/l0" --key "$TMP/l.key" --init \
  --explorer 'not a url'
"$VOUCH" serve log --data "$TMP/l" --key "$TMP/l.key" --init --listen 127.0.0.1:0 --port-file "$TMP/l.port" \
  --explorer https://explorer.example/ >/dev/null 2>&1 &
lpid=$!
lport=$(wait_port "$TMP/l.port" $lpid)
curl -sf -D "$TMP/lh" "http://127.0.0.1:$lport/" | grep -q '^Its explorer: https://explorer.example/$' &&
  grep -qi '^link: <https://explorer.example/>; rel="alternate"' "$TMP/lh" && ok || bad "serve log does not link its explorer"
kill $lpid
wait_exit $lpid

# ---- a log that does not answer: the explorer starts and shows why ----
"$VOUCH" serve explorer --log http://127.0.0.1:1 --policy examples/ledger/witness.policy \
  --listen 127.0.0.1:0 --port-file "$TMP/x.port" >"$TMP/x.out" 2>&1 &
xpid=$!
xport=$(wait_port "$TMP/x.port" $xpid)
summary=$(curl -sf "http://127.0.0.1:$xport/api/summary")
[[ "$summary" == *'"checkpoint":null'* && "$summary" == *'"error":{"code":'* ]] &&
  grep -q 'cannot audit http://127.0.0.1:1 yet' "$TMP/x.out" && ok || bad "unreachable log: $summary $(cat "$TMP/x.out")"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' "http://127.0.0.1:$xport/api/search?q=zz")
[ "$code" = 400 ] && grep -q '"code":"bad_request"' "$TMP/body" && ok || bad "search zz: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$xport/api/entries?count=1000")
[ "$code" = 400 ] && ok || bad "entries count=1000: $code"
page=$(curl -sf -D "$TMP/headers" "http://127.0.0.1:$xport/")
[[ "$page" == *'<script src="/explorer.js"></script>'* ]] && grep -qi '^content-security-policy:' "$TMP/headers" &&
  ! grep -q 'https\?://' <<<"$(curl -sf "http://127.0.0.1:$xport/explorer.js")" && ok ||
  bad "the page, its CSP, or a script that loads from elsewhere"
kill $xpid
wait_exit $xpid
[ "$rc" -eq 0 ] && ok || bad "explorer did not stop on SIGTERM: rc $rc"

# ---- the demo's ledger in a real browser ----
D=$TMP/demo
"$VOUCH" demo --dir "$D" --keep >"$TMP/demo.out" 2>&1 &
dpid=$!
wait_line "$TMP/demo.out" 'Ctrl-C stops them' $dpid
EXPLORER=$(grep -o 'The ledger explorer: http://127.0.0.1:[0-9]*/' "$TMP/demo.out" | cut -d' ' -f4)
LOG=$(grep -o '^  log  http://127.0.0.1:[0-9]*' "$TMP/demo.out" | awk '{print $2}')
PIN=$(grep -o 'root-set-pin [0-9a-f]*' "$TMP/demo.out" | awk '{print $2}')
APP=$(grep -o 'application   MRENCLAVE [0-9A-F]*' "$TMP/demo.out" | awk '{print $3}')
[ -n "$EXPLORER" ] && [ -n "$LOG" ] && [ -n "$PIN" ] && [ -n "$APP" ] && ok || bad "demo --keep: $(tail -20 "$TMP/demo.out")"
if [ -n "$EXPLORER" ]; then
  (cd "$REPO/tests/browser" && CHROMIUM=$CHROMIUM node explorer.mjs "$EXPLORER" "$ARTIFACTS" 15 "$APP") >"$TMP/browser.out" 2>&1
  brc=$?
  cat "$TMP/browser.out"
  [ "$brc" -eq 0 ] && [ "$(grep -c '^ok ' "$TMP/browser.out")" -ge 18 ] && ok || bad "the browser test (exit $brc)"
  for s in explorer-desktop explorer-tampered explorer-phone; do
    [ -s "$ARTIFACTS/$s.png" ] && ok || bad "no screenshot $s.png"
  done
fi

# ---- a plain log of 300 entries (two bundles), trusted by its key alone: pages and checks ----
"$VOUCH" log keygen --origin log.example/plain --out "$TMP/p.key" >"$TMP/p.vkey"
"$VOUCH" serve log --data "$TMP/plain" --key "$TMP/p.key" --init --listen 127.0.0.1:0 \
  --port-file "$TMP/p.port" >/dev/null 2>&1 &
ppid_=$!
pport=$(wait_port "$TMP/p.port" $ppid_)
batch() {  # batch FIRST LAST: entries "plain entry N" framed as an entry bundle, POST /add-batch
  local i e
  for i in $(seq "$1" "$2"); do
    e="plain entry $i"
    printf "\\x00\\x$(printf %02x ${#e})%s" "$e"
  done >"$TMP/batch"
  curl -sf -H 'Content-Type: application/octet-stream' --data-binary @"$TMP/batch" \
    "http://127.0.0.1:$pport/add-batch" | grep -c '"index"'
}
[ "$(batch 0 255)" = 256 ] && [ "$(batch 256 299)" = 44 ] && ok || bad "300 entries in the plain log"
"$VOUCH" serve explorer --log "http://127.0.0.1:$pport" --vkey "$(cat "$TMP/p.vkey")" --listen 127.0.0.1:0 \
  --port-file "$TMP/pe.port" >"$TMP/pe.out" 2>&1 &
pepid=$!
peport=$(wait_port "$TMP/pe.port" $pepid)
(cd "$REPO/tests/browser" && CHROMIUM=$CHROMIUM node explorer.mjs --plain "http://127.0.0.1:$peport/" "$ARTIFACTS" 300) \
  >"$TMP/plain.out" 2>&1
prc=$?
cat "$TMP/plain.out"
[ "$prc" -eq 0 ] && [ "$(grep -c '^ok ' "$TMP/plain.out")" -ge 6 ] && ok || bad "the plain log in the browser (exit $prc)"
kill $pepid $ppid_
wait_exit $pepid
wait_exit $ppid_

# ---- a second explorer follows the log as it grows ----
"$VOUCH" serve explorer --log "$LOG" --policy "$D/policy" --root-set-pin "$PIN" --refresh PT1S \
  --listen 127.0.0.1:0 --port-file "$TMP/e2.port" >"$TMP/e2.out" 2>&1 &
epid=$!
eport=$(wait_port "$TMP/e2.port" $epid)
curl -sf "http://127.0.0.1:$eport/api/summary" | grep -q '"entries":15,"valid":15' && ok || bad "second explorer: 15 entries"
(cd "$D" && "$VOUCH" build attest build-a/app-bundle --source "https://git.example/vouch.git@$(printf '1%.0s' {1..40})" \
  --toolchain toolchain.json --builder-id https://builder-a.example/ci --key builder-a.pem --out extra.entry >/dev/null &&
  "$VOUCH" ledger submit "$LOG" extra.entry --policy policy --timeout 20 --out extra.proof >/dev/null) || bad "submit one more entry"
grown=''
for _ in $(seq 100); do
  grown=$(curl -sf "http://127.0.0.1:$eport/api/summary")
  [[ "$grown" == *'"entries":16,"valid":16'* ]] && break
  sleep 0.2
done
[[ "$grown" == *'"entries":16,"valid":16'* ]] && ok || bad "the explorer did not see entry 15: $(head -c 300 <<<"$grown")"
H=$(sha256sum "$D/extra.entry" | cut -c1-64)
curl -sf "http://127.0.0.1:$eport/api/search?q=${H:0:12}" | grep -q "\"index\":15,\"entry_hash\":\"$H\"" && ok ||
  bad "search by entry hash prefix"
kill $epid
wait_exit $epid
kill -INT $dpid
wait_exit $dpid 30
[ "$rc" -eq 0 ] && ok || bad "demo --keep did not stop cleanly: rc $rc"

finish
