/* The network part of a container's config: ctr.network, a list of
 * interfaces, and --net TYPE[,key=value...] which edits it. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "../error.h"
#include "../util.h"
#include "netns.h"

#define DEFAULT_BRIDGE "ctr0"

static const char *const type_names[_CTR_NET_TYPE_MAX] = {
	[CTR_NET_VETH] = "veth",
	[CTR_NET_MACVLAN] = "macvlan",
	[CTR_NET_ROUTED] = "routed",
};

static void if_done(struct ctr_net_if *i)
{
	free(i->name);
	free(i->bridge);
	free(i->bridge_ip);
	free(i->parent);
	free(i->uplink);
	strv_free(i->ips);
	free(i->gw4);
	free(i->gw6);
	free(i->mac);
	memset(i, 0, sizeof(*i));
}

void ctr_network_done(struct ctr_network *net)
{
	for (size_t i = 0; i < net->n; i++)
		if_done(&net->ifs[i]);
	free(net->ifs);
	net->ifs = NULL;
	net->n = 0;
}

/* An interface name the kernel takes: 1-15 characters, no '/', ':' or space. */
static bool ifname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return false;
	return true;
}

int ctr_net_parse_cidr(const char *s, int *ret_family, unsigned char ret_addr[16], unsigned *ret_prefix)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	char *end;
	long prefix;
	size_t n;
	int family;

	if (!slash || slash == s || (n = (size_t)(slash - s)) >= sizeof(addr) || !isdigit((unsigned char)slash[1]))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	prefix = strtol(slash + 1, &end, 10);
	family = ctr_net_addr_family(addr);
	if (*end || family < 0 || prefix < 0 || prefix > (family == AF_INET ? 32 : 128))
		return -EINVAL;
	if (ret_addr)
		inet_pton(family, addr, ret_addr);
	*ret_family = family;
	if (ret_prefix)
		*ret_prefix = (unsigned)prefix;
	return 0;
}

int ctr_net_addr_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return AF_INET6;
	return -EINVAL;
}

int ctr_net_parse_rate(const char *s, uint64_t *ret_bits)
{
	static const struct {
		const char *unit;
		uint64_t bits;
	} units[] = { { "bit", 1 },	      { "kbit", 1000 },		 { "mbit", 1000000 },
		      { "gbit", 1000000000 }, { "tbit", 1000000000000 }, { "bps", 8 },
		      { "kbps", 8000 },	      { "mbps", 8000000 },	 { "gbps", 8000000000 } };
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v == 0)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcasecmp(end, units[i].unit)) {
			if (v > UINT64_MAX / units[i].bits)
				return -ERANGE;
			*ret_bits = v * units[i].bits;
			return 0;
		}
	return -EINVAL;
}

/* "02:00:5e:10:00:01": six hex pairs, a unicast address. */
static bool mac_valid(const char *s)
{
	unsigned b[6];
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return false;
	for (size_t i = 2; i < 17; i += 3)
		if (s[i] != ':')
			return false;
	return !(b[0] & 1) && (b[0] | b[1] | b[2] | b[3] | b[4] | b[5]);
}

static int set_str(char **slot, const char *v)
{
	char *c = strdup(v);

	if (!c)
		return -ENOMEM;
	free(*slot);
	*slot = c;
	return 0;
}

