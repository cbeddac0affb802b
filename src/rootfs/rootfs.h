/* The container's mount tree, built inside its new mount namespace: private
 * propagation, the rootfs bind-mounted on itself, /proc, /sys (read-only), a
 * tmpfs /dev with its own devpts, /dev/shm, /run, the console, then pivot_root.
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

/* Build the tree under `path`, with the device nodes of res in /dev. On
 * success ret holds the descriptors above. */
int ctr_rootfs_prepare(const char *path, bool readonly, const struct ctr_resources *res, struct ctr_rootfs *ret,
		       struct ctr_error **err);
/* Make the prepared tree the root (pivot_root(".", ".") and detach the old root). */
int ctr_rootfs_pivot(struct ctr_rootfs *rfs, struct ctr_error **err);
/* Add or remove a device node in a running container's /dev. */
int ctr_rootfs_device_node(pid_t init, const struct ctr_device_node *n, bool add);
void ctr_rootfs_done(struct ctr_rootfs *rfs);

#endif
