/* Checkpoint and restore: what ctr arranges around CRIU (checkpoint/criu.c).
 *
 * Dump, from the CLI while the monitor keeps supervising: the mounts that
 * come from the host side are declared external (the masks, binds of a
 * tmpfs made outside the container; /dev/console, a bind of the pty whose
 * master the monitor holds) and so is the console itself (init's stdio:
 * tty[rdev:dev]). The images go to DIR.new, with ctr's own record of what it
 * declared and the interfaces the container ran with; DIR.new replaces DIR
 * only once complete.
 *
 * Restore, in a new monitor (instead of ctr_launch): a new pty whose slave
 * CRIU gives to the processes that had the console and binds on
 * /dev/console; the masks from a new read-only tmpfs; the root an idmapped
 * mount of the rootfs when the container has a user namespace; the cgroups
 * made (with the config's limits) by the monitor's helper and given to CRIU
 * as the new cgroup roots; the network namespace, which the dump leaves
 * out, rebuilt empty by CRIU and filled by ctr from its record of the
 * interfaces (as a start does, filter and rate included) before anything
 * of the container runs or a socket comes back. (With a user namespace,
 * CRIU 4.2 cannot recreate a veth with its old index in a namespace the
 * container owns: the kernel refuses.) Init is then a child of the
 * monitor, as after a start. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "checkpoint/criu.h"
#include "container.h"
#include "internal.h"
#include "netns/netns.h"
#include "rootfs/rootfs.h"
#include "security/security.h"
#include "sync.h"
#include "util.h"

#define CPT_META    CTR_CPT_RECORD_FILE
#define CPT_DIR	    "checkpoint"
#define CONSOLE_KEY "ctr-console"
#define DEV_KEY	    "ctr-dev"

/* DIR, or ROOT/NAME/checkpoint; absolute. */
static char *images_path(struct ctr_context *ctx, const char *name, const char *dir)
{
	_cleanup_free_ char *cdir = NULL;
	char *p = NULL;

	if (dir) {
		if (dir[0] == '/')
			return strdup(dir);
		_cleanup_free_ char *cwd = getcwd(NULL, 0);

		return cwd && asprintf(&p, "%s/%s", cwd, dir) >= 0 ? p : NULL;
	}
	cdir = ctr_container_dir(ctx, name);
	return cdir && asprintf(&p, "%s/%s", cdir, CPT_DIR) >= 0 ? p : NULL;
}

static int load_meta(const char *images, struct ctr_cpt_record *ret, struct ctr_error **err)
{
	_cleanup_free_ char *json = NULL, *where = NULL;
	int r;

	if (asprintf(&where, "%s/%s", images, CPT_META) < 0)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, where, 1 << 20, &json, NULL);
	if (r == -ENOENT || r == -ENOTDIR)
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT,
				      "no checkpoint in %s (no %s there); make one with 'ctr checkpoint'", images,
				      CPT_META);
	if (r < 0)
		return ctr_error_sys(err, -r, "read %s", where);
	return ctr_cpt_record_parse(json, where, ret, err);
}

/* ---- dump ------------------------------------------------------------------ */

/* A field of a mountinfo line (0-based), unescaped in place: "\040" etc. */
static char *mountinfo_field(char *line, int n, char **save)
{
	char *f = strtok_r(line, " ", save);

	for (int i = 0; f && i < n; i++)
		f = strtok_r(NULL, " ", save);
	return f;
}

/* The container's mounts that come from the host side: its masks and
 * /dev/console, as CRIU's external declarations, and the masks' keys. */
