/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for src/ipsecd/spd.c: af_key's policy checks and their
 * errno, normalised requests (default -> require, unique reqids), ids
 * that carry the direction, SPDUPDATE keeping the id, spd_match()'s
 * priorities, prefixes, ports and protocols, and use-time lifetimes;
 * and the indexes against a walk of every policy on random policy sets.
 */
#include <stdio.h>
#include <errno.h>
#include <string.h>

#include <netinet/in.h>

#include <event2/event.h>

#include "buf.h"
#include "pfkey.h"
#include "spd.h"
#include "test_helper.h"

static struct addr
A(const char *s)
{
	struct addr a;
	const char *why;

	if (addr_parse(s, ADDR_PORT | ADDR_PREFIX, &a, &why) == -1)
		test_fail(__FILE__, __LINE__, "%s: %s", s, why);
	return a;
}

static int
policy(const char *src, const char *dst, uint8_t proto, uint8_t dir,
    uint16_t type, uint8_t level, uint8_t rqproto, uint32_t prio,
    int update, struct spd_policy **out)
{
	static uint8_t mem[512];
	struct pfkey_hdr h = { PF_KEY_V2, SADB_X_SPDADD, 0, 0, 0, 0, 1, 1 };
	struct pfkey_address s = { proto, A(src) }, d = { proto, A(dst) };
	struct pfkey_policy pp;
	struct pfkey_msg msg;
	struct spd_policy *sp;
	struct wbuf wb;
	const char *why;
	int error;

	memset(&pp, 0, sizeof(pp));
	pp.pp_type = type;
	pp.pp_dir = dir;
	pp.pp_priority = prio;
	pp.pp_nreq = type == IPSEC_POLICY_IPSEC;
	pp.pp_req[0].pq_proto = rqproto;
	pp.pp_req[0].pq_mode = IPSEC_MODE_TRANSPORT;
	pp.pp_req[0].pq_level = level;
	wbuf_init_fixed(&wb, mem, sizeof(mem));
	pfkey_build_hdr(&wb, &h);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_SRC, &s);
	pfkey_put_address(&wb, SADB_EXT_ADDRESS_DST, &d);
	pfkey_put_policy(&wb, &pp);
	ASSERT_INT_EQ(pfkey_build_end(&wb), 0);
	ASSERT_INT_EQ(pfkey_parse(&msg, mem, wbuf_len(&wb)), 0);
	if ((error = spd_from_msg(&msg, &sp, &why)) != 0)
		return error;
	return spd_add(sp, update, out, &why);
}

static void
t_add(void)
{
	struct spd_policy *a, *b, *c;

	ASSERT_INT_EQ(policy("10.0.0.0/24", "10.1.0.0/24", 255,
	    IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, IPSEC_LEVEL_DEFAULT,
	    IPPROTO_ESP, 0, 0, &a), 0);
	ASSERT_INT_EQ(a->sp_id & 7, IPSEC_DIR_OUTBOUND - 1);
	ASSERT_INT_EQ(a->sp_req[0].pq_level, IPSEC_LEVEL_REQUIRE);
	ASSERT_INT_EQ(policy("10.0.0.0/24", "10.1.0.0/24", 255,
	    IPSEC_DIR_OUTBOUND, IPSEC_POLICY_NONE, 0, 0, 0, 0, &b), EEXIST);
	/* Same selector, other direction: another policy. */
	ASSERT_INT_EQ(policy("10.0.0.0/24", "10.1.0.0/24", 255,
	    IPSEC_DIR_INBOUND, IPSEC_POLICY_IPSEC, IPSEC_LEVEL_UNIQUE,
	    IPPROTO_AH, 0, 0, &b), 0);
	ASSERT_INT_EQ(b->sp_id & 7, 0);
	ASSERT_TRUE(b->sp_req[0].pq_reqid > IPSEC_MANUAL_REQID_MAX);
	/* SPDUPDATE replaces and keeps the id. */
	ASSERT_INT_EQ(policy("10.0.0.0/24", "10.1.0.0/24", 255,
	    IPSEC_DIR_OUTBOUND, IPSEC_POLICY_DISCARD, 0, 0, 0, 1, &c), 0);
	ASSERT_INT_EQ(c->sp_type, IPSEC_POLICY_DISCARD);
	ASSERT_PTR_EQ(spd_lookup_id(c->sp_id), c);
	ASSERT_INT_EQ(spd_count(), 2);
	/* IPComp, bad direction, entrust: EINVAL. */
	ASSERT_INT_EQ(policy("10.2.0.0/24", "10.3.0.0/24", 255, 2,
	    IPSEC_POLICY_IPSEC, 2, IPPROTO_COMP, 0, 0, &c), EINVAL);
	ASSERT_INT_EQ(policy("10.2.0.0/24", "10.3.0.0/24", 255, 4,
	    IPSEC_POLICY_NONE, 0, 0, 0, 0, &c), EINVAL);
	ASSERT_INT_EQ(policy("10.2.0.0/24", "10.3.0.0/24", 255, 2,
	    IPSEC_POLICY_ENTRUST, 0, 0, 0, 0, &c), EINVAL);
	ASSERT_INT_EQ(spd_flush(), 2);
}

