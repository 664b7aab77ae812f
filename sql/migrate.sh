#!/usr/bin/env bash
# sql/migrate.sh - apply pending database migrations.
#
# Usage:
#   sql/migrate.sh
#
# Connection: DATABASE_URL if set (postgresql://user@host:port/db), else the
# libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, ...).
# MIGRATIONS_DIR overrides the directory (default: sql/migrations beside
# this script).
#
# What it does:
#   - creates schema_migrations(version, sha256, applied_at) if missing;
#   - refuses to run (exit 1, naming the file) if an applied migration's file
#     is missing or its sha256 changed: applied migrations are history, write
#     a new one instead;
#   - applies the pending files NNN_name.sql in name order, each in ONE
#     transaction together with its schema_migrations row, and prints
#     "applied NNN_name.sql" (stdout) for each; a failing file is rolled back
#     whole, the runner stops and exits non-zero;
#   - a second run applies nothing;
#   - two runners at once: the second waits on an advisory lock, then finds
#     nothing left to do.
#
# Migration files must not contain BEGIN/COMMIT or statements that cannot
# run inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...).

set -euo pipefail
export LC_ALL=C    # name order = byte order, whatever the locale

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${MIGRATIONS_DIR:-$here/migrations}

die() {
	echo "migrate: $*" >&2
	exit 1
}

[[ -d $dir ]] || die "no migrations directory $dir"
dir=$(cd "$dir" && pwd)
[[ $dir != *"'"* ]] || die "migrations directory path must not contain a quote: $dir"
command -v psql >/dev/null || die "psql not found"

psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)
if [[ -n ${DATABASE_URL:-} ]]; then
	psql_cmd+=(-d "$DATABASE_URL")
fi

# The migration files, in name order, with their checksums.
versions=()
sums=()
for f in "$dir"/*.sql; do
	[[ -e $f ]] || continue
	b=${f##*/}
	if [[ ! $b =~ ^[0-9]+_[A-Za-z0-9_]+\.sql$ ]]; then
		echo "migrate: ignoring $b (name must be NNN_name.sql)" >&2
		continue
	fi
	versions+=("${b%.sql}")
	sums+=("$(sha256sum "$f" | cut -d' ' -f1)")
done

# Build one psql script: one session holds the advisory lock for the whole
# run, checks the applied migrations, then applies each pending file in its
# own transaction.
script() {
	local i v

	cat <<'EOF'
SET client_min_messages = warning;
SELECT pg_try_advisory_lock(hashtextextended('cdot:schema_migrations', 0)) AS got_lock \gset
\if :got_lock
\else
\warn 'migrate: another migration runner is at work; waiting for it'
SELECT pg_advisory_lock(hashtextextended('cdot:schema_migrations', 0)) AS got_lock \gset
\endif

CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,
    sha256     text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TEMP TABLE migration_files (version text PRIMARY KEY, sha256 text NOT NULL);
EOF
	for i in "${!versions[@]}"; do
		printf "INSERT INTO pg_temp.migration_files VALUES ('%s', '%s');\n" \
		    "${versions[$i]}" "${sums[$i]}"
	done
	cat <<EOF
DO \$check\$
DECLARE
    r        record;
    problems text := '';
BEGIN
    FOR r IN
        SELECT m.version, m.sha256 AS applied, f.sha256 AS now
          FROM schema_migrations m
          LEFT JOIN pg_temp.migration_files f USING (version)
         ORDER BY m.version
    LOOP
        IF r.now IS NULL THEN
            problems := problems || format(E'\n  %s.sql was applied but the file is missing from %s',
                                           r.version, '$dir');
        ELSIF r.now <> r.applied THEN
            problems := problems || format(E'\n  %s.sql was changed after it was applied (sha256 was %s, is now %s); write a new migration instead',
                                           r.version, r.applied, r.now);
        END IF;
    END LOOP;
    IF problems <> '' THEN
        RAISE EXCEPTION 'refusing to migrate:%', problems;
    END IF;
END
\$check\$;
EOF
	for v in "${versions[@]}"; do
		cat <<EOF

SELECT NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = '$v') AS pending \\gset
\\if :pending
BEGIN;
\\i '$dir/$v.sql'
INSERT INTO schema_migrations (version, sha256)
    SELECT version, sha256 FROM pg_temp.migration_files WHERE version = '$v';
COMMIT;
\\echo 'applied $v.sql'
RESET ALL;
SET client_min_messages = warning;
\\endif
EOF
	done
}

set +e
script | "${psql_cmd[@]}" -f -
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
	die "stopped (psql exit $rc), see the error above; a migration that failed was rolled back whole"
fi
