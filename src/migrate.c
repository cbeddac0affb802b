/* Live migration between hosts: `ctr migrate NAME ssh://HOST` on the source,
 * `ctr migrate-receive NAME` on the target, run by the source over ssh (as
 * vzmigrate runs vzctl): ssh authenticates, nothing listens on a port.
 *
 * The two talk over the ssh session's stdin/stdout, one JSON object per
 * line. The bulk goes beside it, through rsync over ssh: the rootfs while
 * the container runs, then once more with the images once it is dumped.
 *
 *   source                                   target
 *   hello {config, bytes, mode}         ->   checks: CRIU, name free, bridges,
 *                                            parents, uplinks, addresses, id
 *                                            range, disk; ROOT/.migrate-NAME
 *                                       <-   {dir}
 *   rsync rootfs (live)                 ->   dir/rootfs
 *   dump (the container ends)
 *   rsync rootfs, images                ->   dir/rootfs, dir/checkpoint
 *   restore                             ->   dir becomes ROOT/NAME, restore
 *                                       <-   {pid}: it runs there
 *   commit                              ->   done
 *   destroy (or keep, stopped)
 *
 * Until the target runs the container, every failure rolls back: the target
 * removes what it received (it does so too when the session ends without a
 * commit), and the source restores the container from its own images
 * (OpenVZ's vzmigrate does the same). Once the commit is sent and not
 * answered, nothing is undone automatically: the container may run on the
 * target, and two copies must never run. */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <net/if.h>

#include "cgroups/cgroup.h"
#include "checkpoint/criu.h"
#include "container.h"
#include "internal.h"
#include "netns/netns.h"
#include "util.h"

#define MIGRATE_PROTO 1
/* How long a target keeps a restored container without the commit. */
#define COMMIT_TIMEOUT_S 30
/* ROOT/NAME/migration: the images of a migration, on both sides. */
#define CTR_MIGRATION_DIR "migration"
#define LINE_MAX_BYTES	  (4 << 20)

static const char *const mode_names[_CTR_MIGRATE_MODE_MAX] = {
	[CTR_MIGRATE_AUTO] = "auto",
	[CTR_MIGRATE_PRECOPY] = "precopy",
	[CTR_MIGRATE_POSTCOPY] = "postcopy",
	[CTR_MIGRATE_STOP] = "stop",
};

const char *ctr_migrate_mode_to_string(enum ctr_migrate_mode m)
{
	return m < _CTR_MIGRATE_MODE_MAX ? mode_names[m] : "unknown";
}

int ctr_migrate_mode_from_string(const char *s)
{
	for (int i = 0; i < _CTR_MIGRATE_MODE_MAX; i++)
		if (!strcmp(s, mode_names[i]))
			return i;
	return -EINVAL;
}

static const char *const phase_names[_CTR_MIGRATE_PHASE_MAX] = {
	[CTR_MIGRATE_PHASE_HANDSHAKE] = "handshake", [CTR_MIGRATE_PHASE_SYNC] = "sync",
	[CTR_MIGRATE_PHASE_DUMP] = "dump",	     [CTR_MIGRATE_PHASE_COPY] = "copy",
	[CTR_MIGRATE_PHASE_RESTORE] = "restore",     [CTR_MIGRATE_PHASE_COMMIT] = "commit",
	[CTR_MIGRATE_PHASE_CLEANUP] = "cleanup",
};