static int host_mounts(pid_t pid, bool dev, char ***external, char ***ret_masks, bool *ret_console)
{
	_cleanup_strv_ char **masks = calloc(1, sizeof(char *));
	_cleanup_free_ char *text = NULL;
	char path[64], *save = NULL;
	bool console = false;
	int r;

	if (!masks)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	r = read_file_at(AT_FDCWD, path, 4 << 20, &text, NULL);
	if (r < 0)
		return r;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *ext = NULL, *key = NULL;
		char *sep = strstr(line, " - "), *fsave = NULL, *root, *target, *fstype, *source;

		if (!sep)
			continue;
		*sep = '\0';
		fstype = strtok_r(sep + 3, " ", &fsave);
		source = strtok_r(NULL, " ", &fsave);
		fsave = NULL;
		root = mountinfo_field(line, 3, &fsave);
		target = strtok_r(NULL, " ", &fsave);
		if (!fstype || !source || !root || !target)
			continue;
		if (dev && !strcmp(target, "/dev") && !strcmp(fstype, "tmpfs")) {
			/* Its device nodes were made on the host side (a user
			 * namespace cannot), and so is it on restore. */
			if (asprintf(&ext, "mnt[%s]:%s", target, DEV_KEY) < 0)
				return -ENOMEM;
		} else if (!strcmp(target, "/dev/console") && !strcmp(fstype, "devpts")) {
			if (asprintf(&ext, "mnt[%s]:%s", target, CONSOLE_KEY) < 0)
				return -ENOMEM;
			console = true;
		} else if (!strcmp(fstype, "tmpfs") && !strcmp(source, CTR_MASK_SOURCE) &&
			   (!strcmp(root, "/f") || !strcmp(root, "/d"))) {
			if (asprintf(&key, "ctr-mask-%c-%zu", root[1], strv_length(masks)) < 0 ||
			    asprintf(&ext, "mnt[%s]:%s", target, key) < 0 || strv_push(&masks, key) < 0)
				return -ENOMEM;
		} else {
			continue;
		}
		/* CRIU's "mnt[PATH]:KEY" cannot carry these (mountinfo escapes
		 * blanks as \040): a mount point the container made to look
		 * like ours would be misread. */
		if (target[strcspn(target, "[]:\\")])
			return -EINVAL;
		if (strv_push(external, ext) < 0)
			return -ENOMEM;
	}
	*ret_masks = TAKE_PTR(masks);
	*ret_console = console;
	return 0;
}

/* Wait (bounded) until the monitor closes the connection: it has torn the
 * container down and exited. */
static void wait_monitor_exit(int conn)
{
	struct pollfd p = { .fd = conn, .events = POLLIN };

	for (int i = 0; i < 300; i++) {
		char buf[64];

		if (poll(&p, 1, 100) > 0 && recv(conn, buf, sizeof(buf), MSG_DONTWAIT) == 0)
			return;
		if (p.revents & (POLLHUP | POLLERR))
			return;
	}
}

static int write_meta(int dirfd, const struct ctr_cpt_record *m)
{
	_cleanup_free_ char *json = NULL;
	size_t len;
	int r = ctr_cpt_record_to_json(m, &json, &len);

	return r < 0 ? r : write_file_atomic_at(dirfd, CPT_META, json, len, 0600, true);
}

/* tmp complete: it becomes `images` (the one there before goes). */
static int swap_in(const char *tmp, const char *images)
{
	_cleanup_free_ char *old = NULL;
	bool had_old;

	if (asprintf(&old, "%s.old", images) < 0)
		return -ENOMEM;
	rm_rf_at(AT_FDCWD, old);
	had_old = rename(images, old) == 0;
	if (!had_old && errno != ENOENT)
		return negative_errno();
	if (rename(tmp, images) < 0) {
		int r = negative_errno();

		if (had_old)
			rename(old, images);
		return r;
	}
	if (had_old)
		rm_rf_at(AT_FDCWD, old);
	return 0;
}

/* The new images replace what is at `images`: only ever an earlier
 * checkpoint, or an empty directory, never a directory of something else
 * that --dir happened to name. */
