/* Building a container's network over rtnetlink (libmnl): every request is
 * one message with NLM_F_ACK, checked with mnl_cb_run. The host side (bridge,
 * the host end of a veth pair) is made in the caller's network namespace;
 * the container's end is created directly inside the container's namespace
 * (IFLA_NET_NS_FD) with its final name and MAC, and configured through a
 * netlink socket opened there. */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../error.h"
#include "../util.h"
#include "netns.h"

struct nl {
	struct mnl_socket *sock;
	unsigned seq;
};

static void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static int nl_open(struct nl *nl)
{
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return negative_errno();
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = negative_errno();

		nl_close(nl);
		return r;
	}
	nl->seq = (unsigned)time(NULL);
	return 0;
}

/* A request header in buf (MNL_SOCKET_BUFFER_SIZE bytes): type, flags
 * (NLM_F_REQUEST | NLM_F_ACK added). The buffer is cleared first: libmnl
 * leaves attribute padding as it finds it, and the kernel would get stack
 * bytes. */
static struct nlmsghdr *nl_msg(struct nl *nl, char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* Send one request and wait for its acknowledgement. */
static int nl_request(struct nl *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned portid = mnl_socket_get_portid(nl->sock);
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return negative_errno();
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return negative_errno();
		r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL);
	} while (r > 0);
	return r < 0 ? negative_errno() : 0;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int index)
{
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return ifm;
}

/* Up a link by name, in the namespace of the socket. */
static int link_up(struct nl *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifm = put_ifinfo(nlh, 0);

	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_request(nl, nlh);
}

static int link_del(struct nl *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_DELLINK, 0);

	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_request(nl, nlh);
}

int ctr_netns_loopback_up(struct ctr_error **err)
{
	struct nl nl = { 0 };
	int r = nl_open(&nl);

	if (r < 0)
		return ctr_error_sys(err, -r, "open rtnetlink socket");
	r = link_up(&nl, "lo");
	nl_close(&nl);
	return r < 0 ? ctr_error_sys(err, -r, "bring up loopback") : 0;
}

/* Add an address to interface `index`, or remove it. */
static int addr_change(struct nl *nl, unsigned index, const char *cidr, bool add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned char addr[16];
	unsigned prefix;
	int family, r = ctr_net_parse_cidr(cidr, &family, addr, &prefix);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	size_t len = family == AF_INET ? 4 : 16;

	if (r < 0)
		return r;
	nlh = nl_msg(nl, buf, add ? RTM_NEWADDR : RTM_DELADDR, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = index;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	mnl_attr_put(nlh, IFA_LOCAL, len, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
	/* The administrator assigned it: usable at once, no duplicate address
	 * detection delaying an IPv6 address while init boots. */
	if (family == AF_INET6 && add)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return nl_request(nl, nlh);
}

static int addr_add(struct nl *nl, unsigned index, const char *cidr)
{
	return addr_change(nl, index, cidr, true);
}

/* A default route via gw out of interface `index`; onlink: gw is not in
 * any of its subnets (the routed mode's link-local gateway). */
static int route_default(struct nl *nl, unsigned index, const char *gw, bool onlink)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned char addr[16];
	int family = ctr_net_addr_family(gw);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (family < 0 || inet_pton(family, gw, addr) != 1)
		return -EINVAL;
	nlh = nl_msg(nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (onlink)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	mnl_attr_put(nlh, RTA_GATEWAY, family == AF_INET ? 4 : 16, addr);
	mnl_attr_put_u32(nlh, RTA_OIF, index);
	return nl_request(nl, nlh);
}

/* A new link of a kind that needs nothing but its name (bridge, ifb). */
static int link_create(struct nl *nl, const char *name, const char *kind)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info;

	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, info);
	return nl_request(nl, nlh);
}

static int bridge_create(struct nl *nl, const char *name, const char *ip)
{
	int r = link_create(nl, name, "bridge");

	/* Another container's start may have made it a moment ago. */
	if (r == -EEXIST)
		return 0;
	if (r < 0)
		return r;
	if (ip && (r = addr_add(nl, if_nametoindex(name), ip)) < 0)
		return r;
	return link_up(nl, name);
}

