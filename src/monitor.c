/* The per-container supervisor: parent of init, holder of the console pty and
 * its log, only writer of the run state, server of the control socket, and the
 * one who tears everything down when init dies. One process, no threads, an
 * epoll loop that sleeps until something happens. */
#include "config.h"

#include <fcntl.h>
#include <stddef.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

#include "cgroups/cgroup.h"
#include "container.h"
#include "internal.h"
#include "netns/netns.h"
#include "sync.h"
#include "util.h"

#define MAX_CLIENTS	64
#define LOG_ROTATE_SIZE (1 << 20)

enum client_kind { CLIENT_NONE, CLIENT_CONTROL, CLIENT_CONSOLE };

struct monitor {
	struct ctr_context *ctx;
	const char *name;
	const char *dir; /* ROOT/NAME: also the key of its interfaces' host ends */
	const struct ctr_spec *spec;
	int run_fd; /* O_PATH of RUNDIR/NAME */
	int dir_fd; /* ROOT/NAME */
	int listen_fd;
	int epoll_fd;
	int signal_fd;
	int timer_fd;
	int console; /* pty master */
	int log_fd;
	off_t log_size;
	bool foreground;
	bool stdin_forward;
	pid_t init_pid;
	int init_pidfd;
	bool init_dead;
	int init_status;
	struct ctr_state state;
	struct ctr_cgroup *cg;
	int checkpoint_client; /* the client dumping the container, or -1 */
	bool checkpointed;     /* init ended by a dump (ctr checkpoint) */
	int clients[MAX_CLIENTS];
	enum client_kind client_kind[MAX_CLIENTS];
};

