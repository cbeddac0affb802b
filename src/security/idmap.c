/* User namespaces: which host ids a container's root gets, writing the maps,
 * and making the rootfs appear owned by the container.
 *
 * Every container gets its own 65536 ids from a pool (like Incus's isolated
 * idmaps), recorded in its config, so two containers' roots are different
 * users to the kernel: neither can touch the other's files or processes even
 * if something leaks between them. The rootfs stays owned by ids 0..65535 on
 * disk and is shown to the container through an idmapped mount; where the
 * filesystem cannot do that, ownership is shifted once, at create. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../util.h"
#include "security.h"

/* Incus's default when the host has no subordinate ids for root. */
#define DEFAULT_POOL_START 1000000U
#define DEFAULT_POOL_SIZE  1000000000U

static int subid_range(const char *file, unsigned *ret_start, unsigned *ret_count)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char line[256];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, count;
		char user[64];

		if (sscanf(line, "%63[^:]:%llu:%llu", user, &start, &count) == 3 && !strcmp(user, "root") &&
		    count >= CTR_IDMAP_SIZE && start + count <= 0xffffffffULL) {
			*ret_start = (unsigned)start;
			*ret_count = (unsigned)count;
			return 0;
		}
	}
	return -ENOENT;
}

void ctr_idmap_pool_default(struct ctr_idmap_pool *ret)
{
	struct ctr_idmap_pool p;

	/* Root's subordinate ids, as LXC and Incus use them; both files must
	 * give root a range, else the built-in pool. */
	if (subid_range("/etc/subuid", &p.uid_start, &p.uid_count) == 0 &&
	    subid_range("/etc/subgid", &p.gid_start, &p.gid_count) == 0) {
		*ret = p;
		return;
	}
	ret->uid_start = ret->gid_start = DEFAULT_POOL_START;
	ret->uid_count = ret->gid_count = DEFAULT_POOL_SIZE;
}

int ctr_idmap_pool_parse(const char *s, struct ctr_idmap_pool *ret)
{
	unsigned long long start, count;
	char tail;

	if (sscanf(s, "%llu:%llu%c", &start, &count, &tail) != 2 || start == 0 || count < CTR_IDMAP_SIZE ||
	    start + count > 0xffffffffULL)
		return -EINVAL;
	ret->uid_start = ret->gid_start = (unsigned)start;
	ret->uid_count = ret->gid_count = (unsigned)count;
	return 0;
}

static bool overlaps(unsigned a, unsigned alen, unsigned b, unsigned blen)
{
	return (unsigned long long)a < (unsigned long long)b + blen &&
	       (unsigned long long)b < (unsigned long long)a + alen;
}

int ctr_idmap_allocate(const struct ctr_idmap_pool *pool, const struct ctr_idmap *used, size_t n_used,
		       struct ctr_idmap *ret_uid, struct ctr_idmap *ret_gid)
{
	unsigned slots = (pool->uid_count < pool->gid_count ? pool->uid_count : pool->gid_count) / CTR_IDMAP_SIZE;

	/* used[] holds uid and gid maps alike: a slot is free when neither its
	 * uid range nor its gid range meets any of them. Linear: a few thousand
	 * containers at most per host. */
	for (unsigned k = 0; k < slots; k++) {
		unsigned u = pool->uid_start + k * CTR_IDMAP_SIZE, g = pool->gid_start + k * CTR_IDMAP_SIZE;
		bool taken = false;

		for (size_t i = 0; i < n_used && !taken; i++)
			taken = overlaps(u, CTR_IDMAP_SIZE, used[i].host_id, used[i].size) ||
				overlaps(g, CTR_IDMAP_SIZE, used[i].host_id, used[i].size);
		if (!taken) {
			*ret_uid = (struct ctr_idmap){ 0, u, CTR_IDMAP_SIZE };
			*ret_gid = (struct ctr_idmap){ 0, g, CTR_IDMAP_SIZE };
			return 0;
		}
	}
	return -ENOSPC;
}

static int write_map(pid_t pid, const char *file, const struct ctr_idmap *m)
{
	char path[64], line[64];
	_cleanup_close_ int fd = -1;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	n = snprintf(line, sizeof(line), "%u %u %u\n", m->container_id, m->host_id, m->size);
	/* The kernel takes a map in one write, or not at all. */
	if (write(fd, line, (size_t)n) != n)
		return negative_errno();
	return 0;
}

