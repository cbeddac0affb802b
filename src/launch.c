/* Clone the container's init into its namespaces and carry it to exec.
 *
 * The order is a checklist, not style (see DESIGN.md):
 *   parent: compile the seccomp filter, socketpair, clone3 into new namespaces
 *           (user first: it owns the others; pid, mount, uts, ipc, net)
 *   child:  parent-death signal, tell the parent it is ready
 *   parent: write the user namespace's id maps, clone the rootfs tree with an
 *           idmap for it, join the child to the container's cgroup, say "go"
 *           (with the tree)
 *   child:  cgroup namespace (now rooted at the container's cgroup), hostname,
 *           loopback, attach the rootfs, become the namespace's root, mounts +
 *           console + masks, pivot_root, setsid + controlling tty, close every
 *           inherited descriptor, rlimits, the bounding set, then seccomp and
 *           the capability sets (seccomp after them, last, with no_new_privs;
 *           before them without it: see ctr_process_exec), exec.
 * Every child step reports an error record on the socket; a clean exec closes
 * it (O_CLOEXEC), which is how the parent learns that init runs. */
#include "config.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "error.h"
#include "internal.h"
#include "netns/netns.h"
#include "rootfs/rootfs.h"
#include "security/security.h"
#include "spec.h"
#include "sync.h"
#include "util.h"

extern char **environ;

static pid_t clone3_fork(unsigned long long flags, int *ret_pidfd)
{
	struct clone_args args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (unsigned long long)(uintptr_t)ret_pidfd,
		.exit_signal = SIGCHLD,
	};

	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

int ctr_process_exec(char *const *argv, char *const *env, const char *cwd, const struct ctr_exec_security *sec,
		     struct ctr_error **err)
{
	sigset_t none;
	int r;

	/* The monitor blocks the signals it reads from a signalfd; the mask and
	 * ignored dispositions survive exec, so reset both. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The cwd must be inside the container (CVE-2024-21626): resolved in
	 * the new root (after pivot_root / setns), where no magic link such as
	 * /proc/self/fd/N may lead to a directory of the host that a descriptor
	 * inherited from the caller still names. */
	{
		_cleanup_close_ int dir =
			openat2_fd(AT_FDCWD, cwd, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);

		if (dir < 0)
			return ctr_error_sys(err, -dir, "chdir %s", cwd);
		if (fchdir(dir) < 0)
			return ctr_error_sys(err, errno, "chdir %s", cwd);
	}
	/* Nothing of the host may reach the process: every descriptor above stdio
	 * closes at exec (the sync socket too, which tells the parent exec worked). */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return ctr_error_sys(err, errno, "mark descriptors close-on-exec");

	/* The privileged steps, last. rlimits while we may still lower (and
	 * within our own, raise) them; the bounding set while we hold
	 * CAP_SETPCAP. Without no_new_privs the kernel wants CAP_SYS_ADMIN to
	 * load a filter, which the final capability sets may lack: then the
	 * filter goes in before them (its profile must allow capset and
	 * execve, as the default does). With no_new_privs it goes in last. */
	r = ctr_rlimits_apply(sec->rlimits, sec->n_rlimits, err);
	if (r < 0)
		return r;
	r = ctr_caps_drop_bounding(sec->caps, err);
	if (r < 0)
		return r;
	if (!sec->no_new_privs && sec->seccomp && (r = ctr_seccomp_load(sec->seccomp, err)) < 0)
		return r;
	r = ctr_caps_set(sec->caps, err);
	if (r < 0)
		return r;
	if (sec->no_new_privs) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return ctr_error_sys(err, errno, "set no_new_privs");
		if (sec->seccomp && (r = ctr_seccomp_load(sec->seccomp, err)) < 0)
			return r;
	}

	environ = (char **)env;
	/* execvp searches the container's PATH, from the environment just set. */
	execvp(argv[0], argv);
	r = ctr_error_sys(err, errno, "exec %s", argv[0]);
	if (err && *err)
		(*err)->exec_failed = true;
	return r;
}