static int write_state(struct monitor *m)
{
	_cleanup_free_ char *json = NULL;
	size_t len;
	int r = ctr_state_to_json(&m->state, &json, &len);
	_cleanup_close_ int dfd = -1;

	if (r < 0)
		return r;
	dfd = openat(m->run_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return negative_errno();
	return write_file_atomic_at(dfd, CTR_STATE_FILE, json, len, 0644, false);
}

static int open_listen_socket(int run_fd, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return negative_errno();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", run_fd, CTR_SOCKET_FILE);
	unlinkat(run_fd, CTR_SOCKET_FILE, 0);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
		return negative_errno();
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static void epoll_add(struct monitor *m, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	epoll_ctl(m->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

static void client_drop(struct monitor *m, int i)
{
	if (m->checkpoint_client == i)
		m->checkpoint_client = -1;
	epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, m->clients[i], NULL);
	close(m->clients[i]);
	m->clients[i] = -1;
	m->client_kind[i] = CLIENT_NONE;
}

static void log_write(struct monitor *m, const char *buf, size_t len)
{
	if (m->log_fd < 0)
		return;
	/* Keep the log bounded: one generation of history, 1 MiB each. */
	if (m->log_size + (off_t)len > LOG_ROTATE_SIZE) {
		renameat(m->dir_fd, CTR_CONSOLE_LOG, m->dir_fd, CTR_CONSOLE_LOG ".1");
		close(m->log_fd);
		m->log_fd = openat(m->dir_fd, CTR_CONSOLE_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
				   0600);
		m->log_size = 0;
		if (m->log_fd < 0)
			return;
	}
	if (write_all(m->log_fd, buf, len) == 0)
		m->log_size += (off_t)len;
}

static void console_output(struct monitor *m)
{
	char buf[8192];

	for (;;) {
		ssize_t n = read(m->console, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* EIO: no process holds the console open any more. */
			if (n == 0 || errno != EAGAIN) {
				epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, m->console, NULL);
				closep(&m->console);
				m->console = -1;
			}
			return;
		}
		log_write(m, buf, (size_t)n);
		if (m->foreground)
			write_all(STDOUT_FILENO, buf, (size_t)n);
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (m->client_kind[i] == CLIENT_CONSOLE &&
			    send(m->clients[i], buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
				client_drop(m, i);
	}
}

static int send_init_signal(struct monitor *m, int sig)
{
	if (m->init_dead)
		return -ESRCH;
	return syscall(SYS_pidfd_send_signal, m->init_pidfd, sig, NULL, 0) < 0 ? negative_errno() : 0;
}

static void kill_everything(struct monitor *m)
{
	send_init_signal(m, SIGKILL);
	ctr_cgroup_signal_all(m->cg, SIGKILL);
}

static void begin_stop(struct monitor *m, int timeout)
{
	struct itimerspec its = { .it_value.tv_sec = timeout };
	struct itimerspec cur;

	if (m->init_dead)
		return;
	if (m->state.status != CTR_STOPPING) {
		m->state.status = CTR_STOPPING;
		write_state(m);
		send_init_signal(m, m->spec->stop_signal);
	}
	if (timeout <= 0) {
		kill_everything(m);
		return;
	}
	/* A second stop may shorten the grace period, never lengthen it. */
	timerfd_gettime(m->timer_fd, &cur);
	if (cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 ? true : cur.it_value.tv_sec > timeout)
		timerfd_settime(m->timer_fd, 0, &its, NULL);
}

/* The console's slave as CRIU names an external tty: "tty[rdev:dev]". */
static void console_key(struct monitor *m, char *buf, size_t len)
{
	_cleanup_close_ int slave = -1;
	struct stat st;

	buf[0] = '\0';
	if (m->console < 0)
		return;
	slave = ioctl(m->console, TIOCGPTPEER, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (slave >= 0 && fstat(slave, &st) == 0)
		snprintf(buf, len, "tty[%llx:%llx]", (unsigned long long)st.st_rdev, (unsigned long long)st.st_dev);
}

static void checkpoint_begin(struct monitor *m, int i)
{
	struct ctr_msg msg = { .type = CTR_MSG_OK };

	if (m->init_dead || m->checkpoint_client >= 0) {
		ctr_msg_send_error(m->clients[i], NULL, m->init_dead ? ESRCH : EBUSY);
		return;
	}
	console_key(m, msg.text, sizeof(msg.text));
	if (send(m->clients[i], &msg, offsetof(struct ctr_msg, text) + strlen(msg.text) + 1, MSG_NOSIGNAL) < 0)
		return;
	m->checkpoint_client = i;
}

static void client_request(struct monitor *m, int i)
{
	int fd = m->clients[i];
	struct ctr_msg msg;
	int r;

	if (m->client_kind[i] == CLIENT_CONSOLE) {
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				client_drop(m, i);
			return;
		}
		if (m->console >= 0)
			write_all(m->console, buf, (size_t)n);
		return;
	}
	r = ctr_msg_recv(fd, &msg, NULL);
	if (r < 0) {
		client_drop(m, i);
		return;
	}
	switch (msg.type) {
	case CTR_MSG_REQ_STOP: {
		int timeout = msg.value < 0 ? (int)m->spec->stop_timeout : msg.value;

		begin_stop(m, timeout);
		/* The client waits for this connection to close: that is when the
		 * monitor has torn everything down and exited. */
		ctr_msg_send(fd, CTR_MSG_OK, timeout, -1);
		break;
	}
	case CTR_MSG_REQ_KILL:
		r = send_init_signal(m, msg.value);
		if (r < 0)
			ctr_msg_send_error(fd, NULL, -r);
		else
			ctr_msg_send(fd, CTR_MSG_OK, 0, -1);
		break;
	case CTR_MSG_REQ_PIDFD:
		if (m->init_dead)
			ctr_msg_send_error(fd, NULL, ESRCH);
		else
			ctr_msg_send(fd, CTR_MSG_OK, m->init_pid, m->init_pidfd);
		break;
	case CTR_MSG_REQ_CHECKPOINT: checkpoint_begin(m, i); break;
	case CTR_MSG_REQ_CONSOLE:
		if (m->console < 0) {
			ctr_msg_send_error(fd, NULL, ENXIO);
			break;
		}
		ctr_msg_send(fd, CTR_MSG_OK, 0, -1);
		m->client_kind[i] = CLIENT_CONSOLE;
		break;
	default: ctr_msg_send_error(fd, NULL, EOPNOTSUPP); break;
	}
}

static void accept_clients(struct monitor *m)
{
	for (;;) {
		int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		int i;

		if (fd < 0)
			return;
		for (i = 0; i < MAX_CLIENTS && m->clients[i] >= 0; i++)
			;
		if (i == MAX_CLIENTS) {
			close(fd);
			continue;
		}
		m->clients[i] = fd;
		m->client_kind[i] = CLIENT_CONTROL;
		epoll_add(m, fd, EPOLLIN);
	}
}

static void reap_children(struct monitor *m)
{
	int status;
	pid_t pid;

	/* Also a subreaper: orphans of the container's helpers end up here. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == m->init_pid) {
			m->init_dead = true;
			m->init_status = status;
			/* CRIU ends a container only once its dump is complete. */
			m->checkpointed = m->checkpoint_client >= 0;
		}
}

static void handle_signals(struct monitor *m)
{
	struct signalfd_siginfo si;

	while (read(m->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap_children(m);
		else /* SIGTERM, SIGINT, SIGHUP: systemd or a user stopping the foreground monitor */
			begin_stop(m, (int)m->spec->stop_timeout);
	}
}

static void forward_stdin(struct monitor *m)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n <= 0) {
		epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
		m->stdin_forward = false;
		return;
	}
	if (m->console >= 0)
		write_all(m->console, buf, (size_t)n);
}

static void event_loop(struct monitor *m)
{
	struct epoll_event ev[16];

	while (!m->init_dead) {
		int n = epoll_wait(m->epoll_fd, ev, ARRAY_SIZE(ev), -1);

		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (fd == m->signal_fd) {
				handle_signals(m);
			} else if (fd == m->listen_fd) {
				accept_clients(m);
			} else if (fd == m->console) {
				console_output(m);
			} else if (fd == m->timer_fd) {
				uint64_t ticks;

				if (read(m->timer_fd, &ticks, sizeof(ticks)) > 0)
					kill_everything(m);
			} else if (fd == STDIN_FILENO && m->stdin_forward) {
				forward_stdin(m);
			} else {
				for (int c = 0; c < MAX_CLIENTS; c++)
					if (m->clients[c] == fd) {
						client_request(m, c);
						break;
					}
			}
		}
	}
	/* Whatever init wrote last still belongs in the log. */
	if (m->console >= 0)
		console_output(m);
}

static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	size_t len;

	if (!path || !path[0] || (path[0] != '/' && path[0] != '@'))
		return;
	len = strlen(path);
	if (len >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
}

static void teardown(struct monitor *m, bool launched)
{
	_cleanup_free_ char *run = ctr_run_dir(m->ctx, m->name);
	struct ctr_network now = { 0 };

	const struct ctr_network *net = &m->spec->net;

	/* The host ends of its interfaces (gone with its network namespace
	 * already, unless something else holds that namespace) and what
	 * outlives them. The running record is the config's interfaces with
	 * the addresses `ctr set` gave since, whose proxy entries must go too. */
	if (net->n && m->run_fd >= 0 && ctr_running_network_load(m->run_fd, &now) == 0)
		net = &now;
	ctr_net_teardown(net, m->dir);
	ctr_network_done(&now);
	if (m->cg) {
		ctr_cgroup_destroy(m->cg, NULL);
		ctr_cgroup_free(m->cg);
		m->cg = NULL;
	}
	if (launched) {
		struct ctr_exit ex;
		_cleanup_free_ char *json = NULL;
		size_t len;

		ctr_exit_from_wait_status(m->init_status, ctr_now(), &ex);
		ex.checkpointed = m->checkpointed;
		/* A record for people and panels, not state anything depends
		 * on: atomic, but not worth an fsync on every stop. */
		if (m->dir_fd >= 0 && ctr_exit_to_json(&ex, &json, &len) == 0)
			write_file_atomic_at(m->dir_fd, CTR_LAST_EXIT_FILE, json, len, 0644, false);
	}
	/* The state file goes last: until then, a new start sees "stopping". */
	if (m->run_fd >= 0)
		unlinkat(m->run_fd, CTR_SOCKET_FILE, 0);
	if (run)
		rm_rf_at(AT_FDCWD, run);
}

/* All libcgroup work of a start runs in a short-lived helper process: it
 * creates the groups while the monitor prepares and clones init, then moves
 * init into them and exits. The monitor never initialises libcgroup while the
 * container runs (its tables are most of a process's private memory) and the
 * start is shorter by the overlap. */
struct cgroup_helper {
	struct monitor *m;
	pid_t pid;
	int sock;
};

static __attribute__((noreturn)) void cgroup_helper_main(const char *name, const char *parent,
							 const struct ctr_resources *res, pid_t monitor, int sock)
{
	_cleanup_(ctr_cgroup_freep) struct ctr_cgroup *cg = NULL;
	_cleanup_strv_ char **paths = NULL;
	struct ctr_error *err = NULL;
	struct ctr_msg msg;
	int r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	r = ctr_cgroup_create(name, monitor, parent, &cg, &err);
	if (r < 0 || ctr_cgroup_to_strv(cg, &paths) < 0) {
		ctr_msg_send_error(sock, err, r < 0 ? -r : ENOMEM);
		_exit(1);
	}
	/* Limits before anything runs in the groups: init starts limited. */
	r = ctr_cgroup_apply(cg, res, NULL, &err);
	if (r < 0) {
		ctr_error_wrap(&err, "apply resource limits");
		ctr_cgroup_destroy(cg, NULL);
		ctr_msg_send_error(sock, err, -r);
		_exit(1);
	}
	{
		_cleanup_free_ char *joined = NULL;
		size_t len = 1;

		for (size_t i = 0; paths[i]; i++)
			len += strlen(paths[i]) + 1;
		if (len > sizeof(msg.text)) {
			ctr_cgroup_destroy(cg, NULL);
			ctr_msg_send_error(sock, NULL, ENAMETOOLONG);
			_exit(1);
		}
		joined = calloc(1, len);
		for (size_t i = 0; joined && paths[i]; i++) {
			strcat(joined, paths[i]);
			strcat(joined, "\n");
		}
		memset(&msg, 0, sizeof(msg));
		msg.type = CTR_MSG_CGROUP;
		snprintf(msg.text, sizeof(msg.text), "%s", joined ? joined : "");
		if (!joined || send(sock, &msg, sizeof(msg), MSG_NOSIGNAL) < 0) {
			ctr_cgroup_destroy(cg, NULL);
			_exit(1);
		}
	}
	/* Either a pid to attach, or the end of the stream: the start failed
	 * before there was one, and the groups go again. */
	r = ctr_msg_expect(sock, CTR_MSG_ATTACH, &msg, NULL, &err);
	if (r < 0) {
		ctr_cgroup_destroy(cg, NULL);
		_exit(1);
	}
	r = ctr_cgroup_attach(cg, (pid_t)msg.value, &err);
	if (r < 0)
		ctr_msg_send_error(sock, err, -r);
	else
		ctr_msg_send(sock, CTR_MSG_OK, 0, -1);
	_exit(r < 0 ? 1 : 0);
}

static int cgroup_helper_start(struct monitor *m, struct cgroup_helper *h, struct ctr_error **err)
{
	int sv[2];
	pid_t monitor = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return ctr_error_sys(err, errno, "socketpair");
	h->m = m;
	h->pid = fork();
	if (h->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return ctr_error_sys(err, errno, "fork the cgroup helper");
	}
	if (h->pid == 0) {
		close(sv[0]);
		cgroup_helper_main(m->name, m->ctx->cgroup_parent, &m->spec->res, monitor, sv[1]);
	}
	close(sv[1]);
	h->sock = sv[0];
	return 0;
}

/* The groups the helper made, recorded in the state. */
static int cgroup_helper_paths(struct cgroup_helper *h, struct ctr_error **err)
{
	struct monitor *m = h->m;
	_cleanup_strv_ char **paths = NULL;
	struct ctr_msg msg;
	char *save = NULL;
	int r;

	r = ctr_msg_expect(h->sock, CTR_MSG_CGROUP, &msg, NULL, err);
	if (r < 0)
		return r == -EPIPE ? ctr_error_user(err, CTR_ERR_SYSTEM, EPIPE, "the cgroup helper died") : r;
	for (char *line = strtok_r(msg.text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strv_push(&paths, line) < 0)
			return -ENOMEM;
	r = ctr_cgroup_from_strv(paths, &m->cg);
	if (r < 0)
		return ctr_error_sys(err, -r, "read the cgroup helper's groups");
	/* Recorded before anything runs in them: a crash from here on leaves a
	 * state that tells the next command what to remove. */
	strv_free(m->state.cgroups);
	m->state.cgroups = TAKE_PTR(paths);
	r = write_state(m);
	return r < 0 ? ctr_error_sys(err, -r, "write %s", CTR_STATE_FILE) : 0;
}

static int cgroup_helper_attach(struct cgroup_helper *h, pid_t pid, struct ctr_error **err)
{
	struct ctr_msg msg;
	int r;

	r = ctr_msg_send(h->sock, CTR_MSG_ATTACH, pid, -1);
	if (r < 0)
		return ctr_error_sys(err, -r, "talk to the cgroup helper");
	r = ctr_msg_expect(h->sock, CTR_MSG_OK, &msg, NULL, err);
	return r == -EPIPE ? ctr_error_user(err, CTR_ERR_SYSTEM, EPIPE, "the cgroup helper died") : r;
}

/* Called by the launcher once init is cloned and waiting. */
static int cgroup_helper_join(void *data, pid_t pid, struct ctr_error **err)
{
	int r = cgroup_helper_paths(data, err);

	return r < 0 ? r : cgroup_helper_attach(data, pid, err);
}

/* Restore: CRIU puts the tree into the groups (as their new roots); the
 * helper's attach of init is then a formality that ends its protocol. */
static int restore_tree(struct monitor *m, struct cgroup_helper *h, const char *rootfs, const char *images,
			struct ctr_network *ret_net, struct ctr_error **err)
{
	int r = cgroup_helper_paths(h, err);

	if (r < 0)
		return r;
	r = ctr_restore_launch(m->ctx, m->name, m->spec, m->dir, rootfs, images, m->state.cgroups, &m->init_pid,
			       &m->init_pidfd, &m->console, ret_net, err);
	if (r < 0)
		return r;
	r = cgroup_helper_attach(h, m->init_pid, err);
	if (r < 0) {
		kill_everything(m);
		while (!m->init_dead && waitpid(m->init_pid, &m->init_status, 0) < 0 && errno == EINTR)
			;
		m->init_dead = true;
		ctr_net_teardown(ret_net, m->dir);
		ctr_network_done(ret_net);
	}
	return r;
}

static void cgroup_helper_finish(struct cgroup_helper *h)
{
	if (h->sock >= 0)
		closep(&h->sock);
	h->sock = -1;
	/* It exits at once when its socket closes; reap it so that teardown does
	 * not race its clean-up of a failed start. */
	if (h->pid > 0)
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
	h->pid = 0;
}

int ctr_monitor_run(struct ctr_context *ctx, const char *name, struct ctr_spec *spec, const char *restore,
		    bool foreground, int report_fd, int *release_fd, int *ret_exit, struct ctr_error **err)
{
	_cleanup_free_ char *run = ctr_run_dir(ctx, name), *dir = ctr_container_dir(ctx, name),
			    *rootfs = ctr_rootfs_path(ctx, name, spec), *net_key = NULL;
	struct monitor m = {
		.ctx = ctx,
		.name = name,
		.dir = NULL, /* below: canonical */
		.spec = spec,
		.run_fd = -1,
		.dir_fd = -1,
		.listen_fd = -1,
		.epoll_fd = -1,
		.signal_fd = -1,
		.timer_fd = -1,
		.console = -1,
		.log_fd = -1,
		.foreground = foreground,
		.init_pidfd = -1,
		.checkpoint_client = -1,
	};
	struct ctr_network restored = { 0 };
	struct cgroup_helper helper = { .sock = -1 };
	struct termios saved_tio;
	bool tty_raw = false, launched = false;
	sigset_t mask, oldmask;
	int r;

	for (int i = 0; i < MAX_CLIENTS; i++)
		m.clients[i] = -1;
	/* A hand-written config may leave MACs out: the ones create would
	 * have fixed, derived from the name. */
	if (!run || !dir || !rootfs || ctr_network_finish(&spec->net, name) < 0)
		return -ENOMEM;
	net_key = ctr_net_key(ctx, name);
	if (!net_key)
		return -ENOMEM;
	m.dir = net_key;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	/* A reader of the foreground output going away must not kill the
	 * supervisor (and with it, by the parent-death signal, the container). */
	signal(SIGPIPE, SIG_IGN);

	r = mkdir_p(ctx->run_dir, 0711);
	if (r < 0) {
		r = ctr_error_sys(err, -r, "create %s", ctx->run_dir);
		goto out;
	}
	if (mkdir(run, 0700) < 0 && errno != EEXIST) {
		r = ctr_error_sys(err, errno, "create %s", run);
		goto out;
	}
	m.run_fd = open(run, O_PATH | O_DIRECTORY | O_CLOEXEC);
	m.dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m.run_fd < 0 || m.dir_fd < 0) {
		r = ctr_error_sys(err, errno, "open %s", m.run_fd < 0 ? run : dir);
		goto out;
	}
	r = open_listen_socket(m.run_fd, &m.listen_fd);
	if (r < 0) {
		r = ctr_error_sys(err, -r, "listen on %s/%s", run, CTR_SOCKET_FILE);
		goto out;
	}
	m.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	m.signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	m.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (m.epoll_fd < 0 || m.signal_fd < 0 || m.timer_fd < 0) {
		r = ctr_error_sys(err, errno, "set up the monitor's event loop");
		goto out;
	}
	/* Processes the container's init leaves behind are reparented here. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	r = cgroup_helper_start(&m, &helper, err);
	if (r < 0)
		goto out;
	m.state.status = CTR_STARTING;
	m.state.monitor_pid = getpid();
	m.state.cgroups = calloc(1, sizeof(char *));
	if (proc_starttime(getpid(), &m.state.monitor_start) < 0 || !m.state.cgroups || (r = write_state(&m)) < 0) {
		r = ctr_error_sys(err, r < 0 ? -r : EIO, "write %s/%s", run, CTR_STATE_FILE);
		goto out;
	}

	if (restore)
		r = restore_tree(&m, &helper, rootfs, restore, &restored, err);
	else
		r = ctr_launch(spec, m.dir, rootfs, cgroup_helper_join, &helper, &m.init_pid, &m.init_pidfd, &m.console,
			       err);
	cgroup_helper_finish(&helper);
	if (r < 0)
		goto out;
	launched = true;
	/* What it runs with, for `ctr set` to change addresses at once (a
	 * restored container: what it was dumped with). */
	if ((restore ? restored.n : spec->net.n) &&
	    (r = ctr_running_network_save(m.run_fd, restore ? &restored : &spec->net)) < 0) {
		r = ctr_error_sys(err, -r, "write %s/%s", run, CTR_NETWORK_FILE);
		kill_everything(&m);
		while (!m.init_dead && waitpid(m.init_pid, &m.init_status, 0) < 0 && errno == EINTR)
			;
		goto out;
	}
	m.state.status = CTR_RUNNING;
	m.state.init_pid = m.init_pid;
	m.state.started = ctr_now();
	r = write_state(&m);
	if (r < 0) {
		r = ctr_error_sys(err, -r, "write %s/%s", run, CTR_STATE_FILE);
		kill_everything(&m);
		while (!m.init_dead && waitpid(m.init_pid, &m.init_status, 0) < 0 && errno == EINTR)
			;
		goto out;
	}

	m.log_fd = openat(m.dir_fd, CTR_CONSOLE_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (m.log_fd >= 0) {
		struct stat st;

		if (fstat(m.log_fd, &st) == 0)
			m.log_size = st.st_size;
	}
	fd_set_nonblock(m.console, true);
	epoll_add(&m, m.signal_fd, EPOLLIN);
	epoll_add(&m, m.listen_fd, EPOLLIN);
	epoll_add(&m, m.console, EPOLLIN);
	epoll_add(&m, m.timer_fd, EPOLLIN);
	if (foreground && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		struct termios raw = saved_tio;

		cfmakeraw(&raw);
		tty_raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
		m.stdin_forward = true;
		epoll_add(&m, STDIN_FILENO, EPOLLIN);
	}

	/* Init runs: tell whoever started us, then supervise. */
	if (report_fd >= 0) {
		ctr_msg_send(report_fd, CTR_MSG_STARTED, m.init_pid, -1);
		close(report_fd);
		report_fd = -1;
	}
	if (release_fd && *release_fd >= 0) {
		close(*release_fd);
		*release_fd = -1;
	}
	if (foreground)
		notify_ready();
	event_loop(&m);
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	if (ret_exit) {
		struct ctr_exit ex;

		ctr_exit_from_wait_status(m.init_status, 0, &ex);
		*ret_exit = ex.status;
	}
	r = 0;
out:
	cgroup_helper_finish(&helper);
	if (m.run_fd >= 0 || m.cg)
		teardown(&m, launched);
	/* The caller hears of a failed start once nothing of it is left. */
	if (r < 0 && report_fd >= 0)
		ctr_msg_send_error(report_fd, err ? *err : NULL, -r);
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m.clients[i] >= 0)
			close(m.clients[i]);
	closep(&m.listen_fd);
	closep(&m.epoll_fd);
	closep(&m.signal_fd);
	closep(&m.timer_fd);
	closep(&m.console);
	closep(&m.log_fd);
	closep(&m.init_pidfd);
	closep(&m.run_fd);
	closep(&m.dir_fd);
	ctr_state_done(&m.state);
	ctr_network_done(&restored);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return r;
}