int ctr_net_mac_bytes(const char *s, unsigned char ret[6])
{
	unsigned b[6];

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		ret[i] = (unsigned char)b[i];
	return 0;
}

/* The pair: host end `host` in this namespace (in the bridge), the other
 * end named i->name with i's MAC, created inside the namespace netns_fd. */
static int veth_create(struct nl *nl, const char *host, const struct ctr_net_if *i, unsigned master, int netns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data, *peer;
	unsigned char mac[6];

	if (ctr_net_mac_bytes(i->mac, mac) < 0)
		return -EINVAL;
	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	if (i->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, i->mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, i->name);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (i->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, i->mtu);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_request(nl, nlh);
}

#define ROUTED_GW4 "169.254.0.1"
#define ROUTED_GW6 "fe80::1"

static bool has_family(const struct ctr_net_if *i, int family)
{
	for (size_t j = 0; i->ips && i->ips[j]; j++)
		if ((strchr(i->ips[j], ':') != NULL) == (family == AF_INET6))
			return true;
	return false;
}

/* A route to exactly `cidr`'s address (/32 or /128) out of `index`, or its
 * removal. */
static int route_host(struct nl *nl, unsigned index, const char *cidr, bool add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned char addr[16];
	unsigned prefix;
	int family, r = ctr_net_parse_cidr(cidr, &family, addr, &prefix);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (r < 0)
		return r;
	nlh = nl_msg(nl, buf, add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = family == AF_INET ? 32 : 128;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, addr);
	mnl_attr_put_u32(nlh, RTA_OIF, index);
	return nl_request(nl, nlh);
}

/* Answer ARP/NDP for `cidr`'s address on the uplink (a proxy neighbour
 * entry), or stop answering. */
static int neigh_proxy(struct nl *nl, unsigned uplink, const char *cidr, bool add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned char addr[16];
	unsigned prefix;
	int family, r = ctr_net_parse_cidr(cidr, &family, addr, &prefix);
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	if (r < 0)
		return r;
	nlh = nl_msg(nl, buf, add ? RTM_NEWNEIGH : RTM_DELNEIGH, add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)family;
	ndm->ndm_ifindex = (int)uplink;
	ndm->ndm_flags = NTF_PROXY;
	ndm->ndm_state = NUD_PERMANENT;
	mnl_attr_put(nlh, NDA_DST, family == AF_INET ? 4 : 16, addr);
	return nl_request(nl, nlh);
}

/* A per-interface sysctl of this network namespace:
 * /proc/sys/net/FAMILY/conf/IF/KEY. */
static int net_sysctl(const char *family, const char *ifname, const char *key, const char *value)
{
	char path[128];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, ifname, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	return write_all(fd, value, strlen(value));
}

/* The host side of a routed interface: its end (no bridge) holds the
 * gateway addresses, one host route per container address, strict reverse
 * path filtering (a packet from an address that is not routed back to this
 * end is dropped: the container cannot send from addresses it was not
 * given), and proxy ARP/NDP on the uplink. */
static int routed_host(struct nl *nl, const struct ctr_net_if *i, const char *host, struct ctr_error **err)
{
	unsigned index = if_nametoindex(host), uplink = 0;
	int r;

	if (!index)
		return ctr_error_sys(err, errno, "find %s", host);
	if (i->uplink && !(uplink = if_nametoindex(i->uplink)))
		return ctr_error_user(err, CTR_ERR_NOT_FOUND, ENODEV,
				      "routed %s: uplink interface '%s' does not exist on this host", i->name,
				      i->uplink);
	if (has_family(i, AF_INET) && (r = addr_add(nl, index, ROUTED_GW4 "/32")) < 0)
		return ctr_error_sys(err, -r, "add %s to %s", ROUTED_GW4, host);
	if (has_family(i, AF_INET6) && (r = addr_add(nl, index, ROUTED_GW6 "/64")) < 0)
		return ctr_error_sys(err, -r, "add %s to %s", ROUTED_GW6, host);
	r = net_sysctl("ipv4", host, "rp_filter", "1");
	if (r < 0)
		return ctr_error_sys(err, -r, "turn on reverse path filtering on %s", host);
	if (uplink && has_family(i, AF_INET6) && (r = net_sysctl("ipv6", i->uplink, "proxy_ndp", "1")) < 0)
		return ctr_error_sys(err, -r, "turn on proxy NDP on %s", i->uplink);
	for (size_t j = 0; i->ips[j]; j++) {
		if ((r = route_host(nl, index, i->ips[j], true)) < 0)
			return ctr_error_sys(err, -r, "host route to %s via %s", i->ips[j], host);
		if (uplink && (r = neigh_proxy(nl, uplink, i->ips[j], true)) < 0)
			return ctr_error_sys(err, -r, "proxy ARP/NDP for %s on %s", i->ips[j], i->uplink);
	}
	return 0;
}