/* One key=value of an interface; `where` names it in errors. */
static int if_set(struct ctr_net_if *i, const char *k, const char *v, const char *where, struct ctr_error **err)
{
	int family;

	if (!strcmp(k, "name")) {
		if (!strcmp(v, "lo"))
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: name 'lo' is the container's loopback; pick another name", where);
		if (!ifname_valid(v))
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: name '%s' is not an interface name (1-15 characters, no '/', ':' "
					      "or spaces)",
					      where, v);
		return set_str(&i->name, v);
	}
	if ((!strcmp(k, "bridge") || !strcmp(k, "bridge-ip")) && i->type != CTR_NET_VETH)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "%s: %s= is for veth interfaces", where, k);
	if (!strcmp(k, "uplink")) {
		if (i->type != CTR_NET_ROUTED)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "%s: uplink= is for routed interfaces",
					      where);
		if (!ifname_valid(v))
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: uplink '%s' is not an interface name (1-15 characters)", where, v);
		return set_str(&i->uplink, v);
	}
	if (!strcmp(k, "gw") && i->type == CTR_NET_ROUTED)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "%s: a routed interface has no gw=: its default route goes to the host "
				      "(169.254.0.1, fe80::1)",
				      where);
	if (!strcmp(k, "parent")) {
		if (i->type != CTR_NET_MACVLAN)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "%s: parent= is for macvlan interfaces",
					      where);
		if (!ifname_valid(v))
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: parent '%s' is not an interface name (1-15 characters)", where, v);
		return set_str(&i->parent, v);
	}
	if (!strcmp(k, "bridge")) {
		if (!ifname_valid(v))
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: bridge '%s' is not an interface name (1-15 characters)", where, v);
		return set_str(&i->bridge, v);
	}
	if (!strcmp(k, "bridge-ip")) {
		if (ctr_net_parse_cidr(v, &family, NULL, NULL) < 0)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: bridge-ip '%s' needs an address with its prefix length (e.g. "
					      "10.20.0.1/24)",
					      where, v);
		return set_str(&i->bridge_ip, v);
	}
	if (!strcmp(k, "ip")) {
		if (ctr_net_parse_cidr(v, &family, NULL, NULL) < 0)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: ip '%s' needs an IPv4 or IPv6 address with its prefix length (e.g. "
					      "10.20.0.7/24 or fd00::7/64)",
					      where, v);
		for (size_t j = 0; i->ips && i->ips[j]; j++)
			if (!strcmp(i->ips[j], v))
				return ctr_error_user(err, CTR_ERR_USAGE, EEXIST, "%s: ip '%s' is given twice", where,
						      v);
		/* The host routes exactly these addresses, nothing around them. */
		if (i->type == CTR_NET_ROUTED && strcmp(strchr(v, '/'), family == AF_INET ? "/32" : "/128"))
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: ip '%s': a routed address is a host route: give /32 (IPv4) or /128 "
					      "(IPv6)",
					      where, v);
		return strv_push(&i->ips, v);
	}
	if (!strcmp(k, "gw")) {
		family = ctr_net_addr_family(v);
		if (family < 0)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: gw '%s' is not an IPv4 or IPv6 address (no prefix length)", where,
					      v);
		return set_str(family == AF_INET ? &i->gw4 : &i->gw6, v);
	}
	if (!strcmp(k, "mac")) {
		if (!mac_valid(v))
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: mac '%s' is not a unicast MAC address (six hex pairs, e.g. "
					      "02:00:00:00:00:01)",
					      where, v);
		return set_str(&i->mac, v);
	}
	if (!strcmp(k, "rate")) {
		uint64_t bits;

		if (i->type == CTR_NET_MACVLAN)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: a macvlan has no host-side device to limit: use veth or routed for "
					      "rate=",
					      where);
		/* Below ~8 kbit/s a full-sized packet takes over a second. */
		if (ctr_net_parse_rate(v, &bits) < 0 || bits < 8000 || bits > 100000000000000ull)
			return ctr_error_user(
				err, CTR_ERR_USAGE, EINVAL,
				"%s: rate '%s': expected a number with a unit, 8kbit..100tbit (bit, kbit, "
				"mbit, gbit, tbit; or bytes: bps, kbps, mbps, gbps), e.g. 100mbit",
				where, v);
		i->rate = bits;
		return 0;
	}
	if (!strcmp(k, "filter")) {
		if (i->type == CTR_NET_MACVLAN)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
					      "%s: a macvlan has no host-side device to filter on: use veth or routed "
					      "for filter=",
					      where);
		if (strcmp(v, "on") && strcmp(v, "off"))
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "%s: filter '%s': expected on or off", where,
					      v);
		i->nofilter = !strcmp(v, "off");
		return 0;
	}
	if (!strcmp(k, "mtu")) {
		char *end;
		long mtu = strtol(v, &end, 10);

		if (!*v || *end || mtu < 68 || mtu > 65535)
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "%s: mtu '%s': expected a number 68..65535",
					      where, v);
		i->mtu = (unsigned)mtu;
		return 0;
	}
	return ctr_error_user(
		err, CTR_ERR_USAGE, EINVAL,
		"%s: unknown key '%s' (veth takes name, bridge, bridge-ip, ip, gw, mac, mtu, rate, filter; macvlan "
		"takes parent instead of bridge and bridge-ip, and no rate or filter; routed takes uplink instead of "
		"bridge, bridge-ip and gw)",
		where, k);
}

/* Whether the interface makes the container's default route of a family: a
 * gw=, or a routed interface with an address of that family. */
