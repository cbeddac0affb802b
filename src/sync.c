#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "error.h"
#include "sync.h"
#include "util.h"

int ctr_msg_send(int sock, enum ctr_msg_type type, int32_t value, int passfd)
{
	struct ctr_msg m = { .type = type, .value = value };
	struct iovec iov = { .iov_base = &m, .iov_len = offsetof(struct ctr_msg, text) + 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (passfd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &passfd, sizeof(int));
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return negative_errno();
	return 0;
}

int ctr_msg_send_error(int sock, const struct ctr_error *err, int errnum)
{
	struct ctr_msg m = { .type = CTR_MSG_ERROR };

	m.value = err && err->exec_failed;
	m.kind = err ? (int32_t)err->kind : CTR_ERR_SYSTEM;
	m.errnum = err ? err->errnum : errnum;
	snprintf(m.text, sizeof(m.text), "%s", err && err->msg ? err->msg : strerror(errnum));
	while (send(sock, &m, offsetof(struct ctr_msg, text) + strlen(m.text) + 1, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return negative_errno();
	return 0;
}

int ctr_msg_recv(int sock, struct ctr_msg *m, int *ret_fd)
{
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	int fd = -1;
	ssize_t n;

	memset(m, 0, sizeof(*m));
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -EPIPE : negative_errno();
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (ret_fd)
		*ret_fd = fd;
	else if (fd >= 0)
		close(fd);
	if (n == 0)
		return -EPIPE;
	if ((size_t)n < offsetof(struct ctr_msg, text))
		return -EBADMSG;
	m->text[sizeof(m->text) - 1] = '\0';
	return 0;
}

int ctr_msg_to_error(const struct ctr_msg *m, struct ctr_error **err)
{
	bool fresh = err && !*err;
	int r = ctr_error_user(err, m->kind > 0 && m->kind < _CTR_ERR_KIND_MAX ? m->kind : CTR_ERR_SYSTEM,
			       m->errnum > 0 ? m->errnum : EIO, "%s", m->text);

	if (fresh && *err)
		(*err)->exec_failed = m->value != 0;
	return r;
}

int ctr_msg_expect(int sock, enum ctr_msg_type type, struct ctr_msg *m, int *ret_fd, struct ctr_error **err)
{
	int r = ctr_msg_recv(sock, m, ret_fd);

	if (r < 0)
		return r;
	if (m->type == CTR_MSG_ERROR) {
		if (ret_fd && *ret_fd >= 0) {
			close(*ret_fd);
			*ret_fd = -1;
		}
		return ctr_msg_to_error(m, err);
	}
	if (m->type != type) {
		if (ret_fd && *ret_fd >= 0) {
			close(*ret_fd);
			*ret_fd = -1;
		}
		return -EBADMSG;
	}
	return 0;
}
