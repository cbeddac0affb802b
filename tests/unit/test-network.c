/* The network part of the config: --net options, ctr.network in the
 * document, stable MACs and host-side names, canonical addresses. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "netns/netns.h"
#include "spec.h"
#include "util.h"
#include "tap.h"

static void test_options(void)
{
	struct ctr_network net = { 0 };
	struct ctr_error *err = NULL;
	const struct ctr_net_if *i;

	ok(ctr_network_add_option(&net, "veth,ip=10.20.0.7/24,ip=fd00::7/64,gw=10.20.0.1,gw=fd00::1,mtu=1400", &err) ==
		   0,
	   "a full --net veth");
	i = &net.ifs[0];
	is_int(net.n, 1, "one interface");
	is_str(i->name, "eth0", "default name");
	is_str(i->bridge, "ctr0", "default bridge");
	is_int(strv_length(i->ips), 2, "two addresses");
	is_str(i->gw4, "10.20.0.1", "IPv4 gateway");
	is_str(i->gw6, "fd00::1", "IPv6 gateway");
	is_int(i->mtu, 1400, "mtu");
	ok(i->mac == NULL, "no MAC before create fixes one");
	ok(ctr_network_add_option(&net, "veth,name=lan,bridge=br1,bridge-ip=10.21.0.1/24,mac=02:aa:bb:cc:dd:ee",
				  &err) == 0,
	   "a second one");
	is_str(net.ifs[1].name, "lan", "its name");
	is_str(net.ifs[1].bridge_ip, "10.21.0.1/24", "bridge-ip");
	ok(ctr_network_add_option(&net, "veth", &err) == 0 && !strcmp(net.ifs[2].name, "eth2"),
	   "a third takes eth2 by default");
	ok(ctr_network_add_option(&net, "none", &err) == 0 && net.n == 0, "none empties the list");

	static const struct {
		const char *opt, *msg;
	} bad[] = {
		{ "veth,ip=10.1.1.1", "needs an IPv4 or IPv6 address with its prefix length" },
		{ "veth,ip=10.1.1.1/33", "needs an IPv4" },
		{ "veth,ip=fd00::1/129", "needs an IPv4" },
		{ "veth,ip=/24", "needs an IPv4" },
		{ "veth,ip=10.1.1.1/24,ip=10.1.1.1/24", "is given twice" },
		{ "veth,gw=nope", "gw 'nope' is not an IPv4 or IPv6 address" },
		{ "veth,mac=02:00:00:00:00:0g", "is not a unicast MAC address" },
		{ "veth,mac=03:00:00:00:00:01", "is not a unicast MAC address" },
		{ "veth,mac=00:00:00:00:00:00", "is not a unicast MAC address" },
		{ "veth,mtu=70000", "expected a number 68..65535" },
		{ "veth,name=eth/0", "is not an interface name" },
		{ "veth,name=", "expected key=value" },
		{ "veth,ip", "expected key=value" },
		{ "veth,speed=10", "unknown key 'speed'" },
		{ "vxlan,ip=10.0.0.1/32", "unknown type 'vxlan' (expected veth, routed, macvlan or none)" },
		{ "routed", "a routed interface needs at least one ip=" },
		{ "routed,ip=10.0.0.1/32,gw=10.0.0.254", "a routed interface has no gw=" },
		{ "routed,ip=10.0.0.1/24", "a routed address is a host route: give /32 (IPv4) or /128" },
		{ "routed,ip=fd00::1/64", "a routed address is a host route" },
		{ "routed,ip=10.0.0.1/32,bridge=br0", "bridge= is for veth interfaces" },
		{ "veth,uplink=eth0", "uplink= is for routed interfaces" },
		{ "none,ip=10.0.0.1/32", "none takes no keys" },
		{ "veth,name=lo", "name 'lo' is the container's loopback" },
		{ "macvlan,ip=10.0.0.1/24", "macvlan needs parent=IF" },
		{ "macvlan,parent=eth0,bridge=br0", "bridge= is for veth interfaces" },
		{ "veth,parent=eth0", "parent= is for macvlan interfaces" },
		{ "", "unknown type ''" },
	};
	for (size_t b = 0; b < ARRAY_SIZE(bad); b++) {
		struct ctr_network n = { 0 };

		ok(ctr_network_add_option(&n, bad[b].opt, &err) == -EINVAL || n.n == 0, "refused: --net '%s'",
		   bad[b].opt);
		contains(err ? err->msg : NULL, bad[b].msg, "message");
		ctr_error_free(&err);
		ctr_network_done(&n);
	}
	ok(ctr_network_add_option(&net, "veth", &err) == 0 && ctr_network_add_option(&net, "veth,name=eth0", &err) < 0,
	   "two interfaces named eth0 refused");
	contains(err ? err->msg : NULL, "two interfaces are named 'eth0'", "message");
	ctr_error_free(&err);
	ctr_network_done(&net);
	ok(ctr_network_add_option(&net, "veth,gw=10.0.0.1", &err) == 0 &&
		   ctr_network_add_option(&net, "veth,gw=fd00::1", &err) == 0 &&
		   ctr_network_add_option(&net, "veth,gw=10.1.0.1", &err) < 0,
	   "a second IPv4 default route refused (one IPv6 is fine)");
	contains(err ? err->msg : NULL, "eth0 and eth2 both have an IPv4 gw=", "message");
	ctr_error_free(&err);
	ctr_network_done(&net);
	ok(ctr_network_add_option(&net, "routed,ip=10.0.0.5/32", &err) == 0 &&
		   ctr_network_add_option(&net, "veth,gw=10.0.0.1", &err) < 0,
	   "a routed IPv4 address makes the IPv4 default route: a gw= beside it refused");
	ctr_error_free(&err);
	ctr_network_done(&net);
}

static void test_stable(void)
{
	struct ctr_network a = { 0 }, b = { 0 };
	char h1[16], h2[16], h3[16];

	ctr_network_add_option(&a, "veth", NULL);
	ctr_network_add_option(&a, "veth", NULL);
	ctr_network_add_option(&b, "veth", NULL);
	ok(ctr_network_finish(&a, "web1") == 0 && ctr_network_finish(&b, "web1") == 0, "MACs fixed");
	is_str(a.ifs[0].mac, b.ifs[0].mac, "the same name gives the same MAC (stable across hosts)");
	ok(strcmp(a.ifs[0].mac, a.ifs[1].mac) != 0, "each interface its own");
	ok(!strncmp(a.ifs[0].mac, "02:", 3), "locally administered, unicast");
	ctr_network_done(&b);
	ctr_network_add_option(&b, "veth", NULL);
	ctr_network_finish(&b, "web2");
	ok(strcmp(a.ifs[0].mac, b.ifs[0].mac) != 0, "another container, another MAC");
	ctr_net_host_name("web1", 0, h1);
	ctr_net_host_name("web1", 1, h2);
	ctr_net_host_name("web2", 0, h3);
	ok(strlen(h1) <= 15 && !strncmp(h1, "ctr", 3), "host name '%s' fits IFNAMSIZ", h1);
	ok(strcmp(h1, h2) && strcmp(h1, h3), "host names differ per interface and container");
	ctr_network_done(&a);
	ctr_network_done(&b);
}

static void test_addresses(void)
{
	struct ctr_network net = { 0 };
	char **addrs = NULL;

	ctr_network_add_option(&net, "veth,ip=10.0.0.5/8,ip=FD00:0:0::5/64", NULL);
	ok(ctr_network_addresses(&net, &addrs) == 0 && strv_length(addrs) == 2, "two addresses");
	is_str(addrs ? addrs[0] : NULL, "10.0.0.5", "without the prefix");
	is_str(addrs ? addrs[1] : NULL, "fd00::5", "IPv6 in canonical form");
	strv_free(addrs);
	ctr_network_done(&net);
}

static void test_document(void)
{
	_cleanup_(ctr_spec_freep) struct ctr_spec *s = NULL, *back = NULL;
	_cleanup_free_ char *json = NULL, *json2 = NULL;
	struct ctr_error *err = NULL;

	ok(ctr_spec_new_default("n1", &s) == 0 && s->net.n == 0, "no interfaces by default (loopback only)");
	ctr_network_add_option(
		&s->net,
		"veth,bridge=br0,bridge-ip=10.20.0.1/24,ip=10.20.0.7/24,gw=10.20.0.1,mtu=1450,rate=100mbit,"
		"filter=off",
		NULL);
	ctr_network_finish(&s->net, "n1");
	ok(ctr_spec_to_json(s, &json, NULL) == 0, "written");
	contains(json, "\"bridgeIp\": \"10.20.0.1/24\"", "bridgeIp");
	contains(json, "\"gw4\": \"10.20.0.1\"", "gw4");
	contains(json, "\"rate\": 100000000", "rate in bit/s");
	contains(json, "\"filter\": false", "filter off");
	ok(json && ctr_spec_parse(json, strlen(json), &back, &err) == 0, "parsed back");
	ok(back && ctr_spec_to_json(back, &json2, NULL) == 0, "written again");
	is_str(json2, json, "round trip is identical");
	ctr_error_free(&err);

	{
		const char *doc = "{\"ctr\":{\"network\":[{\"parent\":\"eth9\",\"type\":\"macvlan\",\"ips\":[]}]}}";
		struct ctr_spec *m = NULL;

		ok(ctr_spec_parse(doc, strlen(doc), &m, &err) == 0 && m->net.n == 1 &&
			   m->net.ifs[0].type == CTR_NET_MACVLAN && !strcmp(m->net.ifs[0].parent, "eth9") &&
			   !m->net.ifs[0].bridge,
		   "a macvlan, \"type\" anywhere in the object");
		if (err)
			printf("# %s\n", err->msg);
		ctr_error_free(&err);
		ctr_spec_free(m);
	}

	static const struct {
		const char *doc, *msg;
	} bad[] = {
		{ "{\"ctr\":{\"network\":{}}}", "ctr.network: expected an array" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"tap\"}]}}", "ctr.network[0]: \"type\" must be \"veth\"" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"routed\"}]}}", "a routed interface needs \"ips\"" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"macvlan\"}]}}", "a macvlan needs \"parent\"" },
		{ "{\"ctr\":{\"dns\":[\"ns1\"]}}", "ctr.dns: --dns 'ns1': expected the IPv4 or IPv6 address" },
		{ "{\"ctr\":{\"search\":[\"a b\"]}}", "ctr.search: --search 'a b': expected a domain name" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"veth\",\"gw4\":\"fd00::1\"}]}}",
		  "ctr.network[0].gw4: expected an IPv4 address" },
		{ "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]},"
		  "\"ctr\":{\"network\":[{\"type\":\"veth\"}]}}",
		  "interfaces need a network namespace" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"veth\",\"speed\":1}]}}", "ctr.network[0].speed: unknown field" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"veth\",\"ips\":[\"10.0.0.1\"]}]}}", "ctr.network[0].ips" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"veth\",\"mtu\":\"big\"}]}}", "ctr.network[0].mtu" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"veth\",\"rate\":\"10mbit\"}]}}",
		  "ctr.network[0].rate: expected bits" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"veth\",\"filter\":\"off\"}]}}",
		  "ctr.network[0].filter: expected true or false" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"macvlan\",\"parent\":\"e\",\"rate\":10000}]}}",
		  "a macvlan cannot be limited" },
		{ "{\"ctr\":{\"network\":[{\"type\":\"veth\",\"name\":\"a\"},{\"type\":\"veth\",\"name\":\"a\"}]}}",
		  "two interfaces are named 'a'" },
	};
	for (size_t b = 0; b < ARRAY_SIZE(bad); b++) {
		struct ctr_spec *x = NULL;

		ok(ctr_spec_parse(bad[b].doc, strlen(bad[b].doc), &x, &err) < 0 && err &&
			   err->kind == CTR_ERR_INVALID_CONFIG,
		   "refused with kind invalid-config: %s", bad[b].doc);
		contains(err ? err->msg : NULL, bad[b].msg, "message");
		ctr_error_free(&err);
		ctr_spec_free(x);
	}
}

static void test_rate(void)
{
	static const struct {
		const char *s;
		uint64_t bits;
	} good[] = { { "100mbit", 100000000 },	    { "1gbit", 1000000000 },
		     { "512kbit", 512000 },	    { "10MBit", 10000000 },
		     { "1tbit", 1000000000000ull }, { "125kbps", 1000000 },
		     { "1gbps", 8000000000ull },    { "9000bit", 9000 } };
	static const char *const bad[] = { "",
					   "100",
					   "mbit",
					   "-1mbit",
					   "1.5mbit",
					   "10 mbit",
					   "0mbit",
					   "10mbits",
					   "99999999999999999999bit",
					   "3000000000gbps" };
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		v = 0;
		ok(ctr_net_parse_rate(good[i].s, &v) == 0 && v == good[i].bits, "rate '%s' = %llu bit/s (got %llu)",
		   good[i].s, (unsigned long long)good[i].bits, (unsigned long long)v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(ctr_net_parse_rate(bad[i], &v) < 0, "rate '%s' refused", bad[i]);
}

/* The output of a shell command, or NULL. */
static char *command_output(const char *cmd)
{
	char *out = NULL;
	FILE *p;

	fflush(stdout);
	p = popen(cmd, "r");
	if (p && read_fd_all(fileno(p), 1 << 20, &out, NULL) < 0)
		out = NULL;
	if (p)
		pclose(p);
	return out;
}