const char *ctr_migrate_phase_to_string(enum ctr_migrate_phase p)
{
	return p < _CTR_MIGRATE_PHASE_MAX ? phase_names[p] : "unknown";
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

/* ---- the session: JSON lines over two descriptors ------------------------- */

struct line_reader {
	int fd;
	char *buf;
	size_t len, cap;
};

/* One line (without its newline), waiting at most timeout_ms (< 0: no
 * limit). -EPIPE at end of stream, -ETIMEDOUT, -EMSGSIZE. */
static int read_line(struct line_reader *lr, int timeout_ms, char **ret)
{
	long long deadline = timeout_ms < 0 ? 0 : now_ms() + timeout_ms;

	for (;;) {
		char *nl = lr->buf ? memchr(lr->buf, '\n', lr->len) : NULL;
		struct pollfd p = { .fd = lr->fd, .events = POLLIN };
		ssize_t n;
		int wait;

		if (nl) {
			size_t l = (size_t)(nl - lr->buf);
			char *line = strndup(lr->buf, l);

			if (!line)
				return -ENOMEM;
			memmove(lr->buf, nl + 1, lr->len - l - 1);
			lr->len -= l + 1;
			*ret = line;
			return 0;
		}
		if (lr->len >= LINE_MAX_BYTES)
			return -EMSGSIZE;
		if (lr->cap - lr->len < 4096) {
			size_t cap = lr->cap ? lr->cap * 2 : 8192;
			char *b = realloc(lr->buf, cap);

			if (!b)
				return -ENOMEM;
			lr->buf = b;
			lr->cap = cap;
		}
		wait = timeout_ms < 0 ? -1 : (int)(deadline - now_ms());
		if (timeout_ms >= 0 && wait <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (!p.revents)
			continue;
		n = read(lr->fd, lr->buf + lr->len, lr->cap - lr->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			return -EPIPE;
		lr->len += (size_t)n;
	}
}

static int send_gen(int fd, yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	int r;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		return -EINVAL;
	r = write_all(fd, buf, len);
	return r < 0 ? r : write_all(fd, "\n", 1);
}

/* {"op": op} plus, when given, one string member. */
static int send_op(int fd, const char *op, const char *key, const char *value)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	int r;

	if (!g)
		return -ENOMEM;
	yajl_gen_map_open(g);
	GSTR(g, "op");
	GSTR(g, op);
	if (key) {
		GSTR(g, key);
		GSTR(g, value);
	}
	yajl_gen_map_close(g);
	r = send_gen(fd, g);
	yajl_gen_free(g);
	return r;
}

static yajl_val jget(yajl_val root, const char *key, yajl_type t)
{
	const char *path[] = { key, NULL };

	return yajl_tree_get(root, path, t);
}

/* ---- the target ------------------------------------------------------------ */

/* A reply: {"ok": true, extra...} or {"ok": false, "error": {...}}. */
static int reply(int fd, const struct ctr_error *e, const char *key, const char *value, long long num)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	int r;

	if (!g)
		return -ENOMEM;
	yajl_gen_map_open(g);
	GSTR(g, "ok");
	yajl_gen_bool(g, !e);
	if (e) {
		GSTR(g, "error");
		yajl_gen_map_open(g);
		GSTR(g, "kind");
		yajl_gen_integer(g, e->kind);
		GSTR(g, "errno");
		yajl_gen_integer(g, e->errnum);
		GSTR(g, "message");
		GSTR(g, e->msg ? e->msg : "error");
		yajl_gen_map_close(g);
	}
	if (key) {
		GSTR(g, key);
		if (value)
			GSTR(g, value);
		else
			yajl_gen_integer(g, num);
	}
	yajl_gen_map_close(g);
	r = send_gen(fd, g);
	yajl_gen_free(g);
	return r;
}

struct receiver {
	struct ctr_context *ctx;
	const char *name;
	char *stage;	/* ROOT/.migrate-NAME until the restore */
	int lock;	/* the container's, from the rename on */
	int stage_lock; /* ROOT/.migrate-NAME.lock: one receive of a name at a time */
	char *stage_lock_path;
	bool renamed;  /* stage is ROOT/NAME now */
	bool restored; /* it runs here */
	bool committed;
};

/* What another container of this root could take meanwhile: the name,
 * addresses, the id range (CRIU gives the container back its user
 * namespace with the maps it had: the same host ids must be free here).
 * Under the root lock. */
static int receive_check_root(struct receiver *rc, struct ctr_spec *spec, struct ctr_error **err)
{
	int r;

	if (ctr_container_exists(rc->ctx, rc->name, NULL) == 0)
		return ctr_error_user(err, CTR_ERR_EXISTS, EEXIST,
				      "a container '%s' already exists on the target; destroy it there or migrate "
				      "under another name",
				      rc->name);
	r = ctr_network_settle(rc->ctx, rc->name, spec, err);
	if (r < 0)
		return ctr_error_wrap(err, "the target");
	if (ctr_spec_userns(spec) && ctr_userns_allocate(rc->ctx, rc->name, spec, NULL) < 0)
		return ctr_error_user(err, CTR_ERR_EXISTS, EEXIST,
				      "host ids %u-%u, those of its user namespace, belong to another container on the "
				      "target: a migrated container keeps its ids (CRIU restores its user namespace as "
				      "it was); give each host its own idmap-pool in ctr.conf",
				      spec->uid_map.host_id, spec->uid_map.host_id + spec->uid_map.size - 1);
	return 0;
}

/* Can this host run it? Everything that can be known before anything is
 * frozen. Under the root lock. */
static int receive_check(struct receiver *rc, struct ctr_spec *spec, unsigned long long bytes, struct ctr_error **err)
{
	_cleanup_free_ char *criu = NULL;
	struct statvfs sv;
	int r;

	r = ctr_criu_find(&criu, NULL, err);
	if (r < 0)
		return ctr_error_wrap(err, "the target");
	for (size_t i = 0; i < spec->net.n; i++) {
		const struct ctr_net_if *n = &spec->net.ifs[i];

		if (n->type == CTR_NET_VETH && !if_nametoindex(n->bridge))
			return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENODEV,
					      "bridge '%s' (of %s) is not on the target; create it there first, "
					      "connected as on this host",
					      n->bridge, n->name);
	}
	r = ctr_network_check_host(&spec->net, err);
	if (r < 0)
		return ctr_error_wrap(err, "the target");
	r = receive_check_root(rc, spec, err);
	if (r < 0)
		return r;
	if (statvfs(rc->ctx->root, &sv) < 0)
		return ctr_error_sys(err, errno, "statvfs %s", rc->ctx->root);
	if ((unsigned long long)sv.f_bavail * sv.f_frsize < bytes + (16ULL << 20))
		return ctr_error_user(err, CTR_ERR_SYSTEM, ENOSPC,
				      "not enough space on the target: %s has %llu MiB free, the container needs "
				      "about %llu MiB",
				      rc->ctx->root, (unsigned long long)sv.f_bavail * sv.f_frsize >> 20,
				      (bytes >> 20) + 16);
	return 0;
}

