# Shell helpers of the test and benchmark scripts (sourced).

# A TCP port free on the loopback interface now.
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_until PID COMMAND...: run COMMAND every 0.1 s until it succeeds,
# for 10 s at most, or until process PID has exited.  Never fails: the
# caller checks what it waited for.
wait_until() {
	local pid=$1 i
	shift
	for i in $(seq 1 100); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 0
}
