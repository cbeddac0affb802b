#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HAVE_CRIU
#include <criu.h>
#endif

#include "checkpoint/criu.h"
#include "error.h"
#include "util.h"

int ctr_criu_parse_version(const char *output, int *ret_version)
{
	const char *p = output ? strstr(output, "Version: ") : NULL;
	unsigned maj = 0, min = 0, sub = 0;

	if (!p || sscanf(p + 9, "%u.%u.%u", &maj, &min, &sub) < 2 || maj > 99 || min > 99 || sub > 99)
		return -EINVAL;
	*ret_version = (int)(maj * 10000 + min * 100 + sub);
	return 0;
}

/* `criu --version`, read from a pipe (bounded: the first 4 KiB). */
static int run_version(const char *path, char **ret)
{
	int pipefd[2], status, r;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return negative_errno();
	pid = fork();
	if (pid < 0) {
		r = negative_errno();
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(pipefd[1], STDOUT_FILENO) < 0 ||
		    dup2(null, STDERR_FILENO) < 0)
			_exit(127);
		execl(path, path, "--version", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	r = read_fd_all(pipefd[0], 4096, ret, NULL);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		free(*ret);
		*ret = NULL;
		r = -ENOEXEC;
	}
	return r;
}

static char *find_binary(void)
{
	const char *env = getenv("CTR_CRIU"), *path = getenv("PATH");
	_cleanup_free_ char *dirs = NULL;
	char *save = NULL;

	if (env && env[0])
		return strdup(env);
	dirs = path ? strdup(path) : NULL;
	for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
		char *p = NULL;

		if (d[0] != '/' || asprintf(&p, "%s/criu", d) < 0)
			continue;
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	if (access("/usr/local/sbin/criu", X_OK) == 0)
		return strdup("/usr/local/sbin/criu");
	if (access("/usr/sbin/criu", X_OK) == 0)
		return strdup("/usr/sbin/criu");
	return NULL;
}

int ctr_criu_find(char **ret_path, int *ret_version, struct ctr_error **err)
{
	/* What was found, for the rest of this process and its children (a
	 * restore's monitor is forked from the CLI that checked): one
	 * `criu --version` per command. */
	static struct {
		char *env, *path;
		int version;
	} found;
	_cleanup_free_ char *path = NULL, *out = NULL;
	const char *env = getenv("CTR_CRIU");
	int version, r;

	if (found.path && !strcmp(found.env ? found.env : "", env ? env : "")) {
		path = strdup(found.path);
		if (!path)
			return -ENOMEM;
		*ret_path = TAKE_PTR(path);
		if (ret_version)
			*ret_version = found.version;
		return 0;
	}

#ifndef HAVE_CRIU
	return ctr_error_user(err, CTR_ERR_UNSUPPORTED, ENOTSUP,
			      "ctr was built without checkpoint support: install libcriu (scripts/install-criu) "
			      "and configure --with-criu");
#endif
	path = find_binary();
	if (path && access(path, X_OK) < 0)
		return ctr_error_user(err, CTR_ERR_UNSUPPORTED, errno,
				      "CTR_CRIU names %s, which is not an executable (%s); checkpoint and restore "
				      "need CRIU %d.%d or newer (scripts/install-criu)",
				      path, strerror(errno), CTR_CRIU_MIN_VERSION / 10000,
				      CTR_CRIU_MIN_VERSION / 100 % 100);
	if (!path)
		return ctr_error_user(
			err, CTR_ERR_UNSUPPORTED, ENOENT,
			"checkpoint and restore need CRIU %d.%d or newer, and no criu was found "
			"(CTR_CRIU, PATH, /usr/local/sbin, /usr/sbin): install it with scripts/install-criu",
			CTR_CRIU_MIN_VERSION / 10000, CTR_CRIU_MIN_VERSION / 100 % 100);
	r = run_version(path, &out);
	if (r < 0 || ctr_criu_parse_version(out, &version) < 0)
		return ctr_error_user(err, CTR_ERR_UNSUPPORTED, r < 0 ? -r : EINVAL,
				      "'%s --version' does not say which CRIU it is; checkpoint and restore need "
				      "CRIU %d.%d or newer (scripts/install-criu)",
				      path, CTR_CRIU_MIN_VERSION / 10000, CTR_CRIU_MIN_VERSION / 100 % 100);
	if (version < CTR_CRIU_MIN_VERSION)
		return ctr_error_user(err, CTR_ERR_UNSUPPORTED, ENOTSUP,
				      "%s is CRIU %d.%d.%d; checkpoint and restore need CRIU %d.%d or newer (older "
				      "ones cannot dump inet sockets on kernels >= 6.16): install it with "
				      "scripts/install-criu, or set CTR_CRIU to a newer criu",
				      path, version / 10000, version / 100 % 100, version % 100,
				      CTR_CRIU_MIN_VERSION / 10000, CTR_CRIU_MIN_VERSION / 100 % 100);
	free(found.path);
	free(found.env);
	found.path = strdup(path);
	found.env = env ? strdup(env) : NULL;
	found.version = version;
	*ret_path = TAKE_PTR(path);
	if (ret_version)
		*ret_version = version;
	return 0;
}

