/* Anti-spoofing and ingress policing with nf_tables (libnftnl over libmnl).
 *
 * Each container with a filtered or rate-limited veth/routed interface gets
 * one table of the netdev family, named after its host ends ("ctr1a2b3c4d").
 * Per interface a base chain on the ingress hook of the host end sees every
 * frame the container sends, before the bridge or the host's routing does:
 *
 *	ether saddr != MAC                         drop
 *	ip saddr != @IF_v4                         drop
 *	arp sha != MAC, arp spa != @IF_v4          drop
 *	ip6 saddr != @IF_v6                        drop
 *	icmpv6 neighbour advert, target != @IF_v6  drop
 *	ip, arp, ip6                               accept, or with rate=:
 *	                                           fwd to the interface's ifb
 *	policy                                     drop   (other ethertypes)
 *
 * IF_v4 holds the interface's IPv4 addresses and 0.0.0.0 (ARP probes); IF_v6
 * its IPv6 addresses, :: (duplicate address detection) and the EUI-64
 * link-local address of its MAC (the container end is set to that address
 * mode). The sets change while the container runs (ctr set --net); the table
 * goes when the container stops.
 *
 * rate= shapes what the container sends: the chain forwards what it lets
 * through to an ifb device whose token bucket queue (netns.c) releases it
 * at the rate, back into the host end's receive path (past this hook). The
 * kernel here has no tc police action; and a filter must come first:
 * packets an ifb takes from tc's ingress hook never reach this one. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../error.h"
#include "../util.h"
#include "netns.h"

/* nft's names for set key types, so that `nft list ruleset` prints them. */
#define NFT_TYPE_IPADDR	 7
#define NFT_TYPE_IP6ADDR 8

#define BATCH_SIZE    (256 * 1024)
#define ACK_TIMEOUT_S 5

struct batch {
	struct mnl_socket *sock;
	struct mnl_nlmsg_batch *b;
	char *buf;
	uint32_t seq;
	unsigned acks; /* messages that are answered */
	bool full;
};

static void batch_done(struct batch *b)
{
	if (b->b)
		mnl_nlmsg_batch_stop(b->b);
	if (b->sock)
		mnl_socket_close(b->sock);
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

static int batch_open(struct batch *b)
{
	struct timeval tv = { .tv_sec = ACK_TIMEOUT_S };

	memset(b, 0, sizeof(*b));
	/* Zeroed: libnftnl leaves attribute padding as it finds it. */
	b->buf = calloc(1, BATCH_SIZE);
	if (!b->buf)
		return -ENOMEM;
	b->sock = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!b->sock || mnl_socket_bind(b->sock, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(b->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int r = negative_errno();

		batch_done(b);
		return r;
	}
	b->b = mnl_nlmsg_batch_start(b->buf, BATCH_SIZE);
	b->seq = (uint32_t)time(NULL);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->b), b->seq++);
	mnl_nlmsg_batch_next(b->b);
	return 0;
}

/* The header of the next message; every one asks for an answer. */
static struct nlmsghdr *batch_msg(struct batch *b, uint16_t type, uint16_t flags)
{
	b->acks++;
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->b), type, NFPROTO_NETDEV, flags | NLM_F_ACK, b->seq++);
}

static void batch_next(struct batch *b)
{
	if (!mnl_nlmsg_batch_next(b->b))
		b->full = true;
}

/* Send the batch (one transaction: all of it or nothing) and read an
 * answer per message; the first error wins. */
static int batch_commit(struct batch *b)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int fd = mnl_socket_get_fd(b->sock), r = 0;
	unsigned answered = 0;

	if (b->full)
		return -ENOBUFS;
	nftnl_batch_end(mnl_nlmsg_batch_current(b->b), b->seq++);
	mnl_nlmsg_batch_next(b->b);
	if (mnl_socket_sendto(b->sock, mnl_nlmsg_batch_head(b->b), mnl_nlmsg_batch_size(b->b)) < 0)
		return negative_errno();
	while (answered < b->acks) {
		/* After an error the kernel may not answer the rest: take what
		 * is there and stop. */
		ssize_t n = recv(fd, buf, sizeof(buf), r < 0 ? MSG_DONTWAIT : 0);
		int len;

		if (n < 0) {
			if (r == 0)
				r = errno == EAGAIN ? -ETIMEDOUT : negative_errno();
			break;
		}
		len = (int)n;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			answered++;
			if (e->error < 0 && r == 0)
				r = e->error;
		}
	}
	return r;
}

