#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for tests: initdb + pg_ctl in DIR on a
# free loopback port, no system service. Writes the connection URL to DIR/url.
# The cluster itself lives in a fresh folder under /tmp (named in DIR/pgdir):
# the postgres user may not be able to reach DIR, e.g. inside /root.
# initdb refuses to run as root, so as root the server runs as the `postgres`
# user Debian's package creates. Stop it with scripts/stop-postgres.sh DIR.
set -euo pipefail
dir=${1:?usage: start-postgres.sh DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "start-postgres: PostgreSQL server binaries not found; run scripts/setup-deps.sh" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    shuf -i 20000-60000 -n 1
}

mkdir -p "$dir"
pgdir=$(mktemp -d /tmp/wardline-pg.XXXXXX)
echo "$pgdir" > "$dir/pgdir"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$pgdir"; fi
as_owner "$bin/initdb" -D "$pgdir/data" -U wardline --auth=trust -E UTF8 --no-locale >"$pgdir/initdb.log" 2>&1 ||
  { cat "$pgdir/initdb.log" >&2; exit 1; }
port=$(free_port)
as_owner "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off" start >/dev/null ||
  { cat "$pgdir/server.log" >&2; exit 1; }
as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U wardline wardline_test
echo "postgres://wardline@127.0.0.1:$port/wardline_test" > "$dir/url"
chmod 644 "$dir/url"
echo "start-postgres: $(cat "$dir/url")"
