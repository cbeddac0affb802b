#include "config.h"

#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroups/cgroup.h"
#include "container.h"
#include "internal.h"
#include "util.h"

#define DEFAULT_LOCK_TIMEOUT_MS 30000

long long ctr_now(void)
{
	return (long long)time(NULL);
}

int ctr_context_init(struct ctr_context *ctx, const char *root, const char *run_dir, const char *template_dir)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->root = strdup(root);
	ctx->run_dir = strdup(run_dir);
	ctx->template_dir = strdup(template_dir);
	ctx->lock_timeout_ms = DEFAULT_LOCK_TIMEOUT_MS;
	ctr_idmap_pool_default(&ctx->idmap_pool);
	if (!ctx->root || !ctx->run_dir || !ctx->template_dir) {
		ctr_context_done(ctx);
		return -ENOMEM;
	}
	return 0;
}

int ctr_context_set_cgroup_parent(struct ctr_context *ctx, const char *path, struct ctr_error **err)
{
	size_t n = strlen(path);
	char *copy;

	/* Names below each hierarchy's root: no '.', '..', empty components or
	 * characters a cgroup name should not have. */
	if (path[0] != '/' || strstr(path, "//") || strstr(path, "/./") || strstr(path, "/../") ||
	    (n >= 2 && !strcmp(path + n - 2, "/.")) || (n >= 3 && !strcmp(path + n - 3, "/..")) ||
	    strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@/") != n)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "invalid cgroup-parent '%s': expected an absolute cgroup path such as /ctr.slice",
				      path);
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	free(ctx->cgroup_parent);
	ctx->cgroup_parent = copy;
	return 0;
}

void ctr_context_done(struct ctr_context *ctx)
{
	free(ctx->cgroup_parent);
	free(ctx->root);
	free(ctx->run_dir);
	free(ctx->template_dir);
	memset(ctx, 0, sizeof(*ctx));
}

int ctr_name_validate(const char *name, struct ctr_error **err)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "container name must not be empty");
	if (n > CTR_NAME_MAX)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "container name '%.20s...' is %zu characters long: at most %d are allowed", name,
				      n, CTR_NAME_MAX);
	if (!isalnum((unsigned char)name[0]))
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "invalid container name '%s': it must start with a letter or digit", name);
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "invalid container name '%s': only letters, digits, '_', '.' and "
					      "'-' are allowed",
					      name);
	return 0;
}

char *ctr_container_dir(struct ctr_context *ctx, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", ctx->root, name) < 0 ? NULL : p;
}

char *ctr_run_dir(struct ctr_context *ctx, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", ctx->run_dir, name) < 0 ? NULL : p;
}

char *ctr_rootfs_path(struct ctr_context *ctx, const char *name, const struct ctr_spec *spec)
{
	char *p;

	if (spec->root_path[0] == '/')
		return strdup(spec->root_path);
	return asprintf(&p, "%s/%s/%s", ctx->root, name, spec->root_path) < 0 ? NULL : p;
}

/* ---- locks ---------------------------------------------------------------- */

static int lock_file(const char *path, unsigned timeout_ms, int *ret_fd)
{
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return negative_errno();
	/* Bounded wait: 5 ms steps up to the timeout. */
	for (unsigned waited = 0;; waited += 5) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return negative_errno();
		if (waited >= timeout_ms)
			return -EBUSY;
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int ctr_lock_root(struct ctr_context *ctx, int *ret_fd, struct ctr_error **err)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = mkdir_p(ctx->root, 0711);
	if (r < 0)
		return ctr_error_sys(err, -r, "create %s", ctx->root);
	if (asprintf(&path, "%s/%s", ctx->root, CTR_LOCK_FILE) < 0)
		return -ENOMEM;
	r = lock_file(path, ctx->lock_timeout_ms, ret_fd);
	if (r == -EBUSY)
		return ctr_error_user(err, CTR_ERR_BUSY, EBUSY,
				      "%s is locked by another ctr command; try again when it has finished", ctx->root);
	if (r < 0)
		return ctr_error_sys(err, -r, "lock %s", path);
	return 0;
}