/* ---- rules ------------------------------------------------------------------------ */

/* A rule under construction: expressions are appended in order; an
 * allocation failure is remembered and reported once, at the end. */
struct rule {
	struct nftnl_rule *r;
	bool oom;
};

static struct nftnl_expr *expr(struct rule *r, const char *name)
{
	struct nftnl_expr *e = r->oom ? NULL : nftnl_expr_alloc(name);

	if (!e)
		r->oom = true;
	return e;
}

static void add(struct rule *r, struct nftnl_expr *e)
{
	if (e)
		nftnl_rule_add_expr(r->r, e);
}

static void load_meta(struct rule *r, uint32_t key)
{
	struct nftnl_expr *e = expr(r, "meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	add(r, e);
}

static void load_payload(struct rule *r, uint32_t base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = expr(r, "payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	add(r, e);
}

static void cmp(struct rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr(r, "cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	add(r, e);
}

/* Matches when the loaded value is not in the set. */
static void not_in_set(struct rule *r, const char *set)
{
	struct nftnl_expr *e = expr(r, "lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	}
	add(r, e);
}

static void verdict(struct rule *r, int v)
{
	struct nftnl_expr *e = expr(r, "immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	}
	add(r, e);
}

/* The verdict: out through interface `ifindex` (an ifb), as if received
 * from it. */
static void fwd(struct rule *r, uint32_t ifindex)
{
	struct nftnl_expr *imm = expr(r, "immediate"), *e;

	if (imm) {
		nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
		nftnl_expr_set(imm, NFTNL_EXPR_IMM_DATA, &ifindex, sizeof(ifindex));
	}
	add(r, imm);
	e = expr(r, "fwd");
	if (e)
		nftnl_expr_set_u32(e, NFTNL_EXPR_FWD_SREG_DEV, NFT_REG_1);
	add(r, e);
}

static void match_ethertype(struct rule *r, uint16_t type)
{
	uint16_t be = htons(type);

	load_meta(r, NFT_META_PROTOCOL);
	cmp(r, NFT_CMP_EQ, &be, sizeof(be));
}

static bool rule_start(struct rule *r, const char *table, const char *chain)
{
	r->oom = false;
	r->r = nftnl_rule_alloc();
	if (!r->r)
		return false;
	nftnl_rule_set_u32(r->r, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
	nftnl_rule_set_str(r->r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r->r, NFTNL_RULE_CHAIN, chain);
	return true;
}

/* Append the finished rule to the batch. */
static int rule_end(struct batch *b, struct rule *r)
{
	int ret = -ENOMEM;

	if (!r->oom) {
		nftnl_rule_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWRULE, NLM_F_APPEND | NLM_F_CREATE), r->r);
		batch_next(b);
		ret = 0;
	}
	nftnl_rule_free(r->r);
	r->r = NULL;
	return ret;
}

/* ---- table, sets, chains --------------------------------------------------------- */

static void table_name(const char *key, char ret[16])
{
	/* The host ends' common prefix: "ctr" and the hash of the container's
	 * directory. */
	ctr_net_host_name(key, 0, ret);
	ret[11] = '\0';
}

static void set_name(const struct ctr_net_if *i, int family, char ret[32])
{
	snprintf(ret, 32, "%s_v%c", i->name, family == AF_INET ? '4' : '6');
}

/* A set of one family's source addresses with its elements. */
static struct nftnl_set *set_new(const char *table, const struct ctr_net_if *i, int family)
{
	struct nftnl_set *s = nftnl_set_alloc();
	char name[32];

	if (!s)
		return NULL;
	set_name(i, family, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	return s;
}

static int set_add_elem(struct nftnl_set *s, int family, const unsigned char *addr)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	if (!e)
		return -ENOMEM;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, addr, family == AF_INET ? 4 : 16);
	nftnl_set_elem_add(s, e);
	return 0;
}

/* The link-local address the kernel gives an interface with this MAC in
 * EUI-64 mode: fe80::MAC with ff:fe in the middle and the U/L bit flipped. */
static void eui64_link_local(const unsigned char mac[6], unsigned char ret[16])
{
	memset(ret, 0, 16);
	ret[0] = 0xfe;
	ret[1] = 0x80;
	ret[8] = mac[0] ^ 0x02;
	ret[9] = mac[1];
	ret[10] = mac[2];
	ret[11] = 0xff;
	ret[12] = 0xfe;
	ret[13] = mac[3];
	ret[14] = mac[4];
	ret[15] = mac[5];
}

static int add_set(struct batch *b, const char *table, const struct ctr_net_if *i, int family,
		   const unsigned char mac[6])
{
	struct nftnl_set *s = set_new(table, i, family);
	unsigned char addr[16] = { 0 };
	int r = s ? 0 : -ENOMEM;

	if (r == 0) {
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, family == AF_INET ? 4 : 16);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, family == AF_INET ? NFT_TYPE_IPADDR : NFT_TYPE_IP6ADDR);
		/* The kernel wants an id for sets a transaction creates. */
		nftnl_set_set_u32(s, NFTNL_SET_ID, b->seq);
		/* 0.0.0.0 and ::, the unspecified address of probes. */
		r = set_add_elem(s, family, addr);
	}
	if (r == 0 && family == AF_INET6) {
		eui64_link_local(mac, addr);
		r = set_add_elem(s, family, addr);
	}
	for (size_t j = 0; r == 0 && i->ips[j]; j++) {
		int f;

		if (ctr_net_parse_cidr(i->ips[j], &f, addr, NULL) < 0)
			r = -EINVAL;
		else if (f == family)
			r = set_add_elem(s, family, addr);
	}
	if (r == 0) {
		nftnl_set_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE), s);
		batch_next(b);
		nftnl_set_elems_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE), s);
		batch_next(b);
	}
	nftnl_set_free(s);
	return r;
}

