/* Run state and exit records: emit, parse, and refuse what is not ours. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "error.h"
#include "state.h"
#include "util.h"
#include "tap.h"

static void test_status_names(void)
{
	for (int i = 0; i < _CTR_STATUS_MAX; i++)
		is_int(ctr_status_from_string(ctr_status_to_string(i)), i, "status %s round trip",
		       ctr_status_to_string(i));
	is_str(ctr_status_to_string(CTR_RUNNING), "running", "running");
	ok(ctr_status_from_string("frozen") < 0, "unknown status refused");
}

static void test_state_round_trip(void)
{
	struct ctr_state st = { .status = CTR_RUNNING,
				.monitor_pid = 42,
				.monitor_start = 123456789ULL,
				.init_pid = 43,
				.started = 1790000000LL };
	struct ctr_state back;
	struct ctr_error *err = NULL;
	char *json = NULL;

	strv_push(&st.cgroups, "memory:/a/ctr-x");
	strv_push(&st.cgroups, "cpu,cpuacct:/ctr-x");
	is_int(ctr_state_to_json(&st, &json, NULL), 0, "emit state");
	is_int(ctr_state_parse(json, &back, &err), 0, "parse state");
	is_int(back.status, CTR_RUNNING, "status");
	is_int(back.monitor_pid, 42, "monitor pid");
	is_int(back.monitor_start, 123456789ULL, "monitor start time");
	is_int(back.init_pid, 43, "init pid");
	is_int(back.started, 1790000000LL, "started");
	is_int(strv_length(back.cgroups), 2, "two cgroups");
	is_str(back.cgroups[1], "cpu,cpuacct:/ctr-x", "co-mounted controllers kept");
	ctr_state_done(&back);
	ctr_state_done(&st);
	free(json);
	ok(ctr_state_parse("{", &back, &err) < 0, "malformed state refused");
	ctr_error_free(&err);
	ok(ctr_state_parse("{\"status\":\"running\"}", &back, &err) < 0, "state lacking fields refused");
	ctr_error_free(&err);
	ok(ctr_state_parse("{\"status\":\"bogus\",\"monitorPid\":1,\"monitorStart\":1,\"initPid\":1,"
			   "\"started\":1,\"cgroups\":[]}",
			   &back, &err) < 0,
	   "unknown status refused");
	ctr_error_free(&err);
}

static void test_exit(void)
{
	struct ctr_exit ex, back;
	char *json = NULL;

	ctr_exit_from_wait_status(7 << 8, 100, &ex);
	is_int(ex.status, 7, "exit 7");
	is_int(ex.signal, 0, "no signal");
	ctr_exit_from_wait_status(SIGKILL, 100, &ex);
	is_int(ex.status, 137, "killed: 128 + 9");
	is_int(ex.signal, SIGKILL, "signal 9");
	is_int(ctr_exit_to_json(&ex, &json, NULL), 0, "emit exit");
	is_int(ctr_exit_parse(json, &back), 0, "parse exit");
	is_int(back.status, 137, "status round trip");
	is_int(back.signal, 9, "signal round trip");
	is_int(back.time, 100, "time round trip");
	free(json);
	ok(ctr_exit_parse("not json", &back) < 0, "malformed exit refused");
}

int main(void)
{
	test_status_names();
	test_state_round_trip();
	test_exit();
	return tap_done();
}
