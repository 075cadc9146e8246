#!/usr/bin/env bash
# psql.sh DB [psql args...]: run psql as the superuser against the test cluster's DB.
set -eu
db=${1:?usage: psql.sh DB [psql args]}
shift
admin=${CASELOG_TEST_PG_ADMIN:?source the stack env first}
exec psql -X -v ON_ERROR_STOP=1 "${admin/dbname=postgres/dbname=$db}" "$@"