#ifdef HAVE_CRIU

/* The first error CRIU logged (the later ones follow from it), skipping the
 * ones it always logs here and that do not matter: no CAP_SYS_RESOURCE to
 * raise RLIMIT_NOFILE, no iptables tools to save and restore IPv4/6 rules
 * (ctr locks the network with nftables; the rules are nf_tables'). */
static char *first_error(int dirfd, const char *log)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;

	if (read_file_at(dirfd, log, 16 << 20, &text, NULL) < 0)
		return NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *e = strstr(line, "Error (");

		if (!e || strstr(line, "RLIMIT_NOFILE") || strstr(line, "iptables") || strstr(line, "ip6tables"))
			continue;
		e = strstr(e, "): ");
		return strdup(e ? e + 3 : line);
	}
	return NULL;
}

static int fail(struct ctr_error **err, int r, int logdir, const char *log, const char *what)
{
	_cleanup_free_ char *why = first_error(logdir, log);
	_cleanup_free_ char *where = NULL;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", logdir);
	where = realpath(path, NULL);
	if (r == -ECONNREFUSED || r == -ECOMM || r == -EINTR)
		return ctr_error_user(err, CTR_ERR_SYSTEM, -r, "criu %s: lost the connection to criu%s%s (log: %s/%s)",
				      what, why ? ": " : "", why ? why : "", where ? where : "?", log);
	return ctr_error_user(err, CTR_ERR_SYSTEM, EIO, "criu %s failed: %s (log: %s/%s)", what,
			      why ? why : "see the log", where ? where : "?", log);
}

