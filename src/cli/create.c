#include "config.h"

#include "../container.h"
#include "../util.h"
#include "args.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' }, { "hostname", required_argument, NULL, 'H' },
		{ "init", required_argument, NULL, 'i' },     { "stop-signal", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },   { "privileged", no_argument, NULL, 'P' },
		{ "net", required_argument, NULL, 'n' },      { "dns", required_argument, NULL, 'D' },
		{ "search", required_argument, NULL, 'S' },   { NULL, 0, NULL, 0 },
	};
	_cleanup_free_ struct option *all = cli_with_config_options(opts);
	_cleanup_(cli_config_options_done) struct cli_config_options co = { 0 };
	_cleanup_(cli_net_options_done) struct cli_net_options net = { 0 };
	struct ctr_create_opts o = { 0 };
	struct ctr_error *err = NULL;
	int c, r;

	if (!all)
		return 1;
	while ((c = cli_getopt(cli, argc, argv, "t:", all)) != -1) {
		r = cli_collect_net(c, optarg, &net);
		if (r < 0)
			return 1;
		if (r > 0)
			continue;
		if (CLI_IS_CONFIG_OPT(c)) {
			if (cli_collect_option(c, optarg, &co) < 0)
				return 1;
			continue;
		}
		switch (c) {
		case 't': o.template_name = optarg; break;
		case 'H': o.hostname = optarg; break;
		case 'i': o.init = optarg; break;
		case 's': o.stop_signal = optarg; break;
		case 'c': o.config_file = optarg; break;
		case 'P': o.privileged = true; break;
		default: return 2;
		}
	}
	if (cli_positional(cli, argc, argv, 1, 1, "container NAME") < 0)
		return 2;
	o.resources = co.resources;
	o.security = co.security;
	o.nets = net.nets;
	o.dns = net.dns;
	o.search = net.search;
	r = ctr_create(cli->ctx, argv[optind], &o, &err);
	if (r < 0) {
		ctr_error_wrap(&err, "create %s", argv[optind]);
		r = cli_fail(cli, err, 0);
		ctr_error_free(&err);
		return r;
	}
	return 0;
}

const struct cli_command cli_create = {
	.name = "create",
	.run = run,
	.usage = "NAME [--template busybox|DIR] [--hostname H] [--init 'CMD ARGS'] [--stop-signal SIG] "
		 "[--config FILE] [--privileged] [--net SPEC]... [--dns ADDR]... [--search DOMAIN]... [LIMITS] "
		 "[SECURITY]",
	.summary = "create a container: build its rootfs and write its config",
	.help = "  -t, --template T      'busybox' (default) or a directory holding a rootfs to copy\n"
		"      --hostname H      hostname inside the container (default: NAME)\n"
		"      --init 'CMD ARGS' the container's init (default: /sbin/init)\n"
		"      --stop-signal SIG signal that asks init to shut down (busybox: SIGUSR2)\n"
		"      --config FILE     start from this config document (see ctr-config(5))\n"
		"      --privileged      no user namespace: the container's root is the host's root,\n"
		"                        held back only by capabilities and seccomp (ctr-security(7))\n"
		"      --net SPEC        an interface (repeat for more), e.g.\n"
		"                        veth,bridge=br0,ip=10.20.0.7/24,gw=10.20.0.1 (ctr-network(7));\n"
		"                        default: loopback only\n"
		"      --dns ADDR        a nameserver for /etc/resolv.conf (repeat for more)\n"
		"      --search DOMAIN   a search domain for /etc/resolv.conf (repeat for more)\n",
	.config_help = true,
};