static void
t_match(void)
{
	struct spd_policy *wide, *narrow, *tcp;
	struct addr src = A("10.0.0.5[1234]"), dst = A("10.1.0.9[80]");

	ASSERT_INT_EQ(policy("10.0.0.0/8", "10.0.0.0/8", 255, 2,
	    IPSEC_POLICY_NONE, 0, 0, 100, 0, &wide), 0);
	ASSERT_INT_EQ(policy("10.0.0.0/24", "10.1.0.0/24", 255, 2,
	    IPSEC_POLICY_IPSEC, 2, IPPROTO_ESP, 50, 0, &narrow), 0);
	ASSERT_INT_EQ(policy("10.0.0.0/24", "10.1.0.0/24[80]", IPPROTO_TCP, 2,
	    IPSEC_POLICY_DISCARD, 0, 0, 10, 0, &tcp), 0);
	ASSERT_PTR_EQ(spd_match(2, &src, &dst, IPPROTO_TCP), tcp);
	ASSERT_PTR_EQ(spd_match(2, &src, &dst, IPPROTO_UDP), narrow);
	dst.a_port = 443;
	ASSERT_PTR_EQ(spd_match(2, &src, &dst, IPPROTO_TCP), narrow);
	dst = A("10.9.0.1");
	ASSERT_PTR_EQ(spd_match(2, &src, &dst, IPPROTO_TCP), wide);
	ASSERT_PTR_EQ(spd_match(1, &src, &dst, IPPROTO_TCP), NULL);
	dst = A("192.0.2.1");
	ASSERT_PTR_EQ(spd_match(2, &src, &dst, IPPROTO_TCP), NULL);
	ASSERT_INT_EQ(spd_flush(), 3);
}

static uint32_t rnd_state = 2463534242u;

/* xorshift32: the same random sets on every run. */
static uint32_t
rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

/* A random address of a small pool, so that selectors overlap. */
static void
rnd_addr(char *buf, size_t len, int v6, int prefix)
{
	static const char *const plen4[] = { "/32", "/32", "/30", "/29",
	    "/24", "/0" };
	static const char *const plen6[] = { "/128", "/128", "/126",
	    "/125", "/64", "/0" };
	static const char *const port[] = { "", "", "[500]", "[501]" };
	unsigned host = rnd(8);
	const char *pl = v6 ? plen6[rnd(6)] : plen4[rnd(6)];

	if (!prefix)
		pl = "";
	if (v6)
		(void)snprintf(buf, len, "2001:db8::%u%s%s", host, pl,
		    port[rnd(4)]);
	else
		(void)snprintf(buf, len, "10.0.0.%u%s%s", host, pl,
		    port[rnd(4)]);
}

/* What spd_match answered before the indexes: a walk of every policy. */
static struct spd_policy *
match_linear(uint8_t dir, const struct addr *src, const struct addr *dst,
    uint8_t proto)
{
	struct spd_policy *sp, *best = NULL;

	for (sp = spd_next(NULL); sp != NULL; sp = spd_next(sp)) {
		if (sp->sp_dir != dir ||
		    sp->sp_sel.sl_src.a_af != src->a_af ||
		    !addr_in_prefix(&sp->sp_sel.sl_src, src) ||
		    !addr_in_prefix(&sp->sp_sel.sl_dst, dst) ||
		    (sp->sp_sel.sl_proto != IPSEC_ULPROTO_ANY &&
		    sp->sp_sel.sl_proto != proto))
			continue;
		if (best == NULL || sp->sp_priority < best->sp_priority)
			best = sp;
	}
	return best;
}

/*
 * Random sets of host-pair and wider policies, with updates (which keep
 * a policy's place) and deletions: spd_match, spd_lookup_sel and
 * spd_lookup_id answer what walking the whole list answers.
 */