static int receive_hello(struct receiver *rc, yajl_val msg, struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_close_ int root_lock = -1, dfd = -1;
	yajl_val v, cfg = jget(msg, "config", yajl_t_string), bytes = jget(msg, "bytes", yajl_t_number);
	_cleanup_free_ char *rootfs = NULL, *lock_path = NULL;
	int r;

	v = jget(msg, "version", yajl_t_number);
	if (!v || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) != MIGRATE_PROTO || !cfg || !bytes ||
	    !YAJL_IS_INTEGER(bytes) || YAJL_GET_INTEGER(bytes) < 0)
		return ctr_error_user(err, CTR_ERR_USAGE, EPROTO,
				      "the source speaks another migration protocol (this is version %d); use the "
				      "same ctr on both hosts",
				      MIGRATE_PROTO);
	r = ctr_spec_parse(cfg->u.string, strlen(cfg->u.string), &spec, err);
	if (r < 0)
		return ctr_error_wrap(err, "the container's config");
	/* rsync sends the rootfs as a directory of its name: one plain name. */
	if (strchr(spec->root_path, '/') || !strcmp(spec->root_path, ".") || !strcmp(spec->root_path, ".."))
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "root.path is '%s', not a directory of its own in the container's directory: "
				      "ctr moves only a rootfs it made",
				      spec->root_path);
	r = ctr_lock_root(rc->ctx, &root_lock, err);
	if (r < 0)
		return r;
	r = receive_check(rc, spec, (unsigned long long)YAJL_GET_INTEGER(bytes), err);
	if (r < 0)
		return r;
	if (asprintf(&lock_path, "%s/.migrate-%s.lock", rc->ctx->root, rc->name) < 0)
		return -ENOMEM;
	/* Removed at the end: a lock taken on a file already unlinked is
	 * retried on the new one. */
	for (int i = 0;; i++) {
		struct stat a, b;

		rc->stage_lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (rc->stage_lock < 0)
			return ctr_error_sys(err, errno, "open %s", lock_path);
		if (flock(rc->stage_lock, LOCK_EX | LOCK_NB) < 0 || i == 3)
			return ctr_error_user(err, CTR_ERR_BUSY, EBUSY,
					      "another migration of '%s' to this host is in progress", rc->name);
		if (fstat(rc->stage_lock, &a) == 0 && stat(lock_path, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			break;
		closep(&rc->stage_lock);
		rc->stage_lock = -1;
	}
	rc->stage_lock_path = TAKE_PTR(lock_path);
	if (asprintf(&rc->stage, "%s/.migrate-%s", rc->ctx->root, rc->name) < 0)
		return -ENOMEM;
	/* A crashed receive's leftovers: invisible (not a container name). */
	rm_rf_at(AT_FDCWD, rc->stage);
	if (mkdir(rc->stage, 0700) < 0 || (dfd = open(rc->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return ctr_error_sys(err, errno, "create %s", rc->stage);
	if (asprintf(&rootfs, "%s/%s", rc->stage, spec->root_path) < 0)
		return -ENOMEM;
	if (mkdir(rootfs, 0755) < 0)
		return ctr_error_sys(err, errno, "create %s", rootfs);
	r = write_file_atomic_at(dfd, CTR_CONFIG_FILE, cfg->u.string, strlen(cfg->u.string), 0644, true);
	if (r < 0)
		return ctr_error_sys(err, -r, "write %s/%s", rc->stage, CTR_CONFIG_FILE);
	return 0;
}

/* The received directory becomes the container, which CRIU brings back. */
static int receive_restore(struct receiver *rc, struct ctr_error **err)
{
	_cleanup_free_ char *dir = ctr_container_dir(rc->ctx, rc->name), *images = NULL, *lock_path = NULL, *cfg = NULL,
			    *json = NULL;
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_close_ int root_lock = -1;
	struct ctr_restore_opts o = { 0 };
	int r;

	if (!dir || asprintf(&lock_path, "%s/%s", rc->stage, CTR_LOCK_FILE) < 0 ||
	    asprintf(&cfg, "%s/%s", rc->stage, CTR_CONFIG_FILE) < 0)
		return -ENOMEM;
	/* The container's lock, taken on the staged directory: the same file
	 * once renamed, so no other command gets the container first. */
	rc->lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (rc->lock < 0 || flock(rc->lock, LOCK_EX | LOCK_NB) < 0)
		return ctr_error_sys(err, errno, "lock %s", lock_path);
	r = read_file_at(AT_FDCWD, cfg, 4 << 20, &json, NULL);
	if (r < 0)
		return ctr_error_sys(err, -r, "read %s", cfg);
	r = ctr_spec_parse(json, strlen(json), &spec, err);
	if (r < 0)
		return r;
	r = ctr_lock_root(rc->ctx, &root_lock, err);
	if (r < 0)
		return r;
	/* What hello checked may have changed during the copy (the staged
	 * directory is no container: creates do not see its ids or
	 * addresses). Again, under the root lock, before it becomes one. */
	r = receive_check_root(rc, spec, err);
	if (r < 0)
		return r;
	if (renameat2(AT_FDCWD, rc->stage, AT_FDCWD, dir, RENAME_NOREPLACE) < 0)
		return errno == EEXIST || errno == ENOTEMPTY
			       ? ctr_error_user(err, CTR_ERR_EXISTS, EEXIST,
						"a container '%s' was created on the target meanwhile", rc->name)
			       : ctr_error_sys(err, errno, "rename %s to %s", rc->stage, dir);
	rc->renamed = true;
	closep(&root_lock);
	/* A container of that name exists now: the staging lock has done
	 * its work, and the monitor forked below must not inherit it. */
	unlink(rc->stage_lock_path);
	closep(&rc->stage_lock);
	rc->stage_lock = -1;
	if (asprintf(&images, "%s/%s", dir, CTR_MIGRATION_DIR) < 0)
		return -ENOMEM;
	o.dir = images;
	r = ctr_restore_held(rc->ctx, rc->name, &o, rc->lock, err);
	if (r < 0)
		return r;
	rc->restored = true;
	return 0;
}

/* The session ended without a commit: nothing of it stays here. */
static void receive_undo(struct receiver *rc)
{
	if (rc->renamed) {
		struct ctr_error *e = NULL;

		/* Killed at once (not stopped gracefully: the source may roll
		 * back); stop and destroy take the locks themselves. */
		closep(&rc->lock);
		rc->lock = -1;
		if (rc->restored)
			ctr_stop(rc->ctx, rc->name, 0, &e);
		ctr_error_free(&e);
		ctr_destroy(rc->ctx, rc->name, true, &e);
		ctr_error_free(&e);
	} else if (rc->stage && rc->stage_lock >= 0) {
		rm_rf_at(AT_FDCWD, rc->stage);
	}
}

int ctr_migrate_receive(struct ctr_context *ctx, const char *name, int in_fd, int out_fd, struct ctr_error **err)
{
	struct receiver rc = { .ctx = ctx, .name = name, .lock = -1, .stage_lock = -1 };
	struct line_reader lr = { .fd = in_fd };
	bool hello = false;
	int r;

	signal(SIGPIPE, SIG_IGN);
	r = ctr_name_validate(name, err);
	if (r < 0) {
		reply(out_fd, err ? *err : NULL, NULL, NULL, 0);
		return r;
	}
	for (;;) {
		_cleanup_free_ char *line = NULL;
		struct ctr_error *e = NULL;
		yajl_val msg, op;

		/* Restored, it waits for the commit a bounded time: the source
		 * rolls back only after that (it may have lost our answer). */
		r = read_line(&lr, rc.restored ? COMMIT_TIMEOUT_S * 1000 : -1, &line);
		if (r < 0) {
			r = r == -EPIPE	      ? ctr_error_user(err, CTR_ERR_SYSTEM, EPIPE,
							       "the source ended the session before the commit")
			    : r == -ETIMEDOUT ? ctr_error_user(err, CTR_ERR_SYSTEM, ETIMEDOUT,
							       "no commit from the source within %d s of the restore",
							       COMMIT_TIMEOUT_S)
					      : ctr_error_sys(err, -r, "read from the source");
			break;
		}
		msg = yajl_tree_parse(line, NULL, 0);
		op = msg ? jget(msg, "op", yajl_t_string) : NULL;
		if (!op) {
			yajl_tree_free(msg);
			r = ctr_error_user(err, CTR_ERR_USAGE, EPROTO, "a message from the source is not valid");
			break;
		}
		if (!strcmp(op->u.string, "hello") && !hello) {
			r = receive_hello(&rc, msg, &e);
			hello = r == 0;
			/* A failure without a record must not read as "ok". */
			if (r < 0 && !e)
				ctr_error_from_errno(&e, r, "the target");
			reply(out_fd, e, r == 0 ? "dir" : NULL, rc.stage, 0);
		} else if (!strcmp(op->u.string, "restore") && hello && !rc.renamed) {
			r = receive_restore(&rc, &e);
			if (r < 0 && !e)
				ctr_error_from_errno(&e, r, "the target");
			reply(out_fd, e, NULL, NULL, 0);
		} else if (!strcmp(op->u.string, "commit") && rc.restored) {
			_cleanup_free_ char *dir = ctr_container_dir(ctx, name), *images = NULL;

			rc.committed = true;
			r = reply(out_fd, NULL, NULL, NULL, 0);
			/* The images did their work. */
			if (dir && asprintf(&images, "%s/%s", dir, CTR_MIGRATION_DIR) >= 0)
				rm_rf_at(AT_FDCWD, images);
		} else if (!strcmp(op->u.string, "abort")) {
			r = ctr_error_user(&e, CTR_ERR_SYSTEM, ECANCELED, "the source aborted the migration");
		} else {
			r = ctr_error_user(&e, CTR_ERR_USAGE, EPROTO, "unexpected '%s' from the source", op->u.string);
			reply(out_fd, e, NULL, NULL, 0);
		}
		yajl_tree_free(msg);
		if (r < 0 || rc.committed) {
			if (e && err && !*err)
				*err = e;
			else
				ctr_error_free(&e);
			break;
		}
	}
	if (!rc.committed)
		receive_undo(&rc);
	closep(&rc.lock);
	if (rc.stage_lock >= 0 && rc.stage_lock_path)
		unlink(rc.stage_lock_path);
	closep(&rc.stage_lock);
	free(rc.stage_lock_path);
	free(rc.stage);
	free(lr.buf);
	return rc.committed ? 0 : (r < 0 ? r : -EIO);
}

/* ---- the source ------------------------------------------------------------- */

struct dest {
	char *login;	/* "user@host" or "host" (an IPv6 host in brackets for rsync) */
	char *ssh_host; /* for ssh: no brackets */
	char *port;
};

static void dest_done(struct dest *d)
{
	free(d->login);
	free(d->ssh_host);
	free(d->port);
}

/* ssh://[user@]host[:port] */
static int parse_dest(const char *s, struct dest *ret, struct ctr_error **err)
{
	_cleanup_free_ char *user = NULL, *host = NULL, *port = NULL;
	const char *p, *at, *end;

	if (strncmp(s, "ssh://", 6))
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "destination '%s' is not ssh://[user@]host[:port] (the only transport)", s);
	p = s + 6;
	at = strchr(p, '@');
	if (at) {
		user = strndup(p, (size_t)(at - p));
		p = at + 1;
	}
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "destination '%s': no ']'", s);
		host = strndup(p + 1, (size_t)(end - p - 1));
		p = end + 1;
	} else {
		end = p + strcspn(p, ":/");
		host = strndup(p, (size_t)(end - p));
		p = end;
	}
	if (*p == ':') {
		port = strndup(p + 1, strcspn(p + 1, "/"));
		p += 1 + strlen(port ? port : "");
	}
	if (!host || (at && !user) || (*p && strcmp(p, "/")))
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "destination '%s' is not ssh://[user@]host[:port]",
				      s);
	if (!host[0] ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != strlen(host) ||
	    (user && (!user[0] || strspn(user, "abcdefghijklmnopqrstuvwxyz"
					       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(user))) ||
	    (port && (!port[0] || strspn(port, "0123456789") != strlen(port))))
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "destination '%s': bad user, host or port", s);
	if (asprintf(&ret->login, "%s%s%s%s%s", user ? user : "", user ? "@" : "", strchr(host, ':') ? "[" : "", host,
		     strchr(host, ':') ? "]" : "") < 0)
		return -ENOMEM;
	if (asprintf(&ret->ssh_host, "%s%s%s", user ? user : "", user ? "@" : "", host) < 0)
		return -ENOMEM;
	ret->port = TAKE_PTR(port);
	return 0;
}