int ctr_lock_container(struct ctr_context *ctx, const char *name, int *ret_fd, struct ctr_error **err)
{
	_cleanup_free_ char *dir = ctr_container_dir(ctx, name), *path = NULL;
	struct stat st;
	int r;

	if (!dir || asprintf(&path, "%s/%s", dir, CTR_LOCK_FILE) < 0)
		return -ENOMEM;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT, "container '%s' does not exist (see 'ctr list')",
				      name);
	r = lock_file(path, ctx->lock_timeout_ms, ret_fd);
	if (r == -EBUSY)
		return ctr_error_user(err, CTR_ERR_BUSY, EBUSY,
				      "container '%s' is locked by another ctr command; try again when it has "
				      "finished",
				      name);
	if (r == -ENOENT)
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT, "container '%s' does not exist", name);
	if (r < 0)
		return ctr_error_sys(err, -r, "lock container '%s'", name);
	/* destroy may have removed the container while we waited */
	if (stat(dir, &st) < 0) {
		closep(ret_fd);
		*ret_fd = -1;
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT, "container '%s' does not exist", name);
	}
	return 0;
}

/* ---- config --------------------------------------------------------------- */

int ctr_container_exists(struct ctr_context *ctx, const char *name, struct ctr_error **err)
{
	_cleanup_free_ char *cfg = NULL;

	if (asprintf(&cfg, "%s/%s/%s", ctx->root, name, CTR_CONFIG_FILE) < 0)
		return -ENOMEM;
	if (access(cfg, F_OK) < 0)
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT, "container '%s' does not exist (see 'ctr list')",
				      name);
	return 0;
}

int ctr_load_spec(struct ctr_context *ctx, const char *name, struct ctr_spec **ret, struct ctr_error **err)
{
	_cleanup_free_ char *dir = ctr_container_dir(ctx, name), *json = NULL;
	_cleanup_close_ int dfd = -1;
	size_t len;
	int r;

	if (!dir)
		return -ENOMEM;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT)
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT, "container '%s' does not exist (see 'ctr list')",
				      name);
	if (dfd < 0)
		return ctr_error_sys(err, errno, "open %s", dir);
	r = read_file_at(dfd, CTR_CONFIG_FILE, CTR_SPEC_MAX_SIZE, &json, &len);
	if (r == -ENOENT)
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT,
				      "container '%s' does not exist (%s/%s is missing)", name, dir, CTR_CONFIG_FILE);
	if (r < 0)
		return ctr_error_sys(err, -r, "read %s/%s", dir, CTR_CONFIG_FILE);
	r = ctr_spec_parse(json, len, ret, err);
	if (r < 0)
		return ctr_error_wrap(err, "%s/%s", dir, CTR_CONFIG_FILE);
	return 0;
}

int ctr_save_spec(struct ctr_context *ctx, const char *name, const struct ctr_spec *spec, struct ctr_error **err)
{
	_cleanup_free_ char *dir = ctr_container_dir(ctx, name), *json = NULL;
	_cleanup_close_ int dfd = -1;
	size_t len;
	int r;

	if (!dir)
		return -ENOMEM;
	r = ctr_spec_to_json(spec, &json, &len);
	if (r < 0)
		return ctr_error_from_errno(err, r, "serialize config");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ctr_error_sys(err, errno, "open %s", dir);
	r = write_file_atomic_at(dfd, CTR_CONFIG_FILE, json, len, 0600, true);
	if (r < 0)
		return ctr_error_sys(err, -r, "write %s/%s", dir, CTR_CONFIG_FILE);
	return 0;
}

int ctr_config_read(struct ctr_context *ctx, const char *name, struct ctr_spec **ret, struct ctr_error **err)
{
	int r = ctr_name_validate(name, err);

	return r < 0 ? r : ctr_load_spec(ctx, name, ret, err);
}

/* ---- run state -------------------------------------------------------------- */

static bool monitor_alive(const struct ctr_state *st)
{
	unsigned long long start;

	if (st->monitor_pid <= 0)
		return false;
	return proc_starttime(st->monitor_pid, &start) == 0 && start == st->monitor_start;
}

