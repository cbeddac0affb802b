#!/usr/bin/env bats
# Networking, for real, inside network namespaces of the test's own (simulated
# hosts, ENVIRONMENT.md: the machine's own is never touched): veth pairs into a
# bridge, IPv4 and IPv6, default routes, stable MACs, bad input, and that a
# stop or a failed start leaves no host-side interface behind.

load helpers

# Interfaces of namespace $1 whose name starts with ctr (host ends).
host_ends() {
	ip -n "$1" -o link show | awk -F': ' '$2 ~ /^ctr[0-9a-f]/ { sub(/@.*/, "", $2); print $2 }'
}

@test "two containers on one bridge reach each other over IPv4 and IPv6; the host reaches both" {
	local ns a b
	ns=$(test_netns)
	a=$(cname a)
	b=$(cname b)
	nctr "$ns" create "$a" --net veth,bridge=br0,bridge-ip=10.20.0.1/24,ip=10.20.0.7/24,ip=fd00:20::7/64,gw=10.20.0.1
	nctr "$ns" create "$b" --privileged --net veth,bridge=br0,ip=10.20.0.8/24,ip=fd00:20::8/64
	nctr "$ns" start "$a"
	nctr "$ns" start "$b"
	# Inside: the addresses, up, the default route; the MAC from the config.
	run nctr "$ns" exec "$a" -- ip addr show eth0
	expect_contains "$output" "inet 10.20.0.7/24"
	expect_contains "$output" "inet6 fd00:20::7/64"
	expect_contains "$output" "UP"
	local mac
	mac=$(nctr "$ns" config "$a" | jget 'd["ctr"]["network"][0]["mac"]')
	expect_contains "$output" "link/ether $mac"
	run nctr "$ns" exec "$a" -- ip route
	expect_contains "$output" "default via 10.20.0.1 dev eth0"
	# Between the containers, both families, and from the simulated host.
	nctr "$ns" exec "$a" -- ping -c1 -W2 10.20.0.8
	nctr "$ns" exec "$b" -- ping -c1 -W2 10.20.0.7
	nctr "$ns" exec "$a" -- ping6 -c1 -W2 fd00:20::8
	nsenter --net="/run/netns/$ns" busybox ping -c1 -W2 10.20.0.7
	nsenter --net="/run/netns/$ns" busybox ping -c1 -W2 10.20.0.8
	# Two host ends, in the bridge.
	expect_eq "$(host_ends "$ns" | wc -l)" 2 "host ends"
	expect_eq "$(ip -n "$ns" -o link show master br0 | wc -l)" 2 "in br0"
	# The MAC survives a restart.
	nctr "$ns" stop "$a"
	nctr "$ns" start "$a"
	run nctr "$ns" exec "$a" -- ip link show eth0
	expect_contains "$output" "link/ether $mac"
	# Stop removes the host ends; the bridge stays.
	nctr "$ns" stop "$a"
	nctr "$ns" stop "$b"
	expect_eq "$(host_ends "$ns")" "" "host ends after stop"
	ip -n "$ns" link show br0 >/dev/null
	nctr "$ns" destroy "$a"
	nctr "$ns" destroy "$b"
}