static bool has_gw(const struct ctr_net_if *i, int family)
{
	if (family == 4 ? i->gw4 != NULL : i->gw6 != NULL)
		return true;
	for (size_t j = 0; i->type == CTR_NET_ROUTED && i->ips && i->ips[j]; j++)
		if ((strchr(i->ips[j], ':') != NULL) == (family == 6))
			return true;
	return false;
}

/* Interface names are unique inside the container, and each family has
 * one default route at most. */
static int check_names(const struct ctr_network *net, const char *where, struct ctr_error **err)
{
	for (size_t i = 0; i < net->n; i++)
		for (size_t j = 0; j < i; j++) {
			const struct ctr_net_if *a = &net->ifs[i], *b = &net->ifs[j];

			if (!strcmp(a->name, b->name))
				return ctr_error_user(
					err, CTR_ERR_USAGE, EEXIST,
					"%s: two interfaces are named '%s'; give each its own name=", where, a->name);
			if ((has_gw(a, 4) && has_gw(b, 4)) || (has_gw(a, 6) && has_gw(b, 6)))
				return ctr_error_user(err, CTR_ERR_USAGE, EEXIST,
						      "%s: %s and %s both have an IPv%c gw=; a container has one "
						      "default route per family",
						      where, b->name, a->name,
						      has_gw(a, 4) && has_gw(b, 4) ? '4' : '6');
		}
	return 0;
}

static int if_defaults(struct ctr_net_if *i, size_t index)
{
	char name[16];

	snprintf(name, sizeof(name), "eth%zu", index);
	if (!i->name && set_str(&i->name, name) < 0)
		return -ENOMEM;
	if (i->type == CTR_NET_VETH && !i->bridge && set_str(&i->bridge, DEFAULT_BRIDGE) < 0)
		return -ENOMEM;
	if (!i->ips && !(i->ips = calloc(1, sizeof(char *))))
		return -ENOMEM;
	return 0;
}

int ctr_network_add_option(struct ctr_network *net, const char *s, struct ctr_error **err)
{
	_cleanup_free_ char *copy = strdup(s), *where = NULL;
	struct ctr_net_if i = { 0 };
	char *save = NULL, *tok;
	struct ctr_net_if *grown;
	int r;

	if (!copy || asprintf(&where, "--net '%s'", s) < 0)
		return -ENOMEM;
	if (!strcmp(s, "none")) {
		ctr_network_done(net);
		return 0;
	}
	if (!strncmp(s, "none,", 5))
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "%s: none takes no keys (it means loopback only)",
				      where);
	tok = strtok_r(copy, ",", &save);
	for (i.type = 0; tok && i.type < _CTR_NET_TYPE_MAX && strcmp(tok, type_names[i.type]); i.type++)
		;
	if (!tok || i.type == _CTR_NET_TYPE_MAX)
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "%s: unknown type '%s' (expected veth, routed, macvlan or none)", where,
				      tok ? tok : "");
	while ((tok = strtok_r(NULL, ",", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok || !eq[1]) {
			if_done(&i);
			return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "%s: expected key=value, got '%s'", where,
					      tok);
		}
		*eq = '\0';
		r = if_set(&i, tok, eq + 1, where, err);
		if (r < 0) {
			if_done(&i);
			return r == -ENOMEM ? ctr_error_sys(err, ENOMEM, "%s", where) : r;
		}
	}
	if (i.type == CTR_NET_ROUTED && !i.ips) {
		if_done(&i);
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL,
				      "%s: a routed interface needs at least one ip= (the host routes exactly its "
				      "addresses)",
				      where);
	}
	if (i.type == CTR_NET_MACVLAN && !i.parent) {
		if_done(&i);
		return ctr_error_user(err, CTR_ERR_USAGE, EINVAL, "%s: macvlan needs parent=IF, the host interface",
				      where);
	}
	if (if_defaults(&i, net->n) < 0) {
		if_done(&i);
		return -ENOMEM;
	}
	grown = realloc(net->ifs, (net->n + 1) * sizeof(*grown));
	if (!grown) {
		if_done(&i);
		return -ENOMEM;
	}
	net->ifs = grown;
	net->ifs[net->n++] = i;
	return check_names(net, where, err);
}

/* FNV-1a: a stable hash of the container's name, for names and MACs that
 * must not change between starts (nor when the container moves host). */