int ctr_exec_security_init(const struct ctr_spec *spec, bool no_new_privs, struct ctr_exec_security *ret,
			   struct ctr_error **err)
{
	_cleanup_(ctr_seccomp_freep) struct ctr_seccomp_profile *def = NULL;
	struct ctr_exec_security sec = {
		.caps = &spec->caps,
		.rlimits = spec->rlimits,
		.n_rlimits = spec->n_rlimits,
		.no_new_privs = no_new_privs,
	};
	int r;

	/* Compiled here, in the parent: the child only loads it. */
	if (spec->seccomp_mode != CTR_SECCOMP_UNCONFINED) {
		if (spec->seccomp_mode == CTR_SECCOMP_DEFAULT && (r = ctr_seccomp_default(&def, err)) < 0)
			return r;
		r = ctr_seccomp_compile(def ? def : spec->seccomp, &sec.seccomp, err);
		if (r < 0)
			return ctr_error_wrap(err, "seccomp profile");
	}
	*ret = sec;
	return 0;
}

void ctr_exec_security_done(struct ctr_exec_security *sec)
{
	ctr_seccomp_filter_free(sec->seccomp);
	sec->seccomp = NULL;
}

struct child {
	const struct ctr_spec *spec;
	const char *rootfs;
	const struct ctr_exec_security *sec;
	int sock;
};

