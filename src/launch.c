/* Clone the container's init into its namespaces and carry it to exec.
 *
 * The order is a checklist, not style (see DESIGN.md):
 *   parent: socketpair, clone3 into new namespaces (pid, mount, uts, ipc, net)
 *   child:  parent-death signal, tell the parent it is ready
 *   parent: join the child to the container's cgroup (a user namespace's idmaps
 *           will be written here too, before the child goes on), say "go"
 *   child:  cgroup namespace (now rooted at the container's cgroup), hostname,
 *           loopback, mounts + console, pivot_root, setsid + controlling tty,
 *           (rlimits, capabilities, no_new_privs, seccomp come here, last),
 *           close every inherited descriptor, exec.
 * Every child step reports an error record on the socket; a clean exec closes
 * it (O_CLOEXEC), which is how the parent learns that init runs. */
#include "config.h"

#include <fcntl.h>
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

int ctr_process_exec(char *const *argv, char *const *env, const char *cwd, struct ctr_error **err)
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
	/* The cwd must be inside the container (CVE-2024-21626): resolve it in
	 * the new root, after pivot_root / setns. */
	if (chdir(cwd) < 0)
		return ctr_error_sys(err, errno, "chdir %s", cwd);
	/* Nothing of the host may reach the process: every descriptor above stdio
	 * closes at exec (the sync socket too, which tells the parent exec worked). */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return ctr_error_sys(err, errno, "mark descriptors close-on-exec");
	environ = (char **)env;
	/* execvp searches the container's PATH, from the environment just set. */
	execvp(argv[0], argv);
	r = ctr_error_sys(err, errno, "exec %s", argv[0]);
	if (err && *err)
		(*err)->exec_failed = true;
	return r;
}

static int child_setup(const struct ctr_spec *spec, const char *rootfs, int sock, struct ctr_error **err)
{
	struct ctr_rootfs rfs = { .root_fd = -1, .console_master = -1, .console_slave = -1 };
	struct ctr_msg m;
	int r;

	r = ctr_msg_send(sock, CTR_MSG_CHILD_READY, 0, -1);
	if (r < 0)
		return ctr_error_sys(err, -r, "report ready");
	r = ctr_msg_expect(sock, CTR_MSG_PARENT_DONE, &m, NULL, err);
	if (r < 0)
		return r;

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

	r = ctr_rootfs_prepare(rootfs, spec->root_readonly, &spec->res, &rfs, err);
	if (r < 0)
		return r;
	r = ctr_msg_send(sock, CTR_MSG_CONSOLE, 0, rfs.console_master);
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

	r = ctr_msg_send(sock, CTR_MSG_EXEC, 0, -1);
	if (r < 0)
		return ctr_error_sys(err, -r, "report exec");
	return ctr_process_exec(spec->args, spec->env, spec->cwd, err);
}

static __attribute__((noreturn)) void child_main(const struct ctr_spec *spec, const char *rootfs, int sock)
{
	struct ctr_error *err = NULL;

	/* If the monitor dies, so does the container: nothing runs unsupervised.
	 * (Should it die before this line, the socket's end of stream stops the
	 * child at its first read.) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		ctr_error_sys(&err, errno, "set the parent-death signal");
	else
		child_setup(spec, rootfs, sock, &err);
	ctr_msg_send_error(sock, err, EIO);
	_exit(err && err->errnum == ENOENT ? 127 : 126);
}

int ctr_launch(const struct ctr_spec *spec, const char *rootfs, ctr_join_cgroup_fn join, void *join_data,
	       pid_t *ret_pid, int *ret_pidfd, int *ret_console, struct ctr_error **err)
{
	_cleanup_close_ int pidfd = -1, console = -1;
	int sv[2];
	struct ctr_msg m;
	pid_t pid;
	int r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return ctr_error_sys(err, errno, "socketpair");
	pid = clone3_fork(spec->namespaces & ~(unsigned long)CLONE_NEWCGROUP, &pidfd);
	if (pid < 0) {
		r = ctr_error_sys(err, errno, "clone into new namespaces");
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(spec, rootfs, sv[1]);
	}
	close(sv[1]);

	r = ctr_msg_expect(sv[0], CTR_MSG_CHILD_READY, &m, NULL, err);
	if (r < 0)
		goto fail;
	/* Join the cgroup before the child runs anything of the container's, so
	 * that every process it will ever fork is accounted and killable. */
	r = join(join_data, pid, err);
	if (r < 0)
		goto fail;
	r = ctr_msg_send(sv[0], CTR_MSG_PARENT_DONE, 0, -1);
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
	 * its namespaces and mounts go away with it. */
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return r;
}
