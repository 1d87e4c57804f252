#!/usr/bin/env bash
# Hostile HTTP against the real services (issue 12, items 3 and 4), on loopback and bounded: for
# `vouch serve log` and `vouch serve witness` each,
#   - a 100 MB chunk extension and a 2 MB trailer are answered 431, and the server's peak RSS
#     (VmHWM) grows by less than 64 MiB (a 1 GB extension once grew it by 1 GB);
#   - 1,100 sockets that send nothing, more than the service's default --max-connections and
#     its per-address limit, do not keep a normal client from being served;
#   - afterwards the service still does its job.
# Run by ctest with VOUCH=<binary>, from the repository root.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
D=tests/data/witness
ulimit -n 4096 2>/dev/null

# peak_kib PID: the process's peak resident set (VmHWM), KiB.
peak_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# oversized NAME PORT PID PATH PREFIX TOTAL_MIB: sends a chunked POST whose chunk-size line or
# trailer starts with PREFIX and then runs on for TOTAL_MIB MiB of 'a'; expects 431 after the
# first MiB and a flat peak RSS.
oversized() {
  local name=$1 port=$2 pid=$3 path=$4 prefix=$5 total=$6 fd status before after
  before=$(peak_kib "$pid")
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"
  printf 'POST %s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n%b' "$path" "$prefix" >&"$fd"
  head -c $((1 << 20)) /dev/zero | tr '\0' a >&"$fd" 2>/dev/null
  status=""
  IFS= read -r -t 10 status <&"$fd"
  # The rest: the server stops taking it (it closes after a bounded drain).
  head -c $(((total - 1) << 20)) /dev/zero | tr '\0' a >&"$fd" 2>/dev/null
  exec {fd}>&-
  after=$(peak_kib "$pid")
  [[ "$status" == "HTTP/1.1 431"* ]] && ok || bad "$name: answered '${status%$'\r'}', want 431"
  [ $(((after - before) >> 10)) -lt 64 ] && ok ||
    bad "$name: peak RSS grew by $(((after - before) >> 10)) MiB"
}

# idle_lockout NAME PORT URL: 1,100 idle sockets, then URL must answer 200 five times.
idle_lockout() {
  local name=$1 port=$2 url=$3 fds=() fd code i
  for _ in $(seq 1100); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null && fds+=("$fd")
  done
  [ ${#fds[@]} -eq 1100 ] && ok || bad "$name: ${#fds[@]} of 1100 idle sockets connected"
  for i in 1 2 3 4 5; do
    code=$(curl -s -o /dev/null -m 10 -w '%{http_code}' "$url")
    [ "$code" = 200 ] && ok || bad "$name: request $i behind 1,100 idle sockets got $code"
  done
  for fd in "${fds[@]}"; do exec {fd}>&-; done
}

# ---- the log ----
"$VOUCH" log keygen --origin example.com/hostile --out "$TMP/log.key" > /dev/null 2>&1
"$VOUCH" serve log --data "$TMP/log" --key "$TMP/log.key" --init --listen 127.0.0.1:0 \
  --port-file "$TMP/lport" > /dev/null 2>&1 &
lpid=$!
lport=$(wait_port "$TMP/lport" "$lpid")
LOG="http://127.0.0.1:$lport"
oversized "log: chunk extension" "$lport" "$lpid" /add '1;ext=' 100
oversized "log: trailer" "$lport" "$lpid" /add '5\r\nhello\r\n0\r\nX-T: ' 2
idle_lockout "log" "$lport" "$LOG/checkpoint"
echo entry > "$TMP/entry"
"$VOUCH" log add "$LOG" "$TMP/entry" > /dev/null && ok || bad "log: add after the attacks"
kill -0 "$lpid" 2>/dev/null && ok || bad "log: the server died"

# ---- the witness ----
cp $D/test-w1.key "$TMP/w.key"
chmod 600 "$TMP/w.key"
"$VOUCH" serve witness --data "$TMP/w" --key "$TMP/w.key" --init \
  --log "example.com/log/testdata=$(cat $D/log.vkey)" --listen 127.0.0.1:0 \
  --port-file "$TMP/wport" > /dev/null 2>&1 &
wpid=$!
wport=$(wait_port "$TMP/wport" "$wpid")
W="http://127.0.0.1:$wport"
oversized "witness: chunk extension" "$wport" "$wpid" /add-checkpoint '1;ext=' 100
oversized "witness: trailer" "$wport" "$wpid" /add-checkpoint '5\r\nhello\r\n0\r\nX-T: ' 2
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @$D/add-checkpoint-step1.txt \
  "$W/add-checkpoint")
[ "$code" = 200 ] && ok || bad "witness: add-checkpoint got $code"
hash=$(printf '%s' example.com/log/testdata | sha256sum | cut -d' ' -f1)
idle_lockout "witness" "$wport" "$W/$hash/checkpoint"
kill -0 "$wpid" 2>/dev/null && ok || bad "witness: the server died"

finish
