/* start, stop, kill, console and exec: the CLI side of a running container. */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>

#include "cgroups/cgroup.h"
#include "container.h"
#include "internal.h"
#include "security/security.h"
#include "sync.h"
#include "util.h"

static int check_rootfs(struct ctr_context *ctx, const char *name, const struct ctr_spec *spec, struct ctr_error **err)
{
	_cleanup_free_ char *rootfs = ctr_rootfs_path(ctx, name, spec);
	struct stat st;

	if (!rootfs)
		return -ENOMEM;
	if (stat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENOENT,
				      "rootfs %s of container '%s' is missing; recreate the container", rootfs, name);
	return 0;
}

int ctr_start_monitor(struct ctr_context *ctx, const char *name, struct ctr_spec *spec, const char *restore,
		      int lock_fd, struct ctr_error **err)
{
	int sv[2], status, r;
	struct ctr_msg m;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return ctr_error_sys(err, errno, "socketpair");
	pid = fork();
	if (pid < 0) {
		r = ctr_error_sys(err, errno, "fork the monitor");
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		int null;

		close(sv[0]);
		if (setsid() < 0 || (pid = fork()) < 0)
			_exit(1);
		if (pid > 0)
			_exit(0);
		/* The monitor: detached from the caller's terminal and cwd. */
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			if (null > 2)
				close(null);
		}
		if (chdir("/") < 0)
			_exit(1);
		/* The lock was taken by the CLI, which still holds it until we report. */
		close(lock_fd);
		prctl(PR_SET_NAME, "ctr-monitor");
		{
			struct ctr_error *merr = NULL;

			_exit(ctr_monitor_run(ctx, name, spec, restore, false, sv[1], NULL, NULL, &merr) < 0 ? 1 : 0);
		}
	}
	close(sv[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r = ctr_msg_expect(sv[0], CTR_MSG_STARTED, &m, NULL, err);
	close(sv[0]);
	if (r == -EPIPE)
		return ctr_error_user(err, CTR_ERR_SYSTEM, EPIPE, "the monitor died during start");
	if (r < 0 && !(err && *err))
		return ctr_error_from_errno(err, r, "wait for the monitor");
	return r;
}

int ctr_start_prepare(struct ctr_context *ctx, const char *name, bool restore, int held_lock, int *ret_lock,
		      struct ctr_spec **ret_spec, struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_close_ int lock = -1;
	enum ctr_status status;
	struct ctr_state st = { 0 };
	int r;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	if (held_lock < 0 && (r = ctr_lock_container(ctx, name, &lock, err)) < 0)
		return r;
	r = ctr_load_spec(ctx, name, &spec, err);
	if (r < 0)
		return r;
	r = ctr_load_state(ctx, name, true, &st, err);
	if (r < 0)
		return r;
	status = st.status;
	ctr_state_done(&st);
	if (status != CTR_STOPPED)
		return restore ? ctr_error_user(err, CTR_ERR_WRONG_STATE, EBUSY,
						"container '%s' is %s; stop it before restoring a checkpoint", name,
						ctr_status_to_string(status))
			       : ctr_error_user(err, CTR_ERR_WRONG_STATE, EBUSY, "container '%s' is already %s", name,
						ctr_status_to_string(status));
	r = check_rootfs(ctx, name, spec, err);
	if (r < 0)
		return r;
	*ret_lock = TAKE_FD(lock);
	*ret_spec = TAKE_PTR(spec);
	return 0;
}

int ctr_start(struct ctr_context *ctx, const char *name, bool foreground, int *ret_exit, struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	r = ctr_start_prepare(ctx, name, false, -1, &lock, &spec, err);
	if (r < 0)
		return r;
	if (!foreground) {
		return ctr_start_monitor(ctx, name, spec, NULL, lock, err);
	}
	/* Foreground: this process is the monitor. The lock is released once init
	 * runs (the run state then speaks for the container). */
	return ctr_monitor_run(ctx, name, spec, NULL, true, -1, &lock, ret_exit, err);
}

int ctr_monitor_request(struct ctr_context *ctx, const char *name, int type, int value, int *ret_conn, int *ret_fd,
			struct ctr_msg *ret_msg, struct ctr_error **err)
{
	_cleanup_close_ int conn = -1;
	struct ctr_msg m;
	int r;

	r = ctr_monitor_connect(ctx, name, &conn, err);
	if (r < 0)
		return r;
	r = ctr_msg_send(conn, type, value, -1);
	if (r < 0)
		return ctr_error_sys(err, -r, "talk to the monitor of '%s'", name);
	r = ctr_msg_expect(conn, CTR_MSG_OK, &m, ret_fd, err);
	if (r == -EPIPE || r == -EBADMSG)
		return ctr_error_user(err, CTR_ERR_WRONG_STATE, ESRCH, "container '%s' stopped meanwhile", name);
	if (r < 0)
		return r;
	if (ret_msg)
		*ret_msg = m;
	if (ret_conn)
		*ret_conn = TAKE_FD(conn);
	return 0;
}

static int require_running(struct ctr_context *ctx, const char *name, bool repair, struct ctr_state *ret,
			   struct ctr_error **err)
{
	int r;

	/* "does not exist" before "is not running"; a running container whose
	 * config has since been broken can still be stopped and killed. */
	r = ctr_container_exists(ctx, name, err);
	if (r < 0)
		return r;
	r = ctr_load_state(ctx, name, repair, ret, err);
	if (r < 0)
		return r;
	if (ret->status == CTR_STOPPED)
		return ctr_error_user(err, CTR_ERR_WRONG_STATE, ESRCH, "container '%s' is not running", name);
	return 0;
}

int ctr_stop(struct ctr_context *ctx, const char *name, int timeout, struct ctr_error **err)
{
	_cleanup_close_ int lock = -1, conn = -1;
	struct ctr_state st = { 0 };
	struct ctr_msg ok;
	struct pollfd p;
	int r;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	r = ctr_lock_container(ctx, name, &lock, err);
	if (r < 0)
		return r;
	r = require_running(ctx, name, true, &st, err);
	if (r == 0)
		r = ctr_thaw_if_paused(&st, err);
	ctr_state_done(&st);
	if (r < 0)
		return r;
	/* timeout < 0: the monitor applies the stopTimeout of the config it
	 * started with, and answers with the grace period in force. */
	r = ctr_monitor_request(ctx, name, CTR_MSG_REQ_STOP, timeout, &conn, NULL, &ok, err);
	if (r < 0)
		return r;
	timeout = ok.value;
	/* The monitor owns the stop from here. Waiting needs no lock, and holding
	 * it would keep a second 'stop --timeout 0' from shortening the grace
	 * period (a start meanwhile sees "stopping" and refuses). */
	closep(&lock);
	lock = -1;
	/* The monitor closes the connection when it exits, after teardown. The
	 * wait is bounded: the grace period plus time to kill and clean up. */
	p = (struct pollfd){ .fd = conn, .events = POLLIN };
	for (;;) {
		struct ctr_msg m;

		r = poll(&p, 1, (timeout + 30) * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return ctr_error_user(err, CTR_ERR_SYSTEM, ETIMEDOUT, "container '%s' did not stop within %d s",
					      name, timeout + 30);
		if (ctr_msg_recv(conn, &m, NULL) < 0)
			break;
	}
	return 0;
}

int ctr_kill(struct ctr_context *ctx, const char *name, int sig, struct ctr_error **err)
{
	struct ctr_state st = { 0 };
	int r;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	r = require_running(ctx, name, false, &st, err);
	if (r == 0)
		r = ctr_thaw_if_paused(&st, err);
	ctr_state_done(&st);
	if (r < 0)
		return r;
	return ctr_monitor_request(ctx, name, CTR_MSG_REQ_KILL, sig, NULL, NULL, NULL, err);
}

int ctr_console(struct ctr_context *ctx, const char *name, int in_fd, int out_fd, struct ctr_error **err)
{
	_cleanup_close_ int conn = -1;
	struct ctr_state st = { 0 };
	int r;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	r = require_running(ctx, name, false, &st, err);
	ctr_state_done(&st);
	if (r < 0)
		return r;
	r = ctr_monitor_request(ctx, name, CTR_MSG_REQ_CONSOLE, 0, &conn, NULL, NULL, err);
	if (r < 0)
		return r;
	r = ctr_tty_proxy(in_fd, out_fd, conn, true);
	return r < 0 ? ctr_error_sys(err, -r, "console of '%s'", name) : 0;
}

/* ---- exec ---------------------------------------------------------------------- */

static char **merge_env(char *const *base, char *const *extra)
{
	_cleanup_strv_ char **env = strv_copy(base);

	if (!env)
		return NULL;
	for (size_t i = 0; extra && extra[i]; i++) {
		size_t klen = strcspn(extra[i], "=") + 1;
		bool replaced = false;

		for (size_t j = 0; env[j]; j++)
			if (!strncmp(env[j], extra[i], klen)) {
				char *c = strdup(extra[i]);

				if (!c)
					return NULL;
				free(env[j]);
				env[j] = c;
				replaced = true;
				break;
			}
		if (!replaced && strv_push(&env, extra[i]) < 0)
			return NULL;
	}
	return TAKE_PTR(env);
}

/* Inside every namespace of the container: the process that runs the command.
 * It waits for the CLI to move it into the container's cgroup first. */
static __attribute__((noreturn)) void exec_child(char *const *argv, char *const *env, const char *cwd, bool tty,
						 const struct ctr_exec_security *sec, int sock)
{
	struct ctr_error *err = NULL;
	struct ctr_msg m;
	int unlock = 0;

	if (ctr_msg_expect(sock, CTR_MSG_PARENT_DONE, &m, NULL, &err) < 0) {
		if (!err)
			ctr_error_sys(&err, EPIPE, "wait for the cgroup");
		goto fail;
	}
	if (tty) {
		_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), slave = -1;

		/* The pty comes from the container's devpts, like init's console. */
		if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0 ||
		    (slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
			ctr_error_sys(&err, errno, "allocate a pty in the container");
			goto fail;
		}
		if (ctr_msg_send(sock, CTR_MSG_CONSOLE, 0, master) < 0) {
			ctr_error_sys(&err, errno, "pass the pty");
			goto fail;
		}
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
			ctr_error_sys(&err, errno, "make the pty the controlling terminal");
			goto fail;
		}
		for (int fd = 0; fd < 3; fd++)
			dup2(slave, fd);
	} else if (setsid() < 0) {
		/* Without -t the command shares the caller's stdio, maybe a
		 * terminal: in a session of its own that terminal is not its
		 * controlling one, and TIOCSTI cannot type into the caller's
		 * shell (the seccomp profile refuses it too). */
		ctr_error_sys(&err, errno, "setsid");
		goto fail;
	}
	ctr_process_exec(argv, env, cwd, sec, &err);
fail:
	ctr_msg_send_error(sock, err, EIO);
	_exit(127);
}