struct source {
	struct ctr_context *ctx;
	const char *name;
	const struct ctr_migrate_opts *o;
	struct dest dest;
	char **ssh_argv; /* ssh and its options, without the host */
	pid_t ssh_pid;
	int to, from; /* the session */
	int ssh_err;  /* what ssh said (a memfd) */
	struct line_reader lr;
	char *dir;    /* the target's ROOT/.migrate-NAME */
	char *images; /* ours: ROOT/NAME/migration */
	struct ctr_migrate_report *rep;
	char ctl_dir[32]; /* the ssh master's socket */
	bool lost;	  /* the session ended unexpectedly */
};

static int push(char ***v, const char *s)
{
	return strv_push(v, s) < 0 ? -ENOMEM : 0;
}

static int build_ssh_argv(struct source *s)
{
	_cleanup_free_ char *ctl = NULL;
	int r = 0;

	r |= push(&s->ssh_argv, "ssh");
	/* The user's first: ssh takes the first value of an option. */
	for (size_t i = 0; s->o->ssh_opts && s->o->ssh_opts[i]; i++)
		r |= push(&s->ssh_argv, s->o->ssh_opts[i]);
	/* Never a password prompt in a panel's non-interactive call; notice a
	 * dead peer within 15 s; AES-GCM first (with AES-NI about twice as
	 * fast as the default chacha20 for the images: 0.5 s per 256 MiB). */
	r |= push(&s->ssh_argv, "-o");
	r |= push(&s->ssh_argv, "BatchMode=yes");
	r |= push(&s->ssh_argv, "-o");
	r |= push(&s->ssh_argv, "ServerAliveInterval=5");
	r |= push(&s->ssh_argv, "-o");
	r |= push(&s->ssh_argv, "ServerAliveCountMax=3");
	r |= push(&s->ssh_argv, "-o");
	r |= push(&s->ssh_argv, "Ciphers=^aes128-gcm@openssh.com,aes256-gcm@openssh.com");
	if (s->dest.port) {
		r |= push(&s->ssh_argv, "-p");
		r |= push(&s->ssh_argv, s->dest.port);
	}
	/* One authenticated connection for everything: the session is its
	 * master, rsync's ssh go through it (no handshake each: ~0.3 s). The
	 * socket is in a directory of ours alone. */
	if (asprintf(&ctl, "ControlPath=%s/ctl", s->ctl_dir) < 0)
		return -ENOMEM;
	r |= push(&s->ssh_argv, "-o");
	r |= push(&s->ssh_argv, ctl);
	r |= push(&s->ssh_argv, "-o");
	r |= push(&s->ssh_argv, "ControlPersist=no");
	return r;
}