/* rate=: a token bucket on the root of interface `index`: on the host end
 * for what the container receives, on its ifb for what it sends (filter.c
 * forwards that there). The bucket holds 10 ms at the rate (16 KiB at
 * least), the queue 50 ms more. */
static int tbf_add(struct nl *nl, unsigned index, uint64_t bits)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	struct tc_tbf_qopt q = { 0 };
	uint64_t bps = bits / 8, burst = bps / 100, limit;
	struct nlattr *opts;

	if (burst < 16 * 1024)
		burst = 16 * 1024;
	if (burst > UINT32_MAX / 2)
		burst = UINT32_MAX / 2;
	limit = burst + bps / 20;
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)index;
	tcm->tcm_handle = TC_H_MAKE(1U << 16, 0);
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	/* An Ethernet link layer: the kernel needs no rate table then. */
	q.rate.rate = bps > UINT32_MAX ? UINT32_MAX : (uint32_t)bps;
	q.rate.linklayer = TC_LINKLAYER_ETHERNET;
	q.limit = limit > UINT32_MAX ? UINT32_MAX : (uint32_t)limit;
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
	if (bps > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, bps);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, (uint32_t)burst);
	mnl_attr_nest_end(nlh, opts);
	return nl_request(nl, nlh);
}

/* IPv6 link-local address from the MAC (EUI-64), whatever the namespace's
 * default: the anti-spoofing rules let exactly that one through. */
static int link_eui64(struct nl *nl, unsigned index)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWLINK, 0);
	struct nlattr *spec, *in6;

	put_ifinfo(nlh, (int)index);
	spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	in6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_EUI64);
	mnl_attr_nest_end(nlh, in6);
	mnl_attr_nest_end(nlh, spec);
	return nl_request(nl, nlh);
}

/* The ifb that holds back what interface i sends, up and shaping. */
static int ifb_create(struct nl *nl, const char *name, uint64_t rate)
{
	int r = link_create(nl, name, "ifb");

	if (r == 0)
		r = tbf_add(nl, if_nametoindex(name), rate);
	return r < 0 ? r : link_up(nl, name);
}

static bool filtered(const struct ctr_net_if *i)
{
	return i->type != CTR_NET_MACVLAN && !i->nofilter;
}

/* A macvlan in bridge mode on the host interface `parent`, created inside
 * the namespace netns_fd with i's name and MAC. */
