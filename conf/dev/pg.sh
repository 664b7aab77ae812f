#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests.
#
#   pg.sh start DIR PORT [fast]   create DIR/data if missing, start it on
#                                 127.0.0.1:PORT (TCP only), wait until ready;
#                                 "fast" trades durability for speed (tests)
#   pg.sh stop DIR                stop the cluster started from DIR
#   pg.sh standby DIR PORT PRIMARY_PORT
#                                 a streaming hot standby of the cluster on
#                                 127.0.0.1:PRIMARY_PORT (pg_basebackup),
#                                 started on PORT
#   pg.sh promote DIR             make the standby in DIR a primary
#
# PG_SERVER_OPTS adds server settings at start ("-c shared_buffers=4GB").
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# unprivileged "postgres" user that Debian's package creates.
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "pg.sh: PostgreSQL is not installed" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg.sh start|stop DIR [PORT]" >&2; exit 2; }

# DIR, created, and reachable by the cluster's owner.
prepare_dir() {
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$dir"
		# A checkout under a private home folder is out of the postgres
		# user's reach: keep the data in /var/tmp, linked from DIR.
		if ! runuser -u postgres -- test -w "$dir" && [ ! -e "$dir/data" ]; then
			alt=/var/tmp/cdot-pg-$(echo "$dir" | sha256sum | cut -c1-16)
			mkdir -p "$alt" && chown postgres: "$alt" && chmod 700 "$alt"
			ln -s "$alt" "$dir/data"
		fi
	fi
}

case "$cmd" in
standby)
	port=${3:?usage: pg.sh standby DIR PORT PRIMARY_PORT}
	primary=${4:?usage: pg.sh standby DIR PORT PRIMARY_PORT}
	prepare_dir
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		[ -L "$dir/data" ] || { mkdir -p "$dir/data"; chmod 700 "$dir/data"; }
		[ "$(id -u)" != 0 ] || chown postgres: "$dir/data"
		# -R: standby.signal and primary_conninfo, so it streams.
		as_owner "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$primary" \
		    -U cdot -D "$dir/data" -X stream -R -c fast \
		    >"$dir/basebackup.log" 2>&1 || {
			cat "$dir/basebackup.log" >&2; exit 1; }
	fi
	exec "$0" start "$dir" "$port"
	;;
promote)
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -w promote >/dev/null
	;;
start)
	port=${3:?usage: pg.sh start DIR PORT}
	prepare_dir
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		[ -L "$dir/data" ] || { mkdir -p "$dir/data"; chmod 700 "$dir/data"; }
		[ "$(id -u)" != 0 ] || chown postgres: "$dir/data"
		as_owner "$PGBIN/initdb" -D "$dir/data" -U cdot -A trust \
		    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2; exit 1; }
	fi
	# Already running (left by a run that was killed): reuse it when it is
	# on the port asked for.
	if as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		running=$(sed -n 4p "$dir/data/postmaster.pid")
		if [ "$running" = "$port" ]; then
			echo "pg.sh: PostgreSQL already running on port $port, reused"
			exit 0
		fi
		echo "pg.sh: PostgreSQL from $dir already runs on port $running; stop it (conf/dev/pg.sh stop $dir) or use that port" >&2
		exit 1
	fi
	opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories="
	if [ "${4:-}" = fast ]; then
		opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	fi
	opts="$opts ${PG_SERVER_OPTS:-}"
	logdir="$dir"
	[ ! -L "$dir/data" ] || logdir=$(readlink "$dir/data")
	if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$logdir/server.log" \
	    -o "$opts" -w -t 60 start >/dev/null; then
		echo "pg.sh: PostgreSQL did not start; its log:" >&2
		tail -n 20 "$logdir/server.log" >&2
		exit 1
	fi
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	fi
	;;
*)
	echo "usage: pg.sh start|stop|standby|promote DIR [PORT [PRIMARY_PORT]]" >&2
	exit 2
	;;
esac
