/* Option parsing shared by the commands. */
#ifndef CTR_CLI_ARGS_H
#define CTR_CLI_ARGS_H

#include <getopt.h>

struct cli;

/* getopt_long with ctr's error messages; returns the option, -1 at the end,
 * or -2 after reporting a usage error (the caller returns 2). */
int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts);
/* Exactly n positional arguments remain (after getopt). */
int cli_positional(struct cli *cli, int argc, char **argv, int min, int max, const char *what);
/* Non-negative integer option value, or -1 after reporting. */
int cli_parse_uint(struct cli *cli, const char *opt, const char *s, int max);

/* getopt values of the options that edit the config: the resource options
 * (--memory, --cpus, ...) and the security options (--cap-add, --seccomp,
 * ...), these plus the index into ctr_resource_options and
 * ctr_security_options. */
#define CLI_RESOURCE_OPT     1000
#define CLI_SECURITY_OPT     2000
#define CLI_IS_CONFIG_OPT(c) ((c) >= CLI_RESOURCE_OPT)
/* fixed (NULL-terminated) followed by both sets; free the result. */
struct option *cli_with_config_options(const struct option *fixed);
struct cli_config_options {
	char **resources; /* "name", "value" pairs */
	char **security;
};
/* Record an option getopt returned, as a "name", "value" pair. */
int cli_collect_option(int c, const char *value, struct cli_config_options *o);
void cli_config_options_done(struct cli_config_options *o);

/* --net, --dns and --search of create and set (options n, D, S): repeatable,
 * kept as lists. */
struct cli_net_options {
	char **nets, **dns, **search;
};
/* 1 when c was one of them (recorded), 0 when not, -ENOMEM. */
int cli_collect_net(int c, const char *value, struct cli_net_options *o);
void cli_net_options_done(struct cli_net_options *o);

#endif
