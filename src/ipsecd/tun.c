/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TUN device and rtnetlink routing for ipsecd's plaintext side.  Requests
 * are built with struct wbuf; the kernel's answers (an NLMSG_ERROR per
 * request, since every request asks for an ACK) are read with struct rbuf.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fib_rules.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "tun.h"

static int
tun_ioctl_up(const char *name, unsigned mtu)
{
	struct ifreq ifr;
	int s, rc = -1, saved;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) == -1 ||
	    ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
		goto out;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1)
		goto out;
	rc = 0;
 out:
	saved = errno;
	close(s);
	errno = saved;
	return rc;
}

/* Decrypted packets leave the TUN with sources routed elsewhere. */
static void
tun_no_rp_filter(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter",
	    name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return;
	if (write(fd, "0", 1) != 1) {
		/* Not fatal: the host may already have it off. */
	}
	close(fd);
}

/*
 * The offloads a vnet-header TUN takes: the kernel may hand us packets
 * with their checksum to complete and TCP super-packets to segment.
 * ECN: a super-packet may carry CWR, which only its first segment keeps.
 */
static void
tun_offload(struct tun *t)
{
	unsigned long f = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
	    TUN_F_TSO_ECN;

	if (ioctl(t->tun_fd, TUNSETOFFLOAD, f) == 0)
		t->tun_offload = 1;
}

