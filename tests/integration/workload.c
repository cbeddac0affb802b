/*
 * ctr-workload: processes with state for the checkpoint and migration tests,
 * run inside a busybox container (static: its rootfs has no libc).
 *
 *   ctr-workload lock FILE      take a flock(2) on FILE, write "locked" to
 *                               FILE.state, hold it forever
 *   ctr-workload mem MIB FILE   fill MIB MiB with a pattern derived from each
 *                               word's address, then once a second check every
 *                               word and write "ok ROUND" (or "bad OFFSET") to
 *                               FILE
 *
 * The pattern needs no copy to compare with: a page that moved wrong (lost,
 * zeroed, another page's content) fails the check.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

static int write_state(const char *file, const char *text)
{
	char tmp[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return rename(tmp, file);
}

static uint64_t pattern(uint64_t i)
{
	/* splitmix64 of the index: every word differs from every other. */
	uint64_t z = i + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int run_lock(const char *file)
{
	char state[4096];
	int fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		perror(file);
		return 1;
	}
	snprintf(state, sizeof(state), "%s.state", file);
	if (write_state(state, "locked\n") < 0) {
		perror(state);
		return 1;
	}
	for (;;)
		pause();
}

static int run_mem(const char *mib_s, const char *file)
{
	size_t n = (size_t)strtoul(mib_s, NULL, 10) << 20, words = n / sizeof(uint64_t);
	uint64_t *mem = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char line[128];

	if (!n || mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (size_t i = 0; i < words; i++)
		mem[i] = pattern(i);
	for (unsigned long round = 1;; round++) {
		size_t bad = words;

		for (size_t i = 0; i < words && bad == words; i++)
			if (mem[i] != pattern(i))
				bad = i;
		if (bad == words)
			snprintf(line, sizeof(line), "ok %lu\n", round);
		else
			snprintf(line, sizeof(line), "bad %zu\n", bad * sizeof(uint64_t));
		write_state(file, line);
		sleep(1);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "lock"))
		return run_lock(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "mem"))
		return run_mem(argv[2], argv[3]);
	fprintf(stderr, "usage: ctr-workload lock FILE | mem MIB FILE\n");
	return 2;
}