int ctr_cleanup_run_state(struct ctr_context *ctx, const char *name, const struct ctr_state *st, struct ctr_error **err)
{
	_cleanup_free_ char *run = ctr_run_dir(ctx, name);
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = NULL;
	int r = 0;

	if (!run)
		return -ENOMEM;
	/* Init dies with its monitor (parent-death signal), but anything still in
	 * the container's cgroups is killed here before they are removed. */
	if (st && st->cgroups && ctr_cgroup_from_strv(st->cgroups, &cg) == 0)
		r = ctr_cgroup_destroy(cg, err);
	if (r < 0)
		return ctr_error_wrap(err, "clean up after the stopped monitor of '%s'", name);
	r = rm_rf_at(AT_FDCWD, run);
	if (r < 0)
		return ctr_error_sys(err, -r, "remove %s", run);
	return 0;
}

int ctr_load_state(struct ctr_context *ctx, const char *name, bool repair, struct ctr_state *ret,
		   struct ctr_error **err)
{
	_cleanup_free_ char *run = ctr_run_dir(ctx, name), *json = NULL;
	_cleanup_close_ int dfd = -1;
	struct ctr_state st = { 0 };
	int r;

	if (!run)
		return -ENOMEM;
	memset(ret, 0, sizeof(*ret));
	ret->status = CTR_STOPPED;
	dfd = open(run, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : ctr_error_sys(err, errno, "open %s", run);
	r = read_file_at(dfd, CTR_STATE_FILE, 1 << 20, &json, NULL);
	if (r == -ENOENT) {
		/* A monitor that died before its first state write, or a leftover dir. */
		if (repair)
			return ctr_cleanup_run_state(ctx, name, NULL, err);
		return 0;
	}
	if (r < 0)
		return ctr_error_sys(err, -r, "read %s/%s", run, CTR_STATE_FILE);
	if (ctr_state_parse(json, &st, NULL) < 0) {
		/* Writes are atomic, so this is not ours: treat as stale. */
		if (repair)
			return ctr_cleanup_run_state(ctx, name, NULL, err);
		return 0;
	}
	if (!monitor_alive(&st)) {
		if (repair)
			r = ctr_cleanup_run_state(ctx, name, &st, err);
		ctr_state_done(&st);
		return r < 0 ? r : 0;
	}
	*ret = st;
	return 0;
}

int ctr_monitor_connect(struct ctr_context *ctx, const char *name, int *ret_fd, struct ctr_error **err)
{
	_cleanup_free_ char *run = ctr_run_dir(ctx, name);
	_cleanup_close_ int dfd = -1, fd = -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!run)
		return -ENOMEM;
	/* Address the socket through the run dir's descriptor: the path stays
	 * short whatever --run-dir is. */
	dfd = open(run, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ctr_error_user(err, CTR_ERR_WRONG_STATE, errno, "container '%s' is not running", name);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, CTR_SOCKET_FILE);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ctr_error_sys(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return ctr_error_user(err, CTR_ERR_WRONG_STATE, errno,
				      "container '%s' is not running (its monitor does not answer: %s)", name,
				      strerror(errno));
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* ---- create ------------------------------------------------------------------ */

static int run_program(char *const argv[], struct ctr_error **err)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return ctr_error_sys(err, errno, "fork");
	if (pid == 0) {
		/* Templates print progress on stderr; keep stdout for ctr's own output. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ctr_error_sys(err, errno, "wait for %s", argv[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return ctr_error_user(err, CTR_ERR_SYSTEM, EIO, "%s failed with exit status %d", argv[0],
				      WEXITSTATUS(status));
	return ctr_error_user(err, CTR_ERR_SYSTEM, EINTR, "%s was killed by signal %d", argv[0], WTERMSIG(status));
}

static int build_rootfs(struct ctr_context *ctx, const char *tmpl, const char *rootfs, const char *hostname,
			struct ctr_error **err)
{
	_cleanup_free_ char *script = NULL, *src = NULL;
	struct stat st;

	if (strchr(tmpl, '/')) {
		/* A directory holding a root filesystem: copied, never modified. */
		if (stat(tmpl, &st) < 0 || !S_ISDIR(st.st_mode))
			return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT,
					      "rootfs directory '%s' does not exist or is not a directory", tmpl);
		if (asprintf(&src, "%s/.", tmpl) < 0)
			return -ENOMEM;
		if (mkdir(rootfs, 0755) < 0)
			return ctr_error_sys(err, errno, "create %s", rootfs);
		char *argv[] = { "/bin/cp", "-a", "--reflink=auto", "--", src, (char *)rootfs, NULL };
		return run_program(argv, err);
	}
	if (asprintf(&script, "%s/%s", ctx->template_dir, tmpl) < 0)
		return -ENOMEM;
	if (strchr(tmpl, '.') || access(script, X_OK) < 0)
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT,
				      "unknown template '%s' (no executable %s; give 'busybox' or a directory "
				      "holding a root filesystem)",
				      tmpl, script);
	char *argv[] = { script, (char *)rootfs, (char *)hostname, NULL };
	return run_program(argv, err);
}

