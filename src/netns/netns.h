/* Network namespace plumbing over rtnetlink (libmnl). This slice: the
 * loopback device of a new namespace; interfaces come with the networking layer. */
#ifndef CTR_NETNS_H
#define CTR_NETNS_H

struct ctr_error;

/* Bring up "lo" in the caller's current network namespace. */
int ctr_netns_loopback_up(struct ctr_error **err);

#endif