static int common_opts(criu_opts *c, const char *criu, int images_fd, char *const *external, const char *log)
{
	if (criu_local_set_service_binary(c, criu) < 0)
		return -ENOMEM;
	criu_local_set_images_dir_fd(c, images_fd);
	/* Warnings and errors; everything with CTR_CRIU_VERBOSE=1 (about 10 ms
	 * more per dump or restore of a small container). */
	criu_local_set_log_level(c, getenv("CTR_CRIU_VERBOSE") && !strcmp(getenv("CTR_CRIU_VERBOSE"), "1")
					    ? CRIU_LOG_DEBUG
					    : CRIU_LOG_WARN);
	if (criu_local_set_log_file(c, log) < 0)
		return -ENOMEM;
	/* What a system container holds: established TCP connections (the
	 * peer may still be there), file locks; connections half-way through
	 * the handshake are left to retransmit. The network stays locked with
	 * nftables rules inside its namespace while it is frozen. */
	criu_local_set_tcp_established(c, true);
	criu_local_set_tcp_skip_in_flight(c, true);
	criu_local_set_file_locks(c, true);
	if (criu_local_set_network_lock(c, CRIU_NETWORK_LOCK_NFTABLES) < 0)
		return -EINVAL;
	criu_local_set_manage_cgroups(c, true);
	criu_local_set_manage_cgroups_mode(c, CRIU_CG_MODE_SOFT);
	for (size_t i = 0; external && external[i]; i++)
		if (criu_local_add_external(c, external[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* libcriu's notification callback takes no argument of ours: the restore
 * in progress, for the one moment it runs (a monitor has one thread and
 * restores one container). */
static struct {
	const struct ctr_criu_restore_opts *o;
	struct ctr_error **err;
	int r;
} current;

static int notify(char *action, criu_notify_arg_t na)
{
	int r;

	if (!current.o || strcmp(action, "setup-namespaces") || !current.o->setup_netns)
		return 0;
	r = current.o->setup_netns(current.o->data, criu_notify_pid(na), current.err);
	if (r < 0) {
		current.r = r;
		return -1;
	}
	return 0;
}

int ctr_criu_dump(const struct ctr_criu_dump_opts *o, struct ctr_error **err)
{
	criu_opts *c = NULL;
	int r;

	if (criu_local_init_opts(&c) < 0)
		return ctr_error_sys(err, ENOMEM, "criu options");
	r = common_opts(c, o->criu, o->images_fd, o->external, "dump.log");
	if (r < 0) {
		criu_local_free_opts(c);
		return ctr_error_sys(err, -r, "criu options");
	}
	criu_local_set_pid(c, o->pid);
	if (o->empty_netns)
		criu_local_set_empty_ns(c, CLONE_NEWNET);
	criu_local_set_work_dir_fd(c, o->work_fd);
	criu_local_set_leave_running(c, o->leave_running);
	/* Frozen through its cgroup when the caller names it (a fork bomb
	 * cannot outrun that); else CRIU seizes the tasks one by one. */
	if (o->freezer && criu_local_set_freeze_cgroup(c, o->freezer) < 0) {
		criu_local_free_opts(c);
		return ctr_error_sys(err, ENOMEM, "criu options");
	}
	r = criu_local_dump(c);
	criu_local_free_opts(c);
	return r < 0 ? fail(err, r, o->work_fd, "dump.log", "dump") : 0;
}

int ctr_criu_restore(const struct ctr_criu_restore_opts *o, pid_t *ret_pid, struct ctr_error **err)
{
	criu_opts *c = NULL;
	int r, setup_r;

	if (criu_local_init_opts(&c) < 0)
		return ctr_error_sys(err, ENOMEM, "criu options");
	r = common_opts(c, o->criu, o->images_fd, o->external, "restore.log");
	if (r == 0 && criu_local_set_root(c, o->root) < 0)
		r = -ENOMEM;
	if (r == 0 && o->tty_fd >= 0 && criu_local_add_inherit_fd(c, o->tty_fd, o->tty_key) < 0)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && o->cgroup_roots && o->cgroup_roots[i]; i++) {
		_cleanup_free_ char *ctrl = strdup(o->cgroup_roots[i]);
		char *colon = ctrl ? strchr(ctrl, ':') : NULL;

		if (!colon) {
			r = -ENOMEM;
			break;
		}
		*colon = '\0';
		if (criu_local_add_cg_root(c, ctrl[0] ? ctrl : NULL, colon + 1) < 0)
			r = -ENOMEM;
	}
	if (r < 0) {
		criu_local_free_opts(c);
		return ctr_error_sys(err, -r, "criu options");
	}
	criu_local_set_work_dir_fd(c, o->work_fd);
	if (o->setup_netns) {
		criu_local_set_empty_ns(c, CLONE_NEWNET);
		criu_local_set_notify_cb(c, notify);
	}
	current.o = o;
	current.err = err;
	current.r = 0;
	r = criu_local_restore_child(c);
	criu_local_free_opts(c);
	setup_r = current.r;
	memset(&current, 0, sizeof(current));
	if (r <= 0 && setup_r < 0)
		return setup_r; /* setup_netns failed, and said why */
	if (r <= 0)
		return fail(err, r < 0 ? r : -EIO, o->work_fd, "restore.log", "restore");
	*ret_pid = r;
	return 0;
}

#else

int ctr_criu_dump(const struct ctr_criu_dump_opts *o, struct ctr_error **err)
{
	return ctr_criu_find(NULL, NULL, err);
}

int ctr_criu_restore(const struct ctr_criu_restore_opts *o, pid_t *ret_pid, struct ctr_error **err)
{
	return ctr_criu_find(NULL, NULL, err);
}

#endif
