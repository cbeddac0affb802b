#include "config.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "../error.h"
#include "../resources.h"
#include "../util.h"
#include "rootfs.h"

void ctr_rootfs_done(struct ctr_rootfs *rfs)
{
	closep(&rfs->root_fd);
	closep(&rfs->console_master);
	closep(&rfs->console_slave);
	rfs->root_fd = rfs->console_master = rfs->console_slave = -1;
}

/* Open `name` below dirfd as a directory without leaving dirfd and without
 * following any symlink: a planted link fails with ELOOP instead of redirecting. */
static int open_in_root(int dirfd, const char *name, int flags)
{
	return openat2_fd(dirfd, name, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS);
}

/* The mount point dirfd/name as a real directory, created if missing. */
static int mount_point(int dirfd, const char *name)
{
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return negative_errno();
	return open_in_root(dirfd, name, O_PATH | O_DIRECTORY);
}

struct fs_mount {
	const char *target; /* below the rootfs (or below /dev when in dev) */
	const char *fstype;
	const char *options; /* comma separated key=value for fsconfig */
	unsigned attrs;	     /* MOUNT_ATTR_* */
};

/* Mount a new instance of a filesystem onto the directory fd `target`. */
static int mount_new_fs(int target, const char *fstype, const char *options, unsigned attrs, int *ret_mnt)
{
	_cleanup_close_ int fs = fsopen(fstype, FSOPEN_CLOEXEC), mnt = -1;
	_cleanup_free_ char *opts = options ? strdup(options) : NULL;
	char *save = NULL;

	if (fs < 0)
		return negative_errno();
	if (options && !opts)
		return -ENOMEM;
	for (char *kv = opts ? strtok_r(opts, ",", &save) : NULL; kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		int r;

		if (eq) {
			*eq = '\0';
			r = fsconfig(fs, FSCONFIG_SET_STRING, kv, eq + 1, 0);
		} else {
			r = fsconfig(fs, FSCONFIG_SET_FLAG, kv, NULL, 0);
		}
		if (r < 0)
			return negative_errno();
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return negative_errno();
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	if (mnt < 0)
		return negative_errno();
	if (move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return negative_errno();
	if (ret_mnt)
		*ret_mnt = TAKE_FD(mnt);
	return 0;
}

static int mount_at(int rootfd, const struct fs_mount *m, struct ctr_error **err)
{
	_cleanup_close_ int target = mount_point(rootfd, m->target);
	int r;

	if (target < 0)
		return ctr_error_sys(err, -target, "mount point /%s in the rootfs", m->target);
	r = mount_new_fs(target, m->fstype, m->options, m->attrs, NULL);
	if (r < 0)
		return ctr_error_sys(err, -r, "mount %s on /%s", m->fstype, m->target);
	return 0;
}

static const struct {
	const char *name;
	unsigned major, minor;
} dev_nodes[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

/* A device node at devfd/name (name may have directories, created as
 * needed, never following a symlink), owned like /dev itself: by the
 * container's root. mknod needs CAP_MKNOD in the initial user namespace;
 * without it, bind-mount the host's node. */
static int make_node(int devfd, const char *name, char type, unsigned major, unsigned minor, unsigned mode)
{
	_cleanup_free_ char *dir = strdup(name), *host = NULL;
	_cleanup_close_ int tree = -1, target = -1, parent = -1;
	const char *base = name;
	char *slash, *save = NULL;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash) {
		/* One component at a time, each opened without following links. */
		*slash = '\0';
		base = name + (slash - dir) + 1;
		for (char *c = strtok_r(dir, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
			int at = parent >= 0 ? parent : devfd, next;

			if (mkdirat(at, c, 0755) < 0 && errno != EEXIST)
				return negative_errno();
			next = open_in_root(at, c, O_PATH | O_DIRECTORY);
			if (next < 0)
				return next;
			if (parent >= 0)
				close(parent);
			parent = next;
		}
	}
	if (mknodat(parent >= 0 ? parent : devfd, base, (type == 'b' ? S_IFBLK : S_IFCHR) | mode,
		    makedev(major, minor)) == 0) {
		struct stat dev;

		/* mknod is subject to the umask: set the mode the node must have. */
		if (fchmodat(parent >= 0 ? parent : devfd, base, mode, 0) < 0 || fstat(devfd, &dev) < 0 ||
		    fchownat(parent >= 0 ? parent : devfd, base, dev.st_uid, dev.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return negative_errno();
		return 0;
	}
	if (errno != EPERM)
		return negative_errno();
	if (asprintf(&host, "/dev/%s", name) < 0)
		return -ENOMEM;
	target = openat(parent >= 0 ? parent : devfd, base, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode);
	if (target < 0)
		return negative_errno();
	tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return negative_errno();
	return move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
		       ? negative_errno()
		       : 0;
}

static int make_dev_node(int devfd, const char *name, unsigned major, unsigned minor)
{
	return make_node(devfd, name, 'c', major, minor, 0666);
}

static int setup_console(int devfd, int ptsfd, struct ctr_rootfs *rfs, struct ctr_error **err)
{
	_cleanup_close_ int master = -1, slave = -1, target = -1, tree = -1;
	int unlock = 0;

	/* The pty comes from the container's own devpts instance, so init's
	 * console is a device of the container, not of the host. */
	master = openat(ptsfd, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return ctr_error_sys(err, errno, "open /dev/pts/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return ctr_error_sys(err, errno, "unlock console pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return ctr_error_sys(err, errno, "open console pty peer");
	target = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (target < 0)
		return ctr_error_sys(err, errno, "create /dev/console");
	tree = open_tree(slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return ctr_error_sys(err, errno, "clone console pty mount");
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ctr_error_sys(err, errno, "bind console pty on /dev/console");
	rfs->console_master = TAKE_FD(master);
	rfs->console_slave = TAKE_FD(slave);
	return 0;
}

/* The nodes of /dev: the standard ones, then those the config gives. */
static int make_dev_nodes(int devfd, const struct ctr_resources *res, struct ctr_error **err)
{
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		r = make_dev_node(devfd, dev_nodes[i].name, dev_nodes[i].major, dev_nodes[i].minor);
		if (r < 0)
			return ctr_error_sys(err, -r, "create /dev/%s", dev_nodes[i].name);
	}
	for (size_t i = 0; res && i < res->n_nodes; i++) {
		const struct ctr_device_node *n = &res->nodes[i];

		r = make_node(devfd, n->path + strlen("/dev/"), n->type, n->major, n->minor, n->mode);
		if (r < 0)
			return ctr_error_sys(err, -r, "create %s", n->path);
	}
	return 0;
}

#define DEV_TMPFS_OPTIONS "mode=755,size=65536k"
#define DEV_TMPFS_ATTRS	  (MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME)

int ctr_rootfs_dev_tree(const struct ctr_resources *res, uid_t uid, gid_t gid, int *ret_tree, struct ctr_error **err)
{
	_cleanup_close_ int mnt = -1, fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	int r;

	/* A tmpfs of the host's (device nodes in a filesystem a user namespace
	 * mounted never open), owned by the container's root, with real nodes
	 * whose owner and mode are the container's, not the host's. Detached:
	 * the child attaches it at its /dev. */
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "mode", "755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "65536k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return ctr_error_sys(err, errno, "create a tmpfs for /dev");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, DEV_TMPFS_ATTRS);
	if (mnt < 0)
		return ctr_error_sys(err, errno, "create a tmpfs for /dev");
	if (fchownat(mnt, "", uid, gid, AT_EMPTY_PATH) < 0)
		return ctr_error_sys(err, errno, "chown /dev to the container's root");
	r = make_dev_nodes(mnt, res, err);
	if (r < 0)
		return r;
	*ret_tree = TAKE_FD(mnt);
	return 0;
}

static const struct {
	const char *link, *target;
} dev_links[] = {
	{ "fd", "/proc/self/fd" },	 { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },	 { "core", "/proc/kcore" },
};

int ctr_rootfs_restore_dev_tree(const struct ctr_resources *res, uid_t uid, gid_t gid, int *ret_tree,
				struct ctr_error **err)
{
	_cleanup_close_ int tree = -1, f = -1;
	int r = ctr_rootfs_dev_tree(res, uid, gid, &tree, err);

	if (r < 0)
		return r;
	/* What the container's start adds, owned by its root as it was: the
	 * links, and the mount points of devpts, /dev/shm and the console. */
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, tree, dev_links[i].link) < 0 ||
		    fchownat(tree, dev_links[i].link, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return ctr_error_sys(err, errno, "symlink /dev/%s", dev_links[i].link);
	if (mkdirat(tree, "pts", 0755) < 0 || fchownat(tree, "pts", uid, gid, 0) < 0 ||
	    mkdirat(tree, "shm", 0755) < 0 || fchownat(tree, "shm", uid, gid, 0) < 0)
		return ctr_error_sys(err, errno, "create /dev/pts and /dev/shm");
	f = openat(tree, "console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (f < 0 || fchown(f, uid, gid) < 0)
		return ctr_error_sys(err, errno, "create /dev/console");
	*ret_tree = TAKE_FD(tree);
	return 0;
}

static int setup_dev(int rootfd, const struct ctr_resources *res, int dev_tree, struct ctr_rootfs *rfs,
		     struct ctr_error **err)
{
	_cleanup_close_ int dev = mount_point(rootfd, "dev"), devfd = -1, pts = -1, ptsfd = -1, shm = -1;
	int r;

	if (dev < 0)
		return ctr_error_sys(err, -dev, "mount point /dev in the rootfs");
	if (dev_tree >= 0)
		r = move_mount(dev_tree, "", dev, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
			    ? negative_errno()
			    : 0;
	else
		r = mount_new_fs(dev, "tmpfs", DEV_TMPFS_OPTIONS, DEV_TMPFS_ATTRS, NULL);
	if (r < 0)
		return ctr_error_sys(err, -r, "mount tmpfs on /dev");
	/* The fd above still names the directory under the mount; reopen the tmpfs. */
	devfd = open_in_root(rootfd, "dev", O_RDONLY | O_DIRECTORY);
	if (devfd < 0)
		return ctr_error_sys(err, -devfd, "open /dev");
	if (dev_tree < 0 && (r = make_dev_nodes(devfd, res, err)) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].link) < 0)
			return ctr_error_sys(err, errno, "symlink /dev/%s", dev_links[i].link);

	pts = mount_point(devfd, "pts");
	if (pts < 0)
		return ctr_error_sys(err, -pts, "mount point /dev/pts");
	r = mount_new_fs(pts, "devpts", "newinstance,ptmxmode=0666,mode=0620,gid=5",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, &ptsfd);
	if (r < 0)
		return ctr_error_sys(err, -r, "mount devpts on /dev/pts");

	shm = mount_point(devfd, "shm");
	if (shm < 0)
		return ctr_error_sys(err, -shm, "mount point /dev/shm");
	r = mount_new_fs(shm, "tmpfs", "mode=1777,size=65536k",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, NULL);
	if (r < 0)
		return ctr_error_sys(err, -r, "mount tmpfs on /dev/shm");

	return setup_console(devfd, ptsfd, rfs, err);
}

/* The empty things masks are made of: a small read-only tmpfs holding an
 * empty file "f" and an empty directory "d". A write to a mask fails with
 * EROFS (a bind of /dev/null would swallow it: a read-only mount does not
 * stop writes to a device node). */
int ctr_rootfs_mask_source(int *ret)
{
	_cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt = -1, f = -1;
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	/* Named, so that a checkpoint finds the masks in the mount table. */
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", CTR_MASK_SOURCE, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "555", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return negative_errno();
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return negative_errno();
	f = openat(mnt, "f", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444);
	if (f < 0)
		return negative_errno();
	closep(&f); /* no writer may be left for the mount to turn read-only */
	f = -1;
	if (mkdirat(mnt, "d", 0555) < 0 || mount_setattr(mnt, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return negative_errno();
	*ret = TAKE_FD(mnt);
	return 0;
}

/* An empty, read-only file or directory over path. Missing paths are fine:
 * not every kernel has every file. */
static int mask_path(int rootfd, int source, const char *path)
{
	_cleanup_close_ int target = open_in_root(rootfd, path + 1, O_PATH), tree = -1;
	struct stat st;

	if (target == -ENOENT)
		return 0;
	if (target < 0)
		return target;
	if (fstat(target, &st) < 0)
		return negative_errno();
	tree = open_tree(source, S_ISDIR(st.st_mode) ? "d" : "f", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return negative_errno();
	return move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
		       ? negative_errno()
		       : 0;
}

/* path (and everything mounted below it) bound read-only onto itself. */
static int readonly_path(int rootfd, const char *path)
{
	_cleanup_close_ int target = open_in_root(rootfd, path + 1, O_PATH), tree = -1;
	struct mount_attr ro = { .attr_set =
					 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };

	if (target == -ENOENT)
		return 0;
	if (target < 0)
		return target;
	tree = open_tree(target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return negative_errno();
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
		return negative_errno();
	return move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
		       ? negative_errno()
		       : 0;
}

#define MASK_STAGE ".ctr-masks"

/* The mask source, attached for a moment at /dev/.ctr-masks: kernels before
 * 6.x cannot clone (open_tree) from a detached mount. */
static int mask_stage(int rootfd, int *ret_stage)
{
	_cleanup_close_ int source = -1, dev = open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY), at = -1;
	int r;

	if (dev < 0)
		return dev;
	r = ctr_rootfs_mask_source(&source);
	if (r < 0)
		return r;
	if (mkdirat(dev, MASK_STAGE, 0700) < 0)
		return negative_errno();
	at = open_in_root(dev, MASK_STAGE, O_PATH | O_DIRECTORY);
	if (at < 0)
		return at;
	if (move_mount(source, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return negative_errno();
	*ret_stage = open_in_root(dev, MASK_STAGE, O_PATH | O_DIRECTORY);
	return *ret_stage < 0 ? *ret_stage : 0;
}

static void mask_unstage(int rootfd, int stage)
{
	_cleanup_close_ int dev = open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY);

	/* umount wants a path: the stage itself, as the cwd (pivot_root moves
	 * the cwd into the rootfs afterwards anyway). */
	if (stage >= 0 && fchdir(stage) == 0)
		umount2(".", MNT_DETACH);
	if (dev >= 0)
		unlinkat(dev, MASK_STAGE, AT_REMOVEDIR);
}

static int protect_paths(int rootfd, const struct ctr_rootfs_opts *o, struct ctr_error **err)
{
	_cleanup_close_ int stage = -1;
	int r;

	/* Read-only first: a mask inside a read-only tree (/proc/sys/...) is
	 * then mounted on top and stays. */
	for (size_t i = 0; o->readonly_paths && o->readonly_paths[i]; i++) {
		r = readonly_path(rootfd, o->readonly_paths[i]);
		if (r < 0)
			return ctr_error_sys(err, -r, "make %s read-only", o->readonly_paths[i]);
	}
	if (!o->masked_paths || !o->masked_paths[0])
		return 0;
	r = mask_stage(rootfd, &stage);
	if (r < 0) {
		mask_unstage(rootfd, stage);
		return ctr_error_sys(err, -r, "create the empty file and directory of the masks");
	}
	for (size_t i = 0; o->masked_paths[i]; i++) {
		r = mask_path(rootfd, stage, o->masked_paths[i]);
		if (r < 0) {
			ctr_error_sys(err, -r, "mask %s", o->masked_paths[i]);
			break;
		}
	}
	mask_unstage(rootfd, stage);
	return r < 0 ? r : 0;
}

int ctr_rootfs_attach(const char *path, int tree, struct ctr_rootfs *ret, struct ctr_error **err)
{
	struct ctr_rootfs rfs = { .root_fd = -1, .console_master = -1, .console_slave = -1 };
	_cleanup_close_ int own = -1;

	/* Nothing we mount may propagate back to the host, and nothing the host
	 * mounts later may appear in the container. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return ctr_error_sys(err, errno, "make mounts private");

	/* pivot_root needs the new root to be a mount point: attach the rootfs
	 * tree (idmapped by the parent, or a plain recursive bind, keeping what
	 * the storage layer mounted below it) on its own directory. */
	if (tree < 0) {
		tree = own = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree < 0)
			return ctr_error_sys(err, errno, "open rootfs %s", path);
	}
	if (move_mount(tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ctr_error_sys(err, errno, "attach rootfs %s", path);
	rfs.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfs.root_fd < 0)
		return ctr_error_sys(err, errno, "open rootfs %s", path);
	*ret = rfs;
	return 0;
}

int ctr_rootfs_prepare(struct ctr_rootfs *rfs, const struct ctr_rootfs_opts *o, struct ctr_error **err)
{
	static const struct fs_mount mounts[] = {
		{ "proc", "proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC },
		{ "sys", "sysfs", NULL, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC },
		{ "run", "tmpfs", "mode=755,size=10%", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV },
	};
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
		r = mount_at(rfs->root_fd, &mounts[i], err);
		if (r < 0)
			return r;
	}
	r = setup_dev(rfs->root_fd, o->res, o->dev_tree, rfs, err);
	if (r < 0)
		return r;
	r = protect_paths(rfs->root_fd, o, err);
	if (r < 0)
		return r;
	if (o->readonly &&
	    mount_setattr(rfs->root_fd, "", AT_EMPTY_PATH, &(struct mount_attr){ .attr_set = MOUNT_ATTR_RDONLY },
			  sizeof(struct mount_attr)) < 0)
		return ctr_error_sys(err, errno, "make the rootfs read-only");
	/* Everything above lives in the child's private mount namespace: on
	 * failure it goes away with the child, nothing to unmount on the host. */
	return 0;
}

int ctr_rootfs_pivot(struct ctr_rootfs *rfs, struct ctr_error **err)
{
	if (fchdir(rfs->root_fd) < 0)
		return ctr_error_sys(err, errno, "enter the rootfs");
	/* pivot_root(".", ".") stacks the old root on top of the new one; detaching
	 * "." then removes the old root without needing a directory for it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ctr_error_sys(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return ctr_error_sys(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return ctr_error_sys(err, errno, "chdir /");
	closep(&rfs->root_fd);
	rfs->root_fd = -1;
	return 0;
}

static int device_node_at(int root, const struct ctr_device_node *n, bool add)
{
	_cleanup_close_ int devfd = open_in_root(root, "dev", O_PATH | O_DIRECTORY);
	const char *name = n->path + strlen("/dev/");

	if (devfd < 0)
		return devfd;
	if (add)
		return make_node(devfd, name, n->type, n->major, n->minor, n->mode);
	if (unlinkat(devfd, name, 0) < 0 && errno != ENOENT)
		return negative_errno();
	return 0;
}

int ctr_rootfs_device_node(pid_t init, const struct ctr_device_node *n, bool add)
{
	_cleanup_close_ int root = -1;
	char proc[64];

	/* The container's root as its init sees it; everything below is
	 * resolved inside it (a symlink planted in /dev cannot point out). */
	snprintf(proc, sizeof(proc), "/proc/%d/root", (int)init);
	root = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return negative_errno();
	return device_node_at(root, n, add);
}

/* ---- /etc/hostname, /etc/hosts, /etc/resolv.conf ------------------------------------ */

#define CTR_MARK "# ctr"

/* Read a file of the container (after pivot_root): resolved in its root,
 * no magic link, so a planted symlink cannot point at a host file. */
static int read_in_root(int dirfd, const char *name, char **ret)
{
	_cleanup_close_ int fd = openat2_fd(dirfd, name, O_RDONLY | O_NOCTTY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);

	if (fd < 0)
		return fd;
	return read_fd_all(fd, 65536, ret, NULL);
}

/* /etc/hosts: the administrator's lines stay; ctr's own (marked) are
 * rewritten at every start with the current name and addresses. */
static int hosts_text(int etc, const struct ctr_rootfs_identity *id, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *old = NULL;
	char *out = NULL, *save = NULL;
	size_t len = 0;
	bool localhost = false;
	FILE *f;
	int r = read_in_root(etc, "hosts", &old);

	if (r < 0 && r != -ENOENT)
		return r;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	for (char *line = old ? strtok_r(old, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		if (n >= strlen(CTR_MARK) && !strcmp(line + n - strlen(CTR_MARK), CTR_MARK))
			continue;
		localhost |= strstr(line, "localhost") && line[0] != '#';
		fprintf(f, "%s\n", line);
	}
	if (!localhost)
		fputs("127.0.0.1\tlocalhost\t" CTR_MARK "\n::1\tlocalhost ip6-localhost\t" CTR_MARK "\n", f);
	fprintf(f, "127.0.1.1\t%s\t" CTR_MARK "\n", id->hostname);
	for (size_t i = 0; id->addresses && id->addresses[i]; i++)
		fprintf(f, "%s\t%s\t" CTR_MARK "\n", id->addresses[i], id->hostname);
	if (fclose(f) != 0) {
		free(out);
		return -ENOMEM;
	}
	*ret = out;
	*ret_len = len;
	return 0;
}

static int resolv_text(const struct ctr_rootfs_identity *id, char **ret, size_t *ret_len)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return -ENOMEM;
	fputs("# written by ctr at start (ctr set --dns/--search)\n", f);
	for (size_t i = 0; id->dns[i]; i++)
		fprintf(f, "nameserver %s\n", id->dns[i]);
	for (size_t i = 0; id->search[i]; i++)
		fprintf(f, "%s%s%s", i ? " " : "search ", id->search[i], id->search[i + 1] ? "" : "\n");
	if (fclose(f) != 0) {
		free(out);
		return -ENOMEM;
	}
	*ret = out;
	*ret_len = len;
	return 0;
}

int ctr_rootfs_write_identity(const struct ctr_rootfs_identity *id, struct ctr_error **err)
{
	_cleanup_close_ int etc =
		openat2_fd(AT_FDCWD, "/etc", O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	_cleanup_free_ char *hosts = NULL, *resolv = NULL, *hostname = NULL;
	size_t hosts_len = 0, resolv_len = 0;
	int r;

	/* A rootfs without /etc is not a distribution's: nothing to tell it. */
	if (etc < 0)
		return etc == -ENOENT ? 0 : ctr_error_sys(err, -etc, "open /etc");
	if (asprintf(&hostname, "%s\n", id->hostname) < 0)
		return -ENOMEM;
	r = write_file_atomic_at(etc, "hostname", hostname, strlen(hostname), 0644, false);
	if (r < 0)
		return ctr_error_sys(err, -r, "write /etc/hostname");
	r = hosts_text(etc, id, &hosts, &hosts_len);
	if (r == 0)
		r = write_file_atomic_at(etc, "hosts", hosts, hosts_len, 0644, false);
	if (r < 0)
		return ctr_error_sys(err, -r, "write /etc/hosts");
	/* resolv.conf only when the config names servers or domains: else the
	 * distribution's own (or its resolver's) stays. */
	if (!id->dns[0] && !id->search[0])
		return 0;
	if (resolv_text(id, &resolv, &resolv_len) < 0)
		return -ENOMEM;
	r = write_file_atomic_at(etc, "resolv.conf", resolv, resolv_len, 0644, false);
	return r < 0 ? ctr_error_sys(err, -r, "write /etc/resolv.conf") : 0;
}
