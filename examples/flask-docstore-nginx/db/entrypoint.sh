#!/bin/sh
# Debian's postgresql package has no docker-entrypoint: this is a small one.
# On first start (empty $PGDATA) it creates the cluster with the superuser password read from
# $POSTGRES_PASSWORD_FILE (a compose secret) or $POSTGRES_PASSWORD, and lets every address in
# with that password. Then PostgreSQL runs as PID 1, listening on all addresses.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  trap 'rm -f "$pwfile"' EXIT
  if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    # The first line of the secret, without its newline.
    head -n 1 "$POSTGRES_PASSWORD_FILE" | tr -d '\r\n' > "$pwfile"
  elif [ -n "${POSTGRES_PASSWORD:-}" ]; then
    printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
  else
    echo "entrypoint: set POSTGRES_PASSWORD_FILE or POSTGRES_PASSWORD" >&2
    exit 1
  fi
  [ -s "$pwfile" ] || { echo "entrypoint: the password is empty" >&2; exit 1; }
  initdb --username=postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 "$PGDATA" >/dev/null
  rm -f "$pwfile"
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
    postgres --single -D "$PGDATA" -c log_min_messages=warning postgres <<SQL >/dev/null
CREATE DATABASE "$POSTGRES_DB";
SQL
  fi
  echo "entrypoint: created the cluster in $PGDATA"
fi

exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