static int add_chain(struct batch *b, const char *table, const struct ctr_net_if *i, const char *host)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_NETDEV);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, i->name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_str(c, NFTNL_CHAIN_DEV, host);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_NETDEV_INGRESS);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	/* Filtered: only IPv4, ARP and IPv6 frames pass. */
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, i->nofilter ? NF_ACCEPT : NF_DROP);
	nftnl_chain_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE), c);
	batch_next(b);
	nftnl_chain_free(c);
	return 0;
}

static int add_rules(struct batch *b, const char *table, const struct ctr_net_if *i, const unsigned char mac[6],
		     uint32_t ifb)
{
	static const uint16_t pass[] = { ETH_P_IP, ETH_P_ARP, ETH_P_IPV6 };
	char v4[32], v6[32];
	uint8_t l4 = IPPROTO_ICMPV6, na = 136;
	struct rule r = { 0 };
	int ret = 0;

	set_name(i, AF_INET, v4);
	set_name(i, AF_INET6, v6);
	if (!i->nofilter) {
		/* The frame's source MAC. */
		if (!rule_start(&r, table, i->name))
			return -ENOMEM;
		load_payload(&r, NFT_PAYLOAD_LL_HEADER, 6, 6);
		cmp(&r, NFT_CMP_NEQ, mac, 6);
		verdict(&r, NF_DROP);
		if ((ret = rule_end(b, &r)) < 0 || !rule_start(&r, table, i->name))
			return ret < 0 ? ret : -ENOMEM;
		/* IPv4 source address. */
		match_ethertype(&r, ETH_P_IP);
		load_payload(&r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
		not_in_set(&r, v4);
		verdict(&r, NF_DROP);
		if ((ret = rule_end(b, &r)) < 0 || !rule_start(&r, table, i->name))
			return ret < 0 ? ret : -ENOMEM;
		/* ARP sender hardware address... */
		match_ethertype(&r, ETH_P_ARP);
		load_payload(&r, NFT_PAYLOAD_NETWORK_HEADER, 8, 6);
		cmp(&r, NFT_CMP_NEQ, mac, 6);
		verdict(&r, NF_DROP);
		if ((ret = rule_end(b, &r)) < 0 || !rule_start(&r, table, i->name))
			return ret < 0 ? ret : -ENOMEM;
		/* ...and sender protocol address. */
		match_ethertype(&r, ETH_P_ARP);
		load_payload(&r, NFT_PAYLOAD_NETWORK_HEADER, 14, 4);
		not_in_set(&r, v4);
		verdict(&r, NF_DROP);
		if ((ret = rule_end(b, &r)) < 0 || !rule_start(&r, table, i->name))
			return ret < 0 ? ret : -ENOMEM;
		/* IPv6 source address. */
		match_ethertype(&r, ETH_P_IPV6);
		load_payload(&r, NFT_PAYLOAD_NETWORK_HEADER, 8, 16);
		not_in_set(&r, v6);
		verdict(&r, NF_DROP);
		if ((ret = rule_end(b, &r)) < 0 || !rule_start(&r, table, i->name))
			return ret < 0 ? ret : -ENOMEM;
		/* A neighbour advertisement claims its target address: only
		 * the container's own (the NDP form of ARP spoofing). */
		match_ethertype(&r, ETH_P_IPV6);
		load_meta(&r, NFT_META_L4PROTO);
		cmp(&r, NFT_CMP_EQ, &l4, 1);
		load_payload(&r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
		cmp(&r, NFT_CMP_EQ, &na, 1);
		load_payload(&r, NFT_PAYLOAD_TRANSPORT_HEADER, 8, 16);
		not_in_set(&r, v6);
		verdict(&r, NF_DROP);
		if ((ret = rule_end(b, &r)) < 0)
			return ret;
	}
	/* Unfiltered: everything; filtered: the three ethertypes. */
	for (size_t k = 0; k < (i->nofilter ? 1 : ARRAY_SIZE(pass)); k++) {
		if (!rule_start(&r, table, i->name))
			return -ENOMEM;
		if (!i->nofilter)
			match_ethertype(&r, pass[k]);
		if (ifb)
			fwd(&r, ifb);
		else
			verdict(&r, NF_ACCEPT);
		if ((ret = rule_end(b, &r)) < 0)
			return ret;
	}
	return 0;
}

static bool wants_chain(const struct ctr_net_if *i)
{
	return i->type != CTR_NET_MACVLAN && (!i->nofilter || i->rate);
}

/* 1 if the table exists, 0 if not: a plain query. (A transaction that
 * fails, deleting a table that is not there, costs the kernel ~10 ms: its
 * abort waits for an RCU grace period. A start and a stop each asked.) */
static int table_exists(const char *table)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t = nftnl_table_alloc();
	struct batch b;
	struct nlmsghdr *nlh;
	uint32_t seq;
	ssize_t n;
	int r;

	if (!t)
		return -ENOMEM;
	r = batch_open(&b);
	if (r < 0) {
		nftnl_table_free(t);
		return r;
	}
	seq = b.seq;
	memset(buf, 0, sizeof(buf));
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_NETDEV);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_NETDEV, NLM_F_ACK, seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	if (mnl_socket_sendto(b.sock, nlh, nlh->nlmsg_len) < 0) {
		r = negative_errno();
		batch_done(&b);
		return r;
	}
	do {
		n = mnl_socket_recvfrom(b.sock, buf, sizeof(buf));
		r = n < 0 ? -1 : mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(b.sock), NULL, NULL);
	} while (r > 0);
	r = r == 0 ? 1 : errno == ENOENT ? 0 : negative_errno();
	batch_done(&b);
	return r;
}