/* The nf_tables rules for real, in a network namespace of this process's
 * own (root only; the machine's own namespace is not touched): built on a
 * veth's host end, an address let through and taken back, removed. */
static void test_filter(void)
{
	struct ctr_network net = { 0 };
	struct ctr_error *err = NULL;
	const char *key = "/var/lib/ctr/unit-filter";
	char host[16], ifb[16], cmd[160], *out;

	ctr_net_host_name(key, 0, host);
	ctr_net_ifb_name(key, 0, ifb);
	snprintf(cmd, sizeof(cmd), "ip link add %s type veth peer name peer0 && ip link add %s type ifb", host, ifb);
	fflush(stdout);
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 || system(cmd) != 0 ||
	    system("nft list tables >/dev/null 2>&1") != 0) {
		printf("ok %d - # SKIP nf_tables test: needs root, a network namespace, ip and nft\n", ++tap_n);
		return;
	}
	ok(ctr_network_add_option(&net, "veth,ip=10.20.0.7/24,ip=fd00::7/64,rate=10mbit", &err) == 0 &&
		   ctr_network_finish(&net, "unit") == 0,
	   "an interface");
	is_int(ctr_net_filter_setup(&net, key, &err), 0, "rules installed");
	if (err)
		printf("# %s\n", err->msg);
	out = command_output("nft list ruleset");
	contains(out, "set eth0_v4", "IPv4 set");
	contains(out, "10.20.0.7", "its address");
	contains(out, "fd00::7", "its IPv6 address");
	contains(out, "hook ingress device", "on the host end's ingress");
	contains(out, "policy drop", "other ethertypes dropped");
	contains(out, "fwd to", "forwarded to the ifb (rate=)");
	free(out);
	is_int(ctr_net_filter_address(&net.ifs[0], key, "10.20.0.70/24", true), 0, "an address let through");
	out = command_output("nft list ruleset");
	contains(out, "10.20.0.70", "in the set");
	free(out);
	is_int(ctr_net_filter_address(&net.ifs[0], key, "10.20.0.70/24", false), 0, "and taken back");
	is_int(ctr_net_filter_address(&net.ifs[0], key, "10.20.0.70/24", false), 0, "taking it back twice is fine");
	out = command_output("nft list ruleset");
	ok(out && !strstr(out, "10.20.0.70"), "not in the set");
	free(out);
	/* Again, over the existing table (a start after a crash). */
	is_int(ctr_net_filter_setup(&net, key, &err), 0, "installed again over a leftover");
	ctr_net_filter_teardown(&net, key);
	out = command_output("nft list tables");
	ok(out && !strstr(out, "netdev ctr"), "no table after teardown");
	free(out);
	ctr_error_free(&err);
	ctr_network_done(&net);
}

int main(void)
{
	test_rate();
	test_options();
	test_stable();
	test_addresses();
	test_document();
	/* Last: it leaves this process in a network namespace of its own. */
	test_filter();
	return tap_done();
}
