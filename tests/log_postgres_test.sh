#!/usr/bin/env bash
# `vouch serve log --store postgres://…` against a real, throwaway PostgreSQL server
# (tests/pg_lib.sh): the state is created explicitly with its anchor in --data, one process
# serves it at a time (a second is refused, store_in_use, until the first is gone), it survives
# restarts and kill -9 under concurrent appends (every acknowledged entry at its index
# afterwards, the tree only grown), a --standby serves the database's reads and forwards
# submissions while it waits, and takes over after kill -9 of the serving process (the failover
# time printed), the database restarted under load (no false acknowledgement, the service
# recovers), two standbys race for the lock (one wins, the other forwards to it), and a wiped
# database is refused;
# the password never appears in output. Run by ctest with VOUCH=<binary>.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/pg_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"
pg_start
DB=$(pg_createdb log1)
"$VOUCH" log keygen --origin example.com/pglog --out "$TMP/log.key" >/dev/null || exit 1

# serve_log DATA [ARGS...]: starts the log on $DB with its anchor in DATA; sets $pid and $URL
# (URL empty if it did not start); its output goes to $TMP/out and $TMP/err.
serve_log() {
  local data=$1
  shift
  rm -f "$TMP/port"
  "$VOUCH" serve log --data "$data" --store "$DB" --key "$TMP/log.key" --listen 127.0.0.1:0 \
    --port-file "$TMP/port" --batch-interval 1 "$@" >"$TMP/out" 2>"$TMP/err" &
  pid=$!
  local port
  port=$(wait_port "$TMP/port" "$pid")
  URL=${port:+http://127.0.0.1:$port}
}
# size: the tree size of the log's checkpoint at $URL.
size() { curl -sf "$URL/checkpoint" | sed -n 2p; }
# appenders N COUNT PREFIX FILE [PAUSE]: N clients in the background, each posting COUNT entries
# (PREFIX-wW-I-random) to $URL/add and recording "INDEX ENTRY" in FILE for each acknowledgement;
# their pids in the array clients.
appenders() {
  clients=()
  local w
  for w in $(seq "$1"); do
    (for i in $(seq "$2"); do
      e="$3-w$w-$i-$RANDOM"
      body=$(curl -s -m 5 --data-binary "$e" "$URL/add") || continue
      idx=$(grep -o '"index":[0-9]*' <<<"$body" | cut -d: -f2)
      [ -n "$idx" ] && echo "$idx $e" >>"$4"
      sleep "${5:-0}"
    done) &
    clients+=($!)
  done
}
# not_at_index FILE: how many acknowledged entries of FILE are not at their index at $URL (each
# posted again must answer duplicate at the same index).
not_at_index() {
  local idx e lost=0
  while read -r idx e; do
    curl -s --data-binary "$e" "$URL/add" | grep -q "\"index\":$idx,.*\"duplicate\":true" ||
      lost=$((lost + 1))
  done <"$1"
  echo "$lost"
}
# add_once_serving ENTRY: posts ENTRY until it is acknowledged (at most 30 s); the answer in body.
add_once_serving() {
  body=''
  for _ in $(seq 300); do
    body=$(curl -s -m 5 --data-binary "$1" "$URL/add") && grep -q '"index"' <<<"$body" && return 0
    sleep 0.1
  done
  return 1
}

# Without --init there is no state.
check state_missing 3 'no log state anchored.*--init' -- "$VOUCH" serve log --data "$TMP/data" \
  --store "$DB" --key "$TMP/log.key" --listen 127.0.0.1:0
serve_log "$TMP/data" --init
[ -n "$URL" ] && ok || bad "serve log --store did not start: $(cat "$TMP/err")"
for e in one two three; do
  printf '%s' "$e" >"$TMP/$e"
  "$VOUCH" log add "$URL" "$TMP/$e" --json >"$TMP/add.json" 2>&1 || bad "add $e: $(cat "$TMP/add.json")"
done
[ "$(size)" = 3 ] && ok || bad "size after three adds: $(size)"
[ -s "$TMP/data/log.anchor" ] && [ ! -e "$TMP/data/log.db" ] && ok || bad "anchor in --data, no SQLite there: $(ls "$TMP/data")"
[ "$(psql -tA "$DB" -c 'SELECT size FROM vouch_log.tree')" = 3 ] && ok || bad "the tree is not in PostgreSQL"
grep -q 'entries, database postgresql://' "$TMP/err" && ! grep -qF "$PG_PW" "$TMP/err" && ok ||
  bad "the database line: $(cat "$TMP/err")"

# One process serves the state: a second (a copy of the anchor) is refused while it runs.
mkdir -m 700 "$TMP/data2" && cp -p "$TMP/data/log.anchor" "$TMP/data2/"
check second_service 3 'in use by another log service' -- "$VOUCH" serve log --data "$TMP/data2" --store "$DB" \
  --key "$TMP/log.key" --listen 127.0.0.1:0
kill "$pid"; wait_exit "$pid"
[ "$rc" -eq 0 ] && ok || bad "serve log did not stop cleanly: rc $rc"
check init_twice 2 'exists already' -- "$VOUCH" serve log --data "$TMP/data" --store "$DB" \
  --key "$TMP/log.key" --listen 127.0.0.1:0 --init

# kill -9 under concurrent appends, twice: every acknowledged entry is at its index afterwards.
: >"$TMP/acked"
for round in 1 2; do
  serve_log "$TMP/data"
  [ -n "$URL" ] || { bad "restart $round: $(cat "$TMP/err")"; break; }
  appenders 4 40 "r$round" "$TMP/acked"
  # Killed mid-flight, once some entries of this round were acknowledged (at most 10 s).
  for _ in $(seq 200); do grep -q "r$round-" "$TMP/acked" && break; sleep 0.05; done
  sleep 0.2
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  wait "${clients[@]}"
done
serve_log "$TMP/data"
[ -n "$URL" ] && ok || bad "restart after kill -9: $(cat "$TMP/err")"
n=$(wc -l <"$TMP/acked")
[ "$n" -gt 0 ] && [ "$(size)" -ge $((n + 3)) ] && ok || bad "$n acknowledged, tree size $(size)"
lost=$(not_at_index "$TMP/acked")
[ "$lost" -eq 0 ] && ok || bad "$lost of $n acknowledged entries not at their index"
echo "kill -9 rounds: $n acknowledged entries, all at their index"

# ---- a standby takes over when the serving process is killed (--standby) ----
check standby_sqlite 2 'standby needs --store postgres' -- "$VOUCH" serve log --data "$TMP/sq" \
  --key "$TMP/log.key" --listen 127.0.0.1:0 --standby
check advertise_sqlite 2 'advertise needs --store postgres' -- "$VOUCH" serve log --data "$TMP/sq" \
  --key "$TMP/log.key" --listen 127.0.0.1:0 --advertise http://127.0.0.1:7381
check advertise_bad 2 'bad --advertise' -- "$VOUCH" serve log --data "$TMP/data" --store "$DB" \
  --key "$TMP/log.key" --listen 127.0.0.1:0 --advertise 'ftp://x'
# start_standby NAME: a standby with its own --data (a copy of the anchor); sets spid; its
# output goes to $TMP/NAME.err, its port to $TMP/NAME.port once it serves (reads and forwarded
# submissions while another holds the state).
start_standby() {
  [ -d "$TMP/$1" ] || { mkdir -m 700 "$TMP/$1" && cp -p "$TMP/data/log.anchor" "$TMP/$1/"; }
  "$VOUCH" serve log --data "$TMP/$1" --store "$DB" --key "$TMP/log.key" --listen 127.0.0.1:0 \
    --port-file "$TMP/$1.port" --batch-interval 1 --standby >/dev/null 2>"$TMP/$1.err" &
  spid=$!
  for _ in $(seq 600); do grep -q 'standing by' "$TMP/$1.err" && break; sleep 0.05; done
}
# wait_sequencing NAME...: waits (at most 30 s) until one of the standbys NAME holds the state.
wait_sequencing() {
  local s
  for _ in $(seq 600); do
    for s in "$@"; do grep -q 'holds the log state now' "$TMP/$s.err" && return 0; done
    sleep 0.05
  done
  return 1
}
start_standby s1
s1pid=$spid
sport=$(wait_port "$TMP/s1.port" "$s1pid")
SURL=${sport:+http://127.0.0.1:$sport}
grep -q 'serving the log.s reads' "$TMP/s1.err" && ! grep -q 'holds the log state now' "$TMP/s1.err" &&
  [ -n "$sport" ] && ok || bad "the standby: $(cat "$TMP/s1.err")"
# A standby stops on SIGTERM while it waits.
start_standby s2
kill "$spid"; wait_exit "$spid" 30
[ "$rc" -eq 0 ] && ok || bad "a waiting standby did not stop on SIGTERM: rc $rc"
for i in 1 2 3; do
  body=$(curl -s --data-binary "before-failover-$i" "$URL/add")
  idx=$(grep -o '"index":[0-9]*' <<<"$body" | cut -d: -f2)
  [ -n "$idx" ] && echo "$idx before-failover-$i" >>"$TMP/acked"
done
# While it waits, the standby serves what the database holds: the same checkpoint (once it has
# read the tree again, within a few hundred ms), tiles, receipts; and a submission to it is
# forwarded to the sequencing service and acknowledged at its index.
for _ in $(seq 100); do [ "$(curl -s "$SURL/checkpoint")" = "$(curl -s "$URL/checkpoint")" ] && break; sleep 0.05; done
[ "$(curl -s "$SURL/checkpoint")" = "$(curl -s "$URL/checkpoint")" ] && ok ||
  bad "the standby's checkpoint: $(curl -s "$SURL/checkpoint")"
n=$(size)
[ "$(curl -s "$SURL/tile/entries/000.p/$n" | md5sum)" = "$(curl -s "$URL/tile/entries/000.p/$n" | md5sum)" ] &&
  [ "$(curl -s "$SURL/proof/1")" = "$(curl -s "$URL/proof/1")" ] && ok || bad "the standby's tiles and receipts"
body=$(curl -s --data-binary "via-standby" "$SURL/add")
idx=$(grep -o '"index":[0-9]*' <<<"$body" | cut -d: -f2)
[ -n "$idx" ] && curl -s --data-binary "via-standby" "$URL/add" | grep -q "\"index\":$idx,.*\"duplicate\":true" &&
  ok || bad "a submission to the standby: $body"
echo "$idx via-standby" >>"$TMP/acked"
printf '\x00\x0bbatch-one-s\x00\x0bbatch-two-s' >"$TMP/bundle"  # an entry bundle of two
body=$(curl -s --data-binary @"$TMP/bundle" "$SURL/add-batch")
[ "$(grep -c '"index"' <<<"$body")" -eq 2 ] && ok || bad "a batch to the standby: $body"
check standby_empty 22 '' -- curl -sf --data-binary '' "$SURL/add"
kill -9 "$pid"; wait "$pid" 2>/dev/null
t0=$(date +%s%N)
wait_sequencing s1
URL=$SURL
add_once_serving after-failover
t1=$(date +%s%N)
grep -q '"index"' <<<"$body" && ok || bad "the standby did not take over: $(cat "$TMP/s1.err")"
echo "failover: kill -9 to the next acknowledged append at the standby: $(((t1 - t0) / 1000000)) ms"
lost=$(not_at_index "$TMP/acked")
[ "$lost" -eq 0 ] && ok || bad "$lost acknowledged entries not at their index after the failover"

# The database restarted under load: the clients get errors, never a false acknowledgement, and
# the serving process (its sessions gone, the lock taken again on reconnecting) recovers.
: >"$TMP/acked2"
appenders 2 60 restart "$TMP/acked2" 0.02
sleep 0.3
pg_restart || bad "pg_ctl restart"
wait "${clients[@]}"
add_once_serving after-restart && ok || bad "no append after the database restarted: $body $(tail -3 "$TMP/s1.err")"
lost=$(not_at_index "$TMP/acked2")
[ -s "$TMP/acked2" ] && [ "$lost" -eq 0 ] && ok ||
  bad "database restart: $lost of $(wc -l <"$TMP/acked2") acknowledged entries not at their index"

# Two standbys racing for the lock: exactly one takes over, the other keeps standing by (and
# forwards to the new holder, which advertised itself).
start_standby s3
s3pid=$spid
start_standby s4
s4pid=$spid
wait_port "$TMP/s3.port" "$s3pid" >/dev/null
wait_port "$TMP/s4.port" "$s4pid" >/dev/null
kill -9 "$s1pid"; wait "$s1pid" 2>/dev/null
wait_sequencing s3 s4
sleep 1
won=0
for s in s3 s4; do grep -q 'holds the log state now' "$TMP/$s.err" && won=$((won + 1)); done
[ "$won" -eq 1 ] && kill -0 "$s3pid" && kill -0 "$s4pid" && ok || bad "two standbys: $won took over"
for s in s3 s4; do
  URL=http://127.0.0.1:$(cat "$TMP/$s.port")
  add_once_serving "after-race-via-$s" && ok || bad "an append at $s after the race: $body"
done
for p in "$s3pid" "$s4pid"; do
  kill "$p"; wait_exit "$p"
  [ "$rc" -eq 0 ] && ok || bad "a front-end did not stop cleanly: rc $rc"
done

# A standby started while the database is down waits for it (where a service that is not a
# standby stops with store_unreachable), and takes over once the database is back.
pg_halt || bad "pg_ctl stop"
check down_not_standby 3 'cannot open the log state: cannot connect' -- "$VOUCH" serve log --data "$TMP/data" \
  --store "$DB" --key "$TMP/log.key" --listen 127.0.0.1:0
start_standby s5
s5pid=$spid
grep -q 'standing by: the database cannot be reached' "$TMP/s5.err" && [ ! -e "$TMP/s5.port" ] &&
  ok || bad "a standby with the database down: $(cat "$TMP/s5.err")"
sleep 0.6  # a few more attempts, and the outage is said once
[ "$(grep -c 'cannot be reached' "$TMP/s5.err")" -eq 1 ] && kill -0 "$s5pid" && ok ||
  bad "the standby during the outage: $(cat "$TMP/s5.err")"
pg_resume || bad "pg_ctl start"
for _ in $(seq 600); do [ -s "$TMP/s5.port" ] && break; sleep 0.05; done  # at most 30 s
sport=$(cat "$TMP/s5.port" 2>/dev/null)
URL=${sport:+http://127.0.0.1:$sport}
[ -n "$sport" ] && add_once_serving after-outage && ok ||
  bad "the standby did not take over after the outage: $(cat "$TMP/s5.err")"
kill "$s5pid"; wait_exit "$s5pid"
[ "$rc" -eq 0 ] && ok || bad "the standby did not stop cleanly: rc $rc"

# A wiped database is never a fresh start.
psql -q "$DB" -c 'DROP SCHEMA vouch_log CASCADE' >/dev/null
check wiped 3 'state_lost|holds no log state' -- "$VOUCH" serve log --data "$TMP/data" --store "$DB" \
  --key "$TMP/log.key" --listen 127.0.0.1:0
! grep -rqF "$PG_PW" "$TMP"/out "$TMP"/err "$TMP"/*.json 2>/dev/null && ok || bad "the password is in the output"

finish
