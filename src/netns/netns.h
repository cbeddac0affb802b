/* A container's network: its interfaces as configured (the "network" list of
 * the config's ctr object, edited with --net) and the rtnetlink plumbing
 * (libmnl) that builds them when it starts: the host side first, then,
 * through a netlink socket opened in the container's network namespace,
 * everything inside it, before init runs. */
#ifndef CTR_NETNS_H
#define CTR_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ctr_error;
typedef struct yajl_val_s *yajl_val;
typedef struct yajl_gen_t *yajl_gen;

enum ctr_net_type {
	CTR_NET_VETH,	 /* a veth pair, the host side in a bridge */
	CTR_NET_MACVLAN, /* a macvlan (bridge mode) on a host interface */
	CTR_NET_ROUTED,	 /* a veth pair, host routes and proxy ARP/NDP (OpenVZ venet) */
	_CTR_NET_TYPE_MAX,
};

struct ctr_net_if {
	enum ctr_net_type type;
	char *name;	 /* inside the container: "eth0" */
	char *bridge;	 /* veth: the host bridge ("ctr0" by default), created if absent */
	char *bridge_ip; /* veth: the bridge's own address when ctr creates it (CIDR), or NULL */
	char *parent;	 /* macvlan: the host interface it sits on */
	char *uplink;	 /* routed: the host interface its addresses are proxied on */
	char **ips;	 /* "10.20.0.7/24", "fd00::7/64", ... */
	char *gw4, *gw6; /* default routes, or NULL */
	char *mac;	 /* "02:..": fixed at create, stable across restarts */
	unsigned mtu;	 /* 0: the kernel's default */
	uint64_t rate;	 /* bits per second each way, 0: unlimited (veth, routed) */
	bool nofilter;	 /* filter=off: no anti-spoofing rules (veth, routed) */
};

/* ctr.network: no interfaces but loopback when empty ("--net none"). */
struct ctr_network {
	struct ctr_net_if *ifs;
	size_t n;
};

void ctr_network_done(struct ctr_network *net);
int ctr_network_parse(yajl_val v, struct ctr_network *ret, struct ctr_error **err);
void ctr_network_gen(const struct ctr_network *net, yajl_gen g);
/* {"network": [...]}: the interfaces a container runs with, kept in its
 * run directory. */
int ctr_network_to_json(const struct ctr_network *net, char **ret, size_t *ret_len);
int ctr_network_from_json(const char *json, struct ctr_network *ret, struct ctr_error **err);
/* One --net TYPE[,key=value...] ("none" empties the list). */
int ctr_network_add_option(struct ctr_network *net, const char *s, struct ctr_error **err);
/* Fill in what create decides once (MACs from the container's name). */
int ctr_network_finish(struct ctr_network *net, const char *container);
/* The host interfaces the config names (macvlan parents) must exist. */
int ctr_network_check_host(const struct ctr_network *net, struct ctr_error **err);
/* Every address of every interface as "ADDR" (no prefix): for the check
 * that no two containers on a host share one. */
int ctr_network_addresses(const struct ctr_network *net, char ***ret);

/* "ADDR/PREFIX", IPv4 or IPv6, the prefix within the family's length:
 * AF_INET or AF_INET6 in *ret_family, the address bytes and the prefix
 * (each may be NULL). -EINVAL on anything else. */
int ctr_net_parse_cidr(const char *s, int *ret_family, unsigned char ret_addr[16], unsigned *ret_prefix);
/* A rate with its unit: bit, kbit, mbit, gbit, tbit (bits per second, SI) or
 * bps, kbps, mbps, gbps (bytes per second), e.g. "100mbit". */
int ctr_net_parse_rate(const char *s, uint64_t *ret_bits);
/* AF_INET or AF_INET6 for an address without prefix, -EINVAL if neither. */
int ctr_net_addr_family(const char *s);

/* Whether a list of "ADDR/PREFIX" holds cidr (fd00::7/64 and fd00:0::7/64
 * are one); the entry that holds its address with another prefix, or NULL. */
bool ctr_net_has_address(char *const *ips, const char *cidr);
const char *ctr_net_other_prefix(char *const *ips, const char *cidr);
/* Whether b differs from a in the interfaces' addresses at most: what a
 * running container takes at once (ctr_net_update_addresses). */
bool ctr_network_addresses_only(const struct ctr_network *a, const struct ctr_network *b);

/* "02:00:00:00:00:01" as six bytes, -EINVAL if it is not one. */
int ctr_net_mac_bytes(const char *s, unsigned char ret[6]);

/* The host side's interface name of interface i of a container; `key` is
 * unique per container on the host (its directory: root and name). */
void ctr_net_host_name(const char *key, size_t i, char ret[16]);
/* The ifb device that shapes what interface i sends (rate=): the host
 * side's name and "i". */
void ctr_net_ifb_name(const char *key, size_t i, char ret[16]);

/* Bring up "lo" in the caller's current network namespace. */
int ctr_netns_loopback_up(struct ctr_error **err);
/* In the parent, while the child waits: create the interfaces of `net`, the
 * container's ends in the network namespace of `pid`, and configure both
 * sides. On failure nothing of it is left on the host. */
int ctr_net_setup(const struct ctr_network *net, const char *key, pid_t pid, struct ctr_error **err);
/* Remove the host side of the container's interfaces (the kernel removes a
 * veth pair with the container's namespace anyway; this is for leftovers). */
void ctr_net_teardown(const struct ctr_network *net, const char *key);

/* A running container (init `pid`) whose interfaces are `old` gets the
 * addresses of `new` (ctr_network_addresses_only): inside, host routes and
 * proxy entries (routed), the filter's sets. On failure what was done is
 * undone. */
int ctr_net_update_addresses(const struct ctr_network *old, const struct ctr_network *new, const char *key, pid_t pid,
			     struct ctr_error **err);

/* nf_tables (filter.c): the anti-spoofing rules and ingress policer of the
 * container's veth and routed interfaces, on their host ends (which must
 * exist); one netdev table per container. */
int ctr_net_filter_setup(const struct ctr_network *net, const char *key, struct ctr_error **err);
void ctr_net_filter_teardown(const struct ctr_network *net, const char *key);
/* Let interface i send from cidr's address, or no longer. */
int ctr_net_filter_address(const struct ctr_net_if *i, const char *key, const char *cidr, bool add);

#endif