/* A child with stdin/stdout on the given descriptors (-1: /dev/null) and
 * stderr on err_fd (-1: ours). */
static pid_t spawn(char *const *argv, int in_fd, int out_fd, int err_fd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	{
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (dup2(in_fd >= 0 ? in_fd : null, STDIN_FILENO) < 0 ||
		    dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO) < 0 ||
		    (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0))
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
}

/* SIGINT, SIGTERM or SIGHUP during a migration: it stops at the next step
 * and rolls back like on any failure, instead of leaving the container
 * dumped and stopped. (A flag: the only thing a handler may set.) */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
		if (interrupted)
			kill(pid, SIGTERM);
	}
	return status;
}

static int check_interrupted(const char *phase, struct ctr_error **err)
{
	if (!interrupted)
		return 0;
	return ctr_error_user(err, CTR_ERR_SYSTEM, EINTR, "%s: interrupted by signal %d", phase, (int)interrupted);
}

/* The last line that ssh (or rsync) wrote, for an error message. */
static char *last_line(int fd)
{
	_cleanup_free_ char *text = NULL;
	char *end, *start;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || read_fd_all(fd, 1 << 20, &text, NULL) < 0 || !text)
		return NULL;
	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	start = strrchr(text, '\n');
	return strdup(start ? start + 1 : text);
}

static int session_open(struct source *s, struct ctr_error **err)
{
	_cleanup_strv_ char **argv = strv_copy(s->ssh_argv);
	_cleanup_free_ char *remote = NULL;
	int to[2], from[2];

	if (!argv ||
	    asprintf(&remote, "%s migrate-receive %s", s->o->remote_ctr ? s->o->remote_ctr : "ctr", s->name) < 0 ||
	    push(&argv, "-o") < 0 || push(&argv, "ControlMaster=yes") < 0 || push(&argv, s->dest.ssh_host) < 0 ||
	    push(&argv, "--") < 0 || push(&argv, remote) < 0)
		return -ENOMEM;
	s->ssh_err = memfd_create("ctr-ssh-stderr", MFD_CLOEXEC);
	if (s->ssh_err < 0 || pipe2(to, O_CLOEXEC) < 0)
		return ctr_error_sys(err, errno, "create the session's pipes");
	if (pipe2(from, O_CLOEXEC) < 0) {
		close(to[0]);
		close(to[1]);
		return ctr_error_sys(err, errno, "create the session's pipes");
	}
	s->ssh_pid = spawn(argv, to[0], from[1], s->ssh_err);
	close(to[0]);
	close(from[1]);
	if (s->ssh_pid < 0) {
		close(to[1]);
		close(from[0]);
		return ctr_error_sys(err, errno, "run ssh");
	}
	s->to = to[1];
	s->from = from[0];
	s->lr.fd = s->from;
	return 0;
}

/* The session broke (r): what ssh said about it. */
static int session_lost(struct source *s, const char *what, int r, struct ctr_error **err)
{
	_cleanup_free_ char *why = NULL;

	/* ssh writes its complaint as it exits. */
	for (int i = 0; i < 50 && s->ssh_pid > 0; i++) {
		if (waitpid(s->ssh_pid, NULL, WNOHANG) != 0) {
			s->ssh_pid = 0;
			break;
		}
		usleep(20 * 1000);
	}
	why = last_line(s->ssh_err);
	s->lost = true;
	return ctr_error_user(err, CTR_ERR_SYSTEM, r == -EPIPE ? EPIPE : -r,
			      "%s: the connection to the target ended%s%s", what, why ? ": " : "", why ? why : "");
}

/* The target's answer to the last request: 0, or its error as ours. */
static int session_answer(struct source *s, const char *what, const char *refused, yajl_val *ret,
			  struct ctr_error **err)
{
	_cleanup_free_ char *line = NULL;
	yajl_val msg, ok, e;
	int r;

	r = read_line(&s->lr, -1, &line);
	if (r < 0)
		return session_lost(s, what, r, err);
	what = refused ? refused : what;
	msg = yajl_tree_parse(line, NULL, 0);
	ok = msg ? jget(msg, "ok", yajl_t_any) : NULL;
	if (!ok) {
		yajl_tree_free(msg);
		return ctr_error_user(err, CTR_ERR_SYSTEM, EPROTO,
				      "%s: the target answered '%.100s' (is ctr on the target the same version?)", what,
				      line);
	}
	if (!YAJL_IS_TRUE(ok)) {
		yajl_val kind, num, m;

		e = jget(msg, "error", yajl_t_object);
		kind = e ? jget(e, "kind", yajl_t_number) : NULL;
		num = e ? jget(e, "errno", yajl_t_number) : NULL;
		m = e ? jget(e, "message", yajl_t_string) : NULL;
		r = ctr_error_user(err,
				   kind && YAJL_IS_INTEGER(kind) && YAJL_GET_INTEGER(kind) > 0 &&
						   YAJL_GET_INTEGER(kind) < _CTR_ERR_KIND_MAX
					   ? (enum ctr_err_kind)YAJL_GET_INTEGER(kind)
					   : CTR_ERR_SYSTEM,
				   num && YAJL_IS_INTEGER(num) && YAJL_GET_INTEGER(num) > 0 ? (int)YAJL_GET_INTEGER(num)
											    : EIO,
				   "%s: %s", what, m ? m->u.string : "the target failed");
		yajl_tree_free(msg);
		return r;
	}
	if (ret)
		*ret = msg;
	else
		yajl_tree_free(msg);
	return 0;
}