@test "bad --net input: exit 2 or 6 with the problem named; nothing created" {
	local ns a c
	ns=$(test_netns)
	a=$(cname a)
	c=$(cname c)
	expect_each_fails 2 "ip '10.20.0.7' needs an IPv4 or IPv6 address with its prefix length" \
		"create $c --net veth,ip=10.20.0.7"
	expect_each_fails 2 "ip '10.20.0.300/24' needs" "create $c --net veth,ip=10.20.0.300/24"
	expect_each_fails 2 "mac '02:00:00:00:00' is not a unicast MAC address" "create $c --net veth,mac=02:00:00:00:00"
	expect_each_fails 2 "mac '01:00:5e:00:00:01' is not a unicast MAC address" \
		"create $c --net veth,mac=01:00:5e:00:00:01"
	expect_each_fails 2 "gw '10.20.0.1/24' is not an IPv4 or IPv6 address" "create $c --net veth,gw=10.20.0.1/24"
	expect_each_fails 2 "mtu '9': expected a number 68..65535" "create $c --net veth,mtu=9"
	expect_each_fails 2 "unknown key 'colour'" "create $c --net veth,colour=red"
	expect_each_fails 2 "rate 'fast': expected a number with a unit" "create $c --net veth,rate=fast"
	expect_each_fails 2 "rate '100': expected a number with a unit" "create $c --net veth,rate=100"
	expect_each_fails 2 "a macvlan has no host-side device to limit" \
		"create $c --net macvlan,parent=eth0,rate=10mbit"
	expect_each_fails 2 "filter 'maybe': expected on or off" "create $c --net veth,filter=maybe"
	expect_each_fails 2 "unknown type 'vxlan'" "create $c --net vxlan,ip=10.20.0.7/32"
	expect_each_fails 2 "bridge 'a-bridge-name-too-long' is not an interface name" \
		"create $c --net veth,bridge=a-bridge-name-too-long"
	expect_each_fails 2 "two interfaces are named 'eth0'" "create $c --net veth,name=eth0 --net veth,name=eth0"
	expect_each_fails 2 "address 10.20.0.9 is given twice" \
		"create $c --net veth,ip=10.20.0.9/24 --net veth,ip=10.20.0.9/24"
	nctr "$ns" create "$a" --net veth,ip=10.20.0.7/24,ip=fd00:20::7/64
	# The same address in another spelling is the same address.
	expect_each_fails 6 "address fd00:20::7 already belongs to container '$a'" \
		"create $c --net veth,ip=fd00:20:0::7/64"
	expect_each_fails 6 "address 10.20.0.7 already belongs to container '$a'" "create $c --net veth,ip=10.20.0.7/16"
	run ctr list
	expect_not_contains "$output" "$c"
	[ ! -e "$T/lib/$c" ]
	nctr "$ns" destroy "$a"
}

@test "set --net replaces the interfaces at the next start; --net none is loopback only" {
	local ns c
	ns=$(test_netns)
	c=$(cname)
	nctr "$ns" create "$c" --net veth,bridge=br0,ip=10.20.0.7/24
	nctr "$ns" start "$c"
	nctr "$ns" set "$c" --net veth,bridge=br0,ip=10.20.0.17/24 --net veth,name=lan,bridge=br1,ip=10.21.0.17/24,mtu=1400
	# A running container keeps what it started with.
	run nctr "$ns" exec "$c" -- ip -o addr show eth0
	expect_contains "$output" "10.20.0.7/24"
	nctr "$ns" stop "$c"
	nctr "$ns" start "$c"
	run nctr "$ns" exec "$c" -- ip -o addr
	expect_contains "$output" "eth0    inet 10.20.0.17/24"
	expect_contains "$output" "lan    inet 10.21.0.17/24"
	run nctr "$ns" exec "$c" -- ip link show lan
	expect_contains "$output" "mtu 1400"
	expect_eq "$(host_ends "$ns" | wc -l)" 2 "two host ends"
	nctr "$ns" stop "$c"
	nctr "$ns" set "$c" --net none
	expect_eq "$(nctr "$ns" config "$c" | jget 'd["ctr"]["network"]')" '[]'
	nctr "$ns" start "$c"
	expect_eq "$(nctr "$ns" exec "$c" -- ls /sys/class/net | tr '\n' ' ')" "lo " "loopback only"
	nctr "$ns" destroy --force "$c"
}

@test "a start that fails after the interfaces exist leaves none of them" {
	local ns c
	ns=$(test_netns)
	c=$(cname)
	# The gateway is not on any of its networks: the default route fails,
	# after the veth pair was made.
	nctr "$ns" create "$c" --net veth,bridge=br0,ip=10.20.0.7/24,gw=10.99.0.1
	run --separate-stderr nctr "$ns" start "$c"
	expect_status 1
	expect_contains "$stderr" "default route via 10.99.0.1 on eth0"
	expect_eq "$(host_ends "$ns")" "" "host ends"
	expect_eq "$(cinfo "$c" 'd["state"]')" stopped
	expect_run_state_gone "$c"
	nctr "$ns" destroy "$c"
}