int
tun_open(struct tun *t, const char *name, unsigned mtu, int vnet)
{
	struct ifreq ifr;
	int saved;

	memset(t, 0, sizeof(*t));
	t->tun_fd = -1;
	if (strlen(name) >= sizeof(ifr.ifr_name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((t->tun_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(t->tun_fd, TUNSETIFF, &ifr) == -1 ||
	    tun_ioctl_up(ifr.ifr_name, mtu) == -1 ||
	    (t->tun_ifindex = (int)if_nametoindex(ifr.ifr_name)) == 0) {
		saved = errno;
		tun_close(t);
		errno = saved;
		return -1;
	}
	snprintf(t->tun_name, sizeof(t->tun_name), "%s", ifr.ifr_name);
	t->tun_mtu = mtu;
	t->tun_vnet = vnet;
	if (vnet)
		tun_offload(t);
	tun_no_rp_filter(t->tun_name);
	return 0;
}

void
tun_close(struct tun *t)
{
	if (t->tun_fd != -1)
		close(t->tun_fd);
	t->tun_fd = -1;
}

/* One rtattr: type, payload, padded to 4 bytes. */
static void
nl_attr(struct wbuf *wb, uint16_t type, const void *data, size_t len)
{
	wbuf_put_u16h(wb, (uint16_t)(4 + len));
	wbuf_put_u16h(wb, type);
	wbuf_put_bytes(wb, data, len);
	wbuf_pad(wb, 4);
}

static void
nl_attr_u32(struct wbuf *wb, uint16_t type, uint32_t v)
{
	nl_attr(wb, type, &v, sizeof(v));
}

/* Read the kernel's ACK for seq: 0, or -1 with errno set from it. */
static int
nl_ack(int s, uint32_t seq)
{
	uint8_t buf[8192];
	struct rbuf rb, msg;
	uint32_t len, mseq, err;
	uint16_t type;
	ssize_t n;

	for (;;) {
		if ((n = recv(s, buf, sizeof(buf), 0)) == -1)
			return -1;
		rbuf_init(&rb, buf, (size_t)n);
		while (rbuf_get_u32h(&rb, &len) == 0) {
			if (len < 16 || rbuf_sub(&rb, len - 4, &msg) == -1) {
				errno = EPROTO;
				return -1;
			}
			(void)rbuf_skip(&rb, ((len + 3) & ~3u) - len);
			if (rbuf_get_u16h(&msg, &type) == -1 ||
			    rbuf_skip(&msg, 2) == -1 ||
			    rbuf_get_u32h(&msg, &mseq) == -1 ||
			    rbuf_skip(&msg, 4) == -1)
				continue;
			if (type != NLMSG_ERROR || mseq != seq)
				continue;
			if (rbuf_get_u32h(&msg, &err) == -1) {
				errno = EPROTO;
				return -1;
			}
			if (err == 0)
				return 0;
			errno = -(int32_t)err;
			return -1;
		}
	}
}

/* Send one request (header patched here) and wait for its ACK. */
static int
nl_request(struct wbuf *wb)
{
	static uint32_t seq;
	struct sockaddr_nl sa;
	int s, rc = -1, saved;

	if (wbuf_failed(wb)) {
		errno = ENOBUFS;
		return -1;
	}
	(void)wbuf_set_u32h(wb, 0, (uint32_t)wbuf_len(wb));
	(void)wbuf_set_u32h(wb, 8, ++seq);
	if ((s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(s, wbuf_data(wb), wbuf_len(wb), 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1)
		goto out;
	rc = nl_ack(s, seq);
 out:
	saved = errno;
	close(s);
	errno = saved;
	return rc;
}

/* nlmsghdr with length and seq patched by nl_request(). */
static void
nl_header(struct wbuf *wb, uint16_t type, uint16_t flags)
{
	wbuf_put_u32h(wb, 0);
	wbuf_put_u16h(wb, type);
	wbuf_put_u16h(wb, (uint16_t)(flags | NLM_F_REQUEST | NLM_F_ACK));
	wbuf_put_u32h(wb, 0);
	wbuf_put_u32h(wb, 0);
}

static int
route_change(uint16_t type, uint16_t flags, uint32_t table,
    const struct addr *dst, int ifindex)
{
	uint8_t mem[256];
	struct wbuf wb;
	struct addr net = *dst;

	addr_apply_mask(&net);
	wbuf_init_fixed(&wb, mem, sizeof(mem));
	nl_header(&wb, type, flags);
	/* struct rtmsg */
	wbuf_put_u8(&wb, (uint8_t)net.a_af);
	wbuf_put_u8(&wb, net.a_plen);		/* dst_len */
	wbuf_put_u8(&wb, 0);			/* src_len */
	wbuf_put_u8(&wb, 0);			/* tos */
	wbuf_put_u8(&wb, table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC);
	wbuf_put_u8(&wb, RTPROT_STATIC);
	wbuf_put_u8(&wb, RT_SCOPE_LINK);
	wbuf_put_u8(&wb, RTN_UNICAST);
	wbuf_put_u32h(&wb, 0);			/* flags */
	nl_attr_u32(&wb, RTA_TABLE, table);
	nl_attr(&wb, RTA_DST, net.a_raw, addr_len(net.a_af));
	nl_attr_u32(&wb, RTA_OIF, (uint32_t)ifindex);
	return nl_request(&wb);
}

int
route_add(uint32_t table, const struct addr *dst, int ifindex)
{
	return route_change(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, table,
	    dst, ifindex);
}

int
route_del(uint32_t table, const struct addr *dst, int ifindex)
{
	return route_change(RTM_DELROUTE, 0, table, dst, ifindex);
}

static int
rule_change(uint16_t type, uint16_t flags, int af, uint32_t mark,
    uint32_t table, uint32_t prio)
{
	uint8_t mem[256];
	struct wbuf wb;

	wbuf_init_fixed(&wb, mem, sizeof(mem));
	nl_header(&wb, type, flags);
	/* struct fib_rule_hdr */
	wbuf_put_u8(&wb, (uint8_t)af);
	wbuf_put_u8(&wb, 0);			/* dst_len */
	wbuf_put_u8(&wb, 0);			/* src_len */
	wbuf_put_u8(&wb, 0);			/* tos */
	wbuf_put_u8(&wb, table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC);
	wbuf_put_u8(&wb, 0);			/* res1 */
	wbuf_put_u8(&wb, 0);			/* res2 */
	wbuf_put_u8(&wb, FR_ACT_TO_TBL);
	wbuf_put_u32h(&wb, FIB_RULE_INVERT);	/* "not fwmark" */
	nl_attr_u32(&wb, FRA_TABLE, table);
	nl_attr_u32(&wb, FRA_PRIORITY, prio);
	nl_attr_u32(&wb, FRA_FWMARK, mark);
	nl_attr_u32(&wb, FRA_FWMASK, 0xffffffff);
	return nl_request(&wb);
}

int
route_rule_add(int af, uint32_t mark, uint32_t table, uint32_t prio)
{
	return rule_change(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, af, mark,
	    table, prio);
}

int
route_rule_del(int af, uint32_t mark, uint32_t table, uint32_t prio)
{
	return rule_change(RTM_DELRULE, 0, af, mark, table, prio);
}
