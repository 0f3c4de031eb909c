#!/usr/bin/env bash
# One database per service, each owned by a login role of its own that can reach no other
# service's database. Run once by the postgres image, on an empty data directory
# (/docker-entrypoint-initdb.d). Passwords come from the container's environment:
# AUTH_DB_PASSWORD, STAFF_DB_PASSWORD, LEAVE_DB_PASSWORD, PERFORMANCE_DB_PASSWORD.
set -euo pipefail

for service in auth staff leave performance; do
  var="${service^^}_DB_PASSWORD"
  password="${!var:?$var is required}"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
       -v service="$service" -v password="$password" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
SQL
  echo "created database and role $service"
done
