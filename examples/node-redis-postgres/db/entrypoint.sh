#!/bin/sh
# First start on an empty data directory: create the cluster with POSTGRES_USER as superuser
# (password POSTGRES_PASSWORD, scram-sha-256 over TCP, trust on the local socket) and the
# database POSTGRES_DB. Later starts find PG_VERSION and go straight to the server.
set -eu
: "${POSTGRES_USER:?set POSTGRES_USER}" "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\";" | postgres --single -D "$PGDATA" -j postgres >/dev/null 2>&1 ||
      { echo "entrypoint: CREATE DATABASE $POSTGRES_DB failed" >&2; exit 1; }
  fi
  echo "entrypoint: created database $POSTGRES_DB for $POSTGRES_USER"
fi

if [ "$1" = postgres ]; then
  shift
  exec postgres -D "$PGDATA" "$@"
fi
exec "$@"