static int child_setup(const struct child *c, struct ctr_error **err)
{
	const struct ctr_spec *spec = c->spec;
	struct ctr_rootfs rfs = { .root_fd = -1, .console_master = -1, .console_slave = -1 };
	struct ctr_rootfs_opts ro = {
		.readonly = spec->root_readonly,
		.res = &spec->res,
		.masked_paths = spec->masked_paths,
		.readonly_paths = spec->readonly_paths,
		.dev_tree = -1,
	};
	_cleanup_close_ int tree = -1, dev_tree = -1;
	pid_t parent = getppid();
	struct ctr_msg m;
	int r;

	r = ctr_msg_send(c->sock, CTR_MSG_CHILD_READY, 0, -1);
	if (r < 0)
		return ctr_error_sys(err, -r, "report ready");
	/* With a user namespace the parent makes our /dev, writes our id maps
	 * and (idmapped rootfs) sends the tree to attach; in any case it joins
	 * us to the cgroup before saying "go". */
	if (ctr_spec_userns(spec)) {
		r = ctr_msg_expect(c->sock, CTR_MSG_DEVTREE, &m, &dev_tree, err);
		if (r < 0)
			return r;
	}
	r = ctr_msg_expect(c->sock, CTR_MSG_PARENT_DONE, &m, &tree, err);
	if (r < 0)
		return r;
	ro.dev_tree = dev_tree;

	/* Only now, inside its cgroup, does the child get a cgroup namespace: its
	 * root is then the container's cgroup, not the caller's. */
	if ((spec->namespaces & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return ctr_error_sys(err, errno, "create cgroup namespace");
	if ((spec->namespaces & CLONE_NEWUTS) && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return ctr_error_sys(err, errno, "set hostname '%s'", spec->hostname);
	if (spec->namespaces & CLONE_NEWNET) {
		r = ctr_netns_loopback_up(err);
		if (r < 0)
			return r;
	}

	/* Attached while still the host's uid 0 (with every capability in the
	 * new user namespace): the path to the rootfs runs through directories
	 * only root may enter, which the container's root could not. */
	r = ctr_rootfs_attach(c->rootfs, tree, &rfs, err);
	if (r < 0)
		return r;
	closep(&tree);
	if (ctr_spec_userns(spec)) {
		/* From here on the child is the container's root (a host id of its
		 * own range): what it creates in the rootfs is owned by root inside. */
		r = ctr_idmap_become_root();
		if (r < 0) {
			ctr_rootfs_done(&rfs);
			return ctr_error_sys(err, -r, "become root of the user namespace");
		}
		/* Changing credentials cleared the parent-death signal: set it
		 * again, and make sure the parent did not die in between. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) {
			ctr_rootfs_done(&rfs);
			return ctr_error_user(err, CTR_ERR_SYSTEM, ESRCH, "the monitor died during the start");
		}
	}
	r = ctr_rootfs_prepare(&rfs, &ro, err);
	if (r < 0) {
		ctr_rootfs_done(&rfs);
		return r;
	}
	r = ctr_msg_send(c->sock, CTR_MSG_CONSOLE, 0, rfs.console_master);
	if (r < 0) {
		ctr_rootfs_done(&rfs);
		return ctr_error_sys(err, -r, "pass the console to the monitor");
	}
	closep(&rfs.console_master);
	rfs.console_master = -1;
	r = ctr_rootfs_pivot(&rfs, err);
	if (r < 0) {
		ctr_rootfs_done(&rfs);
		return r;
	}
	/* Its name and addresses in its own files, written as its root (after
	 * pivot_root: no path can lead out). A read-only rootfs keeps its own. */
	if (!spec->root_readonly) {
		_cleanup_strv_ char **addrs = NULL;
		struct ctr_rootfs_identity id = {
			.hostname = spec->hostname,
			.dns = spec->dns,
			.search = spec->search,
		};

		if (ctr_network_addresses(&spec->net, &addrs) < 0)
			return ctr_error_sys(err, ENOMEM, "addresses");
		id.addresses = addrs;
		r = ctr_rootfs_write_identity(&id, err);
		if (r < 0)
			return r;
	}

	/* A session leader whose controlling terminal is the console: what an
	 * init expects, and what CRIU needs to dump the tree. */
	if (setsid() < 0)
		return ctr_error_sys(err, errno, "setsid");
	if (ioctl(rfs.console_slave, TIOCSCTTY, 0) < 0)
		return ctr_error_sys(err, errno, "make the console the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(rfs.console_slave, fd) < 0)
			return ctr_error_sys(err, errno, "attach stdio to the console");
	if (rfs.console_slave > 2)
		closep(&rfs.console_slave);

	r = ctr_msg_send(c->sock, CTR_MSG_EXEC, 0, -1);
	if (r < 0)
		return ctr_error_sys(err, -r, "report exec");
	return ctr_process_exec(spec->args, spec->env, spec->cwd, c->sec, err);
}

static __attribute__((noreturn)) void child_main(const struct child *c)
{
	struct ctr_error *err = NULL;

	/* If the monitor dies, so does the container: nothing runs unsupervised.
	 * (Should it die before this line, the socket's end of stream stops the
	 * child at its first read.) Not dumpable: until exec this is ctr's own
	 * image, which no process of the container may open through /proc. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0)
		ctr_error_sys(&err, errno, "set the parent-death signal");
	else
		child_setup(c, &err);
	ctr_msg_send_error(c->sock, err, EIO);
	_exit(err && err->errnum == ENOENT ? 127 : 126);
}

/* The parent's part of a user namespace: the child's /dev and id maps, and
 * the rootfs as a tree idmapped for it. */
static int parent_userns(const struct ctr_spec *spec, const char *rootfs, pid_t pid, int sock, int *ret_tree,
			 struct ctr_error **err)
{
	_cleanup_close_ int userns = -1, dev = -1;
	int r;

	if (!spec->uid_map.size)
		return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL,
				      "the config has a user namespace but no id mappings (linux.uidMappings)");
	r = ctr_rootfs_dev_tree(&spec->res, spec->uid_map.host_id, spec->gid_map.host_id, &dev, err);
	if (r < 0)
		return r;
	r = ctr_msg_send(sock, CTR_MSG_DEVTREE, 0, dev);
	if (r < 0)
		return ctr_error_sys(err, -r, "pass /dev to the child");
	r = ctr_idmap_write(pid, &spec->uid_map, &spec->gid_map);
	if (r < 0)
		return ctr_error_sys(err, -r, "write the id maps of the user namespace");
	if (spec->rootfs_idmap != CTR_ROOTFS_IDMAP_MOUNT)
		return 0;
	userns = ctr_idmap_userns_fd(pid);
	if (userns < 0)
		return ctr_error_sys(err, -userns, "open the container's user namespace");
	r = ctr_idmap_tree(rootfs, userns, ret_tree);
	if (r == -EINVAL || r == -EOPNOTSUPP)
		return ctr_error_user(
			err, CTR_ERR_SYSTEM, -r,
			"the filesystem of %s does not support idmapped mounts (it did when the container "
			"was created?); recreate the container, or set ctr.rootfsIdmap",
			rootfs);
	return r < 0 ? ctr_error_sys(err, -r, "idmapped mount of %s", rootfs) : 0;
}

int ctr_launch(const struct ctr_spec *spec, const char *net_key, const char *rootfs, ctr_join_cgroup_fn join,
	       void *join_data, pid_t *ret_pid, int *ret_pidfd, int *ret_console, struct ctr_error **err)
{
	_cleanup_close_ int pidfd = -1, console = -1, tree = -1;
	struct ctr_exec_security sec;
	struct child c;
	int sv[2];
	struct ctr_msg m;
	pid_t pid;
	int r;

	r = ctr_exec_security_init(spec, spec->no_new_privs, &sec, err);
	if (r < 0)
		return r;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = ctr_error_sys(err, errno, "socketpair");
		ctr_exec_security_done(&sec);
		return r;
	}
	c = (struct child){ .spec = spec, .rootfs = rootfs, .sec = &sec, .sock = sv[1] };
	pid = clone3_fork(spec->namespaces & ~(unsigned long)CLONE_NEWCGROUP, &pidfd);
	if (pid < 0) {
		r = ctr_error_sys(err, errno, "clone into new namespaces");
		close(sv[0]);
		close(sv[1]);
		ctr_exec_security_done(&sec);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(&c);
	}
	close(sv[1]);
	ctr_exec_security_done(&sec);

	r = ctr_msg_expect(sv[0], CTR_MSG_CHILD_READY, &m, NULL, err);
	if (r < 0)
		goto fail;
	if (ctr_spec_userns(spec)) {
		r = parent_userns(spec, rootfs, pid, sv[0], &tree, err);
		if (r < 0)
			goto fail;
	}
	/* Its interfaces exist and are configured before init runs: even a
	 * busybox init finds a working network. */
	r = ctr_net_setup(&spec->net, net_key, pid, err);
	if (r < 0)
		goto fail;
	/* Join the cgroup before the child runs anything of the container's, so
	 * that every process it will ever fork is accounted and killable. */
	r = join(join_data, pid, err);
	if (r < 0)
		goto fail;
	r = ctr_msg_send(sv[0], CTR_MSG_PARENT_DONE, 0, tree);
	if (r < 0) {
		r = ctr_error_sys(err, -r, "signal the child");
		goto fail;
	}
	r = ctr_msg_expect(sv[0], CTR_MSG_CONSOLE, &m, &console, err);
	if (r < 0)
		goto fail;
	if (console < 0) {
		r = ctr_error_user(err, CTR_ERR_SYSTEM, EPROTO, "the child sent no console");
		goto fail;
	}
	r = ctr_msg_expect(sv[0], CTR_MSG_EXEC, &m, NULL, err);
	if (r < 0)
		goto fail;
	/* The end of the stream is success: the socket closed at exec. */
	r = ctr_msg_recv(sv[0], &m, NULL);
	if (r == -EPIPE) {
		close(sv[0]);
		*ret_pid = pid;
		*ret_pidfd = TAKE_FD(pidfd);
		*ret_console = TAKE_FD(console);
		return 0;
	}
	if (r == 0 && m.type == CTR_MSG_ERROR)
		r = ctr_msg_to_error(&m, err);
	else
		r = ctr_error_user(err, CTR_ERR_SYSTEM, EPROTO, "unexpected message from the container's init");
fail:
	if (r == -EPIPE)
		r = ctr_error_user(err, CTR_ERR_SYSTEM, EPIPE, "the container's init died while being set up");
	close(sv[0]);
	/* The child may be anywhere in its setup: kill it and reap it, so that
	 * its namespaces and mounts go away with it; the host ends of its
	 * interfaces go now, not whenever the kernel frees the namespace. */
	ctr_net_teardown(&spec->net, net_key);
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return r;
}
