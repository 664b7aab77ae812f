# Shell helpers of the test and benchmark scripts (sourced).

# A TCP port free on the loopback interface now.
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_until PID COMMAND...: run COMMAND every 0.1 s until it succeeds,
# for 30 s at most, or until process PID has exited.  Never fails: the
# caller checks what it waited for.  A start that usually takes a second
# (the OpenID Provider loading its modules and making its key) once took
# over 10 s on a slow host.
wait_until() {
	local pid=$1 i
	shift
	for i in $(seq 1 300); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 0
}