/* Joins the container's namespaces, forks the command's process (only
 * children enter a pid namespace) and relays its exit status. It stays out of
 * the container's cgroup: a stop then kills the command, never this parent,
 * which reaps it at once (an orphan would go to the host's init, and the
 * container's pid namespace could not finish until that reaped it). */
static __attribute__((noreturn)) void exec_joiner(const struct ctr_spec *spec, int pidfd, char *const *argv,
						  char *const *env, const char *cwd, bool tty,
						  const struct ctr_exec_security *sec, int sock)
{
	struct ctr_error *err = NULL;
	pid_t parent = getppid();
	int status, r;
	pid_t pid;

	/* Not dumpable: this process and its child are ctr's own image until the
	 * exec, and the child is visible in the container's pid namespace. No
	 * process of the container may open them through /proc/PID/exe and
	 * write ctr's binary (CVE-2019-5736). Inherited by the fork. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0) {
		ctr_error_sys(&err, errno, "prepare the exec helper");
		goto fail;
	}
	/* One call joins them all, atomically, through init's pidfd: no race with
	 * a recycled pid. */
	if (setns(pidfd, (int)spec->namespaces) < 0) {
		ctr_error_sys(&err, errno, "join the container's namespaces");
		goto fail;
	}
	close(pidfd);
	if (ctr_spec_userns(spec)) {
		/* Joined as the host's uid 0, which the namespace does not map:
		 * become its root, as init did. */
		r = ctr_idmap_become_root();
		if (r < 0) {
			ctr_error_sys(&err, -r, "become root of the user namespace");
			goto fail;
		}
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0 || getppid() != parent) {
			ctr_error_user(&err, CTR_ERR_SYSTEM, ESRCH, "ctr exited during the exec");
			goto fail;
		}
	}
	pid = fork();
	if (pid < 0) {
		ctr_error_sys(&err, errno, "fork");
		goto fail;
	}
	if (pid == 0)
		exec_child(argv, env, cwd, tty, sec, sock);
	/* Tell the CLI which (host) pid to put into the container's cgroup. */
	ctr_msg_send(sock, CTR_MSG_CHILD_READY, pid, -1);
	close(sock);
	/* ^C at the user's terminal reaches the command, not us. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(125);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
fail:
	ctr_msg_send_error(sock, err, EIO);
	_exit(125);
}

/* The CLI's half of exec once the joiner runs: cgroup, then the outcome. */
static int exec_follow(const struct ctr_state *st, int sock, bool tty, int *ret_master, pid_t *ret_child,
		       struct ctr_error **err)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = NULL;
	struct ctr_msg m;
	pid_t child;
	int r;

	r = ctr_msg_expect(sock, CTR_MSG_CHILD_READY, &m, NULL, err);
	if (r < 0)
		return r == -EPIPE ? ctr_error_user(err, CTR_ERR_SYSTEM, EPIPE, "the exec helper died") : r;
	child = (pid_t)m.value;
	*ret_child = child;
	/* Into the cgroup before it runs anything: accounted, limited and
	 * killable like every other process of the container. */
	r = ctr_cgroup_from_strv(st->cgroups, &cg);
	if (r < 0)
		r = ctr_error_sys(err, -r, "read the container's cgroups");
	else
		r = ctr_cgroup_attach(cg, child, err);
	if (r < 0) {
		kill(child, SIGKILL);
		return r;
	}
	r = ctr_msg_send(sock, CTR_MSG_PARENT_DONE, 0, -1);
	if (r < 0)
		return ctr_error_sys(err, -r, "start the command");
	if (tty) {
		r = ctr_msg_expect(sock, CTR_MSG_CONSOLE, &m, ret_master, err);
		if (r < 0)
			return r;
	}
	/* End of stream: the command was exec'd. An error record: it was not. */
	r = ctr_msg_recv(sock, &m, NULL);
	if (r == -EPIPE)
		return 0;
	if (r == 0 && m.type == CTR_MSG_ERROR)
		return ctr_msg_to_error(&m, err);
	return ctr_error_user(err, CTR_ERR_SYSTEM, EPROTO, "unexpected message from the exec helper");
}

