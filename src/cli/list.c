#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "../container.h"
#include "../util.h"
#include "args.h"
#include "cli.h"

#define S(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void gen_time_or_null(yajl_gen g, long long t)
{
	char buf[32];

	if (!t) {
		yajl_gen_null(g);
		return;
	}
	format_rfc3339(t, buf);
	S(g, buf);
}

/* The stable JSON fields of a container (ctr(1), JSON OUTPUT). */
static void gen_entry(yajl_gen g, const struct ctr_info *in, bool full)
{
	yajl_gen_map_open(g);
	S(g, "name");
	S(g, in->name);
	S(g, "state");
	S(g, ctr_status_to_string(in->status));
	S(g, "pid");
	if (in->init_pid)
		yajl_gen_integer(g, in->init_pid);
	else
		yajl_gen_null(g);
	S(g, "started");
	gen_time_or_null(g, in->status == CTR_STOPPED ? 0 : in->started);
	S(g, "rootfs");
	S(g, in->rootfs);
	if (in->config_error) {
		S(g, "configError");
		S(g, in->config_error);
	}
	if (full) {
		S(g, "monitorPid");
		if (in->monitor_pid)
			yajl_gen_integer(g, in->monitor_pid);
		else
			yajl_gen_null(g);
		S(g, "lastExit");
		if (in->has_last_exit) {
			yajl_gen_map_open(g);
			S(g, "status");
			yajl_gen_integer(g, in->last_exit.status);
			S(g, "signal");
			if (in->last_exit.signal)
				yajl_gen_integer(g, in->last_exit.signal);
			else
				yajl_gen_null(g);
			S(g, "time");
			gen_time_or_null(g, in->last_exit.time);
			S(g, "checkpointed");
			yajl_gen_bool(g, in->last_exit.checkpointed);
			yajl_gen_map_close(g);
		} else {
			yajl_gen_null(g);
		}
		/* Whether container root is host root: the one fact about a
		 * container's isolation a panel must be able to show. */
		S(g, "privileged");
		yajl_gen_bool(g, !ctr_spec_userns(in->spec));
		S(g, "idmap");
		if (ctr_spec_userns(in->spec) && in->spec->uid_map.size) {
			yajl_gen_map_open(g);
			S(g, "uid");
			yajl_gen_integer(g, in->spec->uid_map.host_id);
			S(g, "gid");
			yajl_gen_integer(g, in->spec->gid_map.host_id);
			S(g, "size");
			yajl_gen_integer(g, in->spec->uid_map.size);
			S(g, "rootfs");
			S(g, ctr_rootfs_idmap_to_string(in->spec->rootfs_idmap));
			yajl_gen_map_close(g);
		} else {
			yajl_gen_null(g);
		}
		S(g, "config");
		ctr_spec_gen(in->spec, g);
	}
	yajl_gen_map_close(g);
}

static int fail(struct cli *cli, struct ctr_error *err)
{
	int r = cli_fail(cli, err, 0);

	ctr_error_free(&err);
	return r;
}

static int run_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctr_error *err = NULL;
	struct ctr_info *v = NULL;
	size_t n = 0;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c != 'j')
			return 2;
		cli->json = true;
	}
	if (cli_positional(cli, argc, argv, 0, 0, "") < 0)
		return 2;
	if (ctr_list(cli->ctx, &v, &n, &err) < 0) {
		ctr_error_wrap(&err, "list");
		return fail(cli, err);
	}
	if (cli->json) {
		yajl_gen g = yajl_gen_alloc(NULL);

		yajl_gen_map_open(g);
		S(g, "containers");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < n; i++)
			gen_entry(g, &v[i], false);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
		cli_print_json(g);
		yajl_gen_free(g);
	} else {
		printf("%-20s %-9s %-8s %-20s %s\n", "NAME", "STATE", "PID", "STARTED", "ROOTFS");
		for (size_t i = 0; i < n; i++) {
			char pid[16] = "-", started[32] = "-";

			if (v[i].init_pid)
				snprintf(pid, sizeof(pid), "%d", (int)v[i].init_pid);
			if (v[i].status != CTR_STOPPED && v[i].started)
				format_rfc3339(v[i].started, started);
			printf("%-20s %-9s %-8s %-20s %s\n", v[i].name, ctr_status_to_string(v[i].status), pid, started,
			       v[i].rootfs);
			if (v[i].config_error)
				fprintf(stderr, "ctr: list: %s: %s\n", v[i].name, v[i].config_error);
		}
	}
	for (size_t i = 0; i < n; i++)
		ctr_info_done(&v[i]);
	free(v);
	return 0;
}

static int run_info(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctr_error *err = NULL;
	struct ctr_info in;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c != 'j')
			return 2;
		cli->json = true;
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	if (ctr_info_get(cli->ctx, argv[optind], &in, &err) < 0) {
		ctr_error_wrap(&err, "info %s", argv[optind]);
		return fail(cli, err);
	}
	if (cli->json) {
		yajl_gen g = yajl_gen_alloc(NULL);

		gen_entry(g, &in, true);
		cli_print_json(g);
		yajl_gen_free(g);
	} else {
		_cleanup_free_ char *init = strv_join_command(in.spec->args);
		char buf[32], sig[16];

		printf("Name:        %s\n", in.name);
		printf("State:       %s\n", ctr_status_to_string(in.status));
		if (in.init_pid)
			printf("PID:         %d\n", (int)in.init_pid);
		if (in.monitor_pid)
			printf("Monitor PID: %d\n", (int)in.monitor_pid);
		if (in.status != CTR_STOPPED && in.started) {
			format_rfc3339(in.started, buf);
			printf("Started:     %s\n", buf);
		}
		printf("Rootfs:      %s\n", in.rootfs);
		printf("Hostname:    %s\n", in.spec->hostname);
		printf("Init:        %s\n", init ? init : "?");
		printf("Template:    %s\n", in.spec->template_name);
		if (ctr_spec_userns(in.spec))
			printf("Privileged:  no (user namespace: root is host uid %u, ids %u-%u; rootfs by %s)\n",
			       in.spec->uid_map.host_id, in.spec->uid_map.host_id,
			       in.spec->uid_map.host_id + in.spec->uid_map.size - 1,
			       in.spec->rootfs_idmap == CTR_ROOTFS_IDMAP_MOUNT ? "idmapped mount"
									       : "shifted ownership");
		else
			printf("Privileged:  yes (no user namespace: the container's root is the host's root)\n");
		printf("Seccomp:     %s\n", ctr_seccomp_mode_to_string(in.spec->seccomp_mode));
		printf("Stop signal: %s, timeout %us\n", signal_to_string(in.spec->stop_signal, sig),
		       in.spec->stop_timeout);
		if (in.has_last_exit) {
			format_rfc3339(in.last_exit.time, buf);
			printf("Last exit:   status %d%s at %s\n", in.last_exit.status,
			       in.last_exit.checkpointed ? " (checkpointed)"
			       : in.last_exit.signal	 ? " (killed by a signal)"
							 : "",
			       buf);
		}
	}
	ctr_info_done(&in);
	return 0;
}

const struct cli_command cli_list = {
	.name = "list",
	.run = run_list,
	.usage = "[--json]",
	.summary = "list containers with their state",
	.help = "      --json            JSON output (see ctr(1), JSON OUTPUT)\n",
};

const struct cli_command cli_info = {
	.name = "info",
	.run = run_info,
	.usage = "NAME [--json]",
	.summary = "show a container's state and configuration",
	.help = "      --json            JSON output, with the config document\n",
};
