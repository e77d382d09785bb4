#!/bin/sh
# First start of the database only: the schema's owner and the API's role (passwords from deploy/.env).
set -eu
psql -v ON_ERROR_STOP=1 --username postgres --dbname enforcement \
    -v owner_password="$OWNER_DB_PASSWORD" -v api_password="$API_DB_PASSWORD" \
    -f /docker-entrypoint-initdb.d/roles.psql  # .psql: the entrypoint itself runs only .sh and .sql
