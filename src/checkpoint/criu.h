/* CRIU, driven through libcriu: dump a container's process tree into a
 * directory of images and restore it from one. What CRIU cannot know about a
 * container (which mounts, terminals and interfaces belong to the host side,
 * where its cgroups are now) the caller says in the options; this file only
 * translates them and turns CRIU's failures into error records. */
#ifndef CTR_CRIU_H
#define CTR_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "netns/netns.h"

struct ctr_error;

#define CTR_CRIU_MIN_VERSION 40200 /* 4.2: inet sockets on kernels >= 6.16 */

/* The criu binary libcriu runs: $CTR_CRIU, else the first criu in PATH, in
 * /usr/local/sbin or /usr/sbin; its version must be CTR_CRIU_MIN_VERSION or
 * newer. Fails with CTR_ERR_UNSUPPORTED naming what was found and what is
 * needed (or that ctr was built without CRIU). */
int ctr_criu_find(char **ret_path, int *ret_version, struct ctr_error **err);
/* "Version: 4.2.1" (criu --version) as 40201; -EINVAL if there is none. */
int ctr_criu_parse_version(const char *output, int *ret_version);

struct ctr_criu_dump_opts {
	const char *criu; /* ctr_criu_find */
	pid_t pid;	  /* the container's init */
	int images_fd;	  /* empty directory for the images */
	int work_fd;	  /* where dump.log goes */
	bool leave_running;
	const char *freezer;   /* the container's freezer cgroup directory, or NULL (ptrace) */
	bool empty_netns;      /* its network namespace is ctr's to rebuild: not dumped */
	char *const *external; /* "mnt[/dev/console]:console", "tty[8800:2c]", ... */
};
int ctr_criu_dump(const struct ctr_criu_dump_opts *o, struct ctr_error **err);

struct ctr_criu_restore_opts {
	const char *criu;
	int images_fd;
	int work_fd;		   /* where restore.log goes */
	const char *root;	   /* the directory to restore the root mount onto */
	char *const *external;	   /* "mnt[console]:/dev/pts/3", "veth[eth0]:ctr...", ... */
	int tty_fd;		   /* given to the processes that had tty_key open, or -1 */
	const char *tty_key;	   /* "tty[8800:2c]" */
	char *const *cgroup_roots; /* "controller:path" (v2: ":path"): where the groups are now */
	/* Non-NULL: the network namespace is created empty, and this fills it
	 * (pid: the restored init, not running yet) before anything of the
	 * container runs or any socket is restored; a failure aborts. */
	int (*setup_netns)(void *data, pid_t pid, struct ctr_error **err);
	void *data;
};
/* The restored init is a child of the caller: *ret_pid. */
int ctr_criu_restore(const struct ctr_criu_restore_opts *o, pid_t *ret_pid, struct ctr_error **err);

/* ctr's record of a checkpoint, CTR_CPT_RECORD_FILE next to the images:
 * what the dump declared external, for the restore to give back. */
#define CTR_CPT_RECORD_FILE   "ctr-checkpoint.json"
#define CTR_CPT_RECORD_FORMAT 1
struct ctr_cpt_record {
	char *name;
	long long created;
	int criu_version;
	bool leave_running;
	char *tty;		/* "tty[8800:2c]": the console's slave, or NULL */
	bool console;		/* /dev/console was external ("ctr-console") */
	bool dev;		/* /dev was external ("ctr-dev"): made on the host side */
	bool netns;		/* its network namespace was not dumped: ctr rebuilds it from `net` */
	char **masks;		/* keys: "ctr-mask-f-0" (a file), "ctr-mask-d-1" (a directory) */
	struct ctr_network net; /* the interfaces it ran with */
};

void ctr_cpt_record_done(struct ctr_cpt_record *m);
int ctr_cpt_record_to_json(const struct ctr_cpt_record *m, char **ret, size_t *ret_len);
/* where: the file, for messages. Fails with CTR_ERR_INVALID_CONFIG. */
int ctr_cpt_record_parse(const char *json, const char *where, struct ctr_cpt_record *ret, struct ctr_error **err);

#endif