static void session_close(struct source *s)
{
	closep(&s->to);
	closep(&s->from);
	s->to = s->from = -1;
	if (s->ssh_pid > 0) {
		/* The target undoes what it has on the end of the session; give
		 * it that time (bounded), then make sure. */
		for (int i = 0; i < 300; i++) {
			if (waitpid(s->ssh_pid, NULL, WNOHANG) != 0)
				break;
			usleep(100 * 1000);
			if (i == 299) {
				kill(s->ssh_pid, SIGKILL);
				wait_child(s->ssh_pid);
			}
		}
		s->ssh_pid = 0;
	}
}

static void progress(struct source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(struct source *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->o->progress)
		return;
	fprintf(stderr, "migrate %s: ", s->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A number after `label` in rsync's --stats ("Total bytes sent: 1,234"). */
static unsigned long long stat_value(const char *text, const char *label)
{
	const char *p = text ? strstr(text, label) : NULL;
	unsigned long long v = 0;

	if (!p)
		return 0;
	for (p += strlen(label); *p == ' '; p++)
		;
	for (; (*p >= '0' && *p <= '9') || *p == ','; p++)
		if (*p != ',')
			v = v * 10 + (unsigned long long)(*p - '0');
	return v;
}

/* rsync the directories srcs (each as a directory of its own name) into
 * the target's dst, through ssh with our options. */
static int rsync_to(struct source *s, char *const *srcs, const char *dst, const char *what,
		    unsigned long long *ret_bytes, struct ctr_error **err)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *e = NULL, *to = NULL, *out = NULL;
	_cleanup_close_ int log = memfd_create("ctr-rsync", MFD_CLOEXEC);
	size_t len = 0;
	int status, r = 0;

	if (log < 0)
		return ctr_error_sys(err, errno, "memfd");
	/* rsync splits -e at spaces and honours quotes: quote every word. */
	e = strdup("'ssh' '-o' 'ControlMaster=no'");
	if (!e)
		return -ENOMEM;
	for (size_t i = 1; s->ssh_argv[i]; i++) {
		char *q = NULL;

		if (strchr(s->ssh_argv[i], '\''))
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "ssh option '%s' has a quote",
					      s->ssh_argv[i]);
		if (asprintf(&q, "%s%s'%s'", e ? e : "", e ? " " : "", s->ssh_argv[i]) < 0)
			return -ENOMEM;
		free(e);
		e = q;
	}
	if (asprintf(&to, "%s:%s/", s->dest.login, dst) < 0)
		return -ENOMEM;
	/* Everything a system container's files have: hard links, ACLs,
	 * xattrs, devices, numeric owners (the rootfs's ids are the
	 * container's, idmapped or shifted, the same on both hosts). */
	r |= push(&argv, "rsync");
	r |= push(&argv, "-aHAX");
	r |= push(&argv, "--numeric-ids");
	r |= push(&argv, "--delete");
	r |= push(&argv, "--stats");
	r |= push(&argv, "-e");
	r |= push(&argv, e);
	for (size_t i = 0; srcs[i]; i++)
		r |= push(&argv, srcs[i]);
	r |= push(&argv, to);
	if (r < 0)
		return -ENOMEM;
	{
		pid_t pid = spawn(argv, -1, log, log);

		if (pid < 0)
			return ctr_error_sys(err, errno, "run rsync");
		status = wait_child(pid);
	}
	if (lseek(log, 0, SEEK_SET) == 0)
		read_fd_all(log, 1 << 20, &out, &len);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *save = NULL, *last = NULL;

		if (interrupted)
			return check_interrupted(what, err);

		/* rsync's first complaint says why; its last line only how it ended. */
		for (char *l = out ? strtok_r(out, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
			if (!last && (strstr(l, "rsync:") || strstr(l, "ssh:") || strstr(l, "No space")))
				last = l;
		if (WIFEXITED(status))
			return ctr_error_user(err, CTR_ERR_SYSTEM, EIO, "%s: rsync failed with exit status %d%s%s",
					      what, WEXITSTATUS(status), last ? ": " : "", last ? last : "");
		return ctr_error_user(err, CTR_ERR_SYSTEM, EIO, "%s: rsync was killed%s%s", what, last ? ": " : "",
				      last ? last : "");
	}
	*ret_bytes = stat_value(out, "Total bytes sent:") + stat_value(out, "Total bytes received:");
	return 0;
}

static unsigned long long tree_bytes(const char *path)
{
	_cleanup_free_ char *cmd = NULL;
	FILE *f;
	unsigned long long kib = 0;

	/* du knows hard links and sparse files; this is an estimate for the
	 * target's disk check, not a measurement. */
	if (asprintf(&cmd, "du -skx -- '%s' 2>/dev/null", path) < 0 || strchr(path, '\''))
		return 0;
	f = popen(cmd, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &kib) != 1)
		kib = 0;
	pclose(f);
	return kib << 10;
}

