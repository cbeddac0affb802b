/* Copying between the user's terminal (or pipes) and a container's pty or
 * console stream. */
#include "config.h"

#include <poll.h>
#include <string.h>
#include <termios.h>

#include "internal.h"
#include "util.h"

#define ESCAPE_CHAR 0x01 /* Ctrl-a */

int ctr_tty_proxy(int in_fd, int out_fd, int peer_fd, bool escape)
{
	struct termios saved, raw;
	bool tty = isatty(in_fd) && tcgetattr(in_fd, &saved) == 0, in_open = true, pending_escape = false;
	char buf[8192], out[8192 * 2];
	int ret = 0;

	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(in_fd, TCSANOW, &raw);
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = peer_fd, .events = POLLIN },
				       { .fd = in_open ? in_fd : -1, .events = POLLIN } };
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = negative_errno();
			break;
		}
		if (p[0].revents) {
			n = read(peer_fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) /* EIO from a pty master: the other side is gone */
				break;
			if (write_all(out_fd, buf, (size_t)n) < 0)
				break;
		}
		if (p[1].revents) {
			size_t o = 0;

			n = read(in_fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				in_open = false;
				/* Piped input ended: a console detaches, an exec goes on
				 * until the command finishes. */
				if (escape)
					break;
				continue;
			}
			for (ssize_t i = 0; i < n; i++) {
				char c = buf[i];

				if (escape && pending_escape) {
					pending_escape = false;
					if (c == 'q' || c == 'Q')
						goto detach;
					out[o++] = ESCAPE_CHAR; /* Ctrl-a Ctrl-a, or Ctrl-a x: pass through */
					if (c == ESCAPE_CHAR)
						continue;
				} else if (escape && c == ESCAPE_CHAR) {
					pending_escape = true;
					continue;
				}
				out[o++] = c;
			}
			if (o && write_all(peer_fd, out, o) < 0)
				break;
		}
	}
detach:
	if (tty)
		tcsetattr(in_fd, TCSANOW, &saved);
	return ret;
}
