#!/usr/bin/env bash
# Stops a server started by scripts/start-postgres.sh DIR and removes DIR.
set -uo pipefail
dir=${1:?usage: stop-postgres.sh DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pgdir=$(cat "$dir/pgdir" 2>/dev/null)
if [ -n "$pgdir" ] && [ -d "$pgdir/data" ]; then
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1
  else "$bin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1; fi
  rm -rf "$pgdir"
fi
rm -f "$dir/url" "$dir/pgdir"
exit 0
