/* Shared between the core's own files; not part of the interface. */
#ifndef CTR_INTERNAL_H
#define CTR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ctr_context;
struct ctr_error;
struct ctr_spec;
struct ctr_state;
struct ctr_msg;

#define CTR_CONFIG_FILE	   "config.json"
#define CTR_STATE_FILE	   "state.json"
#define CTR_NETWORK_FILE   "network.json"
#define CTR_SOCKET_FILE	   "monitor.sock"
#define CTR_LOCK_FILE	   ".lock"
#define CTR_LAST_EXIT_FILE "last-exit.json"
#define CTR_CONSOLE_LOG	   "console.log"

/* flock with a bounded wait; *ret_fd is the lock (close to release). */
int ctr_lock_container(struct ctr_context *ctx, const char *name, int *ret_fd, struct ctr_error **err);
int ctr_lock_root(struct ctr_context *ctx, int *ret_fd, struct ctr_error **err);

/* Paths: caller frees. */
char *ctr_container_dir(struct ctr_context *ctx, const char *name);
char *ctr_run_dir(struct ctr_context *ctx, const char *name);
char *ctr_rootfs_path(struct ctr_context *ctx, const char *name, const struct ctr_spec *spec);
/* The key of a container's host-side network names (ctr_net_host_name):
 * its directory however --root was spelled (a trailing slash, a symlink). */
char *ctr_net_key(struct ctr_context *ctx, const char *name);

/* Fails with CTR_ERR_NOT_FOUND when the container does not exist (no config). */
int ctr_container_exists(struct ctr_context *ctx, const char *name, struct ctr_error **err);
/* Fails with CTR_ERR_NOT_FOUND when the container does not exist. */
int ctr_load_spec(struct ctr_context *ctx, const char *name, struct ctr_spec **ret, struct ctr_error **err);
int ctr_save_spec(struct ctr_context *ctx, const char *name, const struct ctr_spec *spec, struct ctr_error **err);

struct ctr_network;
/* The interfaces a running container has (RUNDIR/NAME/network.json): what
 * it started with, and the addresses set since. Load: -ENOENT if none. */
int ctr_running_network_save(int run_fd, const struct ctr_network *net);
int ctr_running_network_load(int run_fd, struct ctr_network *ret);

/* The container's run state; status CTR_STOPPED when it has none. A stale state
 * (its monitor is gone) reads as stopped; with `repair` (caller holds the
 * container lock) its leftovers are cleaned away. */
int ctr_load_state(struct ctr_context *ctx, const char *name, bool repair, struct ctr_state *ret,
		   struct ctr_error **err);
/* Remove what a dead monitor left: processes, cgroups, run files. */
int ctr_cleanup_run_state(struct ctr_context *ctx, const char *name, const struct ctr_state *st,
			  struct ctr_error **err);

/* Whether a running container's cgroup is frozen (ctr pause). */
int ctr_paused(const struct ctr_state *st);
/* Stop and kill resume a paused container first: a frozen init cannot act
 * on its stop signal, and on cgroup v1 not even die of SIGKILL. */
int ctr_thaw_if_paused(const struct ctr_state *st, struct ctr_error **err);
struct ctr_resources;
/* ctr set on a running container: change its cgroups (and /dev nodes) from
 * old to res; on failure nothing is changed. revert undoes a success. */
int ctr_resources_apply_live(const struct ctr_state *st, const char *name, const struct ctr_resources *res,
			     const struct ctr_resources *old, struct ctr_error **err);
int ctr_resources_revert_live(const struct ctr_state *st, const struct ctr_resources *res,
			      const struct ctr_resources *old);

/* ctr create/set's security options: "cap-add", "SYS_TIME", ... pairs. */
int ctr_security_set(struct ctr_spec *spec, char *const *pairs, struct ctr_error **err);
/* A user namespace's ids for a new container: its own range from the pool
 * (or, when the config gives one, a check that no other container has it). */
int ctr_userns_allocate(struct ctr_context *ctx, const char *name, struct ctr_spec *spec, struct ctr_error **err);
/* How the new container's rootfs becomes its own: an idmapped mount where
 * the filesystem supports it, else (owned: ctr built it) a one-time shift. */
int ctr_userns_rootfs(struct ctr_spec *spec, const char *rootfs, bool owned, struct ctr_error **err);

/* fn for the config of every container under the root but `self` (configs
 * that do not parse are skipped); a non-zero return of fn stops and is
 * returned. */
int ctr_each_other_container(struct ctr_context *ctx, const char *self,
			     int (*fn)(const char *name, const struct ctr_spec *spec, void *data), void *data);
/* Create/set: fix the interfaces' MACs, and refuse an address another
 * container of this root has. Under the root lock. */
int ctr_network_settle(struct ctr_context *ctx, const char *name, struct ctr_spec *spec, struct ctr_error **err);