static int apply_init(struct ctr_spec *spec, const char *init, struct ctr_error **err)
{
	char **words = NULL;
	int r = strv_split_command(init, &words);

	if (r < 0)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "invalid --init '%s': expected a command line such as '/sbin/init' (unbalanced "
				      "quotes or empty)",
				      init);
	strv_free(spec->args);
	spec->args = words;
	return 0;
}

static int apply_stop_signal(struct ctr_spec *spec, const char *s, struct ctr_error **err)
{
	int sig = signal_from_string(s);

	if (sig < 0 || sig == SIGKILL || sig == SIGSTOP)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "invalid stop signal '%s': give a signal name such as SIGTERM or SIGUSR2", s);
	spec->stop_signal = sig;
	return 0;
}

static int apply_hostname(struct ctr_spec *spec, const char *h, struct ctr_error **err)
{
	char *copy;

	if (ctr_hostname_validate(h) < 0)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "invalid hostname '%s': 1-64 letters, digits, '-' and '.'", h);
	copy = strdup(h);
	if (!copy)
		return -ENOMEM;
	free(spec->hostname);
	spec->hostname = copy;
	return 0;
}

/* --dns and --search: each given list replaces the stored one. */
static int apply_resolver(struct ctr_spec *spec, char *const *dns, char *const *search, struct ctr_error **err)
{
	int r;

	if (dns && (r = ctr_spec_add_dns(spec, "none", err)) < 0)
		return r;
	for (size_t i = 0; dns && dns[i]; i++)
		if ((r = ctr_spec_add_dns(spec, dns[i], err)) < 0)
			return r;
	if (search && (r = ctr_spec_add_search(spec, "none", err)) < 0)
		return r;
	for (size_t i = 0; search && search[i]; i++)
		if ((r = ctr_spec_add_search(spec, search[i], err)) < 0)
			return r;
	return 0;
}

static int spec_from_file(const char *path, struct ctr_spec **ret, struct ctr_error **err)
{
	_cleanup_free_ char *json = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, path, CTR_SPEC_MAX_SIZE, &json, &len);

	if (r == -ENOENT)
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT, "config file '%s' does not exist", path);
	if (r < 0)
		return ctr_error_sys(err, -r, "read config file '%s'", path);
	r = ctr_spec_parse(json, len, ret, err);
	return r < 0 ? ctr_error_wrap(err, "%s", path) : 0;
}

