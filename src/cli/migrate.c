#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "../container.h"
#include "../util.h"
#include "args.h"
#include "cli.h"

#define S(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void print_report(const char *name, const char *dest, const struct ctr_migrate_report *rep)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		return;
	yajl_gen_map_open(g);
	S(g, "name");
	S(g, name);
	S(g, "dest");
	S(g, dest);
	S(g, "mode");
	S(g, rep->mode);
	S(g, "bytes");
	yajl_gen_map_open(g);
	S(g, "live");
	yajl_gen_integer(g, (long long)rep->live_bytes);
	S(g, "frozen");
	yajl_gen_integer(g, (long long)rep->frozen_bytes);
	S(g, "total");
	yajl_gen_integer(g, (long long)(rep->live_bytes + rep->frozen_bytes));
	yajl_gen_map_close(g);
	S(g, "downtimeMs");
	yajl_gen_integer(g, rep->downtime_ms);
	S(g, "totalMs");
	yajl_gen_integer(g, rep->total_ms);
	S(g, "phases");
	yajl_gen_map_open(g);
	for (int p = 0; p < _CTR_MIGRATE_PHASE_MAX; p++) {
		S(g, ctr_migrate_phase_to_string(p));
		yajl_gen_integer(g, rep->phase_ms[p]);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	cli_print_json(g);
	yajl_gen_free(g);
}

static int run_migrate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "keep-source", no_argument, NULL, 'k' },
		{ "remote-ctr", required_argument, NULL, 'r' },
		{ "ssh-opt", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_strv_ char **ssh_opts = calloc(1, sizeof(char *));
	struct ctr_migrate_opts o = { .mode = CTR_MIGRATE_AUTO };
	struct ctr_migrate_report rep = { 0 };
	struct ctr_error *err = NULL;
	int c, r;

	if (!ssh_opts)
		return 1;
	while ((c = cli_getopt(cli, argc, argv, "m:kr:o:j", opts)) != -1) {
		switch (c) {
		case 'm':
			r = ctr_migrate_mode_from_string(optarg);
			if (r < 0)
				return cli_usage_error(cli, "--mode must be auto, precopy, postcopy or stop (got '%s')",
						       optarg);
			o.mode = (enum ctr_migrate_mode)r;
			break;
		case 'k': o.keep_source = true; break;
		case 'r': o.remote_ctr = optarg; break;
		case 'o':
			if (strv_push(&ssh_opts, optarg) < 0)
				return 1;
			break;
		case 'j': cli->json = true; break;
		default: return 2;
		}
	}
	if (cli_positional(cli, argc, argv, 2, 2, "container NAME and DEST (ssh://[user@]host[:port])") < 0)
		return 2;
	o.dest = argv[optind + 1];
	o.ssh_opts = ssh_opts;
	o.progress = isatty(STDERR_FILENO);
	r = ctr_migrate(cli->ctx, argv[optind], &o, &rep, &err);
	if (r < 0) {
		ctr_error_wrap(&err, "migrate %s", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	if (cli->json)
		print_report(argv[optind], o.dest, &rep);
	else
		printf("%s moved to %s (%s): downtime %lld ms, %.1f MiB, %lld ms in all\n", argv[optind], o.dest,
		       rep.mode, rep.downtime_ms, (double)(rep.live_bytes + rep.frozen_bytes) / (1 << 20),
		       rep.total_ms);
	return 0;
}

static int run_migrate_receive(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct ctr_error *err = NULL;
	int r;

	if (cli_getopt(cli, argc, argv, "", opts) != -1)
		return 2;
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	/* stdout is the session: errors go to stderr only (ssh shows them). */
	cli->json = false;
	r = ctr_migrate_receive(cli->ctx, argv[optind], STDIN_FILENO, STDOUT_FILENO, &err);
	if (r < 0) {
		ctr_error_wrap(&err, "migrate-receive %s", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	return 0;
}

const struct cli_command cli_migrate = {
	.name = "migrate",
	.run = run_migrate,
	.usage = "NAME ssh://[USER@]HOST[:PORT] [--mode auto|precopy|postcopy|stop] [--keep-source]",
	.summary = "move a running container to another host over ssh",
	.help = "  -m, --mode MODE      auto (default), precopy, postcopy or stop (see ctr-migrate(1))\n"
		"  -k, --keep-source    keep the container here, stopped, instead of destroying it\n"
		"  -r, --remote-ctr CMD the ctr command line on the target (default: ctr)\n"
		"  -o, --ssh-opt ARG    one more argument for ssh (repeat: -o -i -o KEY)\n"
		"  -j, --json           print the report as JSON\n",
};

const struct cli_command cli_migrate_receive = {
	.name = "migrate-receive",
	.run = run_migrate_receive,
	.usage = "NAME",
	.summary = "the target's side of migrate, run by it over ssh",
	.help = "",
};
