#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "../container.h"
#include "args.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct ctr_error *err = NULL;
	int r;

	if (cli_getopt(cli, argc, argv, "", opts) != -1)
		return 2;
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "Connected to the console of %s. Type Ctrl-a q to detach.\r\n", argv[optind]);
	r = ctr_console(cli->ctx, argv[optind], STDIN_FILENO, STDOUT_FILENO, &err);
	if (r < 0) {
		ctr_error_wrap(&err, "console %s", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	return 0;
}

const struct cli_command cli_console = {
	.name = "console",
	.run = run,
	.usage = "NAME",
	.summary = "attach to the container's console (Ctrl-a q detaches)",
	.help = "",
};