int ctr_create(struct ctr_context *ctx, const char *name, const struct ctr_create_opts *o, struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_free_ char *dir = NULL, *rootfs = NULL;
	_cleanup_close_ int root_lock = -1;
	const char *tmpl;
	struct stat st;
	int r;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	r = o->config_file ? spec_from_file(o->config_file, &spec, err) : ctr_spec_new_default(name, &spec);
	if (r < 0)
		return r == -ENOMEM ? ctr_error_sys(err, ENOMEM, "create config") : r;
	if (!o->config_file || o->hostname) {
		r = apply_hostname(spec, o->hostname ? o->hostname : name, err);
		if (r < 0)
			return r;
	}
	if (o->init && (r = apply_init(spec, o->init, err)) < 0)
		return r;
	tmpl = o->template_name ? o->template_name : spec->template_name;
	if (o->template_name) {
		char *t = strdup(tmpl);

		if (!t)
			return -ENOMEM;
		free(spec->template_name);
		spec->template_name = t;
		tmpl = t;
		/* busybox init powers off on SIGUSR2; anything else is told SIGTERM. */
		if (!o->config_file)
			spec->stop_signal = strcmp(tmpl, "busybox") ? SIGTERM : SIGUSR2;
	}
	if (o->stop_signal && (r = apply_stop_signal(spec, o->stop_signal, err)) < 0)
		return r;
	if (o->resources && (r = ctr_resources_set(&spec->res, o->resources, err)) < 0)
		return r;
	/* Privileged first: it resets the capabilities to that mode's defaults,
	 * which --cap-add/--cap-drop then edit. */
	if (o->privileged && (r = ctr_spec_set_privileged(spec, true)) < 0)
		return ctr_error_sys(err, -r, "--privileged");
	if (o->security && (r = ctr_security_set(spec, o->security, err)) < 0)
		return r;
	for (size_t i = 0; o->nets && o->nets[i]; i++)
		if ((r = ctr_network_add_option(&spec->net, o->nets[i], err)) < 0)
			return r;
	r = apply_resolver(spec, o->dns, o->search, err);
	if (r < 0)
		return r;

	r = ctr_lock_root(ctx, &root_lock, err);
	if (r < 0)
		return r;
	dir = ctr_container_dir(ctx, name);
	if (!dir)
		return -ENOMEM;
	if (lstat(dir, &st) == 0) {
		_cleanup_free_ char *cfg = NULL;

		if (asprintf(&cfg, "%s/%s", dir, CTR_CONFIG_FILE) < 0)
			return -ENOMEM;
		if (access(cfg, F_OK) == 0 || !S_ISDIR(st.st_mode))
			return ctr_error_user(err, CTR_ERR_EXISTS, EEXIST,
					      "container '%s' already exists; pick another name or 'ctr destroy %s' "
					      "first",
					      name, name);
		/* The config is written last: without it this is what an interrupted
		 * create left (we hold the root lock, so none is in progress). */
		r = rm_rf_at(AT_FDCWD, dir);
		if (r < 0)
			return ctr_error_sys(err, -r, "remove the leftovers of an interrupted create in %s", dir);
	}
	/* The id range is picked under the root lock: two creates cannot take
	 * the same one. */
	if (ctr_spec_userns(spec) && (r = ctr_userns_allocate(ctx, name, spec, err)) < 0)
		return r;
	/* Addresses, like id ranges, are checked against the others under the
	 * root lock. */
	r = ctr_network_settle(ctx, name, spec, err);
	if (r < 0)
		return r;
	if (mkdir(dir, 0700) < 0)
		return ctr_error_sys(err, errno, "create %s", dir);

	rootfs = ctr_rootfs_path(ctx, name, spec);
	if (!rootfs) {
		r = -ENOMEM;
		goto fail;
	}
	if (spec->root_path[0] == '/') {
		/* An absolute root.path is used in place; it must already exist. */
		if (stat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) {
			r = ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT, "root.path '%s' is not a directory", rootfs);
			goto fail;
		}
	} else {
		r = build_rootfs(ctx, tmpl, rootfs, spec->hostname, err);
		if (r < 0) {
			ctr_error_wrap(err, "build rootfs from template '%s'", tmpl);
			goto fail;
		}
	}
	if (ctr_spec_userns(spec) && (r = ctr_userns_rootfs(spec, rootfs, spec->root_path[0] != '/', err)) < 0)
		goto fail;
	r = ctr_save_spec(ctx, name, spec, err);
	if (r < 0)
		goto fail;
	return 0;
fail:
	/* Leave no half-created container behind. */
	rm_rf_at(AT_FDCWD, dir);
	return r;
}

/* ---- set ------------------------------------------------------------------------ */