/* Connect to a running container's monitor. */
int ctr_monitor_connect(struct ctr_context *ctx, const char *name, int *ret_fd, struct ctr_error **err);
/* Ask the monitor (type, value) and wait for its OK: *ret_msg; the connection
 * (ret_conn) and a descriptor it passed (ret_fd) when asked for. */
int ctr_monitor_request(struct ctr_context *ctx, const char *name, int type, int value, int *ret_conn, int *ret_fd,
			struct ctr_msg *ret_msg, struct ctr_error **err);
/* What start and restore check first: a valid name, the container lock
 * (*ret_lock; -1 when the caller holds it already: held_lock), the config,
 * state stopped, a rootfs. */
int ctr_start_prepare(struct ctr_context *ctx, const char *name, bool restore, int held_lock, int *ret_lock,
		      struct ctr_spec **ret_spec, struct ctr_error **err);
/* ctr_checkpoint and ctr_restore for a caller that holds the container's
 * lock already (a migration holds it from start to end). */
struct ctr_checkpoint_opts;
struct ctr_checkpoint_result;
struct ctr_restore_opts;
int ctr_checkpoint_held(struct ctr_context *ctx, const char *name, const struct ctr_checkpoint_opts *o,
			struct ctr_checkpoint_result *ret, struct ctr_error **err);
int ctr_restore_held(struct ctr_context *ctx, const char *name, const struct ctr_restore_opts *o, int held_lock,
		     struct ctr_error **err);
/* Fork the detached monitor (double fork, own session, stdio on /dev/null)
 * and wait for its word that init runs; restore: the images to restore
 * instead of launching (ctr_restore_launch). lock_fd: the container lock,
 * held by the caller until then. */
int ctr_start_monitor(struct ctr_context *ctx, const char *name, struct ctr_spec *spec, const char *restore,
		      int lock_fd, struct ctr_error **err);

/* Run the monitor in this process: launch the container and supervise it until
 * init exits. report_fd (or -1) learns of the start's success or error;
 * *release_fd (a lock, or NULL) is closed once init runs. */
int ctr_monitor_run(struct ctr_context *ctx, const char *name, struct ctr_spec *spec, const char *restore,
		    bool foreground, int report_fd, int *release_fd, int *ret_exit, struct ctr_error **err);

/* Put the child `pid` into the container's cgroup (before it may go on). */
typedef int (*ctr_join_cgroup_fn)(void *data, pid_t pid, struct ctr_error **err);
/* Clone init into its namespaces and carry it to exec. On success *ret_pid and
 * *ret_pidfd name init, *ret_console is the console's pty master. */
/* net_key: what names the host ends of its interfaces (ctr_net_host_name). */
int ctr_launch(const struct ctr_spec *spec, const char *net_key, const char *rootfs, ctr_join_cgroup_fn join,
	       void *join_data, pid_t *ret_pid, int *ret_pidfd, int *ret_console, struct ctr_error **err);

/* ctr_launch's counterpart for `ctr restore`: CRIU brings the tree back
 * from the images (cpt.c) into the cgroups given ("controller:path" each,
 * made by the monitor's helper), the host side of its interfaces is
 * plumbed. *ret_net: the interfaces it runs with (those it was dumped with). */
int ctr_restore_launch(struct ctr_context *ctx, const char *name, const struct ctr_spec *spec, const char *net_key,
		       const char *rootfs, const char *images, char *const *cgroups, pid_t *ret_pid, int *ret_pidfd,
		       int *ret_console, struct ctr_network *ret_net, struct ctr_error **err);

/* The privileges a container's process keeps, prepared by the parent (the
 * seccomp filter is compiled there) and applied by the child just before exec. */
struct ctr_caps;
struct ctr_rlimit;
struct ctr_seccomp_filter;
struct ctr_exec_security {
	const struct ctr_caps *caps;
	const struct ctr_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privs;
	struct ctr_seccomp_filter *seccomp; /* NULL: unconfined */
};
int ctr_exec_security_init(const struct ctr_spec *spec, bool no_new_privs, struct ctr_exec_security *ret,
			   struct ctr_error **err);
void ctr_exec_security_done(struct ctr_exec_security *sec);

/* What init and every exec'd process go through last: environment, cwd
 * inside the container, no inherited descriptors, rlimits, capabilities,
 * no_new_privs, seccomp, then exec. Only returns on failure. */
int ctr_process_exec(char *const *argv, char *const *env, const char *cwd, const struct ctr_exec_security *sec,
		     struct ctr_error **err);

/* Copy between a terminal (or pipes) and a pty/console stream until EOF or
 * the escape sequence; used by console attach and exec -t. */
int ctr_tty_proxy(int in_fd, int out_fd, int peer_fd, bool escape);

long long ctr_now(void);

#endif