static uint32_t fnv1a(const char *s, size_t salt)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ (uint32_t)salt) * 16777619u;
	return h;
}

void ctr_net_host_name(const char *key, size_t i, char ret[16])
{
	snprintf(ret, 16, "ctr%08x%zu", fnv1a(key, 0), i % 1000);
}

void ctr_net_ifb_name(const char *key, size_t i, char ret[16])
{
	snprintf(ret, 16, "ctr%08x%zui", fnv1a(key, 0), i % 1000);
}

int ctr_network_finish(struct ctr_network *net, const char *container)
{
	for (size_t i = 0; i < net->n; i++) {
		char mac[18];
		uint32_t h = fnv1a(container, i + 1), h2 = fnv1a(container, i + 101);

		if (net->ifs[i].mac)
			continue;
		/* Locally administered, unicast (02:...). */
		snprintf(mac, sizeof(mac), "02:%02x:%02x:%02x:%02x:%02x", h >> 24, (h >> 16) & 0xff, (h >> 8) & 0xff,
			 h & 0xff, h2 & 0xff);
		if (set_str(&net->ifs[i].mac, mac) < 0)
			return -ENOMEM;
	}
	return 0;
}

int ctr_network_check_host(const struct ctr_network *net, struct ctr_error **err)
{
	for (size_t i = 0; i < net->n; i++) {
		const char *want = net->ifs[i].parent ? net->ifs[i].parent : net->ifs[i].uplink;

		if (want && !if_nametoindex(want))
			return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENODEV,
					      "--net %s: %s interface '%s' does not exist on this host (see 'ip link')",
					      type_names[net->ifs[i].type], net->ifs[i].parent ? "parent" : "uplink",
					      want);
	}
	return 0;
}

int ctr_network_addresses(const struct ctr_network *net, char ***ret)
{
	_cleanup_strv_ char **out = calloc(1, sizeof(char *));

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < net->n; i++)
		for (size_t j = 0; net->ifs[i].ips && net->ifs[i].ips[j]; j++) {
			unsigned char bin[16];
			char canon[INET6_ADDRSTRLEN];
			int family;

			/* Canonical text: fd00::7 and fd00:0::7 are one address. */
			if (ctr_net_parse_cidr(net->ifs[i].ips[j], &family, bin, NULL) < 0)
				return -EINVAL;
			if (!inet_ntop(family, bin, canon, sizeof(canon)) || strv_push(&out, canon) < 0)
				return -ENOMEM;
		}
	*ret = TAKE_PTR(out);
	return 0;
}

/* ---- JSON ------------------------------------------------------------------------- */

static int bad(struct ctr_error **err, const char *path, const char *what)
{
	return ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL, "%s: %s", path, what);
}

