/* Helpers: command-line splitting, signals, atomic files, recursive removal,
 * container names. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "util.h"
#include "tap.h"

static void test_split(void)
{
	char **v = NULL;

	is_int(strv_split_command("/sbin/init", &v), 0, "split one word");
	is_int(strv_length(v), 1, "one word");
	strv_free(v);
	v = NULL;
	is_int(strv_split_command("  /bin/sh -c 'exit 7'  ", &v), 0, "split with single quotes");
	is_int(strv_length(v), 3, "three words");
	is_str(v ? v[2] : NULL, "exit 7", "quoted word kept whole");
	strv_free(v);
	v = NULL;
	is_int(strv_split_command("a \"b \\\" c\" d\\ e", &v), 0, "double quotes and escapes");
	is_str(v ? v[1] : NULL, "b \" c", "escaped quote inside double quotes");
	is_str(v ? v[2] : NULL, "d e", "escaped space");
	strv_free(v);
	v = NULL;
	ok(strv_split_command("a 'b", &v) < 0, "unbalanced quote refused");
	ok(strv_split_command("   ", &v) < 0, "empty command refused");
	{
		char *words[] = { "/bin/sh", "-c", "exit 7", NULL };
		char *joined = strv_join_command(words);

		is_str(joined, "/bin/sh -c \"exit 7\"", "join quotes what needs it");
		is_int(strv_split_command(joined, &v), 0, "joined line splits back");
		is_str(v ? v[2] : NULL, "exit 7", "join/split round trip");
		strv_free(v);
		free(joined);
	}
}

static void test_signals(void)
{
	char buf[16];

	is_int(signal_from_string("SIGTERM"), SIGTERM, "SIGTERM");
	is_int(signal_from_string("term"), SIGTERM, "term (case, no SIG)");
	is_int(signal_from_string("9"), SIGKILL, "numeric 9");
	is_int(signal_from_string("RTMIN+3"), SIGRTMIN + 3, "RTMIN+3");
	is_int(signal_from_string("SIGRTMAX-1"), SIGRTMAX - 1, "SIGRTMAX-1");
	ok(signal_from_string("SIGBOGUS") < 0, "unknown name refused");
	ok(signal_from_string("0") < 0, "0 refused");
	ok(signal_from_string("99") < 0, "out of range refused");
	ok(signal_from_string("") < 0, "empty refused");
	is_str(signal_to_string(SIGUSR2, buf), "SIGUSR2", "USR2 by name");
	is_str(signal_to_string(SIGRTMIN + 3, buf), "SIGRTMIN+3", "realtime by offset");
}

static void test_files(void)
{
	char dir[] = "/tmp/ctr-unit-XXXXXX";
	char *data = NULL;
	size_t len = 0;
	int dfd;

	ok(mkdtemp(dir) != NULL, "temp dir");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	is_int(write_file_atomic_at(dfd, "f.json", "{\"a\":1}\n", 8, 0600, true), 0, "atomic durable write");
	is_int(write_file_atomic_at(dfd, "g.json", "x", 1, 0600, false), 0, "atomic volatile write");
	ok(faccessat(dfd, ".g.json.tmp", F_OK, 0) < 0 && faccessat(dfd, "g.json", F_OK, 0) == 0,
	   "volatile write in place");
	is_int(read_file_at(dfd, "f.json", 100, &data, &len), 0, "read back");
	is_str(data, "{\"a\":1}\n", "content");
	is_int(len, 8, "length");
	free(data);
	ok(faccessat(dfd, ".f.json.tmp", F_OK, 0) < 0, "no temp file left behind");
	is_int(read_file_at(dfd, "f.json", 4, &data, &len), -EFBIG, "size limit enforced");
	is_int(read_file_at(dfd, "missing", 4, &data, &len), -ENOENT, "missing file is -ENOENT");

	mkdirat(dfd, "tree", 0755);
	mkdirat(dfd, "tree/a", 0755);
	mkdirat(dfd, "tree/a/b", 0755);
	close(openat(dfd, "tree/a/b/file", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	symlinkat("/etc", dfd, "tree/a/link-to-etc");
	is_int(rm_rf_at(dfd, "tree"), 0, "recursive removal");
	ok(faccessat(dfd, "tree", F_OK, AT_SYMLINK_NOFOLLOW) < 0, "tree is gone");
	ok(access("/etc/passwd", F_OK) == 0, "symlink target untouched");
	is_int(rm_rf_at(dfd, "never-existed"), 0, "removing nothing is fine");
	close(dfd);
	is_int(rm_rf_at(AT_FDCWD, dir), 0, "cleanup");
	is_int(mkdir_p("/tmp/ctr-unit-mkdirp/a/b", 0700), 0, "mkdir_p");
	ok(access("/tmp/ctr-unit-mkdirp/a/b", F_OK) == 0, "mkdir_p made the path");
	is_int(mkdir_p("/tmp/ctr-unit-mkdirp/a/b", 0700), 0, "mkdir_p on an existing path");
	rm_rf_at(AT_FDCWD, "/tmp/ctr-unit-mkdirp");
}

static void test_names(void)
{
	static const char *const good[] = { "a", "web1", "Web-1.example_2", "0",
					    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	static const char *const bad[] = { "",
					   ".",
					   "..",
					   "a/b",
					   "/a",
					   "-a",
					   "_a",
					   ".a",
					   "a b",
					   "a\n",
					   "é",
					   "a:b",
					   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };

	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		is_int(ctr_name_validate(good[i], NULL), 0, "name '%s' accepted", good[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ctr_error *err = NULL;

		ok(ctr_name_validate(bad[i], &err) < 0, "name '%s' refused", bad[i]);
		ok(err && err->kind == CTR_ERR_USAGE && err->msg, "refusal is a usage error with a message");
		ctr_error_free(&err);
	}
}

/* A process's start time identifies it across pid reuse: it must not move
 * when the process maps memory (field 23, the virtual size, did). */
static void test_starttime(void)
{
	unsigned long long a = 0, b = 0;
	double uptime = 0;
	FILE *f = fopen("/proc/uptime", "r");
	void *big;

	ok(f && fscanf(f, "%lf", &uptime) == 1, "read /proc/uptime");
	if (f)
		fclose(f);
	is_int(proc_starttime(getpid(), &a), 0, "own start time");
	ok(a <= (unsigned long long)(uptime * (double)sysconf(_SC_CLK_TCK)) + 1,
	   "start time %llu is in clock ticks since boot (uptime %.0f s)", a, uptime);
	big = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok(big != MAP_FAILED, "map 64 MiB");
	is_int(proc_starttime(getpid(), &b), 0, "own start time again");
	ok(a == b, "unchanged by a mapping (%llu, %llu)", a, b);
	if (big != MAP_FAILED)
		munmap(big, 64 << 20);
	is_int(proc_starttime(999999999, &b), -ENOENT, "no such process: -ENOENT");
	{
		pid_t z;

		fflush(stdout);
		z = fork();
		if (z == 0)
			_exit(0);
		/* Not reaped yet: a zombie; give it up to a second to exit. */
		for (int i = 0; i < 100 && proc_starttime(z, &b) == 0; i++)
			usleep(10000);
		is_int(proc_starttime(z, &b), -ESRCH, "an exited, unreaped child: -ESRCH");
		waitpid(z, NULL, 0);
	}
}

int main(void)
{
	test_starttime();
	test_split();
	test_signals();
	test_files();
	test_names();
	return tap_done();
}