int ctr_idmap_write(pid_t pid, const struct ctr_idmap *uid, const struct ctr_idmap *gid)
{
	/* setgroups stays "allow": we write the maps from the host's root, so
	 * the kernel does not require "deny", and a distribution's login, su and
	 * daemons need setgroups(2) inside. */
	int r = write_map(pid, "gid_map", gid);

	return r < 0 ? r : write_map(pid, "uid_map", uid);
}

int ctr_idmap_tree(const char *path, int userns_fd, int *ret_tree)
{
	_cleanup_close_ int tree = -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long)userns_fd };

	/* A detached copy of the tree (with whatever the storage layer mounted
	 * below it), idmapped through the container's user namespace: on-disk id
	 * N is container id N. Only a detached mount can get an idmap, and only
	 * from the host's root: the container attaches it. */
	tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return negative_errno();
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return negative_errno();
	*ret_tree = TAKE_FD(tree);
	return 0;
}

int ctr_idmap_userns_fd(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? negative_errno() : fd;
}

int ctr_idmap_userns_new(const struct ctr_idmap *uid, const struct ctr_idmap *gid, int *ret_fd)
{
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	int pipefd[2], fd = -1, r;
	pid_t pid;

	/* A child in a new user namespace (it exists once clone returns)
	 * waits on a pipe while we write its maps and keep a descriptor: the
	 * namespace outlives the child. */
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return negative_errno();
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		r = negative_errno();
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	}
	if (pid == 0) {
		char c;

		close(pipefd[1]);
		(void)!read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	r = ctr_idmap_write(pid, uid, gid);
	if (r == 0) {
		fd = ctr_idmap_userns_fd(pid);
		r = fd < 0 ? fd : 0;
	}
	close(pipefd[1]);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r == 0)
		*ret_fd = fd;
	return r;
}

int ctr_idmap_supported(const char *path, const struct ctr_idmap *uid, const struct ctr_idmap *gid)
{
	_cleanup_close_ int userns = -1, tree = -1;
	int r;

	/* A throwaway user namespace with the container's maps: the only way
	 * to know whether this filesystem takes an idmap is to try. */
	r = ctr_idmap_userns_new(uid, gid, &userns);
	if (r == 0)
		r = ctr_idmap_tree(path, userns, &tree);
	/* EINVAL/EOPNOTSUPP: the filesystem does not support idmapped mounts. */
	if (r == -EINVAL || r == -EOPNOTSUPP || r == -ENOSYS)
		return 0;
	return r < 0 ? r : 1;
}

static int shift_id(unsigned id, const struct ctr_idmap *m, unsigned *ret)
{
	if (id < m->container_id || id - m->container_id >= m->size)
		return -ERANGE;
	*ret = m->host_id + (id - m->container_id);
	return 0;
}

static int shift_at(int at, const char *name, dev_t dev, const struct ctr_idmap *uid, const struct ctr_idmap *gid,
		    unsigned depth)
{
	struct stat st;
	unsigned u, g;

	if (depth > 256)
		return -ELOOP;
	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return negative_errno();
	/* Only what belongs to this filesystem: never follow a mount out. */
	if (st.st_dev != dev)
		return 0;
	/* Ids beyond the map stay as they are (the container sees them as
	 * nobody); everything in 0..65535 moves to the container's range. */
	if (shift_id(st.st_uid, uid, &u) < 0)
		u = st.st_uid;
	if (shift_id(st.st_gid, gid, &g) < 0)
		g = st.st_gid;
	if (fchownat(at, name, u, g, AT_SYMLINK_NOFOLLOW) < 0)
		return negative_errno();
	/* chown clears set-user-ID and set-group-ID bits: put them back. */
	if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)) && fchmodat(at, name, st.st_mode & 07777, 0) < 0)
		return negative_errno();
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_closedir_ DIR *d = NULL;
		struct dirent *de;

		if (fd < 0)
			return negative_errno();
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return -ENOMEM;
		}
		while ((de = readdir(d))) {
			int r;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			r = shift_at(dirfd(d), de->d_name, dev, uid, gid, depth + 1);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int ctr_idmap_shift_tree(const char *path, const struct ctr_idmap *uid, const struct ctr_idmap *gid)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return negative_errno();
	return shift_at(AT_FDCWD, path, st.st_dev, uid, gid, 0);
}

int ctr_idmap_become_root(void)
{
	/* Root of the container's user namespace: the host id its map gives 0.
	 * Groups first, while we may still change them. */
	if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0)
		return negative_errno();
	return 0;
}