int ctr_running_network_save(int run_fd, const struct ctr_network *net)
{
	_cleanup_free_ char *json = NULL;
	_cleanup_close_ int dfd = -1;
	size_t len;
	int r = ctr_network_to_json(net, &json, &len);

	if (r < 0)
		return r;
	/* run_fd may be an O_PATH descriptor. */
	dfd = openat(run_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return negative_errno();
	return write_file_atomic_at(dfd, CTR_NETWORK_FILE, json, len, 0644, false);
}

int ctr_running_network_load(int run_fd, struct ctr_network *ret)
{
	_cleanup_free_ char *json = NULL;
	int r = read_file_at(run_fd, CTR_NETWORK_FILE, 1 << 20, &json, NULL);

	return r < 0 ? r : ctr_network_from_json(json, ret, NULL);
}

char *ctr_net_key(struct ctr_context *ctx, const char *name)
{
	_cleanup_free_ char *dir = ctr_container_dir(ctx, name);
	char *key;

	if (!dir)
		return NULL;
	key = realpath(dir, NULL);
	return key ? key : TAKE_PTR(dir);
}

/* `ctr set --net` on a running container: the addresses at once when they
 * are all that changed (the record of what it runs with follows; *before
 * gets what it ran with, to go back), the rest at the next start (1). */
static int set_network_live(struct ctr_context *ctx, const char *name, const struct ctr_state *st,
			    const struct ctr_network *want, struct ctr_network *before, struct ctr_error **err)
{
	_cleanup_free_ char *run = ctr_run_dir(ctx, name), *key = ctr_net_key(ctx, name);
	_cleanup_close_ int run_fd = -1;
	int r;

	if (!run || !key)
		return -ENOMEM;
	run_fd = open(run, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (run_fd < 0 || ctr_running_network_load(run_fd, before) < 0 || !ctr_network_addresses_only(before, want)) {
		ctr_network_done(before);
		return 1;
	}
	r = ctr_net_update_addresses(before, want, key, st->init_pid, err);
	if (r == 0 && (r = ctr_running_network_save(run_fd, want)) < 0) {
		ctr_net_update_addresses(want, before, key, st->init_pid, NULL);
		r = ctr_error_sys(err, -r, "record the addresses of running '%s'", name);
	}
	if (r != 0)
		ctr_network_done(before);
	return r;
}

/* Back to the addresses a running container had before set_network_live. */
static void set_network_revert(struct ctr_context *ctx, const char *name, const struct ctr_state *st,
			       const struct ctr_network *want, struct ctr_network *before)
{
	_cleanup_free_ char *run = ctr_run_dir(ctx, name), *key = ctr_net_key(ctx, name);
	_cleanup_close_ int run_fd = -1;

	if (!run || !key)
		return;
	ctr_net_update_addresses(want, before, key, st->init_pid, NULL);
	run_fd = open(run, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (run_fd >= 0)
		ctr_running_network_save(run_fd, before);
}

int ctr_set(struct ctr_context *ctx, const char *name, const struct ctr_set_opts *o, struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL, *old = NULL;
	_cleanup_close_ int lock = -1, root_lock = -1;
	struct ctr_state st = { 0 };
	struct ctr_network before = { 0 };
	bool live = false, net_live = false;
	int r;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	/* New addresses are checked against the other containers: that needs
	 * the root lock, taken first as destroy does. */
	if (o->nets && (r = ctr_lock_root(ctx, &root_lock, err)) < 0)
		return r;
	r = ctr_lock_container(ctx, name, &lock, err);
	if (r < 0)
		return r;
	r = ctr_load_spec(ctx, name, &spec, err);
	if (r < 0)
		return r;
	/* Apply every change to the in-memory copy first: one bad value and the
	 * stored config stays as it was. */
	if (o->hostname && (r = apply_hostname(spec, o->hostname, err)) < 0)
		return r;
	if (o->init && (r = apply_init(spec, o->init, err)) < 0)
		return r;
	if (o->stop_signal && (r = apply_stop_signal(spec, o->stop_signal, err)) < 0)
		return r;
	if (o->stop_timeout >= 0)
		spec->stop_timeout = (unsigned)o->stop_timeout;
	if (o->resources && (r = ctr_resources_set(&spec->res, o->resources, err)) < 0)
		return r;
	if (o->security && (r = ctr_security_set(spec, o->security, err)) < 0)
		return r;
	r = apply_resolver(spec, o->dns, o->search, err);
	if (r < 0)
		return r;
	if (o->nets) {
		ctr_network_done(&spec->net);
		for (size_t i = 0; o->nets[i]; i++)
			if ((r = ctr_network_add_option(&spec->net, o->nets[i], err)) < 0)
				return r;
		r = ctr_network_settle(ctx, name, spec, err);
		if (r < 0)
			return r;
	}
	r = ctr_spec_validate(spec, err);
	if (r < 0)
		return r;
	if (o->resources || o->nets) {
		/* Limits apply at once to a running container: the cgroups first,
		 * and only if the kernel takes them does the config change. */
		r = ctr_load_state(ctx, name, true, &st, err);
		if (r < 0)
			return r;
		live = st.status == CTR_RUNNING && o->resources;
		if (live) {
			r = ctr_load_spec(ctx, name, &old, err);
			if (r == 0)
				r = ctr_resources_apply_live(&st, name, &spec->res, &old->res, err);
			if (r < 0) {
				ctr_state_done(&st);
				return r;
			}
		}
		if (st.status == CTR_RUNNING && o->nets) {
			r = set_network_live(ctx, name, &st, &spec->net, &before, err);
			net_live = r == 0;
			if (r > 0 && o->ret_net_pending)
				*o->ret_net_pending = true;
			if (r < 0) {
				if (live)
					ctr_resources_revert_live(&st, &spec->res, &old->res);
				ctr_state_done(&st);
				return r;
			}
		}
	}
	r = ctr_save_spec(ctx, name, spec, err);
	if (r < 0 && live)
		ctr_resources_revert_live(&st, &spec->res, &old->res);
	if (r < 0 && net_live)
		set_network_revert(ctx, name, &st, &spec->net, &before);
	ctr_network_done(&before);
	ctr_state_done(&st);
	return r;
}

/* ---- info / list --------------------------------------------------------------- */

void ctr_info_done(struct ctr_info *info)
{
	free(info->name);
	free(info->rootfs);
	free(info->config_error);
	ctr_spec_free(info->spec);
	memset(info, 0, sizeof(*info));
}

static int fill_info(struct ctr_context *ctx, const char *name, bool with_spec, struct ctr_info *ret,
		     struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_free_ char *dir = NULL, *exit_json = NULL;
	struct ctr_state st = { 0 };
	struct ctr_info info = { 0 };
	int r;

	r = ctr_load_spec(ctx, name, &spec, err);
	if (r < 0) {
		struct ctr_error *cerr = NULL;

		/* list shows a container whose config is broken, saying so; info
		 * (with_spec) reports the error itself. */
		if (with_spec || !err || !*err || (*err)->kind != CTR_ERR_INVALID_CONFIG)
			return r;
		cerr = TAKE_PTR(*err);
		info.config_error = strdup(cerr->msg);
		ctr_error_free(&cerr);
		if (!info.config_error)
			return -ENOMEM;
	}
	r = ctr_load_state(ctx, name, false, &st, err);
	if (r < 0) {
		free(info.config_error);
		return r;
	}
	info.name = strdup(name);
	if (spec)
		info.rootfs = ctr_rootfs_path(ctx, name, spec);
	else if (asprintf(&info.rootfs, "%s/%s/rootfs", ctx->root, name) < 0)
		info.rootfs = NULL;
	info.status = ctr_paused(&st) ? CTR_PAUSED : st.status;
	info.init_pid = st.init_pid;
	info.monitor_pid = st.status == CTR_STOPPED ? 0 : st.monitor_pid;
	info.started = st.started;
	ctr_state_done(&st);
	dir = ctr_container_dir(ctx, name);
	if (dir) {
		_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0 && read_file_at(dfd, CTR_LAST_EXIT_FILE, 4096, &exit_json, NULL) == 0 &&
		    ctr_exit_parse(exit_json, &info.last_exit) == 0)
			info.has_last_exit = true;
	}
	if (with_spec)
		info.spec = TAKE_PTR(spec);
	if (!info.name || !info.rootfs) {
		ctr_info_done(&info);
		return -ENOMEM;
	}
	*ret = info;
	return 0;
}

int ctr_info_get(struct ctr_context *ctx, const char *name, struct ctr_info *ret, struct ctr_error **err)
{
	int r = ctr_name_validate(name, err);

	return r < 0 ? r : fill_info(ctx, name, true, ret, err);
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct ctr_info *)a)->name, ((const struct ctr_info *)b)->name);
}