static void
t_index_random(void)
{
	static const uint8_t protos[] = { 255, 255, IPPROTO_TCP, IPPROTO_UDP };
	struct spd_policy *sp, *got, *want;
	struct addr src, dst;
	char s[64], d[64];
	struct {
		char	s[64], d[64];
		uint8_t	proto, dir;
	} hist[64];
	int round, i, v6, update, found = 0, upd = 0;
	size_t n;
	uint32_t k;

	memset(hist, 0, sizeof(hist));
	for (round = 0; round < 30; round++) {
		for (i = 0; i < 150; i++) {
			k = rnd(64);
			/* A third of them update a selector added earlier. */
			update = i > 0 && rnd(3) == 0;
			if (!update) {
				v6 = rnd(4) == 0;
				rnd_addr(hist[k].s, sizeof(hist[k].s), v6, 1);
				rnd_addr(hist[k].d, sizeof(hist[k].d), v6, 1);
				hist[k].proto = protos[rnd(4)];
				hist[k].dir = 1 + rnd(3);
			} else if (hist[k].dir == 0)
				continue;
			n = spd_count();
			if (policy(hist[k].s, hist[k].d, hist[k].proto,
			    hist[k].dir, IPSEC_POLICY_NONE, 0, 0, rnd(3),
			    update, &sp) == 0 && spd_count() == n)
				upd++;
			if (rnd(5) == 0 && (sp = spd_next(NULL)) != NULL) {
				k = rnd((uint32_t)spd_count());
				while (k-- > 0)
					sp = spd_next(sp);
				ASSERT_PTR_EQ(spd_lookup_id(sp->sp_id), sp);
				spd_delete(sp);
			}
		}
		for (sp = spd_next(NULL); sp != NULL; sp = spd_next(sp)) {
			ASSERT_PTR_EQ(spd_lookup_id(sp->sp_id), sp);
			ASSERT_PTR_EQ(spd_lookup_sel(sp->sp_dir, &sp->sp_sel),
			    sp);
		}
		for (i = 0; i < 2000; i++) {
			uint8_t dir = 1 + rnd(3), proto = protos[rnd(4)];

			v6 = rnd(4) == 0;
			rnd_addr(s, sizeof(s), v6, 0);
			rnd_addr(d, sizeof(d), v6, 0);
			src = A(s);
			dst = A(d);
			if (rnd(50) == 0)
				dst = A(v6 ? "10.0.0.1" : "2001:db8::1");
			want = match_linear(dir, &src, &dst, proto);
			got = spd_match(dir, &src, &dst, proto);
			if (got != want)
				test_fail(__FILE__, __LINE__, "round %d: %s -> "
				    "%s dir %u proto %u: policy %u, not %u",
				    round, s, d, dir, proto,
				    got ? got->sp_id : 0,
				    want ? want->sp_id : 0);
			found += want != NULL;
		}
		if (round % 3 == 2)
			(void)spd_flush();
	}
	(void)spd_flush();
	/* The sets were not trivial: matches, and updates in place. */
	ASSERT_TRUE(found > 10000);
	ASSERT_TRUE(upd > 500);
}

/* A hard use-time lifetime starts at the datapath's first use. */
static void
t_lifetime(void)
{
	struct event_base *base = event_base_new();
	struct timeval tv = { 1, 500000 };
	struct spd_policy *sp, *keep;

	ASSERT_PTR_NE(base, NULL);
	spd_init(base);
	ASSERT_INT_EQ(policy("10.0.0.0/24", "10.1.0.0/24", 255, 2,
	    IPSEC_POLICY_NONE, 0, 0, 0, 0, &sp), 0);
	ASSERT_INT_EQ(policy("10.2.0.0/24", "10.3.0.0/24", 255, 2,
	    IPSEC_POLICY_NONE, 0, 0, 0, 0, &keep), 0);
	sp->sp_hard.pl_usetime = 1;
	keep->sp_hard.pl_usetime = 1;
	spd_used(sp);
	ASSERT_TRUE(sp->sp_cur.pl_usetime != 0);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	ASSERT_INT_EQ(spd_count(), 1);
	ASSERT_PTR_EQ(spd_next(NULL), keep);
	ASSERT_INT_EQ(spd_flush(), 1);
	spd_init(NULL);
	event_base_free(base);
}

int
main(void)
{
	TEST_RUN(t_add);
	TEST_RUN(t_match);
	TEST_RUN(t_lifetime);
	TEST_RUN(t_index_random);
	return test_done();
}
