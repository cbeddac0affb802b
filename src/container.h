/* The core of ctr: containers, their lifecycle and their state. The CLI holds
 * no logic beyond argument parsing and printing; everything it does is here. */
#ifndef CTR_CONTAINER_H
#define CTR_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "security/security.h"
#include "spec.h"
#include "state.h"

#define CTR_NAME_MAX 64

struct ctr_context {
	char *root;	    /* persistent data: ROOT/NAME/{config.json,rootfs,...} */
	char *run_dir;	    /* volatile state: RUNDIR/NAME/{state.json,monitor.sock} */
	char *template_dir; /* where template scripts live */
	unsigned lock_timeout_ms;
	char *cgroup_parent;		  /* NULL: containers' cgroups go below the caller's own */
	struct ctr_idmap_pool idmap_pool; /* host ids for containers' user namespaces */
};

int ctr_context_init(struct ctr_context *ctx, const char *root, const char *run_dir, const char *template_dir);
/* An absolute cgroup path ("/ctr.slice") for every container's cgroups. */
int ctr_context_set_cgroup_parent(struct ctr_context *ctx, const char *path, struct ctr_error **err);
void ctr_context_done(struct ctr_context *ctx);

int ctr_name_validate(const char *name, struct ctr_error **err);

/* ctr create/set's security options (--cap-add, --seccomp, ...), like the
 * resource options: pairs of name and value. */
extern const struct ctr_option ctr_security_options[];
extern const size_t ctr_n_security_options;

struct ctr_create_opts {
	const char *template_name; /* "busybox" or a directory to copy; NULL = busybox */
	const char *hostname;	   /* NULL = name */
	const char *init;	   /* command line; NULL = /sbin/init */
	const char *stop_signal;   /* NULL = template's default */
	const char *config_file;   /* start from this document instead of defaults */
	char *const *resources;	   /* "memory", "512M", ... (see ctr_resource_options) */
	char *const *security;	   /* "cap-add", "SYS_TIME", ... (see ctr_security_options) */
	bool privileged;	   /* no user namespace: container root is host root */
	char *const *nets;	   /* --net TYPE[,key=value...] each (ctr-network(7)) */
	char *const *dns;	   /* --dns ADDR each */
	char *const *search;	   /* --search DOMAIN each */
};
int ctr_create(struct ctr_context *ctx, const char *name, const struct ctr_create_opts *o, struct ctr_error **err);

struct ctr_set_opts {
	const char *hostname;
	const char *init;
	const char *stop_signal;
	int stop_timeout;	/* -1 = unchanged */
	char *const *resources; /* "memory", "512M", ...: applied at once when running */
	char *const *security;	/* "cap-add", "SYS_TIME", ...: applied at the next start */
	char *const *nets;	/* non-NULL: the interfaces, replacing all; at the next start, or
				 * at once when only addresses change */
	char *const *dns;	/* non-NULL: the nameservers, replacing all; at the next start */
	char *const *search;	/* non-NULL: the search domains, replacing all */
	bool *ret_net_pending;	/* set when a running container gets its new interfaces at its
				 * next start */
};
int ctr_set(struct ctr_context *ctx, const char *name, const struct ctr_set_opts *o, struct ctr_error **err);

/* Detached: returns once init runs, under a monitor of its own. Foreground: the
 * caller becomes the monitor and *ret_exit gets init's exit code. */
int ctr_start(struct ctr_context *ctx, const char *name, bool foreground, int *ret_exit, struct ctr_error **err);
/* timeout < 0: the container's configured stop timeout. */
int ctr_stop(struct ctr_context *ctx, const char *name, int timeout, struct ctr_error **err);
int ctr_kill(struct ctr_context *ctx, const char *name, int sig, struct ctr_error **err);
int ctr_destroy(struct ctr_context *ctx, const char *name, bool force, struct ctr_error **err);

/* Freeze every process of the container (state "paused"), and thaw them. */
int ctr_pause(struct ctr_context *ctx, const char *name, struct ctr_error **err);
int ctr_resume(struct ctr_context *ctx, const char *name, struct ctr_error **err);
/* Usage and limits of a running container (struct in cgroups/cgroup.h). */
struct ctr_stats;
int ctr_stats_get(struct ctr_context *ctx, const char *name, struct ctr_stats *ret, struct ctr_error **err);

struct ctr_exec_opts {
	char *const *argv;
	char *const *env; /* extra K=V on top of the container's process.env */
	const char *cwd;  /* NULL = the container's process.cwd */
	bool tty;
	bool allow_new_privileges; /* no no_new_privs (setuid programs work) */
};
/* *ret_status: the command's exit code (128 + signal if killed). */
int ctr_exec(struct ctr_context *ctx, const char *name, const struct ctr_exec_opts *o, int *ret_status,
	     struct ctr_error **err);
/* Attach in_fd/out_fd to the init's console until the escape (Ctrl-a q) or
 * until the container stops. */
