/* The container's mount tree, built inside its new mount namespace: private
 * propagation, the rootfs attached on itself, /proc, /sys (read-only), a
 * tmpfs /dev with its own devpts, /dev/shm, /run, the console, the masked and
 * read-only paths, then pivot_root.
 * Targets under the rootfs are resolved from a directory fd with openat2
 * (RESOLVE_IN_ROOT), never by joining strings, and mounted with the new mount
 * API (fsopen/fsmount/move_mount), so a symlink planted in the rootfs cannot
 * redirect a mount onto the host. */
#ifndef CTR_ROOTFS_H
#define CTR_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

struct ctr_error;
struct ctr_resources;
struct ctr_device_node;

struct ctr_rootfs {
	int root_fd;	    /* O_PATH fd of the rootfs mount */
	int console_master; /* pty master of /dev/console, for the monitor */
	int console_slave;  /* its slave, for init's stdio */
};

struct ctr_rootfs_opts {
	bool readonly;
	const struct ctr_resources *res; /* device nodes for /dev */
	char *const *masked_paths;	 /* "/proc/kcore", ... */
	char *const *readonly_paths;	 /* "/proc/sys", ... */
	int dev_tree;			 /* /dev made by the parent (ctr_rootfs_dev_tree), or -1 */
};

/* For a container with a user namespace, made by the host's root: a
 * detached tmpfs for its /dev, owned by uid:gid, with the standard device
 * nodes and those of res. */
int ctr_rootfs_dev_tree(const struct ctr_resources *res, uid_t uid, gid_t gid, int *ret_tree, struct ctr_error **err);

/* The empty things masks are made of: a detached, read-only tmpfs (source
 * CTR_MASK_SOURCE) holding an empty file "f" and an empty directory "d". */
#define CTR_MASK_SOURCE "ctr-mask"
int ctr_rootfs_mask_source(int *ret_tree);

/* The same for a restore (CRIU cannot make device nodes in a user
 * namespace): also the links, /dev/console and the mount points of /dev/pts
 * and /dev/shm, as a start leaves them. */
int ctr_rootfs_restore_dev_tree(const struct ctr_resources *res, uid_t uid, gid_t gid, int *ret_tree,
				struct ctr_error **err);

/* Make mounts private and attach the rootfs on `path` as a mount: `tree` is a
 * detached (idmapped) tree from the parent, or -1 to bind `path` itself. On
 * success ret->root_fd is the new root. */
int ctr_rootfs_attach(const char *path, int tree, struct ctr_rootfs *ret, struct ctr_error **err);
/* Mount /proc, /sys, /run, /dev (with the console and the device nodes),
 * then the read-only and masked paths. On failure the caller calls
 * ctr_rootfs_done. */
int ctr_rootfs_prepare(struct ctr_rootfs *rfs, const struct ctr_rootfs_opts *o, struct ctr_error **err);
/* Make the prepared tree the root (pivot_root(".", ".") and detach the old root). */
int ctr_rootfs_pivot(struct ctr_rootfs *rfs, struct ctr_error **err);
/* Add or remove a device node in a running container's /dev. */
int ctr_rootfs_device_node(pid_t init, const struct ctr_device_node *n, bool add);
void ctr_rootfs_done(struct ctr_rootfs *rfs);

/* Who the container is, for its own files. */
struct ctr_rootfs_identity {
	const char *hostname;
	char *const *addresses; /* its interfaces' addresses, no prefix */
	char *const *dns;	/* nameservers; empty: /etc/resolv.conf is left alone */
	char *const *search;	/* search domains */
};
/* After pivot_root, in the container's root: /etc/hostname, ctr's lines of
 * /etc/hosts (marked "# ctr"; the others stay), /etc/resolv.conf. Paths are
 * resolved inside the root without magic links. */
int ctr_rootfs_write_identity(const struct ctr_rootfs_identity *id, struct ctr_error **err);

#endif