@test "macvlan on a host interface: two containers reach each other; an unknown parent is refused" {
	local ns a b c
	ns=$(test_netns)
	a=$(cname a)
	b=$(cname b)
	c=$(cname c)
	# The parent: one end of a veth pair (this kernel has no dummy driver).
	ip -n "$ns" link add dum0 type veth peer name dum1
	ip -n "$ns" link set dum0 up
	ip -n "$ns" link set dum1 up
	expect_each_fails 2 "macvlan needs parent=IF" "create $c --net macvlan,ip=10.30.0.9/24"
	run --separate-stderr nctr "$ns" create "$c" --net macvlan,parent=nosuch0,ip=10.30.0.9/24
	expect_status 3
	expect_contains "$stderr" "parent interface 'nosuch0' does not exist on this host"
	[ ! -e "$T/lib/$c" ]
	nctr "$ns" create "$a" --net macvlan,parent=dum0,ip=10.30.0.7/24,ip=fd00:30::7/64
	nctr "$ns" create "$b" --net macvlan,parent=dum0,name=lan0,ip=10.30.0.8/24
	nctr "$ns" start "$a"
	nctr "$ns" start "$b"
	# (busybox's ip has no -d: look with the host's, in init's namespace)
	run nsenter --net="/proc/$(cinfo "$a" 'd["pid"]')/ns/net" ip -d link show eth0
	expect_contains "$output" "macvlan mode bridge"
	nctr "$ns" exec "$a" -- ping -c1 -W2 10.30.0.8
	nctr "$ns" exec "$b" -- ping -c1 -W2 10.30.0.7
	# Nothing of theirs on the host but the parent.
	expect_eq "$(ip -n "$ns" -o link show | wc -l)" 3 "lo, dum0 and dum1"
	nctr "$ns" destroy --force "$a"
	nctr "$ns" destroy --force "$b"
}

@test "hostname, /etc/hosts and /etc/resolv.conf: written at start, the administrator's lines kept" {
	local ns c
	ns=$(test_netns)
	c=$(cname)
	expect_each_fails 2 "--dns '1.2.3.4.5': expected the IPv4 or IPv6 address of a nameserver" \
		"create $c --dns 1.2.3.4.5"
	expect_each_fails 2 "--search '-x': expected a domain name" "create $c --search -x"
	expect_each_fails 2 "at most 3 nameservers" "create $c --dns 10.0.0.1 --dns 10.0.0.2 --dns 10.0.0.3 --dns 10.0.0.4"
	nctr "$ns" create "$c" --hostname web.example --net veth,bridge=br0,ip=10.20.0.7/24,ip=fd00:20::7/64 \
		--dns 10.20.0.1 --dns fd00:20::1 --search example.com --search corp
	nctr "$ns" start "$c"
	expect_eq "$(nctr "$ns" exec "$c" -- cat /etc/hostname)" web.example
	run nctr "$ns" exec "$c" -- cat /etc/hosts
	expect_contains "$output" "127.0.0.1	localhost"
	expect_contains "$output" "127.0.1.1	web.example	# ctr"
	expect_contains "$output" "10.20.0.7	web.example	# ctr"
	expect_contains "$output" "fd00:20::7	web.example	# ctr"
	run nctr "$ns" exec "$c" -- cat /etc/resolv.conf
	expect_contains "$output" "nameserver 10.20.0.1
nameserver fd00:20::1
search example.com corp"
	# Owned by the container's root, inside.
	expect_eq "$(nctr "$ns" exec "$c" -- stat -c %u /etc/hosts)" 0
	nctr "$ns" exec "$c" -- sh -c 'echo "10.9.9.9	mine" >>/etc/hosts'
	nctr "$ns" stop "$c"
	nctr "$ns" set "$c" --hostname web2 --dns none --search none
	nctr "$ns" start "$c"
	run nctr "$ns" exec "$c" -- cat /etc/hosts
	expect_contains "$output" "10.9.9.9	mine"
	expect_contains "$output" "127.0.1.1	web2	# ctr"
	expect_not_contains "$output" "web.example"
	# No nameservers and no domains: resolv.conf is the container's own.
	run nctr "$ns" exec "$c" -- cat /etc/resolv.conf
	expect_contains "$output" "nameserver 10.20.0.1"
	nctr "$ns" destroy --force "$c"
}

