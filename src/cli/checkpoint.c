#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "../container.h"
#include "args.h"
#include "cli.h"

#define S(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static int run_checkpoint(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "leave-running", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctr_checkpoint_opts o = { 0 };
	struct ctr_checkpoint_result res = { 0 };
	struct ctr_error *err = NULL;
	int c, r;

	while ((c = cli_getopt(cli, argc, argv, "d:lj", opts)) != -1) {
		if (c == 'd')
			o.dir = optarg;
		else if (c == 'l')
			o.leave_running = true;
		else if (c == 'j')
			cli->json = true;
		else
			return 2;
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	r = ctr_checkpoint(cli->ctx, argv[optind], &o, &res, &err);
	if (r < 0) {
		free(res.ended_dir);
		ctr_error_wrap(&err, "checkpoint %s", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	if (cli->json) {
		yajl_gen g = yajl_gen_alloc(NULL);

		if (g) {
			yajl_gen_map_open(g);
			S(g, "name");
			S(g, argv[optind]);
			S(g, "dir");
			S(g, res.dir);
			S(g, "leaveRunning");
			yajl_gen_bool(g, o.leave_running);
			S(g, "bytes");
			yajl_gen_integer(g, (long long)res.bytes);
			S(g, "dumpMs");
			yajl_gen_integer(g, res.dump_ms);
			yajl_gen_map_close(g);
			cli_print_json(g);
			yajl_gen_free(g);
		}
	} else {
		printf("checkpoint of %s in %s (%.1f MiB, dumped in %lld ms)%s\n", argv[optind], res.dir,
		       (double)res.bytes / (1 << 20), res.dump_ms, o.leave_running ? "; it keeps running" : "");
	}
	free(res.dir);
	return 0;
}

static int run_restore(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctr_restore_opts o = { 0 };
	struct ctr_error *err = NULL;
	int c, r;

	while ((c = cli_getopt(cli, argc, argv, "d:", opts)) != -1) {
		if (c == 'd')
			o.dir = optarg;
		else
			return 2;
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	r = ctr_restore(cli->ctx, argv[optind], &o, &err);
	if (r < 0) {
		ctr_error_wrap(&err, "restore %s", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	return 0;
}

const struct cli_command cli_checkpoint = {
	.name = "checkpoint",
	.run = run_checkpoint,
	.usage = "NAME [--dir DIR] [--leave-running] [--json]",
	.summary = "save a running container's whole state (CRIU); it stops unless -l",
	.help = "  -d, --dir DIR        where the images go (default: ROOT/NAME/checkpoint)\n"
		"  -l, --leave-running  keep the container running: a stateful snapshot\n"
		"  -j, --json           print the result as JSON (see ctr-checkpoint(1))\n",
};

const struct cli_command cli_restore = {
	.name = "restore",
	.run = run_restore,
	.usage = "NAME [--dir DIR]",
	.summary = "bring a stopped container back from its checkpoint",
	.help = "  -d, --dir DIR  the images to restore (default: ROOT/NAME/checkpoint)\n",
};
