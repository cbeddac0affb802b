/* Volatile run state of a container: RUNDIR/NAME/state.json, written only by
 * the container's monitor, and RUNDIR/NAME/exit.json, its last exit. */
#ifndef CTR_STATE_H
#define CTR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ctr_error;

enum ctr_status {
	CTR_STOPPED,
	CTR_STARTING,
	CTR_RUNNING,
	CTR_STOPPING,
	CTR_PAUSED, /* never stored: running with its cgroup frozen */
	_CTR_STATUS_MAX,
};

const char *ctr_status_to_string(enum ctr_status s);
int ctr_status_from_string(const char *s);

struct ctr_state {
	enum ctr_status status;
	pid_t monitor_pid;
	unsigned long long monitor_start; /* its start time, to tell a reused pid apart */
	pid_t init_pid;			  /* 0 while starting */
	long long started;		  /* seconds since the epoch */
	char **cgroups;			  /* one "controller:path" per controller */
};

void ctr_state_done(struct ctr_state *st);
int ctr_state_to_json(const struct ctr_state *st, char **ret, size_t *ret_len);
int ctr_state_parse(const char *json, struct ctr_state *ret, struct ctr_error **err);

struct ctr_exit {
	int status; /* exit code, or 128 + signal */
	int signal; /* 0 when init exited normally */
	long long time;
	bool checkpointed; /* ended by ctr checkpoint: its state is in the images */
};

int ctr_exit_to_json(const struct ctr_exit *ex, char **ret, size_t *ret_len);
int ctr_exit_parse(const char *json, struct ctr_exit *ret);
/* Exit code for a wait status, shell style. */
void ctr_exit_from_wait_status(int wstatus, long long now, struct ctr_exit *ret);

#endif