int ctr_list(struct ctr_context *ctx, struct ctr_info **ret, size_t *ret_n, struct ctr_error **err)
{
	_cleanup_closedir_ DIR *d = opendir(ctx->root);
	struct ctr_info *v = NULL;
	size_t n = 0;
	struct dirent *de;
	int r;

	if (!d) {
		if (errno != ENOENT)
			return ctr_error_sys(err, errno, "open %s", ctx->root);
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	while ((de = readdir(d))) {
		struct ctr_info info, *nv;

		if (de->d_name[0] == '.' || ctr_name_validate(de->d_name, NULL) < 0)
			continue;
		if (faccessat(dirfd(d), de->d_name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		struct ctr_error *ierr = NULL;

		/* A container being created or destroyed right now is skipped. */
		r = fill_info(ctx, de->d_name, false, &info, &ierr);
		ctr_error_free(&ierr);
		if (r < 0)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			ctr_info_done(&info);
			break;
		}
		v = nv;
		v[n++] = info;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_info);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* ---- destroy ------------------------------------------------------------------- */

int ctr_destroy(struct ctr_context *ctx, const char *name, bool force, struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_free_ char *dir = NULL, *run = NULL;
	_cleanup_close_ int root_lock = -1, lock = -1;
	enum ctr_status status;
	struct ctr_state st = { 0 };
	int r;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	r = ctr_load_spec(ctx, name, &spec, err);
	if (r < 0) {
		/* A config that no longer parses must not make the container
		 * impossible to remove: destroy needs nothing from it. */
		if (!err || !*err || (*err)->kind != CTR_ERR_INVALID_CONFIG)
			return r;
		ctr_error_free(err);
	}
	r = ctr_load_state(ctx, name, false, &st, err);
	if (r < 0)
		return r;
	status = st.status;
	ctr_state_done(&st);
	if (status != CTR_STOPPED) {
		if (!force)
			return ctr_error_user(err, CTR_ERR_WRONG_STATE, EBUSY,
					      "container '%s' is %s; stop it first or use 'ctr destroy --force'", name,
					      ctr_status_to_string(status));
		r = ctr_stop(ctx, name, -1, err);
		if (r < 0 && (!*err || (*err)->kind != CTR_ERR_WRONG_STATE))
			return r;
		ctr_error_free(err);
	}
	r = ctr_lock_root(ctx, &root_lock, err);
	if (r < 0)
		return r;
	r = ctr_lock_container(ctx, name, &lock, err);
	if (r < 0)
		return r;
	/* Re-check under the lock: a start may have won the race. */
	r = ctr_load_state(ctx, name, true, &st, err);
	if (r < 0)
		return r;
	status = st.status;
	ctr_state_done(&st);
	if (status != CTR_STOPPED)
		return ctr_error_user(err, CTR_ERR_WRONG_STATE, EBUSY,
				      "container '%s' was started again while being destroyed", name);
	dir = ctr_container_dir(ctx, name);
	run = ctr_run_dir(ctx, name);
	if (!dir || !run)
		return -ENOMEM;
	r = rm_rf_at(AT_FDCWD, run);
	if (r < 0)
		return ctr_error_sys(err, -r, "remove %s", run);
	/* Only the container's own directory goes: an absolute root.path
	 * outside it belongs to the user, not to the container. */
	r = rm_rf_at(AT_FDCWD, dir);
	if (r == -EBUSY)
		return ctr_error_user(err, CTR_ERR_SYSTEM, EBUSY,
				      "%s still has something mounted below it: unmount it and run destroy again", dir);
	if (r < 0)
		return ctr_error_sys(err, -r, "remove %s", dir);
	return 0;
}