static int source_hello(struct source *s, struct ctr_error **err)
{
	_cleanup_free_ char *dir = ctr_container_dir(s->ctx, s->name), *cfg = NULL, *rootfs = NULL;
	struct ctr_stats st = { 0 };
	yajl_val msg = NULL, d;
	yajl_gen g;
	int r;

	if (!dir || asprintf(&rootfs, "%s/rootfs", dir) < 0)
		return -ENOMEM;
	{
		_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0 || read_file_at(dfd, CTR_CONFIG_FILE, 4 << 20, &cfg, NULL) < 0)
			return ctr_error_sys(err, errno, "read %s/%s", dir, CTR_CONFIG_FILE);
	}
	/* Memory in use: about what the images will take. */
	ctr_stats_get(s->ctx, s->name, &st, NULL);
	g = yajl_gen_alloc(NULL);
	if (!g)
		return -ENOMEM;
	yajl_gen_map_open(g);
	GSTR(g, "op");
	GSTR(g, "hello");
	GSTR(g, "version");
	yajl_gen_integer(g, MIGRATE_PROTO);
	GSTR(g, "mode");
	GSTR(g, s->rep->mode);
	GSTR(g, "config");
	GSTR(g, cfg);
	GSTR(g, "bytes");
	yajl_gen_integer(g, (long long)tree_bytes(rootfs) + (st.memory_usage > 0 ? st.memory_usage : 0));
	yajl_gen_map_close(g);
	r = send_gen(s->to, g);
	yajl_gen_free(g);
	if (r < 0)
		return session_lost(s, "handshake", r, err);
	r = session_answer(s, "handshake", "the target refused", &msg, err);
	if (r < 0)
		return r;
	d = jget(msg, "dir", yajl_t_string);
	s->dir = d ? strdup(d->u.string) : NULL;
	yajl_tree_free(msg);
	if (!s->dir || s->dir[0] != '/' || strchr(s->dir, '\''))
		return ctr_error_user(err, CTR_ERR_SYSTEM, EPROTO, "the target named no directory to copy to");
	return 0;
}

static void phase_done(struct source *s, enum ctr_migrate_phase p, long long t0, unsigned long long bytes)
{
	long long ms = now_ms() - t0;

	s->rep->phase_ms[p] += ms;
	if (bytes)
		progress(s, "%s: %.1f MiB in %lld ms (%.1f MiB/s)", ctr_migrate_phase_to_string(p),
			 (double)bytes / (1 << 20), ms, ms ? (double)bytes / (1 << 20) * 1000.0 / (double)ms : 0.0);
	else
		progress(s, "%s: %lld ms", ctr_migrate_phase_to_string(p), ms);
}

/* The container ended in the dump: bring it back here from its images. */
static int roll_back(struct source *s, int lock, struct ctr_error **err)
{
	struct ctr_restore_opts ro = { .dir = s->images };
	struct ctr_error *e = NULL;
	int r;

	progress(s, "rolling back: restoring it here");
	r = ctr_restore_held(s->ctx, s->name, &ro, lock, &e);
	if (r < 0) {
		ctr_error_wrap(err, "%s; rolling back failed too (%s); its images are in %s: 'ctr restore --dir %s %s'",
			       "migration failed", e && e->msg ? e->msg : "error", s->images, s->images, s->name);
		ctr_error_free(&e);
		return r;
	}
	s->rep->rolled_back = true;
	rm_rf_at(AT_FDCWD, s->images);
	ctr_error_wrap(err, "migration failed, rolled back (the container runs here again)");
	return 0;
}

static int check_mode(struct source *s, struct ctr_error **err)
{
	switch (s->o->mode) {
	case CTR_MIGRATE_AUTO:
	case CTR_MIGRATE_STOP: s->rep->mode = "stop"; return 0;
	case CTR_MIGRATE_POSTCOPY:
		return ctr_error_user(err, CTR_ERR_UNSUPPORTED, ENOTSUP,
				      "post-copy migration is not implemented yet; use --mode stop");
	case CTR_MIGRATE_PRECOPY:
		return ctr_error_user(err, CTR_ERR_UNSUPPORTED, ENOTSUP,
				      "pre-copy migration is not implemented yet (it also needs dirty-memory "
				      "tracking in both kernels: criu check --feature mem_dirty_track); use --mode "
				      "stop");
	default: return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "unknown migration mode");
	}
}