# Two simulated hosts joined by an "uplink" veth (up1 in $1: 10.50.0.1,
# fd00:50::1; up2 in $2: .2, ::2); the first forwards.
uplink_hosts() {
	ip link add up1 netns "$1" type veth peer name up2 netns "$2"
	ip -n "$1" addr add 10.50.0.1/24 dev up1
	ip -n "$1" addr add fd00:50::1/64 dev up1 nodad
	ip -n "$2" addr add 10.50.0.2/24 dev up2
	ip -n "$2" addr add fd00:50::2/64 dev up2 nodad
	ip -n "$1" link set up1 up
	ip -n "$2" link set up2 up
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

@test "routed: a second host reaches the container through the first (proxy ARP/NDP); spoofing is dropped" {
	local h1 h2 c
	h1=$(test_netns a)
	h2=$(test_netns b)
	c=$(cname)
	uplink_hosts "$h1" "$h2"
	expect_each_fails 2 "a routed interface has no gw=" "create $c --net routed,ip=10.50.0.77/32,gw=10.50.0.1"
	run --separate-stderr nctr "$h1" create "$c" --net routed,uplink=nosuch,ip=10.50.0.77/32
	expect_status 3
	expect_contains "$stderr" "uplink interface 'nosuch' does not exist on this host"
	nctr "$h1" create "$c" --net routed,uplink=up1,ip=10.50.0.77/32,ip=fd00:50::77/128
	nctr "$h1" start "$c"
	run nctr "$h1" exec "$c" -- ip route
	expect_contains "$output" "default via 169.254.0.1 dev eth0 onlink"
	# The other host, in both families; and back.
	nsenter --net="/run/netns/$h2" busybox ping -c1 -W3 10.50.0.77
	nsenter --net="/run/netns/$h2" busybox ping6 -c1 -W3 fd00:50::77
	nctr "$h1" exec "$c" -- ping -c1 -W3 10.50.0.2
	# An address it was not given: packets from it do not get out.
	run nctr "$h1" exec "$c" -- sh -c 'ip addr add 10.50.0.99/32 dev eth0 && ping -I 10.50.0.99 -c1 -W2 10.50.0.2'
	expect_contains "$output" "0 packets received"
	run ip -n "$h1" neigh show proxy
	expect_contains "$output" "10.50.0.77 dev up1 proxy"
	nctr "$h1" stop "$c"
	# Stop removes the host routes and the proxy entries.
	expect_eq "$(ip -n "$h1" neigh show proxy)" "" "proxy entries"
	run ip -n "$h1" route
	expect_not_contains "$output" "10.50.0.77"
	run ip -n "$h1" -6 route
	expect_not_contains "$output" "fd00:50::77"
	nctr "$h1" destroy "$c"
}

# A counter of the ICMP echo requests a container's network stack received:
# proof that a packet arrived, or that it never did.
in_echos() {
	nctr "$1" exec "$2" -- cat /proc/net/snmp /proc/net/snmp6 |
		awk '/^Icmp:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i } else v4 = $c }
		     $1 == "Icmp6InEchos" { v6 = $2 } END { print v4 + v6 }'
}

@test "anti-spoofing: a foreign source address or MAC is dropped at the host end; filter=off lets it through" {
	local ns a b tables
	ns=$(test_netns)
	a=$(cname a)
	b=$(cname b)
	nctr "$ns" create "$a" --net veth,bridge=br0,ip=10.20.0.7/24,ip=fd00:20::7/64
	nctr "$ns" create "$b" --net veth,bridge=br0,ip=10.20.0.8/24,ip=fd00:20::8/64,filter=off
	nctr "$ns" start "$a"
	nctr "$ns" start "$b"
	# Its own addresses work, IPv6 link-local neighbour discovery included.
	nctr "$ns" exec "$a" -- ping -c1 -W2 10.20.0.8
	nctr "$ns" exec "$a" -- ping6 -c1 -W2 fd00:20::8
	local before after
	before=$(in_echos "$ns" "$b")
	# A foreign IPv4 and IPv6 address on its eth0, used as the source.
	nctr "$ns" exec "$a" -- ip addr add 10.20.0.99/24 dev eth0
	# (busybox ip has no nodad: wait out duplicate address detection, 3 s at most)
	nctr "$ns" exec "$a" -- sh -c 'ip addr add fd00:20::99/64 dev eth0 && for i in $(seq 30); do
		ip -6 addr show dev eth0 | grep -q tentative || exit 0; sleep 0.1; done; exit 1'
	run nctr "$ns" exec "$a" -- ping -c2 -W1 -I 10.20.0.99 10.20.0.8
	expect_contains "$output" "0 packets received"
	run nctr "$ns" exec "$a" -- ping6 -c2 -W1 -I fd00:20::99 fd00:20::8
	expect_contains "$output" "0 packets received"
	# A foreign MAC, even with its own address.
	nctr "$ns" exec "$a" -- ip link set eth0 address 02:00:00:00:00:99
	run nctr "$ns" exec "$a" -- ping -c2 -W1 10.20.0.8
	expect_contains "$output" "0 packets received"
	after=$(in_echos "$ns" "$b")
	expect_eq "$after" "$before" "echo requests that reached $b"
	# The rules sit in the host's nf_tables, one table for the container.
	tables=$(nsenter --net="/run/netns/$ns" nft list tables)
	expect_eq "$(grep -c '^table netdev ctr' <<<"$tables")" 1 "netdev tables: $tables"
	# The same from the unfiltered container reaches its peer (whose own
	# MAC is back, so that it may answer).
	nctr "$ns" exec "$a" -- ip link set eth0 address "$(nctr "$ns" config "$a" | jget 'd["ctr"]["network"][0]["mac"]')"
	before=$(in_echos "$ns" "$a")
	nctr "$ns" exec "$b" -- ip addr add 10.20.0.98/24 dev eth0
	nctr "$ns" exec "$b" -- ping -c1 -W2 -I 10.20.0.98 10.20.0.7
	after=$(in_echos "$ns" "$a")
	expect_eq "$after" "$((before + 1))" "echo requests that reached $a"
	nctr "$ns" stop "$a"
	nctr "$ns" stop "$b"
	expect_eq "$(nsenter --net="/run/netns/$ns" nft list tables)" "" "nf_tables after stop"
	nctr "$ns" destroy "$a"
	nctr "$ns" destroy "$b"
}

# Seconds*1000 that container $2 takes to fetch 2.5 MiB from $3's httpd.
fetch_ms() {
	local s e
	s=$(date +%s%N)
	nctr "$1" exec "$2" -- timeout 20 wget -q -O /dev/null "http://$3:8080/f" || return 1
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}

@test "rate=10mbit holds each way between two containers (wide tolerance); its ifb goes with the stop" {
	local ns a b ms
	ns=$(test_netns)
	a=$(cname a)
	b=$(cname b)
	nctr "$ns" create "$a" --net veth,bridge=br0,ip=10.20.0.7/24,rate=10mbit
	nctr "$ns" create "$b" --net veth,bridge=br0,ip=10.20.0.8/24
	expect_eq "$(nctr "$ns" config "$a" | jget 'd["ctr"]["network"][0]["rate"]')" 10000000 "stored in bit/s"
	nctr "$ns" start "$a"
	nctr "$ns" start "$b"
	for c in "$a" "$b"; do
		nctr "$ns" exec "$c" -- sh -c 'mkdir -p /srv && dd if=/dev/zero of=/srv/f bs=64k count=40 2>/dev/null &&
			httpd -p 8080 -h /srv'
	done
	# 2.5 MiB at 10 Mbit/s: 2.1 s. Unlimited, a veth moves it in ~30 ms.
	# Accepted: 1.3 s to 5 s (16 to 4 Mbit/s).
	ms=$(fetch_ms "$ns" "$a" 10.20.0.8)
	echo "into $a: $ms ms"
	[ "$ms" -ge 1300 ] && [ "$ms" -le 5000 ]
	ms=$(fetch_ms "$ns" "$b" 10.20.0.7)
	echo "out of $a: $ms ms"
	[ "$ms" -ge 1300 ] && [ "$ms" -le 5000 ]
	ms=$(fetch_ms "$ns" "$b" 10.20.0.8)
	echo "unlimited, $b from itself: $ms ms"
	expect_eq "$(host_ends "$ns" | grep -c 'i$')" 1 "the ifb of $a"
	nctr "$ns" stop "$a"
	expect_eq "$(host_ends "$ns" | grep -c 'i$')" 0 "ifb after stop"
	nctr "$ns" destroy "$a"
	nctr "$ns" destroy --force "$b"
}

@test "set --net on a running container: added and removed addresses apply at once, the rest at the next start" {
	local ns a b
	ns=$(test_netns)
	a=$(cname a)
	b=$(cname b)
	nctr "$ns" create "$a" --net veth,bridge=br0,ip=10.20.0.7/24
	nctr "$ns" create "$b" --net veth,bridge=br0,ip=10.20.0.8/24,ip=fd00:20::8/64
	nctr "$ns" start "$a"
	nctr "$ns" start "$b"
	# Added: inside at once, and the filter lets it send.
	run --separate-stderr nctr "$ns" set "$a" --net veth,bridge=br0,ip=10.20.0.7/24,ip=10.20.0.70/24
	expect_status 0
	expect_eq "$stderr" "" "no note: nothing waits for a start"
	run nctr "$ns" exec "$a" -- ip -o addr show eth0
	expect_contains "$output" "inet 10.20.0.70/24"
	nctr "$ns" exec "$a" -- ping -c1 -W2 -I 10.20.0.70 10.20.0.8
	nctr "$ns" exec "$b" -- ping -c1 -W2 10.20.0.70
	# Removed: gone inside, and no longer allowed as a source.
	nctr "$ns" set "$a" --net veth,bridge=br0,ip=10.20.0.70/24
	run nctr "$ns" exec "$a" -- ip -o addr show eth0
	expect_not_contains "$output" "10.20.0.7/24"
	nctr "$ns" exec "$a" -- ip addr add 10.20.0.7/24 dev eth0
	run nctr "$ns" exec "$a" -- ping -c1 -W1 -I 10.20.0.7 10.20.0.8
	expect_contains "$output" "0 packets received"
	# A new prefix length for the same address: still its own, still sent.
	nctr "$ns" set "$a" --net veth,bridge=br0,ip=10.20.0.70/16
	run nctr "$ns" exec "$a" -- ip -o addr show eth0
	expect_contains "$output" "inet 10.20.0.70/16"
	expect_not_contains "$output" "10.20.0.70/24"
	nctr "$ns" exec "$a" -- ping -c1 -W2 -I 10.20.0.70 10.20.0.8
	# The same for IPv6, where an interface holds one entry per address.
	nctr "$ns" set "$a" --net veth,bridge=br0,ip=10.20.0.70/16,ip=fd00:20::70/64
	nctr "$ns" set "$a" --net veth,bridge=br0,ip=10.20.0.70/16,ip=fd00:20::70/48
	run nctr "$ns" exec "$a" -- ip -o addr show eth0
	expect_contains "$output" "inet6 fd00:20::70/48"
	nctr "$ns" exec "$a" -- ping6 -c1 -W2 fd00:20::8
	# A limit the kernel refuses in the same command (8 MiB of shared
	# memory cannot be reclaimed below 4 MiB): neither changes.
	nctr "$ns" exec "$a" -- dd if=/dev/zero of=/dev/shm/fill bs=1M count=8
	run --separate-stderr nctr "$ns" set "$a" --memory 4M --net veth,bridge=br0,ip=10.20.0.70/16,ip=10.20.0.71/24
	expect_status 1
	run nctr "$ns" exec "$a" -- ip -o addr show eth0
	expect_not_contains "$output" "10.20.0.71"
	expect_not_contains "$(nctr "$ns" config "$a")" "10.20.0.71"
	nctr "$ns" exec "$a" -- rm /dev/shm/fill
	# An address of another container is refused while running too.
	expect_each_fails 6 "address 10.20.0.8 already belongs to container '$b'" \
		"set $a --net veth,bridge=br0,ip=10.20.0.70/16,ip=10.20.0.8/24"
	# Anything else waits for the next start, and says so.
	run --separate-stderr nctr "$ns" set "$a" --net veth,bridge=br0,ip=10.20.0.70/16,mtu=1400
	expect_status 0
	expect_contains "$stderr" "gets its new interfaces at its next start"
	run nctr "$ns" exec "$a" -- ip link show eth0
	expect_contains "$output" "mtu 1500"
	nctr "$ns" stop "$a"
	nctr "$ns" start "$a"
	run nctr "$ns" exec "$a" -- ip link show eth0
	expect_contains "$output" "mtu 1400"
	nctr "$ns" destroy --force "$a"
	nctr "$ns" destroy --force "$b"
}

@test "routed: an address added to a running container is routed and proxied at once; none is left after stop" {
	local h1 h2 c
	h1=$(test_netns a)
	h2=$(test_netns b)
	c=$(cname)
	uplink_hosts "$h1" "$h2"
	nctr "$h1" create "$c" --net routed,uplink=up1,ip=10.50.0.77/32
	nctr "$h1" start "$c"
	nctr "$h1" set "$c" --net routed,uplink=up1,ip=10.50.0.77/32,ip=10.50.0.78/32
	nsenter --net="/run/netns/$h2" busybox ping -c1 -W3 10.50.0.78
	run ip -n "$h1" neigh show proxy
	expect_contains "$output" "10.50.0.78 dev up1 proxy"
	nctr "$h1" set "$c" --net routed,uplink=up1,ip=10.50.0.78/32
	run ip -n "$h1" neigh show proxy
	expect_not_contains "$output" "10.50.0.77"
	run ip -n "$h1" route
	expect_not_contains "$output" "10.50.0.77"
	nctr "$h1" stop "$c"
	expect_eq "$(ip -n "$h1" neigh show proxy)" "" "proxy entries after stop"
	nctr "$h1" destroy "$c"
}
