#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory
# (/docker-entrypoint-initdb.d). Gives Temporal its own login role and its two databases, so the
# Temporal server never holds the superuser's password. TEMPORAL_DB_USER and TEMPORAL_DB_PASSWORD
# come from docker-compose.yml; the temporal service connects with the same values.
# Changing them later needs a fresh volume (`docker compose down -v`) or an ALTER ROLE by hand.
# (No `set -u`: if this file loses its exec bit, the entrypoint sources it instead of running it.)
set -e

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v role="$TEMPORAL_DB_USER" -v password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
-- Owned by the role: Temporal's schema tool creates its tables and the (trusted) btree_gin
-- extension there without superuser rights.
CREATE DATABASE temporal OWNER :"role";
CREATE DATABASE temporal_visibility OWNER :"role";
SQL
