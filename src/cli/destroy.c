#include "config.h"

#include "../container.h"
#include "args.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctr_error *err = NULL;
	bool force = false;
	int c, r;

	while ((c = cli_getopt(cli, argc, argv, "f", opts)) != -1) {
		if (c != 'f')
			return 2;
		force = true;
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	r = ctr_destroy(cli->ctx, argv[optind], force, &err);
	if (r < 0) {
		ctr_error_wrap(&err, "destroy %s", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	return 0;
}

const struct cli_command cli_destroy = {
	.name = "destroy",
	.run = run,
	.usage = "NAME [--force]",
	.summary = "remove a stopped container and everything it owns",
	.help = "  -f, --force           stop it first if it is running\n",
};