static int macvlan_create(struct nl *nl, const struct ctr_net_if *i, unsigned parent, int netns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data;
	unsigned char mac[6];

	if (ctr_net_mac_bytes(i->mac, mac) < 0)
		return -EINVAL;
	put_ifinfo(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, i->name);
	mnl_attr_put_u32(nlh, IFLA_LINK, parent);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (i->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, i->mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_request(nl, nlh);
}

/* Inside the container's namespace (the caller has joined it): addresses,
 * up, default routes. */
static int configure_inside(const struct ctr_network *net, struct ctr_error **err)
{
	struct nl nl = { 0 };
	int r = nl_open(&nl);

	if (r < 0)
		return ctr_error_sys(err, -r, "open rtnetlink socket in the container");
	for (size_t n = 0; n < net->n && r == 0; n++) {
		const struct ctr_net_if *i = &net->ifs[n];
		unsigned index = if_nametoindex(i->name);

		if (!index) {
			r = ctr_error_sys(err, errno, "find %s in the container", i->name);
			break;
		}
		/* Filtered: the one link-local address the rules allow, and no
		 * addresses of its own making from router advertisements. An
		 * error (ENOENT, EAFNOSUPPORT) means no IPv6 here: nothing to do. */
		if (filtered(i)) {
			link_eui64(&nl, index);
			net_sysctl("ipv6", i->name, "autoconf", "0");
		}
		for (size_t j = 0; i->ips[j] && r == 0; j++)
			if ((r = addr_add(&nl, index, i->ips[j])) < 0)
				r = ctr_error_sys(err, -r, "add address %s to %s", i->ips[j], i->name);
		if (r == 0 && (r = link_up(&nl, i->name)) < 0)
			r = ctr_error_sys(err, -r, "bring up %s", i->name);
		if (r == 0 && i->gw4 && (r = route_default(&nl, index, i->gw4, false)) < 0)
			r = ctr_error_sys(err, -r, "default route via %s on %s", i->gw4, i->name);
		if (r == 0 && i->gw6 && (r = route_default(&nl, index, i->gw6, false)) < 0)
			r = ctr_error_sys(err, -r, "default route via %s on %s", i->gw6, i->name);
		/* Routed: the host's end is the gateway, at link-local addresses
		 * every container sees the same way. */
		if (r == 0 && i->type == CTR_NET_ROUTED && has_family(i, AF_INET) &&
		    (r = route_default(&nl, index, ROUTED_GW4, true)) < 0)
			r = ctr_error_sys(err, -r, "default route via %s on %s", ROUTED_GW4, i->name);
		if (r == 0 && i->type == CTR_NET_ROUTED && has_family(i, AF_INET6) &&
		    (r = route_default(&nl, index, ROUTED_GW6, false)) < 0)
			r = ctr_error_sys(err, -r, "default route via %s on %s", ROUTED_GW6, i->name);
	}
	nl_close(&nl);
	return r;
}

void ctr_net_teardown(const struct ctr_network *net, const char *key)
{
	struct nl nl = { 0 };

	if (!net->n)
		return;
	ctr_net_filter_teardown(net, key);
	if (nl_open(&nl) < 0)
		return;
	for (size_t n = 0; n < net->n; n++) {
		char host[16];

		/* A macvlan has no host end: it lives and dies in the container. */
		if (net->ifs[n].type == CTR_NET_MACVLAN)
			continue;
		/* Proxy entries live on the uplink: they outlive the veth. */
		if (net->ifs[n].type == CTR_NET_ROUTED && net->ifs[n].uplink) {
			unsigned uplink = if_nametoindex(net->ifs[n].uplink);

			for (size_t j = 0; uplink && net->ifs[n].ips[j]; j++)
				neigh_proxy(&nl, uplink, net->ifs[n].ips[j], false);
		}
		ctr_net_host_name(key, n, host);
		link_del(&nl, host);
		/* An ifb is not tied to the container's namespace. */
		if (net->ifs[n].rate) {
			ctr_net_ifb_name(key, n, host);
			link_del(&nl, host);
		}
	}
	nl_close(&nl);
}

int ctr_net_setup(const struct ctr_network *net, const char *key, pid_t pid, struct ctr_error **err)
{
	_cleanup_close_ int self_ns = -1, child_ns = -1;
	struct nl nl = { 0 };
	char path[64];
	int r;

	if (!net->n)
		return 0;
	self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	child_ns = open(path, O_RDONLY | O_CLOEXEC);
	if (self_ns < 0 || child_ns < 0)
		return ctr_error_sys(err, errno, "open the network namespaces");
	r = nl_open(&nl);
	if (r < 0)
		return ctr_error_sys(err, -r, "open rtnetlink socket");
	for (size_t n = 0; n < net->n && r == 0; n++) {
		const struct ctr_net_if *i = &net->ifs[n];
		char host[16];
		unsigned master;

		if (i->type == CTR_NET_MACVLAN) {
			unsigned parent = if_nametoindex(i->parent);

			if (!parent) {
				r = ctr_error_user(err, CTR_ERR_NOT_FOUND, ENODEV,
						   "macvlan %s: parent interface '%s' does not exist on this host",
						   i->name, i->parent);
				break;
			}
			r = macvlan_create(&nl, i, parent, child_ns);
			if (r < 0)
				r = ctr_error_sys(err, -r, "create macvlan %s on %s", i->name, i->parent);
			continue;
		}
		ctr_net_host_name(key, n, host);
		/* A leftover of a start that crashed: it would block the name. */
		link_del(&nl, host);
		if (i->rate) {
			char ifb[16];

			ctr_net_ifb_name(key, n, ifb);
			link_del(&nl, ifb);
			if ((r = ifb_create(&nl, ifb, i->rate)) < 0) {
				r = ctr_error_sys(err, -r, "create ifb %s for %s's rate=", ifb, i->name);
				break;
			}
		}
		master = i->type == CTR_NET_VETH ? if_nametoindex(i->bridge) : 0;
		if (i->type == CTR_NET_VETH && !master) {
			r = bridge_create(&nl, i->bridge, i->bridge_ip);
			master = if_nametoindex(i->bridge);
			if (r < 0 || !master) {
				r = ctr_error_sys(err, r < 0 ? -r : errno, "create bridge %s", i->bridge);
				break;
			}
		}
		r = veth_create(&nl, host, i, master, child_ns);
		if (r == -EEXIST)
			r = ctr_error_user(err, CTR_ERR_SYSTEM, EEXIST,
					   "create %s: the name or MAC %s is taken in the container or on the host",
					   i->name, i->mac);
		else if (r < 0)
			r = ctr_error_sys(err, -r, "create veth %s (host side %s%s%s)", i->name, host,
					  i->bridge ? ", bridge " : "", i->bridge ? i->bridge : "");
		else if ((r = link_up(&nl, host)) < 0)
			r = ctr_error_sys(err, -r, "bring up %s", host);
		if (r == 0 && i->type == CTR_NET_ROUTED)
			r = routed_host(&nl, i, host, err);
		if (r == 0 && i->rate && (r = tbf_add(&nl, if_nametoindex(host), i->rate)) < 0)
			r = ctr_error_sys(err, -r, "limit %s to rate=%llu bit/s (tbf qdisc on %s)", i->name,
					  (unsigned long long)i->rate, host);
	}
	nl_close(&nl);
	if (r == 0) {
		/* The monitor has one thread: joining the container's namespace
		 * for a moment changes nothing for anyone else. */
		if (setns(child_ns, CLONE_NEWNET) < 0)
			r = ctr_error_sys(err, errno, "join the container's network namespace");
		else {
			r = configure_inside(net, err);
			if (setns(self_ns, CLONE_NEWNET) < 0 && r == 0)
				r = ctr_error_sys(err, errno, "return to the host's network namespace");
		}
	}
	if (r == 0)
		r = ctr_net_filter_setup(net, key, err);
	if (r < 0)
		ctr_net_teardown(net, key);
	return r;
}

/* One address of interface n of a running container, added or removed:
 * inside through `in` (a socket of its namespace, the interface at
 * `index`), host route and proxy entry for a routed interface, the filter's
 * set. Removal goes in the reverse order of addition. */
static int update_one(struct nl *host, struct nl *in, unsigned index, const struct ctr_net_if *i, const char *key,
		      size_t n, const char *cidr, bool add, struct ctr_error **err)
{
	char end[16];
	unsigned host_index, uplink;
	int r = 0;

	ctr_net_host_name(key, n, end);
	host_index = i->type == CTR_NET_ROUTED ? if_nametoindex(end) : 0;
	uplink = i->type == CTR_NET_ROUTED && i->uplink ? if_nametoindex(i->uplink) : 0;
	if (add && (r = addr_change(in, index, cidr, true)) < 0 && r != -EEXIST)
		return ctr_error_sys(err, -r, "add address %s to %s", cidr, i->name);
	if (host_index && (r = route_host(host, host_index, cidr, add)) < 0 && (add || r != -ESRCH))
		return ctr_error_sys(err, -r, "%s the host route to %s via %s", add ? "add" : "remove", cidr, end);
	if (uplink && (r = neigh_proxy(host, uplink, cidr, add)) < 0 && (add || r != -ENOENT))
		return ctr_error_sys(err, -r, "%s proxy ARP/NDP for %s on %s", add ? "add" : "remove", cidr, i->uplink);
	if ((r = ctr_net_filter_address(i, key, cidr, add)) < 0)
		return ctr_error_sys(err, -r, "%s %s in the anti-spoofing set of %s", add ? "allow" : "disallow", cidr,
				     i->name);
	if (!add && (r = addr_change(in, index, cidr, false)) < 0 && r != -EADDRNOTAVAIL)
		return ctr_error_sys(err, -r, "remove address %s from %s", cidr, i->name);
	return 0;
}

/* Every address of `to` that `from` lacks is added, then every one of
 * `from` that `to` lacks removed. An address that only changes its prefix
 * length changes inside alone (removed, then added: IPv6 holds one entry
 * per address): the host's routes, proxy entries and sets know addresses,
 * not prefixes. */
static int update_all(struct nl *host, struct nl *in, const unsigned *index, const struct ctr_network *from,
		      const struct ctr_network *to, const char *key, struct ctr_error **err)
{
	for (size_t n = 0; n < to->n; n++)
		for (size_t j = 0; to->ifs[n].ips[j]; j++) {
			const char *ip = to->ifs[n].ips[j];
			int r;

			if (ctr_net_has_address(from->ifs[n].ips, ip) || ctr_net_other_prefix(from->ifs[n].ips, ip))
				continue;
			r = update_one(host, in, index[n], &to->ifs[n], key, n, ip, true, err);
			if (r < 0)
				return r;
		}
	for (size_t n = 0; n < from->n; n++)
		for (size_t j = 0; from->ifs[n].ips[j]; j++) {
			const char *ip = from->ifs[n].ips[j], *now;
			int r;

			if (ctr_net_has_address(to->ifs[n].ips, ip))
				continue;
			now = ctr_net_other_prefix(to->ifs[n].ips, ip);
			if (!now)
				r = update_one(host, in, index[n], &from->ifs[n], key, n, ip, false, err);
			else if ((r = addr_change(in, index[n], ip, false)) < 0 && r != -EADDRNOTAVAIL)
				r = ctr_error_sys(err, -r, "remove address %s from %s", ip, from->ifs[n].name);
			else if ((r = addr_change(in, index[n], now, true)) < 0 && r != -EEXIST)
				r = ctr_error_sys(err, -r, "add address %s to %s", now, from->ifs[n].name);
			else
				r = 0;
			if (r < 0)
				return r;
		}
	return 0;
}

int ctr_net_update_addresses(const struct ctr_network *old, const struct ctr_network *new, const char *key, pid_t pid,
			     struct ctr_error **err)
{
	_cleanup_close_ int self_ns = -1, child_ns = -1;
	_cleanup_free_ unsigned *index = calloc(new->n + 1, sizeof(*index));
	struct nl host = { 0 }, in = { 0 };
	char path[64];
	int r;

	if (!index)
		return -ENOMEM;
	self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	child_ns = open(path, O_RDONLY | O_CLOEXEC);
	if (self_ns < 0 || child_ns < 0)
		return ctr_error_sys(err, errno, "open the network namespaces");
	/* A socket of the container's namespace, and its interfaces' indexes
	 * there; then back. */
	if (setns(child_ns, CLONE_NEWNET) < 0)
		return ctr_error_sys(err, errno, "join the container's network namespace");
	r = nl_open(&in);
	if (r < 0)
		r = ctr_error_sys(err, -r, "open rtnetlink socket in the container");
	for (size_t n = 0; n < new->n &&r == 0; n++)
		if (!(index[n] = if_nametoindex(new->ifs[n].name)))
			r = ctr_error_sys(err, errno, "find %s in the container", new->ifs[n].name);
	if (setns(self_ns, CLONE_NEWNET) < 0) {
		nl_close(&in);
		return ctr_error_sys(err, errno, "return to the host's network namespace");
	}
	if (r == 0 && (r = nl_open(&host)) < 0)
		r = ctr_error_sys(err, -r, "open rtnetlink socket");
	if (r == 0) {
		r = update_all(&host, &in, index, old, new, key, err);
		/* Back to where it was, as far as that goes. */
		if (r < 0)
			update_all(&host, &in, index, new, old, key, NULL);
	}
	nl_close(&in);
	nl_close(&host);
	return r;
}
