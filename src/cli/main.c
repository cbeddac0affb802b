#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "../container.h"
#include "../resources.h"
#include "../util.h"
#include "cli.h"

#define DEFAULT_CONF "/etc/ctr/ctr.conf"

static const struct cli_command *const commands[] = {
	&cli_create,	      &cli_start,  &cli_stop,  &cli_restart,	&cli_kill,    &cli_exec,
	&cli_console,	      &cli_list,   &cli_info,  &cli_config,	&cli_set,     &cli_destroy,
	&cli_pause,	      &cli_resume, &cli_stats, &cli_checkpoint, &cli_restore, &cli_migrate,
	&cli_migrate_receive,
};

static void main_help(FILE *f)
{
	fprintf(f,
		"Usage: ctr [GLOBAL OPTIONS] COMMAND [ARGS]\n"
		"Run and manage system containers.\n\n"
		"Global options:\n"
		"  --root DIR      persistent data (default %s; env CTR_ROOT)\n"
		"  --run-dir DIR   volatile state (default %s; env CTR_RUN_DIR)\n"
		"  --json          machine-readable output\n"
		"  -h, --help      this help; 'ctr COMMAND --help' for a command\n"
		"  -V, --version   print the version\n\n"
		"Commands:\n",
		CTR_DEFAULT_ROOT, CTR_DEFAULT_RUN_DIR);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-15s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nExit codes: 0 ok, 1 system error, 2 usage, 3 not found, 4 wrong state, 5 busy,\n"
		   "6 already exists, 7 invalid config, 8 unsupported by this host (CRIU);\n"
		   "exec: the command's, 125-127 as in sh. See ctr(1) and ctr-config(5).\n");
}

static void print_options(const char *title, const struct ctr_option *opts, size_t n)
{
	printf("\n%s:\n", title);
	for (size_t i = 0; i < n; i++) {
		char opt[48];

		snprintf(opt, sizeof(opt), "--%s %s", opts[i].name, opts[i].arg);
		printf("      %-28s %s\n", opt, opts[i].help);
	}
}

void cli_command_help(const struct cli_command *c)
{
	printf("Usage: ctr %s %s\n%s\n", c->name, c->usage, c->summary);
	if (c->help && c->help[0])
		printf("\nOptions:\n%s", c->help);
	printf("  -h, --help            this help\n");
	if (c->config_help) {
		print_options("Resource limits (see ctr-resources(7))", ctr_resource_options, ctr_n_resource_options);
		print_options("Security (see ctr-security(7); applied at the next start)", ctr_security_options,
			      ctr_n_security_options);
	}
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

void cli_print_json(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;

	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		printf("%.*s\n", (int)len, (const char *)buf);
	fflush(stdout);
}

static void print_json_error(const struct ctr_error *err, int exit_code, const char *msg)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		return;
#define S(s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))
	yajl_gen_map_open(g);
	S("error");
	yajl_gen_map_open(g);
	S("code");
	S(exit_code == 2 ? "usage" : ctr_err_kind_to_string(err ? err->kind : CTR_ERR_SYSTEM));
	S("exit");
	yajl_gen_integer(g, exit_code);
	S("errno");
	yajl_gen_integer(g, err ? err->errnum : 0);
	S("message");
	S(msg);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
#undef S
	cli_print_json(g);
	yajl_gen_free(g);
}

int cli_fail(struct cli *cli, struct ctr_error *err, int exit_code)
{
	const char *msg = err && err->msg ? err->msg : "unknown error";

	if (exit_code <= 0)
		exit_code = ctr_error_exit_code(err);
	fprintf(stderr, "ctr: %s\n", msg);
	if (cli->json)
		print_json_error(err, exit_code, msg);
	return exit_code;
}

int cli_exec_failure_code(const struct ctr_error *err)
{
	if (err && err->kind == CTR_ERR_USAGE)
		return 2;
	if (err && err->exec_failed)
		return err->errnum == ENOENT ? 127 : 126;
	return 125;
}

int cli_usage_error(struct cli *cli, const char *fmt, ...)
{
	struct ctr_error err = { .kind = CTR_ERR_USAGE, .errnum = EINVAL };
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	err.msg = msg;
	cli_fail(cli, &err, 2);
	if (cli->command)
		fprintf(stderr, "Try 'ctr %s --help'.\n", cli->command);
	else
		fprintf(stderr, "Try 'ctr --help'.\n");
	free(msg);
	return 2;
}