int ctr_network_parse(yajl_val v, struct ctr_network *ret, struct ctr_error **err)
{
	struct ctr_network net = { 0 };
	char path[64];
	int r = 0;

	if (!YAJL_IS_ARRAY(v))
		return bad(err, "ctr.network", "expected an array of interfaces");
	net.ifs = calloc(v->u.array.len + 1, sizeof(*net.ifs));
	if (!net.ifs)
		return -ENOMEM;
	for (size_t n = 0; n < v->u.array.len && r == 0; n++) {
		yajl_val o = v->u.array.values[n];
		struct ctr_net_if *i = &net.ifs[net.n++];
		const char *type = NULL;

		snprintf(path, sizeof(path), "ctr.network[%zu]", n);
		if (!YAJL_IS_OBJECT(o)) {
			r = bad(err, path, "expected an object");
			break;
		}
		/* The type decides which keys are allowed: read it first. */
		for (size_t k = 0; k < o->u.object.len; k++)
			if (!strcmp(o->u.object.keys[k], "type"))
				type = YAJL_IS_STRING(o->u.object.values[k]) ? o->u.object.values[k]->u.string : "";
		i->type = CTR_NET_VETH;
		for (size_t t = 0; type && t < _CTR_NET_TYPE_MAX; t++)
			if (!strcmp(type, type_names[t]))
				i->type = (enum ctr_net_type)t;
		for (size_t k = 0; k < o->u.object.len && r == 0; k++) {
			const char *key = o->u.object.keys[k];
			yajl_val f = o->u.object.values[k];
			char fpath[96];

			snprintf(fpath, sizeof(fpath), "%s.%s", path, key);
			if (!strcmp(key, "type")) {
				continue;
			} else if (!strcmp(key, "ips")) {
				if (!YAJL_IS_ARRAY(f)) {
					r = bad(err, fpath, "expected an array of \"ADDR/PREFIX\"");
					break;
				}
				for (size_t j = 0; j < f->u.array.len && r == 0; j++)
					r = YAJL_IS_STRING(f->u.array.values[j])
						    ? if_set(i, "ip", f->u.array.values[j]->u.string, fpath, err)
						    : bad(err, fpath, "expected strings");
			} else if (!strcmp(key, "rate")) {
				if (!YAJL_IS_INTEGER(f) || YAJL_GET_INTEGER(f) < 8000)
					r = bad(err, fpath, "expected bits per second, a number >= 8000");
				else if (i->type == CTR_NET_MACVLAN)
					r = bad(err, fpath, "a macvlan cannot be limited (no host-side device)");
				else
					i->rate = (uint64_t)YAJL_GET_INTEGER(f);
			} else if (!strcmp(key, "filter")) {
				if (!YAJL_IS_TRUE(f) && !YAJL_IS_FALSE(f))
					r = bad(err, fpath, "expected true or false");
				else if (i->type == CTR_NET_MACVLAN && YAJL_IS_FALSE(f))
					r = bad(err, fpath, "a macvlan has no filter to turn off");
				else
					i->nofilter = YAJL_IS_FALSE(f);
			} else if (!strcmp(key, "mtu")) {
				if (!YAJL_IS_INTEGER(f) || YAJL_GET_INTEGER(f) < 68 || YAJL_GET_INTEGER(f) > 65535)
					r = bad(err, fpath, "expected a number 68..65535");
				else
					i->mtu = (unsigned)YAJL_GET_INTEGER(f);
			} else {
				static const struct {
					const char *json, *key;
				} keys[] = {
					{ "name", "name" },	{ "bridge", "bridge" }, { "bridgeIp", "bridge-ip" },
					{ "gw4", "gw" },	{ "gw6", "gw" },	{ "mac", "mac" },
					{ "parent", "parent" }, { "uplink", "uplink" }
				};
				size_t m = 0;

				while (m < ARRAY_SIZE(keys) && strcmp(keys[m].json, key))
					m++;
				if (m == ARRAY_SIZE(keys))
					r = ctr_error_user(err, CTR_ERR_INVALID_CONFIG, EINVAL, "%s: unknown field",
							   fpath);
				else if (!YAJL_IS_STRING(f))
					r = bad(err, fpath, "expected a string");
				else if ((!strcmp(key, "gw4") && ctr_net_addr_family(f->u.string) != AF_INET) ||
					 (!strcmp(key, "gw6") && ctr_net_addr_family(f->u.string) != AF_INET6))
					r = bad(err, fpath,
						key[2] == '4' ? "expected an IPv4 address"
							      : "expected an IPv6 address");
				else
					r = if_set(i, keys[m].key, f->u.string, fpath, err);
			}
		}
		if (r == 0 &&
		    (!type || (strcmp(type, type_names[CTR_NET_VETH]) && strcmp(type, type_names[CTR_NET_MACVLAN]) &&
			       strcmp(type, type_names[CTR_NET_ROUTED]))))
			r = bad(err, path, "\"type\" must be \"veth\", \"routed\" or \"macvlan\"");
		if (r == 0 && i->type == CTR_NET_ROUTED && !i->ips)
			r = bad(err, path, "a routed interface needs \"ips\"");
		if (r == 0 && i->type == CTR_NET_MACVLAN && !i->parent)
			r = bad(err, path, "a macvlan needs \"parent\"");
		if (r == 0)
			r = if_defaults(i, n);
	}
	if (r == 0)
		r = check_names(&net, "ctr.network", err);
	if (r < 0) {
		if (r != -ENOMEM && err && *err)
			(*err)->kind = CTR_ERR_INVALID_CONFIG;
		ctr_network_done(&net);
		return r;
	}
	ctr_network_done(ret);
	*ret = net;
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

enum cidr_match { CIDR_OTHER, CIDR_SAME, CIDR_OTHER_PREFIX };

/* Whether two "ADDR/PREFIX" are one (fd00::7/64 and fd00:0::7/64 are), or
 * one address with two prefix lengths. */
static enum cidr_match cidr_compare(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	unsigned px, py;
	int fx, fy;

	if (ctr_net_parse_cidr(a, &fx, x, &px) < 0 || ctr_net_parse_cidr(b, &fy, y, &py) < 0 || fx != fy ||
	    memcmp(x, y, fx == AF_INET ? 4 : 16))
		return CIDR_OTHER;
	return px == py ? CIDR_SAME : CIDR_OTHER_PREFIX;
}

static const char *find_cidr(char *const *ips, const char *cidr, enum cidr_match want)
{
	for (size_t j = 0; ips && ips[j]; j++)
		if (cidr_compare(ips[j], cidr) == want)
			return ips[j];
	return NULL;
}

bool ctr_net_has_address(char *const *ips, const char *cidr)
{
	return find_cidr(ips, cidr, CIDR_SAME) != NULL;
}

const char *ctr_net_other_prefix(char *const *ips, const char *cidr)
{
	return find_cidr(ips, cidr, CIDR_OTHER_PREFIX);
}

bool ctr_network_addresses_only(const struct ctr_network *a, const struct ctr_network *b)
{
	if (a->n != b->n)
		return false;
	for (size_t n = 0; n < a->n; n++) {
		const struct ctr_net_if *x = &a->ifs[n], *y = &b->ifs[n];

		if (x->type != y->type || !str_eq(x->name, y->name) || !str_eq(x->bridge, y->bridge) ||
		    !str_eq(x->bridge_ip, y->bridge_ip) || !str_eq(x->parent, y->parent) ||
		    !str_eq(x->uplink, y->uplink) || !str_eq(x->gw4, y->gw4) || !str_eq(x->gw6, y->gw6) ||
		    !str_eq(x->mac, y->mac) || x->mtu != y->mtu || x->rate != y->rate || x->nofilter != y->nofilter)
			return false;
		/* A routed interface's first address of a family brings the
		 * gateway and default route of that family: a start's work. */
		if (x->type == CTR_NET_ROUTED && (has_gw(x, 4) != has_gw(y, 4) || has_gw(x, 6) != has_gw(y, 6)))
			return false;
	}
	return true;
}

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void gen_opt(yajl_gen g, const char *key, const char *v)
{
	if (!v)
		return;
	GSTR(g, key);
	GSTR(g, v);
}

void ctr_network_gen(const struct ctr_network *net, yajl_gen g)
{
	GSTR(g, "network");
	yajl_gen_array_open(g);
	for (size_t n = 0; n < net->n; n++) {
		const struct ctr_net_if *i = &net->ifs[n];

		yajl_gen_map_open(g);
		gen_opt(g, "type", type_names[i->type]);
		gen_opt(g, "name", i->name);
		gen_opt(g, "bridge", i->bridge);
		gen_opt(g, "bridgeIp", i->bridge_ip);
		gen_opt(g, "parent", i->parent);
		gen_opt(g, "uplink", i->uplink);
		GSTR(g, "ips");
		yajl_gen_array_open(g);
		for (size_t j = 0; i->ips && i->ips[j]; j++)
			GSTR(g, i->ips[j]);
		yajl_gen_array_close(g);
		gen_opt(g, "gw4", i->gw4);
		gen_opt(g, "gw6", i->gw6);
		gen_opt(g, "mac", i->mac);
		if (i->mtu) {
			GSTR(g, "mtu");
			yajl_gen_integer(g, i->mtu);
		}
		if (i->rate) {
			GSTR(g, "rate");
			yajl_gen_integer(g, (long long)i->rate);
		}
		if (i->nofilter) {
			GSTR(g, "filter");
			yajl_gen_bool(g, 0);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

int ctr_network_to_json(const struct ctr_network *net, char **ret, size_t *ret_len)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	int r = -ENOMEM;

	if (!g)
		return -ENOMEM;
	yajl_gen_map_open(g);
	ctr_network_gen(net, g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok && (*ret = strndup((const char *)buf, len))) {
		*ret_len = len;
		r = 0;
	}
	yajl_gen_free(g);
	return r;
}

int ctr_network_from_json(const char *json, struct ctr_network *ret, struct ctr_error **err)
{
	static const char *const path[] = { "network", NULL };
	yajl_val root = yajl_tree_parse(json, NULL, 0), v;
	int r;

	if (!root)
		return bad(err, "network record", "malformed JSON");
	v = yajl_tree_get(root, (const char **)path, yajl_t_array);
	r = v ? ctr_network_parse(v, ret, err) : bad(err, "network record", "no \"network\" array");
	yajl_tree_free(root);
	return r;
}
