# A throwaway PostgreSQL server for the end-to-end scripts (sourced after lib.sh), as
# spec/provisioning.md §8.5 and src/store/postgres/pg_test_server.h do it in C++:
#   pg_start        initdb in /tmp/vouch-pg.XXXXXX (a random password, scram-sha-256), pg_ctl start on
#                   127.0.0.1 and a free port, fsync and synchronous_commit on; sets $PG_ADMIN
#                   (the URI of database postgres) and stops the server when the script exits
#   pg_restart      restarts it (fast: every session ends), same settings
#   pg_halt         stops it, keeping its data (an outage); pg_resume starts it again, same port
#   pg_createdb N   creates database N; prints its URI
#   pg_sql URI SQL  runs SQL with psql
# As root the server runs as the postgres user (initdb refuses root).
PG_BIN=${VOUCH_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_AS=()
[ "$(id -u)" -eq 0 ] && PG_AS=(runuser -u postgres --)

pg_start() {
  [ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server binaries: run scripts/install-deps.sh"; exit 1; }
  PG_TOP=$(mktemp -d /tmp/vouch-pg.XXXXXX)
  mkdir "$PG_TOP/data" "$PG_TOP/sock"
  PG_PW=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  echo "$PG_PW" > "$PG_TOP/pw"
  chmod 600 "$PG_TOP/pw"
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$PG_TOP"
  chmod 700 "$PG_TOP"
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_TOP/data" -U vouch --pwfile="$PG_TOP/pw" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync > "$PG_TOP/initdb.log" 2>&1 ||
    { cat "$PG_TOP/initdb.log"; exit 1; }
  rm -f "$PG_TOP/pw"
  local attempt
  for attempt in 1 2 3 4 5; do
    PG_PORT=$((20000 + RANDOM % 40000))  # a port in use is retried below
    if pg_resume; then
      PG_ADMIN="postgresql://vouch:$PG_PW@127.0.0.1:$PG_PORT/postgres"
      trap 'pg_stop; cleanup' EXIT
      return 0
    fi
    grep -qE "could not bind|could not create listen socket" "$PG_TOP/server.log" || break
  done
  cat "$PG_TOP/server.log"
  exit 1
}

# pg_stop: an immediate stop (no shutdown checkpoint: the data is deleted next).
pg_stop() {
  [ -n "${PG_TOP:-}" ] || return 0
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TOP/data" -m immediate -w stop > /dev/null 2>&1
  rm -rf "$PG_TOP"
  PG_TOP=
}

# pg_resume: starts the server of pg_start on $PG_PORT (after pg_halt).
pg_resume() {
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TOP/data" -l "$PG_TOP/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_TOP/sock -c fsync=on -c synchronous_commit=on" \
    start > /dev/null 2>&1
}

# pg_halt: a fast stop that keeps the data directory (every session ends).
pg_halt() {
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TOP/data" -m fast -w -t 30 stop > /dev/null 2>&1
}

# pg_restart: a fast restart with the same settings (every session ends).
pg_restart() {
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TOP/data" -l "$PG_TOP/server.log" -m fast -w -t 30 \
    restart > /dev/null 2>&1
}

pg_createdb() {
  psql -q "$PG_ADMIN" -c "CREATE DATABASE $1" > /dev/null || exit 1
  echo "postgresql://vouch:$PG_PW@127.0.0.1:$PG_PORT/$1"
}

pg_sql() { psql -q -v ON_ERROR_STOP=1 "$1" -c "$2"; }