static bool any_chain(const struct ctr_network *net)
{
	for (size_t n = 0; n < net->n; n++)
		if (wants_chain(&net->ifs[n]))
			return true;
	return false;
}

static int delete_table(const char *table)
{
	struct nftnl_table *t;
	struct batch b;
	int r = table_exists(table);

	if (r <= 0)
		return r;
	t = nftnl_table_alloc();
	if (!t)
		return -ENOMEM;
	r = batch_open(&b);
	if (r == 0) {
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_NETDEV);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
		nftnl_table_nlmsg_build_payload(batch_msg(&b, NFT_MSG_DELTABLE, 0), t);
		batch_next(&b);
		r = batch_commit(&b);
		batch_done(&b);
	}
	nftnl_table_free(t);
	return r == -ENOENT ? 0 : r;
}

void ctr_net_filter_teardown(const struct ctr_network *net, const char *key)
{
	char table[16];

	if (!any_chain(net))
		return;
	table_name(key, table);
	delete_table(table);
}

int ctr_net_filter_setup(const struct ctr_network *net, const char *key, struct ctr_error **err)
{
	struct nftnl_table *t = NULL;
	struct batch b = { 0 };
	char table[16];
	int r;

	if (!any_chain(net))
		return 0;
	table_name(key, table);
	/* A start that crashed may have left the table: begin afresh. */
	r = delete_table(table);
	if (r == 0)
		r = batch_open(&b);
	if (r == 0 && !(t = nftnl_table_alloc()))
		r = -ENOMEM;
	if (r < 0)
		goto out;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_NETDEV);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_nlmsg_build_payload(batch_msg(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE), t);
	batch_next(&b);
	for (size_t n = 0; n < net->n && r == 0; n++) {
		const struct ctr_net_if *i = &net->ifs[n];
		unsigned char mac[6];
		char host[16];

		uint32_t ifb = 0;

		if (!wants_chain(i))
			continue;
		ctr_net_host_name(key, n, host);
		if (i->rate) {
			char name[16];

			ctr_net_ifb_name(key, n, name);
			if (!(ifb = if_nametoindex(name))) {
				r = -errno;
				break;
			}
		}
		r = ctr_net_mac_bytes(i->mac, mac);
		if (r == 0 && !i->nofilter)
			r = add_set(&b, table, i, AF_INET, mac);
		if (r == 0 && !i->nofilter)
			r = add_set(&b, table, i, AF_INET6, mac);
		if (r == 0)
			r = add_chain(&b, table, i, host);
		if (r == 0)
			r = add_rules(&b, table, i, mac, ifb);
	}
	if (r == 0)
		r = batch_commit(&b);
