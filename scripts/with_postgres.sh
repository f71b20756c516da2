#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: a cluster initialised (initdb) in a temporary folder, started
# on a loopback port picked free, its unix socket in the same folder; the command gets the catalog URL in
# FLOE_TEST_POSTGRES_URL (database `floe_test`). The server is stopped and the folder removed when the command
# ends, fails or is interrupted. Usage: scripts/with_postgres.sh CMD [ARGS...]
set -euo pipefail
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[ -x "$PGBIN/initdb" ] || { echo "with_postgres.sh: no initdb under /usr/lib/postgresql/*/bin (install Debian's postgresql)" >&2; exit 1; }
DIR="$(mktemp -d "${TMPDIR:-/tmp}/floe-pg.XXXXXX")"
# PostgreSQL refuses to run as root: then the server runs as Debian's `postgres` user (or `nobody`)
AS=()
if [ "$(id -u)" = 0 ]; then
  PGUSER_OS="$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)"
  chown "$PGUSER_OS" "$DIR"; chmod 755 "$DIR"
  AS=(runuser -u "$PGUSER_OS" --)
fi
started=0
cleanup() {
  if [ "$started" = 1 ]; then "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"${AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U floe --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
# loopback only, socket in the temporary folder; fsync stays on (commit latency is measured against it)
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DIR -c max_connections=100" start >/dev/null \
  || { cat "$DIR/server.log" >&2; exit 1; }
started=1
"$PGBIN/createdb" -h "$DIR" -p "$PORT" -U floe floe_test
export FLOE_TEST_POSTGRES_URL="postgresql://floe@127.0.0.1:$PORT/floe_test?sslmode=disable"
export FLOE_TEST_POSTGRES_SOCKET_URL="postgresql://floe@%2F${DIR//\//%2F}:$PORT/floe_test"
echo "with_postgres.sh: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($DIR)"
set +e
"$@"
rc=$?
exit $rc