int ctr_migrate(struct ctr_context *ctx, const char *name, const struct ctr_migrate_opts *o,
		struct ctr_migrate_report *ret, struct ctr_error **err)
{
	struct ctr_migrate_report rep = { 0 };
	struct source s = { .ctx = ctx, .name = name, .o = o, .to = -1, .from = -1, .ssh_err = -1, .rep = &rep };
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_free_ char *cdir = NULL, *rootfs = NULL, *criu = NULL;
	_cleanup_close_ int lock = -1;
	struct ctr_state st = { 0 };
	static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction old_pipe, old_stop[ARRAY_SIZE(stop_signals)];
	long long start = now_ms(), t, frozen = 0;
	unsigned long long bytes;
	bool dumped = false;
	int r;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	/* A target that hangs up answers with EPIPE, not a signal. */
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &old_pipe);
	interrupted = 0;
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &(struct sigaction){ .sa_handler = on_signal }, &old_stop[i]);
	r = check_mode(&s, err);
	if (r < 0)
		goto out;
	r = parse_dest(o->dest, &s.dest, err);
	if (r < 0)
		goto out;
	/* Held from here to the end: nothing else changes the container while
	 * it moves. */
	r = ctr_lock_container(ctx, name, &lock, err);
	if (r < 0)
		goto out;
	r = ctr_load_state(ctx, name, true, &st, err);
	if (r < 0)
		goto out;
	if (st.status != CTR_RUNNING || ctr_paused(&st) > 0) {
		r = ctr_error_user(err, CTR_ERR_WRONG_STATE, EBUSY,
				   "container '%s' is %s; only a running container is migrated (a stopped one: "
				   "copy its directory)",
				   name, st.status == CTR_RUNNING ? "paused" : ctr_status_to_string(st.status));
		goto out;
	}
	r = ctr_criu_find(&criu, NULL, err);
	if (r < 0)
		goto out;
	r = ctr_load_spec(ctx, name, &spec, err);
	if (r < 0)
		goto out;
	if (strchr(spec->root_path, '/') || !strcmp(spec->root_path, ".") || !strcmp(spec->root_path, "..")) {
		r = ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				   "root.path is '%s', not a directory of its own in the container's directory: ctr "
				   "moves only a rootfs it made",
				   spec->root_path);
		goto out;
	}
	cdir = ctr_container_dir(ctx, name);
	rootfs = ctr_rootfs_path(ctx, name, spec);
	strcpy(s.ctl_dir, "/tmp/ctr-migrate.XXXXXX");
	if (!mkdtemp(s.ctl_dir)) {
		s.ctl_dir[0] = '\0';
		r = ctr_error_sys(err, errno, "create a directory in /tmp for ssh");
		goto out;
	}
	if (!cdir || !rootfs || asprintf(&s.images, "%s/%s", cdir, CTR_MIGRATION_DIR) < 0 || build_ssh_argv(&s) < 0) {
		r = -ENOMEM;
		goto out;
	}

	/* Handshake: the target says whether it can run it. */
	t = now_ms();
	progress(&s, "connecting to %s", o->dest);
	r = session_open(&s, err);
	if (r == 0)
		r = source_hello(&s, err);
	if (r < 0)
		goto out;
	phase_done(&s, CTR_MIGRATE_PHASE_HANDSHAKE, t, 0);
	r = check_interrupted("handshake", err);
	if (r < 0)
		goto out;

	/* The rootfs, while the container runs. */
	t = now_ms();
	r = rsync_to(&s, (char *[]){ rootfs, NULL }, s.dir, "copy the rootfs", &bytes, err);
	if (r < 0)
		goto out;
	rep.live_bytes = bytes;
	phase_done(&s, CTR_MIGRATE_PHASE_SYNC, t, bytes);
	r = check_interrupted("copy the rootfs", err);
	if (r < 0)
		goto out;

	/* Freeze: the dump ends the container here. */
	t = frozen = now_ms();
	{
		struct ctr_checkpoint_opts co = { .dir = s.images };
		struct ctr_checkpoint_result cr = { 0 };

		rm_rf_at(AT_FDCWD, s.images);
		r = ctr_checkpoint_held(ctx, name, &co, &cr, err);
		free(cr.dir);
		if (r < 0 && cr.ended_dir) {
			/* It ended anyway: back from what was dumped. */
			free(s.images);
			s.images = TAKE_PTR(cr.ended_dir);
			dumped = true;
		}
		free(cr.ended_dir);
		if (r < 0)
			goto out; /* otherwise CRIU resumed it: nothing to roll back */
	}
	dumped = true;
	phase_done(&s, CTR_MIGRATE_PHASE_DUMP, t, 0);
	r = check_interrupted("dump", err);
	if (r < 0)
		goto out;

	/* What changed in the rootfs since, and the images, in one go. */
	t = now_ms();
	r = rsync_to(&s, (char *[]){ rootfs, s.images, NULL }, s.dir, "copy the images and the rootfs's changes",
		     &bytes, err);
	if (r < 0)
		goto out;
	rep.frozen_bytes = bytes;
	phase_done(&s, CTR_MIGRATE_PHASE_COPY, t, bytes);
	r = check_interrupted("copy the images and the rootfs's changes", err);
	if (r < 0)
		goto out;

	/* It runs there. */
	t = now_ms();
	r = send_op(s.to, "restore", NULL, NULL);
	if (r < 0) {
		r = session_lost(&s, "restore on the target", r, err);
		goto out;
	}
	r = session_answer(&s, "restore on the target", NULL, NULL, err);
	if (r < 0 && s.lost) {
		/* No answer: it may run there (the target ends an uncommitted
		 * copy when it notices the session's end, or 30 s after the
		 * restore). Two copies must never run: no roll back here. */
		ctr_error_wrap(err,
			       "the container may have been restored on the target; it stays stopped here with "
			       "its images in %s: check the target before 'ctr restore --dir %s %s'",
			       s.images, s.images, name);
		dumped = false;
		goto out;
	}
	if (r < 0)
		goto out;
	rep.downtime_ms = now_ms() - frozen;
	phase_done(&s, CTR_MIGRATE_PHASE_RESTORE, t, 0);

	/* Commit. From here nothing is undone: it may run there already. */
	t = now_ms();
	dumped = false;
	r = send_op(s.to, "commit", NULL, NULL);
	if (r == 0)
		r = session_answer(&s, "commit", NULL, NULL, err);
	if (r < 0) {
		ctr_error_wrap(err,
			       "the container may run on the target; it stays stopped here with its images "
			       "in %s: check the target before 'ctr restore --dir %s %s'",
			       s.images, s.images, name);
		goto out;
	}
	phase_done(&s, CTR_MIGRATE_PHASE_COMMIT, t, 0);

	t = now_ms();
	rm_rf_at(AT_FDCWD, s.images);
	if (!o->keep_source) {
		/* Removed under its lock (and the root's): a start waiting for
		 * the lock finds no container, never a second copy. It is
		 * stopped: its run state went with its monitor. */
		_cleanup_close_ int root_lock = -1;

		r = ctr_lock_root(ctx, &root_lock, err);
		if (r == 0 && (r = rm_rf_at(AT_FDCWD, cdir)) < 0)
			ctr_error_sys(err, -r, "remove %s", cdir);
		if (r < 0) {
			ctr_error_wrap(err, "the container runs on the target; removing it here failed");
			goto out;
		}
	}
	phase_done(&s, CTR_MIGRATE_PHASE_CLEANUP, t, 0);
	r = 0;
out:
	if (r < 0 && s.to >= 0)
		send_op(s.to, "abort", NULL, NULL);
	session_close(&s);
	closep(&s.ssh_err);
	s.ssh_err = -1;
	if (s.ctl_dir[0])
		rm_rf_at(AT_FDCWD, s.ctl_dir);
	if (r < 0 && dumped)
		roll_back(&s, lock, err);
	rep.total_ms = now_ms() - start;
	if (r == 0 && ret)
		*ret = rep;
	closep(&s.ssh_err);
	free(s.lr.buf);
	free(s.dir);
	free(s.images);
	strv_free(s.ssh_argv);
	dest_done(&s.dest);
	ctr_state_done(&st);
	sigaction(SIGPIPE, &old_pipe, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &old_stop[i], NULL);
	return r;
}