/* Wait for the exec helper `pid`. The command (`child`, 0 with a pty: the
 * terminal's keys reach it through the pty) is in a session of its own, so
 * the caller's ^C, a kill or a hangup do not reach it by themselves: pass
 * them on, as a shell would deliver them. */
static int exec_wait(pid_t pid, pid_t child, int *ret_status)
{
	sigset_t mask, old;
	int r = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (child > 0) {
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGHUP);
		sigaddset(&mask, SIGQUIT);
	}
	sigprocmask(SIG_BLOCK, &mask, &old);
	for (;;) {
		siginfo_t si;
		pid_t w = waitpid(pid, ret_status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			r = negative_errno();
			break;
		}
		if (sigwaitinfo(&mask, &si) > 0 && si.si_signo != SIGCHLD)
			kill(child, si.si_signo);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

int ctr_exec(struct ctr_context *ctx, const char *name, const struct ctr_exec_opts *o, int *ret_status,
	     struct ctr_error **err)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *spec = NULL;
	_cleanup_strv_ char **env = NULL;
	_cleanup_close_ int pidfd = -1, master = -1;
	struct ctr_exec_security sec = { 0 };
	pid_t child = 0;
	int w;
	struct ctr_state st = { 0 };
	struct ctr_msg m;
	int sv[2], status, r;
	pid_t pid;

	r = ctr_name_validate(name, err);
	if (r < 0)
		return r;
	if (strv_length(o->argv) == 0)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "exec needs a command to run");
	if (o->cwd && o->cwd[0] != '/')
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "--cwd '%s' must be an absolute path", o->cwd);
	for (size_t i = 0; o->env && o->env[i]; i++)
		if (!strchr(o->env[i], '=') || o->env[i][0] == '=')
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "--env '%s': expected NAME=VALUE", o->env[i]);
	r = ctr_load_spec(ctx, name, &spec, err);
	if (r < 0)
		return r;
	r = require_running(ctx, name, false, &st, err);
	if (r < 0)
		goto out;
	if (st.status != CTR_RUNNING) {
		r = ctr_error_user(err, CTR_ERR_WRONG_STATE, EBUSY, "container '%s' is %s", name,
				   ctr_status_to_string(st.status));
		goto out;
	}
	/* A process joining a frozen cgroup freezes with it: exec would hang. */
	if (ctr_paused(&st)) {
		r = ctr_error_user(err, CTR_ERR_WRONG_STATE, EBUSY, "container '%s' is paused; 'ctr resume %s' first",
				   name, name);
		goto out;
	}
	r = ctr_monitor_request(ctx, name, CTR_MSG_REQ_PIDFD, 0, NULL, &pidfd, &m, err);
	if (r < 0)
		goto out;
	if (pidfd < 0) {
		r = ctr_error_user(err, CTR_ERR_SYSTEM, EPROTO, "the monitor sent no pidfd");
		goto out;
	}
	env = merge_env(spec->env, o->env);
	if (!env) {
		r = ctr_error_sys(err, ENOMEM, "environment");
		goto out;
	}
	/* The container's capabilities, rlimits and seccomp profile, like init;
	 * and no_new_privs unless asked otherwise: what an administrator runs
	 * in a container gains nothing from setuid files it may have planted. */
	r = ctr_exec_security_init(spec, spec->no_new_privs || !o->allow_new_privileges, &sec, err);
	if (r < 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = ctr_error_sys(err, errno, "socketpair");
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = ctr_error_sys(err, errno, "fork");
		close(sv[0]);
		close(sv[1]);
		goto out;
	}
	if (pid == 0) {
		close(sv[0]);
		exec_joiner(spec, pidfd, o->argv, env, o->cwd ? o->cwd : spec->cwd, o->tty, &sec, sv[1]);
	}
	close(sv[1]);
	closep(&pidfd);
	pidfd = -1;

	r = exec_follow(&st, sv[0], o->tty, &master, &child, err);
	close(sv[0]);
	if (r == 0 && o->tty) {
		struct winsize ws;

		if (isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
			ioctl(master, TIOCSWINSZ, &ws);
		ctr_tty_proxy(STDIN_FILENO, STDOUT_FILENO, master, false);
	}
	w = exec_wait(pid, r == 0 && !o->tty ? child : 0, &status);
	if (w < 0) {
		r = ctr_error_sys(err, -w, "wait for exec");
		goto out;
	}
	if (r == 0)
		*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	ctr_exec_security_done(&sec);
	ctr_state_done(&st);
	return r;
}