/* /etc/ctr/ctr.conf: "key = value" lines, '#' comments. */
static int read_conf(struct cli *cli, char **root, char **run_dir, char **cgroup_parent, char **idmap_pool)
{
	const char *path = getenv("CTR_CONFIG");
	bool explicit = path && path[0];
	_cleanup_fclose_ FILE *f = NULL;
	char line[4096];
	int lineno = 0;

	if (!explicit)
		path = DEFAULT_CONF;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !explicit)
			return 0;
		return cli_usage_error(cli, "cannot read configuration file %s: %s", path, strerror(errno));
	}
	while (fgets(line, sizeof(line), f)) {
		char *key = line, *eq, *val, *end;
		char **slot;

		lineno++;
		key += strspn(key, " \t");
		key[strcspn(key, "\r\n")] = '\0';
		if (*key == '#' || *key == '\0')
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return cli_usage_error(cli, "%s:%d: expected 'key = value'", path, lineno);
		val = eq + 1;
		for (end = eq; end > key && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		val += strspn(val, " \t");
		for (end = val + strlen(val); end > val && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		if (!strcmp(key, "root"))
			slot = root;
		else if (!strcmp(key, "run-dir"))
			slot = run_dir;
		else if (!strcmp(key, "cgroup-parent"))
			slot = cgroup_parent;
		else if (!strcmp(key, "idmap-pool"))
			slot = idmap_pool;
		else
			return cli_usage_error(
				cli, "%s:%d: unknown key '%s' (known: root, run-dir, cgroup-parent, idmap-pool)", path,
				lineno, key);
		if (slot != idmap_pool && val[0] != '/')
			return cli_usage_error(cli, "%s:%d: %s must be an absolute path", path, lineno, key);
		free(*slot);
		*slot = strdup(val);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' }, { "run-dir", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },	  { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },	  { NULL, 0, NULL, 0 },
	};
	struct ctr_context ctx;
	struct cli cli = { .ctx = &ctx };
	_cleanup_free_ char *root = NULL, *run_dir = NULL, *cgroup_parent = NULL, *idmap_pool = NULL;
	const char *opt_root = NULL, *opt_run = NULL, *tdir;
	const struct cli_command *cmd = NULL;
	int c, r;

	/* '+': stop at the command name; its options are its own. */
	/* ':' and opterr = 0: we report errors, like every other error. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hVj", opts, NULL)) != -1) {
		switch (c) {
		case 'r': opt_root = optarg; break;
		case 'R': opt_run = optarg; break;
		case 'j': cli.json = true; break;
		case 'h': main_help(stdout); return 0;
		case 'V': printf("ctr %s\n", PACKAGE_VERSION); return 0;
		case ':': return cli_usage_error(&cli, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error(&cli, "unknown option '-%c'", optopt);
			return cli_usage_error(&cli, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		main_help(stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 >= argc) {
			main_help(stdout);
			return 0;
		}
		optind++;
		for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
			if (!strcmp(commands[i]->name, argv[optind])) {
				cli_command_help(commands[i]);
				return 0;
			}
		return cli_usage_error(&cli, "unknown command '%s'", argv[optind]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i]->name, argv[optind]))
			cmd = commands[i];
	if (!cmd)
		return cli_usage_error(&cli, "unknown command '%s'", argv[optind]);
	cli.command = cmd->name;

	argc -= optind;
	argv += optind;
	if (cli_wants_help(argc, argv)) {
		cli_command_help(cmd);
		return 0;
	}

	/* Precedence: command line, then environment, then ctr.conf, then built-in. */
	r = read_conf(&cli, &root, &run_dir, &cgroup_parent, &idmap_pool);
	if (r)
		return r;
	if (!opt_root)
		opt_root = getenv("CTR_ROOT") && getenv("CTR_ROOT")[0] ? getenv("CTR_ROOT")
			   : root				       ? root
								       : CTR_DEFAULT_ROOT;
	if (!opt_run)
		opt_run = getenv("CTR_RUN_DIR") && getenv("CTR_RUN_DIR")[0] ? getenv("CTR_RUN_DIR")
			  : run_dir					    ? run_dir
									    : CTR_DEFAULT_RUN_DIR;
	if (opt_root[0] != '/' || opt_run[0] != '/')
		return cli_usage_error(&cli, "--root and --run-dir must be absolute paths");
	tdir = getenv("CTR_TEMPLATE_DIR");
	if (ctr_context_init(&ctx, opt_root, opt_run, tdir && tdir[0] ? tdir : CTR_TEMPLATE_DIR) < 0) {
		fprintf(stderr, "ctr: out of memory\n");
		return 1;
	}
	if (getenv("CTR_CGROUP_PARENT") && getenv("CTR_CGROUP_PARENT")[0]) {
		free(cgroup_parent);
		cgroup_parent = strdup(getenv("CTR_CGROUP_PARENT"));
	}
	if (cgroup_parent) {
		struct ctr_error *err = NULL;

		if (ctr_context_set_cgroup_parent(&ctx, cgroup_parent, &err) < 0) {
			r = cli_fail(&cli, err, 0);
			ctr_error_free(&err);
			ctr_context_done(&ctx);
			return r;
		}
	}
	if (idmap_pool && ctr_idmap_pool_parse(idmap_pool, &ctx.idmap_pool) < 0) {
		ctr_context_done(&ctx);
		return cli_usage_error(&cli,
				       "ctr.conf: invalid idmap-pool '%s': expected START:COUNT with at least %u ids "
				       "(e.g. 1000000:1000000000)",
				       idmap_pool, CTR_IDMAP_SIZE);
	}
	optind = 0; /* reset getopt for the command */
	r = cmd->run(&cli, argc, argv);
	ctr_context_done(&ctx);
	return r;
}