static int check_target(const char *images, struct ctr_error **err)
{
	_cleanup_(closedirp) DIR *d = opendir(images);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0
		       : errno == ENOTDIR
			       ? ctr_error_user(err, CTR_ERR_EXISTS, ENOTDIR,
						"%s exists and is not a directory; give --dir a new or empty directory",
						images)
			       : ctr_error_sys(err, errno, "open %s", images);
	if (faccessat(dirfd(d), CTR_CPT_RECORD_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return ctr_error_user(err, CTR_ERR_EXISTS, EEXIST,
					      "%s is not empty and holds no checkpoint (no %s); give --dir a new or "
					      "empty directory",
					      images, CTR_CPT_RECORD_FILE);
	return 0;
}

static unsigned long long dir_bytes(const char *path)
{
	_cleanup_(closedirp) DIR *d = opendir(path);
	unsigned long long sum = 0;
	struct dirent *de;
	struct stat st;

	while (d && (de = readdir(d)))
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			sum += (unsigned long long)st.st_size;
	return sum;
}

int ctr_checkpoint(struct ctr_context *ctx, const char *name, const struct ctr_checkpoint_opts *o,
		   struct ctr_checkpoint_result *ret, struct ctr_error **err)
{
	_cleanup_close_ int lock = -1;
	int r;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	r = ctr_lock_container(ctx, name, &lock, err);
	if (r < 0)
		return r;
	return ctr_checkpoint_held(ctx, name, o, ret, err);
}

int ctr_checkpoint_held(struct ctr_context *ctx, const char *name, const struct ctr_checkpoint_opts *o,
			struct ctr_checkpoint_result *ret, struct ctr_error **err)
{
	struct timespec t0, t1;
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_(ctr_cpt_record_done) struct ctr_cpt_record meta = { 0 };
	_cleanup_free_ char *criu = NULL, *images = NULL, *tmp = NULL, *run = NULL, *old = NULL;
	_cleanup_strv_ char **external = calloc(1, sizeof(char *));
	_cleanup_close_ int conn = -1, tmp_fd = -1, run_fd = -1, work_fd = -1;
	_cleanup_free_ char *cdir = ctr_container_dir(ctx, name);
	struct ctr_state st = { 0 };
	struct ctr_msg reply;
	sigset_t stop, old_mask;
	bool masked = false;
	int r;

	if (!external)
		return -ENOMEM;
	r = ctr_load_spec(ctx, name, &spec, err);
	if (r < 0)
		return r;
	r = ctr_load_state(ctx, name, true, &st, err);
	if (r < 0)
		return r;
	if (st.status != CTR_RUNNING || ctr_paused(&st) > 0) {
		const char *s = st.status == CTR_RUNNING ? "paused" : ctr_status_to_string(st.status);

		ctr_state_done(&st);
		return ctr_error_user(err, CTR_ERR_WRONG_STATE, EBUSY,
				      "container '%s' is %s; only a running container can be checkpointed%s", name, s,
				      !strcmp(s, "paused") ? " (ctr resume it first)" : "");
	}
	meta.created = ctr_now();
	meta.leave_running = o->leave_running;
	r = ctr_criu_find(&criu, &meta.criu_version, err);
	if (r < 0)
		goto out;
	images = images_path(ctx, name, o->dir);
	meta.name = strdup(name);
	if (!images || !meta.name || asprintf(&tmp, "%s.new", images) < 0) {
		r = -ENOMEM;
		goto out;
	}
	/* DIR, and DIR.new and DIR.old which ctr removes: never a directory of
	 * something else that happens to be there. */
	r = check_target(images, err);
	if (r == 0)
		r = check_target(tmp, err);
	if (r == 0 && (r = asprintf(&old, "%s.old", images)) >= 0)
		r = check_target(old, err);
	if (r < 0)
		goto out;
	rm_rf_at(AT_FDCWD, tmp);
	work_fd = cdir ? open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (work_fd < 0) {
		r = ctr_error_sys(err, errno, "open %s", cdir ? cdir : name);
		goto out;
	}
	if (mkdir(tmp, 0700) < 0 || (tmp_fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = ctr_error_user(err, errno == ENOENT ? CTR_ERR_NOT_FOUND : CTR_ERR_SYSTEM, errno,
				   "create %s: %s (the directory for the checkpoint must be creatable)", tmp,
				   strerror(errno));
		goto out;
	}

	/* The monitor learns that init is about to go (if the dump succeeds
	 * without --leave-running) and tells us its console. */
	r = ctr_monitor_request(ctx, name, CTR_MSG_REQ_CHECKPOINT, 0, &conn, NULL, &reply, err);
	if (r < 0)
		goto fail;
	if (reply.text[0] &&
	    (!(meta.tty = strndup(reply.text, sizeof(reply.text))) || strv_push(&external, meta.tty) < 0)) {
		r = -ENOMEM;
		goto fail;
	}
	meta.dev = ctr_spec_userns(spec);
	meta.netns = (spec->namespaces & CLONE_NEWNET) != 0;
	r = host_mounts(st.init_pid, meta.dev, &external, &meta.masks, &meta.console);
	if (r == -EINVAL) {
		r = ctr_error_user(err, CTR_ERR_SYSTEM, EINVAL,
				   "a mount of '%s' that ctr made has a mount point with '[', ']', ':' or '\\', which "
				   "CRIU's external mounts cannot name",
				   name);
		goto fail;
	}
	if (r < 0) {
		r = ctr_error_sys(err, -r, "read the mount table of '%s'", name);
		goto fail;
	}
	run = ctr_run_dir(ctx, name);
	run_fd = run ? open(run, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (run_fd < 0 || ctr_running_network_load(run_fd, &meta.net) < 0) {
		/* No record: it runs with the config's interfaces. */
		meta.net = spec->net;
		memset(&spec->net, 0, sizeof(spec->net));
	}

	/* From the dump to the swap nothing may stop us half-way: a dump that
	 * ended the container must leave complete images. Ctrl-C and friends
	 * wait (CRIU, our child, inherits the mask too). */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &old_mask);
	masked = true;
	/* The record first: everything in it is known now, and a dump that
	 * ends the container must never leave images without it. */
	r = write_meta(tmp_fd, &meta);
	if (r < 0) {
		r = ctr_error_sys(err, -r, "write %s/%s", tmp, CPT_META);
		goto fail;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = ctr_criu_dump(&(struct ctr_criu_dump_opts){ .criu = criu,
							.pid = st.init_pid,
							.images_fd = tmp_fd,
							.work_fd = work_fd,
							.leave_running = o->leave_running,
							.empty_netns = meta.netns,
							.external = external },
			  err);
	if (r < 0 && !o->leave_running && kill(st.init_pid, 0) < 0 && errno == ESRCH) {
		/* CRIU failed after it ended the container (its reply lost):
		 * what it wrote is all there is of it. */
		if (ret)
			ret->ended_dir = strdup(tmp);
		ctr_error_wrap(err, "the container ended during the dump; its images, maybe incomplete, are in %s",
			       tmp);
		goto out;
	}
	if (r < 0)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r = fsync(tmp_fd) < 0 ? negative_errno() : 0;
	if (r == 0)
		r = swap_in(tmp, images);
	if (r < 0) {
		/* The dump is complete, but cannot be put in place: without
		 * --leave-running CRIU ended the container, and the images are
		 * all there is of it. Say where they are. */
		if (ret && !o->leave_running)
			ret->ended_dir = strdup(tmp);
		r = ctr_error_sys(err, -r, "save the checkpoint as %s (the images are in %s)", images, tmp);
		goto out;
	}
	if (!o->leave_running)
		wait_monitor_exit(conn);
	if (ret) {
		ret->bytes = dir_bytes(images);
		ret->dump_ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		ret->dir = TAKE_PTR(images);
	}
	r = 0;
	goto out;
fail:
	rm_rf_at(AT_FDCWD, tmp);
out:
	if (masked)
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
	ctr_state_done(&st);
	return r;
}

/* ---- restore ------------------------------------------------------------- */

int ctr_restore(struct ctr_context *ctx, const char *name, const struct ctr_restore_opts *o, struct ctr_error **err)
{
	return ctr_restore_held(ctx, name, o, -1, err);
}

int ctr_restore_held(struct ctr_context *ctx, const char *name, const struct ctr_restore_opts *o, int held_lock,
		     struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_(ctr_cpt_record_done) struct ctr_cpt_record meta = { 0 };
	_cleanup_free_ char *criu = NULL, *images = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	r = ctr_start_prepare(ctx, name, true, held_lock, &lock, &spec, err);
	if (r < 0)
		return r;
	images = images_path(ctx, name, o->dir);
	if (!images)
		return -ENOMEM;
	r = load_meta(images, &meta, err);
	if (r < 0)
		return r;
	if (strcmp(meta.name, name))
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "the checkpoint in %s is of container '%s', not '%s'",
				      images, meta.name, name);
	r = ctr_criu_find(&criu, NULL, err);
	if (r < 0)
		return r;
	return ctr_start_monitor(ctx, name, spec, images, held_lock >= 0 ? held_lock : lock, err);
}

/* The host-side things a restore lends CRIU, undone once it is over. */
struct restore_env {
	char *root_mnt; /* our idmapped mount of the rootfs, or NULL */
	char *mask_mnt; /* the masks' tmpfs, or NULL */
	char *dev_mnt;	/* its /dev, or NULL */
	char *stage;	/* where they are attached (make_stage) */
	int console;	/* pty master */
	int tty;	/* its slave, inherited by criu */
	char tty_path[64];
};

static void detach(char **path)
{
	if (*path) {
		umount2(*path, MNT_DETACH);
		rmdir(*path);
		free(*path);
		*path = NULL;
	}
}

static void restore_env_done(struct restore_env *e)
{
	detach(&e->root_mnt);
	detach(&e->mask_mnt);
	detach(&e->dev_mnt);
	if (e->stage)
		rmdir(e->stage);
	free(e->stage);
	e->stage = NULL;
	closep(&e->tty);
	closep(&e->console);
	e->tty = e->console = -1;
}

/* The directory the restore's mounts are attached in. CRIU opens them
 * from inside the container's user namespace, as its root: every directory
 * above must let others through, which RUNDIR/NAME (monitor.sock) must not
 * and a --run-dir under a private directory does not. /dev/shm lets anyone
 * through and, sticky, lets no one rename what we make there. */
static int make_stage(const char *name, uid_t uid, gid_t gid, char **ret)
{
	_cleanup_free_ char *stage = NULL;

	if (asprintf(&stage, "/dev/shm/ctr-restore-%s-XXXXXX", name) < 0)
		return -ENOMEM;
	/* mkdtemp makes it 0700; its owner is the container's root, who
	 * alone needs to enter (the rootfs is reachable through it). */
	if (!mkdtemp(stage))
		return negative_errno();
	if (chown(stage, uid, gid) < 0) {
		int r = negative_errno();

		rmdir(stage);
		return r;
	}
	*ret = TAKE_PTR(stage);
	return 0;
}

/* A detached tree attached at DIR/<sub>: *ret_path. */
static int attach_at(const char *run, const char *sub, int tree, char **ret_path)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/%s", run, sub) < 0)
		return -ENOMEM;
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return negative_errno();
	if (move_mount(tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		int r = negative_errno();

		rmdir(path);
		return r;
	}
	*ret_path = TAKE_PTR(path);
	return 0;
}

/* CRIU's restored tasks read some images themselves, after taking the
 * container's credentials: with a user namespace, the images (the
 * container's own state) belong to its root, readable by it alone. All but
 * one: a container restored before runs in a time namespace (CRIU keeps
 * its clocks going), and the restored init opens timens-N.img before its id
 * maps are written, as "nobody": that image (clock offsets) is readable by
 * all, and the directory lets all through (but not list it). */
static int chown_images(int images_fd, uid_t uid, gid_t gid)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int fd = dup(images_fd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return negative_errno();
	}
	/* The files first, through descriptors (never a link), the directory
	 * last: until then only root can change what is in it. */
	while ((de = readdir(d))) {
		_cleanup_close_ int f = -1;
		struct stat st;

		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		f = openat(images_fd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (f < 0 && (errno == ELOOP || errno == ENXIO))
			continue;
		if (f < 0 || fstat(f, &st) < 0)
			return negative_errno();
		if (!S_ISREG(st.st_mode))
			continue;
		if (fchown(f, uid, gid) < 0 || fchmod(f, strncmp(de->d_name, "timens-", 7) ? 0600 : 0644) < 0)
			return negative_errno();
	}
	if (fchown(images_fd, uid, gid) < 0 || fchmod(images_fd, 0711) < 0)
		return negative_errno();
	return 0;
}

/* A pty of the host's devpts for the console: the monitor keeps the master;
 * the slave belongs to the container's root. */
static int new_console(const struct ctr_spec *spec, struct restore_env *e)
{
	int unlock = 0;

	e->console = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (e->console < 0)
		return negative_errno();
	if (ioctl(e->console, TIOCSPTLCK, &unlock) < 0 || ptsname_r(e->console, e->tty_path, sizeof(e->tty_path)))
		return negative_errno();
	/* Not close-on-exec: libcriu's criu inherits it (--inherit-fd). */
	e->tty = open(e->tty_path, O_RDWR | O_NOCTTY);
	if (e->tty < 0)
		return negative_errno();
	if (ctr_spec_userns(spec) && fchown(e->tty, spec->uid_map.host_id, spec->gid_map.host_id) < 0)
		return negative_errno();
	return 0;
}

struct restore_net {
	const struct ctr_network *net;
	const char *key;
	bool done;
};

/* CRIU made the container's network namespace, empty: loopback and its
 * interfaces as a start makes them (host side, inside, filter, rate),
 * before any of its processes runs again or a socket is restored. */
static int restore_netns(void *data, pid_t pid, struct ctr_error **err)
{
	struct restore_net *rn = data;
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), target = -1;
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0)
		return ctr_error_sys(err, errno, "open the restored container's network namespace");
	if (setns(target, CLONE_NEWNET) < 0)
		return ctr_error_sys(err, errno, "join the restored container's network namespace");
	r = ctr_netns_loopback_up(err);
	if (setns(self, CLONE_NEWNET) < 0 && r == 0)
		r = ctr_error_sys(err, errno, "return to the host's network namespace");
	if (r == 0)
		r = ctr_net_setup(rn->net, rn->key, pid, err);
	rn->done = r == 0;
	return r;
}

int ctr_restore_launch(struct ctr_context *ctx, const char *name, const struct ctr_spec *spec, const char *net_key,
		       const char *rootfs, const char *images, char *const *cgroups, pid_t *ret_pid, int *ret_pidfd,
		       int *ret_console, struct ctr_network *ret_net, struct ctr_error **err)
{
	_cleanup_(ctr_cpt_record_done) struct ctr_cpt_record meta = { 0 };
	_cleanup_free_ char *criu = NULL, *dir = ctr_container_dir(ctx, name);
	_cleanup_strv_ char **external = calloc(1, sizeof(char *)), **roots = calloc(1, sizeof(char *));
	_cleanup_close_ int images_fd = -1, work_fd = -1, pidfd = -1;
	struct restore_env e = { .console = -1, .tty = -1 };
	struct restore_net rn = { .net = &meta.net, .key = net_key };
	pid_t pid = 0;
	int r;

	if (!dir || !external || !roots)
		return -ENOMEM;
	r = load_meta(images, &meta, err);
	if (r < 0)
		return r;
	r = ctr_criu_find(&criu, NULL, err);
	if (r < 0)
		return r;
	images_fd = open(images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	work_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (images_fd < 0 || work_fd < 0)
		return ctr_error_sys(err, errno, "open %s", images_fd < 0 ? images : dir);

	if (ctr_spec_userns(spec) && (r = chown_images(images_fd, spec->uid_map.host_id, spec->gid_map.host_id)) < 0)
		return ctr_error_sys(err, -r, "give the images in %s to the container's root", images);
	r = make_stage(name, ctr_spec_userns(spec) ? spec->uid_map.host_id : 0,
		       ctr_spec_userns(spec) ? spec->gid_map.host_id : 0, &e.stage);
	if (r < 0) {
		r = ctr_error_sys(err, -r, "create a directory in /dev/shm for the restore");
		goto out;
	}
	if (meta.tty || meta.console) {
		r = new_console(spec, &e);
		if (r < 0) {
			r = ctr_error_sys(err, -r, "create the console pty");
			goto out;
		}
		if (meta.console) {
			_cleanup_free_ char *ext = NULL;

			if (asprintf(&ext, "mnt[%s]:%s", CONSOLE_KEY, e.tty_path) < 0 ||
			    strv_push(&external, ext) < 0) {
				r = -ENOMEM;
				goto out;
			}
		}
	}
	if (meta.dev) {
		_cleanup_close_ int tree = -1;
		_cleanup_free_ char *ext = NULL;

		r = ctr_rootfs_restore_dev_tree(&spec->res, spec->uid_map.host_id, spec->gid_map.host_id, &tree, err);
		if (r < 0)
			goto out;
		r = attach_at(e.stage, "dev", tree, &e.dev_mnt);
		if (r < 0) {
			r = ctr_error_sys(err, -r, "attach /dev for the restore");
			goto out;
		}
		if (asprintf(&ext, "mnt[%s]:%s", DEV_KEY, e.dev_mnt) < 0 || strv_push(&external, ext) < 0) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (meta.masks[0]) {
		_cleanup_close_ int tree = -1;

		r = ctr_rootfs_mask_source(&tree);
		if (r == 0)
			r = attach_at(e.stage, "masks", tree, &e.mask_mnt);
		if (r < 0) {
			r = ctr_error_sys(err, -r, "create the masks' tmpfs");
			goto out;
		}
		for (size_t i = 0; meta.masks[i]; i++) {
			_cleanup_free_ char *ext = NULL;

			/* "ctr-mask-f-N": the file; "ctr-mask-d-N": the directory. */
			if (asprintf(&ext, "mnt[%s]:%s/%c", meta.masks[i], e.mask_mnt, meta.masks[i][9]) < 0 ||
			    strv_push(&external, ext) < 0) {
				r = -ENOMEM;
				goto out;
			}
		}
	}
	if (ctr_spec_userns(spec) && spec->rootfs_idmap == CTR_ROOTFS_IDMAP_MOUNT) {
		_cleanup_close_ int userns = -1, tree = -1;

		/* The root as the container saw it: on-disk id N is its id N. */
		r = ctr_idmap_userns_new(&spec->uid_map, &spec->gid_map, &userns);
		if (r == 0)
			r = ctr_idmap_tree(rootfs, userns, &tree);
		if (r == 0)
			r = attach_at(e.stage, "root", tree, &e.root_mnt);
		if (r < 0) {
			r = ctr_error_sys(err, -r, "idmapped mount of %s", rootfs);
			goto out;
		}
	}
	for (size_t i = 0; cgroups && cgroups[i]; i++)
		if (strv_push(&roots, cgroups[i]) < 0) {
			r = -ENOMEM;
			goto out;
		}

	/* ctr_net_setup removes leftovers of a crash itself. */
	r = ctr_criu_restore(&(struct ctr_criu_restore_opts){ .criu = criu,
							      .images_fd = images_fd,
							      .work_fd = work_fd,
							      .root = e.root_mnt ? e.root_mnt : rootfs,
							      .external = external,
							      .tty_fd = meta.tty ? e.tty : -1,
							      .tty_key = meta.tty,
							      .cgroup_roots = roots,
							      .setup_netns = meta.netns ? restore_netns : NULL,
							      .data = &rn },
			     &pid, err);
	if (r < 0)
		goto out;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		r = ctr_error_sys(err, errno, "pidfd_open %d", (int)pid);
		kill(pid, SIGKILL);
		goto reap;
	}
	*ret_pid = pid;
	*ret_pidfd = TAKE_FD(pidfd);
	*ret_console = e.console;
	e.console = -1;
	*ret_net = meta.net;
	memset(&meta.net, 0, sizeof(meta.net));
	r = 0;
	goto out;
reap:
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
out:
	/* The namespace went with the failed restore; what outlives it (the
	 * filter's table, an ifb, routes and proxy entries) goes now. */
	if (r < 0 && rn.done)
		ctr_net_teardown(&meta.net, net_key);
	restore_env_done(&e);
	return r;
}
