#!/usr/bin/env bash
# `vouch serve witness --store postgres://…` against a real, throwaway PostgreSQL server
# (tests/pg_lib.sh): the state is created explicitly, survives restarts and kill -9, and a wiped
# or replaced database, an unreachable server or a newer schema is refused with exit 3 and a
# clear reason; the password never appears in output. Run by ctest with VOUCH=<binary>.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/pg_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"
D=tests/data/witness
pg_start
DB=$(pg_createdb w1)
cp $D/test-w1.key "$TMP/w.key"
chmod 600 "$TMP/w.key"
LOG_ARG="example.com/log/testdata=$(cat $D/log.vkey)"
hash=$(printf '%s' example.com/log/testdata | sha256sum | cut -d' ' -f1)

# serve_witness [ARGS...]: starts the witness on $DB with its anchor in $TMP/data; sets $pid, $URL.
serve_witness() {
  rm -f "$TMP/port"
  "$VOUCH" serve witness --data "$TMP/data" --store "$DB" --key "$TMP/w.key" --log "$LOG_ARG" \
    --listen 127.0.0.1:0 --port-file "$TMP/port" "$@" > "$TMP/out" 2> "$TMP/err" &
  pid=$!
  URL="http://127.0.0.1:$(wait_port "$TMP/port" "$pid")"
}

# Without --init there is no state.
check state_missing 3 'no witness state.*--init' -- "$VOUCH" serve witness --data "$TMP/data" \
  --store "$DB" --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0
serve_witness --init
code=$(curl -s -o "$TMP/b1" -w '%{http_code}' --data-binary @$D/add-checkpoint-step1.txt "$URL/add-checkpoint")
[ "$code" = 200 ] && ok || bad "add-checkpoint on PostgreSQL: $code $(cat "$TMP/b1")"
[ -s "$TMP/data/witness.anchor" ] && ok || bad "no anchor in --data"
[ ! -e "$TMP/data/witness.db" ] && ok || bad "a SQLite database was created beside --store"
rows=$(psql -tA "$DB" -c "SELECT size FROM vouch_witness.witness_state")
[ -n "$rows" ] && ok || bad "the state is not in PostgreSQL"
kill $pid; wait $pid 2>/dev/null
check init_twice 2 'exists already' -- "$VOUCH" serve witness --data "$TMP/data" --store "$DB" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0 --init

# Restarted (also after kill -9), it serves what it cosigned, from the database.
serve_witness
kill -9 $pid; wait $pid 2>/dev/null
serve_witness
code=$(curl -s -o "$TMP/cp" -w '%{http_code}' "$URL/$hash/checkpoint")
[ "$code" = 200 ] && ok || bad "checkpoint after kill -9: $code"
# The same checkpoint again is answered from the stored state (409 names the size it has).
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @$D/add-checkpoint-step1.txt "$URL/add-checkpoint")
[ "$code" = 409 ] || [ "$code" = 200 ] && ok || bad "repeat add-checkpoint: $code"
kill $pid; wait $pid 2>/dev/null

# VOUCH_STORE works as --store.
VOUCH_STORE="$DB" "$VOUCH" serve witness --data "$TMP/data" --key "$TMP/w.key" --log "$LOG_ARG" \
  --listen 127.0.0.1:0 --port-file "$TMP/port2" > /dev/null 2>&1 &
pid=$!
wait_port "$TMP/port2" "$pid" > /dev/null && ok || bad "VOUCH_STORE"
kill $pid; wait $pid 2>/dev/null

# A wiped database is never a fresh start; nor is another witness's database.
pg_sql "$DB" "DROP SCHEMA vouch_witness CASCADE" > /dev/null 2>&1
check wiped 3 'holds no witness state.*restore' -- "$VOUCH" serve witness --data "$TMP/data" --store "$DB" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0
DB2=$(pg_createdb w2)
"$VOUCH" serve witness --data "$TMP/other" --store "$DB2" --key "$TMP/w.key" --log "$LOG_ARG" \
  --listen 127.0.0.1:0 --port-file "$TMP/port3" --init > /dev/null 2>&1 &
pid=$!
wait_port "$TMP/port3" "$pid" > /dev/null
kill $pid; wait $pid 2>/dev/null
check replaced 3 'another state' -- "$VOUCH" serve witness --data "$TMP/data" --store "$DB2" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0
pg_sql "$DB2" "UPDATE vouch_witness.schema_version SET version = 9" > /dev/null
check newer 3 'newer than this vouch' -- "$VOUCH" serve witness --data "$TMP/other" --store "$DB2" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0

# An unreachable server is a clear error within the connect timeout, without the password.
start=$SECONDS
out=$("$VOUCH" serve witness --data "$TMP/other" --store "postgresql://vouch:$PG_PW@127.0.0.1:1/w2" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0 2>&1); rc=$?
[ $rc -eq 3 ] && grep -q 'cannot connect' <<<"$out" && ok || bad "unreachable: $rc $out"
[ $((SECONDS - start)) -lt 15 ] && ok || bad "unreachable took $((SECONDS - start)) s"
! grep -q "$PG_PW" <<<"$out" && ! grep -q "$PG_PW" "$TMP/err" && ok || bad "the password was printed"

finish