int ctr_console(struct ctr_context *ctx, const char *name, int in_fd, int out_fd, struct ctr_error **err);

struct ctr_checkpoint_opts {
	const char *dir;    /* NULL: ROOT/NAME/checkpoint */
	bool leave_running; /* a stateful snapshot: the container goes on */
};
struct ctr_checkpoint_result {
	char *dir;		  /* where the images are (absolute) */
	unsigned long long bytes; /* their size */
	long long dump_ms;	  /* how long CRIU took (the container was frozen for it) */
	char *ended_dir;	  /* on failure: the container ended anyway, its images are here */
};
/* Save a running container's whole state with CRIU; it stops (unless
 * leave_running) once the images are complete. ret may be NULL. */
int ctr_checkpoint(struct ctr_context *ctx, const char *name, const struct ctr_checkpoint_opts *o,
		   struct ctr_checkpoint_result *ret, struct ctr_error **err);

struct ctr_restore_opts {
	const char *dir; /* NULL: ROOT/NAME/checkpoint */
};
/* Bring a stopped container back from its checkpoint, under a monitor. */
int ctr_restore(struct ctr_context *ctx, const char *name, const struct ctr_restore_opts *o, struct ctr_error **err);

enum ctr_migrate_mode {
	CTR_MIGRATE_AUTO,     /* the best this pair of hosts can do */
	CTR_MIGRATE_PRECOPY,  /* iterative pre-dump while it runs (dirty-memory tracking) */
	CTR_MIGRATE_POSTCOPY, /* resume at once, pages follow (lazy pages) */
	CTR_MIGRATE_STOP,     /* dump, copy, restore */
	_CTR_MIGRATE_MODE_MAX,
};
const char *ctr_migrate_mode_to_string(enum ctr_migrate_mode m);
int ctr_migrate_mode_from_string(const char *s);

enum ctr_migrate_phase {
	CTR_MIGRATE_PHASE_HANDSHAKE, /* ssh, the target's checks */
	CTR_MIGRATE_PHASE_SYNC,	     /* the rootfs while it runs */
	CTR_MIGRATE_PHASE_DUMP,	     /* frozen: CRIU's dump */
	CTR_MIGRATE_PHASE_COPY,	     /* the rootfs again, the images */
	CTR_MIGRATE_PHASE_RESTORE,   /* on the target, until it runs */
	CTR_MIGRATE_PHASE_COMMIT,
	CTR_MIGRATE_PHASE_CLEANUP, /* the source's copy goes */
	_CTR_MIGRATE_PHASE_MAX,
};
const char *ctr_migrate_phase_to_string(enum ctr_migrate_phase p);

struct ctr_migrate_opts {
	const char *dest; /* "ssh://[user@]host[:port]" */
	enum ctr_migrate_mode mode;
	bool keep_source;	/* keep the source's copy, stopped, instead of destroying it */
	const char *remote_ctr; /* the target's ctr command line (NULL: "ctr") */
	char *const *ssh_opts;	/* more ssh arguments ("-i", "KEY", "-o", "X=Y", ...) */
	bool progress;		/* a line per phase on stderr */
};
struct ctr_migrate_report {
	const char *mode;		 /* the mode used */
	unsigned long long live_bytes;	 /* sent while it ran (the rootfs) */
	unsigned long long frozen_bytes; /* sent while it was frozen (images, rootfs changes) */
	long long downtime_ms;		 /* freeze to running on the target */
	long long total_ms;
	long long phase_ms[_CTR_MIGRATE_PHASE_MAX];
	bool rolled_back;
};
/* Move a running container to another host; on any failure before the
 * target runs it, it runs here again. */
int ctr_migrate(struct ctr_context *ctx, const char *name, const struct ctr_migrate_opts *o,
		struct ctr_migrate_report *ret, struct ctr_error **err);
/* The target's side, on in_fd/out_fd (the ssh session). */
int ctr_migrate_receive(struct ctr_context *ctx, const char *name, int in_fd, int out_fd, struct ctr_error **err);

struct ctr_info {
	char *name;
	enum ctr_status status;
	pid_t init_pid;	   /* 0 unless running */
	pid_t monitor_pid; /* 0 unless running */
	long long started; /* 0 unless running */
	char *rootfs;	   /* absolute path */
	bool has_last_exit;
	struct ctr_exit last_exit;
	struct ctr_spec *spec; /* only from ctr_info_get */
	char *config_error;    /* only from ctr_list: why config.json cannot be read */
};
void ctr_info_done(struct ctr_info *info);
int ctr_info_get(struct ctr_context *ctx, const char *name, struct ctr_info *ret, struct ctr_error **err);
/* All containers, sorted by name. */
int ctr_list(struct ctr_context *ctx, struct ctr_info **ret, size_t *ret_n, struct ctr_error **err);
/* The config document as stored. */
int ctr_config_read(struct ctr_context *ctx, const char *name, struct ctr_spec **ret, struct ctr_error **err);

#endif
