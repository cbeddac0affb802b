/* One channel between two processes of a start (CLI, monitor, container child)
 * and between the CLI and a running monitor: SOCK_SEQPACKET messages carrying a
 * numbered step, an integer, a short text, an error record or a descriptor. */
#ifndef CTR_SYNC_H
#define CTR_SYNC_H

#include <stdint.h>

struct ctr_error;

enum ctr_msg_type {
	/* launch: child <-> monitor, monitor -> CLI */
	CTR_MSG_CHILD_READY = 1, /* child cloned, waits for the parent's setup */
	CTR_MSG_PARENT_DONE,	 /* cgroup joined (and idmaps written): go on */
	CTR_MSG_CONSOLE,	 /* child -> parent: console pty master (fd) */
	CTR_MSG_EXEC,		 /* child is about to exec init */
	CTR_MSG_STARTED,	 /* monitor -> CLI: init runs (value = init pid) */
	CTR_MSG_ERROR,		 /* an error record */
	CTR_MSG_CGROUP,		 /* cgroup helper -> monitor: the groups it made (text) */
	CTR_MSG_ATTACH,		 /* monitor -> cgroup helper: put this pid (value) in them */
	CTR_MSG_DEVTREE,	 /* monitor -> child: its /dev, made on the host side (fd) */
	/* requests CLI -> monitor */
	CTR_MSG_REQ_STOP = 20,	/* value = timeout in seconds */
	CTR_MSG_REQ_KILL,	/* value = signal */
	CTR_MSG_REQ_PIDFD,	/* reply carries a pidfd of init */
	CTR_MSG_REQ_CONSOLE,	/* the connection becomes a console stream */
	CTR_MSG_REQ_CHECKPOINT, /* a dump begins; reply text: the console's "tty[rdev:dev]"; init
				 * dying before the connection closes was the dump's doing */
	CTR_MSG_OK = 40,
};

struct ctr_msg {
	uint32_t type;
	int32_t value;
	int32_t kind;	/* for errors: enum ctr_err_kind */
	int32_t errnum; /* for errors */
	char text[4096];
};

int ctr_msg_send(int sock, enum ctr_msg_type type, int32_t value, int passfd);
/* Send an error record (or, if err is NULL, errnum with a generic text). */
int ctr_msg_send_error(int sock, const struct ctr_error *err, int errnum);
/* Receive one message; returns -EPIPE at end of stream. *ret_fd gets a passed
 * descriptor or -1 (ret_fd may be NULL: any descriptor is then closed). */
int ctr_msg_recv(int sock, struct ctr_msg *m, int *ret_fd);
/* Turn a CTR_MSG_ERROR into an error record; returns -errnum. */
int ctr_msg_to_error(const struct ctr_msg *m, struct ctr_error **err);
/* Receive and insist on `type`; an error message becomes *err (returns -errnum). */
int ctr_msg_expect(int sock, enum ctr_msg_type type, struct ctr_msg *m, int *ret_fd, struct ctr_error **err);

#endif