out:
	nftnl_table_free(t);
	batch_done(&b);
	if (r < 0)
		return ctr_error_sys(err, -r, "install the nf_tables rules of table netdev %s (anti-spoofing, rate=)",
				     table);
	return 0;
}

int ctr_net_filter_address(const struct ctr_net_if *i, const char *key, const char *cidr, bool add_it)
{
	unsigned char addr[16];
	struct nftnl_set *s;
	struct batch b;
	char table[16];
	int family, r;

	if (i->type == CTR_NET_MACVLAN || i->nofilter)
		return 0;
	if (ctr_net_parse_cidr(cidr, &family, addr, NULL) < 0)
		return -EINVAL;
	table_name(key, table);
	s = set_new(table, i, family);
	if (!s)
		return -ENOMEM;
	r = set_add_elem(s, family, addr);
	if (r == 0)
		r = batch_open(&b);
	if (r == 0) {
		nftnl_set_elems_nlmsg_build_payload(
			batch_msg(&b, add_it ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM, add_it ? NLM_F_CREATE : 0), s);
		batch_next(&b);
		r = batch_commit(&b);
		batch_done(&b);
	}
	nftnl_set_free(s);
	/* Removing what is not there (ENOENT) is done. */
	return r == -ENOENT && !add_it ? 0 : r;
}
