/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What setkey prints of the kernel's messages, in ipsec-tools' layout so
 * that scripts reading it keep working: SAs for -D and get (libipsec's
 * pfkey_sadump), policies for -DP (pfkey_spdump, ipsec_dump_policy), and
 * every field of any message for -x and -v (kdebug_sadb).  Messages come
 * parsed by the codec (pfkey.h), so every extension here has decoded.
 */
#include <netinet/in.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "dump.h"
#include "pfkey.h"

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6	58
#endif
#ifndef IPPROTO_MH
#define IPPROTO_MH	135
#endif

/* libipsec's ipsec_hexdump: a space every 4 bytes, a newline every 32. */
static void
dump_hex(FILE *fp, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i != 0 && i % 32 == 0)
			fputc('\n', fp);
		if (i % 4 == 0)
			fputc(' ', fp);
		fprintf(fp, "%02x", p[i]);
	}
}

/* "Nov 28 21:11:17 2026", or 20 blanks for never (libipsec str_time). */
static const char *
dump_time(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%b %e %H:%M:%S %Y", &tm) == 0)
		snprintf(buf, len, "%20s", "");
	return buf;
}

static void
dump_algname(FILE *fp, enum alg_kind kind, unsigned id)
{
	const struct alg *a = alg_by_sadb(kind, (int)id);

	if (id == 0)
		fputs("none ", fp);
	else if (a != NULL)
		fprintf(fp, "%s ", a->alg_name);
	else
		fprintf(fp, "%u ", id);
}

static void
dump_lifetimes(FILE *fp, const struct pfkey_msg *m, time_t now)
{
	struct pfkey_lifetime c, h, s;
	char t1[32], t2[32];

	memset(&h, 0, sizeof(h));
	memset(&s, 0, sizeof(s));
	if (pfkey_get_lifetime(m, SADB_EXT_LIFETIME_CURRENT, &c) != 0)
		return;
	(void)pfkey_get_lifetime(m, SADB_EXT_LIFETIME_HARD, &h);
	(void)pfkey_get_lifetime(m, SADB_EXT_LIFETIME_SOFT, &s);
	fprintf(fp, "\tcreated: %s\tcurrent: %s\n",
	    dump_time(c.pl_addtime, t1, sizeof(t1)),
	    dump_time((uint64_t)now, t2, sizeof(t2)));
	fprintf(fp, "\tdiff: %llu(s)\thard: %llu(s)\tsoft: %llu(s)\n",
	    c.pl_addtime == 0 || (uint64_t)now < c.pl_addtime ? 0ULL :
	    (unsigned long long)((uint64_t)now - c.pl_addtime),
	    (unsigned long long)h.pl_addtime,
	    (unsigned long long)s.pl_addtime);
	fprintf(fp, "\tlast: %s\thard: %llu(s)\tsoft: %llu(s)\n",
	    dump_time(c.pl_usetime, t1, sizeof(t1)),
	    (unsigned long long)h.pl_usetime,
	    (unsigned long long)s.pl_usetime);
	fprintf(fp, "\tcurrent: %llu(bytes)\thard: %llu(bytes)\t"
	    "soft: %llu(bytes)\n", (unsigned long long)c.pl_bytes,
	    (unsigned long long)h.pl_bytes, (unsigned long long)s.pl_bytes);
	fprintf(fp, "\tallocated: %u\thard: %u\tsoft: %u\n",
	    c.pl_allocations, h.pl_allocations, s.pl_allocations);
}

static void
dump_sa_addr(FILE *fp, const struct addr *a, int withports, int natt,
    uint16_t nattport)
{
	char buf[ADDR_STRLEN];

	fputs(addr_ntop(a, buf, sizeof(buf)), fp);
	if (withports)
		fprintf(fp, "[%u]", a->a_port);
	if (natt)
		fprintf(fp, "[%u]", nattport);
	fputc(' ', fp);
}

static void
dump_sa_keys(FILE *fp, const struct pfkey_msg *m, const struct pfkey_sa *sa)
{
	struct pfkey_key k;
	uint8_t satype = m->pm_hdr.ph_satype;

	if (satype == SADB_X_SATYPE_IPCOMP) {
		/* No newline, as libipsec: the seq= line follows on it. */
		fputs("\tC: ", fp);
		dump_algname(fp, ALG_COMP, sa->ps_encrypt);
	} else if (satype == SADB_SATYPE_ESP &&
	    pfkey_get_key(m, SADB_EXT_KEY_ENCRYPT, &k) == 0) {
		fputs("\tE: ", fp);
		dump_algname(fp, ALG_ENC, sa->ps_encrypt);
		dump_hex(fp, k.pk_data, k.pk_bits / 8);
		fputc('\n', fp);
	}
	if (pfkey_get_key(m, SADB_EXT_KEY_AUTH, &k) == 0) {
		fputs("\tA: ", fp);
		dump_algname(fp, ALG_AUTH, sa->ps_auth);
		dump_hex(fp, k.pk_data, k.pk_bits / 8);
		fputc('\n', fp);
	}
}

void
dump_sa(FILE *fp, const struct pfkey_msg *m, int withports, time_t now)
{
	struct pfkey_address src, dst, oa;
	struct pfkey_sa sa;
	struct pfkey_sa2 sa2;
	uint16_t sport = 0, dport = 0;
	uint8_t ntype = 0;
	int natt;
	char buf[ADDR_STRLEN];

	if (pfkey_get_address(m, SADB_EXT_ADDRESS_SRC, &src) != 0) {
		fputs("no ADDRESS_SRC extension.\n", fp);
		return;
	}
	if (pfkey_get_address(m, SADB_EXT_ADDRESS_DST, &dst) != 0) {
		fputs("no ADDRESS_DST extension.\n", fp);
		return;
	}
	natt = pfkey_get_nat_t_type(m, &ntype) == 0 && ntype != 0;
	(void)pfkey_get_nat_t_port(m, SADB_X_EXT_NAT_T_SPORT, &sport);
	(void)pfkey_get_nat_t_port(m, SADB_X_EXT_NAT_T_DPORT, &dport);
	dump_sa_addr(fp, &src.pa_addr, withports, natt, sport);
	dump_sa_addr(fp, &dst.pa_addr, withports, natt, dport);
	if (pfkey_get_sa(m, &sa) != 0) {
		fputs("no SA extension.\n", fp);
		return;
	}
	if (pfkey_get_sa2(m, &sa2) != 0) {
		fputs("no SA2 extension.\n", fp);
		return;
	}
	fputs("\n\t", fp);
	if (natt && m->pm_hdr.ph_satype == SADB_SATYPE_ESP)
		fputs("esp-udp ", fp);
	else
		fprintf(fp, "%s%s ", natt ? "natt+" : "",
		    cmd_satype_name(m->pm_hdr.ph_satype));
	fprintf(fp, "mode=%s spi=%u(0x%08x) reqid=%u(0x%08x)\n",
	    pfkey_mode_name(sa2.p2_mode), sa.ps_spi, sa.ps_spi,
	    sa2.p2_reqid, sa2.p2_reqid);
	if (natt && pfkey_get_address(m, SADB_X_EXT_NAT_T_OA, &oa) == 0)
		fprintf(fp, "\tNAT OA=%s\n", addr_ntop(&oa.pa_addr, buf,
		    sizeof(buf)));
	dump_sa_keys(fp, m, &sa);
	fprintf(fp, "\tseq=0x%08x replay=%u flags=0x%08x state=%s\n",
	    sa2.p2_sequence, sa.ps_replay, sa.ps_flags,
	    pfkey_sastate_name(sa.ps_state));
	dump_lifetimes(fp, m, now);
	fprintf(fp, "\tsadb_seq=%u pid=%u refcnt=%u\n", m->pm_hdr.ph_seq,
	    m->pm_hdr.ph_pid, m->pm_hdr.ph_reserved);
}

/* "/prefix[port]" after a selector address (libipsec str_prefport). */
static void
dump_sp_addr(FILE *fp, const struct pfkey_address *pa, uint8_t ulproto)
{
	char buf[ADDR_STRLEN];
	const struct addr *a = &pa->pa_addr;

	fputs(addr_ntop(a, buf, sizeof(buf)), fp);
	if (a->a_plen != addr_maxplen(a->a_af))
		fprintf(fp, "/%u", a->a_plen);
	switch (ulproto) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
	case IPPROTO_MH:
	case IPPROTO_GRE:
		break;
	default:
		if (a->a_port == IPSEC_PORT_ANY)
			fputs("[any]", fp);
		else
			fprintf(fp, "[%u]", a->a_port);
	}
	fputc(' ', fp);
}

static void
dump_sp_upper(FILE *fp, uint8_t ulp, uint16_t sport, uint16_t dport)
{
	char name[32];

	cmd_ulproto_name(ulp, name, sizeof(name));
	fputs(name, fp);
	if (sport == IPSEC_PORT_ANY && dport == IPSEC_PORT_ANY)
		return;
	switch (ulp) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
	case IPPROTO_MH:
		fprintf(fp, " %u,%u", sport, dport);
		break;
	case IPPROTO_GRE:
		fprintf(fp, " %u", ((unsigned)sport << 16) + dport);
		break;
	}
}

static void
dump_sp_req(FILE *fp, const struct pfkey_ipsecreq *r, int withports)
{
	char s[ADDR_STRLEN], d[ADDR_STRLEN];
	uint8_t satype = pfkey_proto2satype(r->pq_proto);

	fprintf(fp, "\n\t%s/%s/", satype != 0 ? pfkey_satype_name(satype) :
	    "unknown", pfkey_mode_name(r->pq_mode));
	if (r->pq_src.a_af != AF_UNSPEC) {
		addr_ntop(&r->pq_src, s, sizeof(s));
		addr_ntop(&r->pq_dst, d, sizeof(d));
		if (withports)
			fprintf(fp, "%s[%u]-%s[%u]", s, r->pq_src.a_port, d,
			    r->pq_dst.a_port);
		else
			fprintf(fp, "%s-%s", s, d);
	}
	fprintf(fp, "/%s", pfkey_level_name(r->pq_level));
	if (r->pq_reqid != 0)
		fprintf(fp, "%c%u", r->pq_reqid > IPSEC_MANUAL_REQID_MAX ?
		    '#' : ':', r->pq_reqid);
}

void
dump_sp(FILE *fp, const struct pfkey_msg *m, int withports)
{
	struct pfkey_address src, dst;
	struct pfkey_policy pol;
	struct pfkey_lifetime lt;
	char prio[48], t1[32], t2[32];
	size_t i;

	if (pfkey_get_address(m, SADB_EXT_ADDRESS_SRC, &src) == 0 &&
	    pfkey_get_address(m, SADB_EXT_ADDRESS_DST, &dst) == 0) {
		dump_sp_addr(fp, &src, src.pa_proto);
		dump_sp_addr(fp, &dst, src.pa_proto);
		if (src.pa_proto != dst.pa_proto) {
			fputs("upper layer protocol mismatched.\n", fp);
			return;
		}
		dump_sp_upper(fp, src.pa_proto, src.pa_addr.a_port,
		    dst.pa_addr.a_port);
	} else
		fputs("(no selector, probably per-socket policy) ", fp);
	if (pfkey_get_policy(m, &pol) != 0) {
		fputs("no X_POLICY extension.\n", fp);
		return;
	}
	cmd_prio_fmt(pol.pp_priority, prio, sizeof(prio));
	fprintf(fp, "\n\t%s%s%s %s", pfkey_dir_name(pol.pp_dir),
	    prio[0] != '\0' ? " " : "", prio, pfkey_policy_name(pol.pp_type));
	if (pol.pp_type == IPSEC_POLICY_IPSEC)
		for (i = 0; i < pol.pp_nreq; i++)
			dump_sp_req(fp, &pol.pp_req[i], withports);
	fputc('\n', fp);
	if (pfkey_get_lifetime(m, SADB_EXT_LIFETIME_CURRENT, &lt) == 0)
		fprintf(fp, "\tcreated: %s  lastused: %s\n",
		    dump_time(lt.pl_addtime, t1, sizeof(t1)),
		    dump_time(lt.pl_usetime, t2, sizeof(t2)));
	if (pfkey_get_lifetime(m, SADB_EXT_LIFETIME_HARD, &lt) == 0)
		fprintf(fp, "\tlifetime: %llu(s) validtime: %llu(s)\n",
		    (unsigned long long)lt.pl_addtime,
		    (unsigned long long)lt.pl_usetime);
	fprintf(fp, "\tspid=%u seq=%u pid=%u\n", pol.pp_id, m->pm_hdr.ph_seq,
	    m->pm_hdr.ph_pid);
	fprintf(fp, "\trefcnt=%u\n", m->pm_hdr.ph_reserved);
}

/* kdebug_sockaddr: family, port, then the address bytes in hex. */
static void
dump_kd_sockaddr(FILE *fp, const struct addr *a)
{
	fprintf(fp, "sockaddr{ len=%u family=%u port=%u\n",
	    a->a_af == AF_INET6 ? 28 : 16, a->a_af, a->a_port);
	if (a->a_af == AF_INET6)
		fputs("  flowinfo=0x00000000, scope_id=0x00000000\n", fp);
	dump_hex(fp, a->a_raw, addr_len(a->a_af));
	fputs("  }\n", fp);
}

static void
dump_kd_policy(FILE *fp, const struct pfkey_msg *m)
{
	struct pfkey_policy p;
	size_t i, len;

	if (pfkey_get_policy(m, &p) != 0)
		return;
	fprintf(fp, "sadb_x_policy{ type=%u dir=%u id=%x priority=%u }\n",
	    p.pp_type, p.pp_dir, p.pp_id, p.pp_priority);
	for (i = 0; i < p.pp_nreq; i++) {
		const struct pfkey_ipsecreq *r = &p.pp_req[i];

		len = PFKEY_IPSECREQ_LEN;
		if (r->pq_src.a_af != AF_UNSPEC)
			len += 2 * (r->pq_src.a_af == AF_INET6 ? 28 : 16);
		fprintf(fp, " { len=%zu proto=%u mode=%u level=%u reqid=%u\n",
		    len, r->pq_proto, r->pq_mode, r->pq_level, r->pq_reqid);
		if (r->pq_src.a_af != AF_UNSPEC) {
			dump_kd_sockaddr(fp, &r->pq_src);
			dump_kd_sockaddr(fp, &r->pq_dst);
		}
		fputs(" }\n", fp);
	}
}

static void
dump_kd_supported(FILE *fp, const struct pfkey_msg *m, unsigned t)
{
	struct pfkey_alg algs[PFKEY_MAX_ALGS];
	size_t i, n;

	if (pfkey_get_supported(m, t, algs, PFKEY_MAX_ALGS, &n) != 0)
		return;
	fputs("sadb_sup{\n", fp);
	for (i = 0; i < n && i < PFKEY_MAX_ALGS; i++)
		fprintf(fp, "  { id=%d ivlen=%d min=%d max=%d }\n",
		    algs[i].pg_id, algs[i].pg_ivlen, algs[i].pg_minbits,
		    algs[i].pg_maxbits);
	fputs("}\n", fp);
}

/* One extension's fields, as kdebug_sadb's helpers print them. */
static void
dump_kd_ext(FILE *fp, const struct pfkey_msg *m, unsigned t)
{
	struct pfkey_sa sa;
	struct pfkey_sa2 sa2;
	struct pfkey_lifetime lt;
	struct pfkey_address pa;
	struct pfkey_key k;
	uint16_t port;
	uint8_t ntype;

	switch (t) {
	case SADB_EXT_SA:
		if (pfkey_get_sa(m, &sa) == 0)
			fprintf(fp, "sadb_sa{ spi=%u replay=%u state=%u\n"
			    "  auth=%u encrypt=%u flags=0x%08x }\n", sa.ps_spi,
			    sa.ps_replay, sa.ps_state, sa.ps_auth,
			    sa.ps_encrypt, sa.ps_flags);
		break;
	case SADB_EXT_LIFETIME_CURRENT:
	case SADB_EXT_LIFETIME_HARD:
	case SADB_EXT_LIFETIME_SOFT:
		if (pfkey_get_lifetime(m, t, &lt) == 0)
			fprintf(fp, "sadb_lifetime{ alloc=%u, bytes=%u\n"
			    "  addtime=%u, usetime=%u }\n", lt.pl_allocations,
			    (uint32_t)lt.pl_bytes, (uint32_t)lt.pl_addtime,
			    (uint32_t)lt.pl_usetime);
		break;
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		if (pfkey_get_address(m, t, &pa) == 0) {
			fprintf(fp, "sadb_address{ proto=%u prefixlen=%u "
			    "reserved=0x0000 }\n", pa.pa_proto,
			    pa.pa_addr.a_plen);
			dump_kd_sockaddr(fp, &pa.pa_addr);
		}
		break;
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		if (pfkey_get_key(m, t, &k) == 0) {
			fprintf(fp, "sadb_key{ bits=%u reserved=0\n  key=",
			    k.pk_bits);
			dump_hex(fp, k.pk_data, k.pk_bits / 8);
			fputs(" }\n", fp);
		}
		break;
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT:
		dump_kd_supported(fp, m, t);
		break;
	case SADB_X_EXT_POLICY:
		dump_kd_policy(fp, m);
		break;
	case SADB_X_EXT_SA2:
		if (pfkey_get_sa2(m, &sa2) == 0)
			fprintf(fp, "sadb_x_sa2{ mode=%u reqid=%u\n"
			    "  reserved1=0 reserved2=0 sequence=%u }\n",
			    sa2.p2_mode, sa2.p2_reqid, sa2.p2_sequence);
		break;
	case SADB_X_EXT_NAT_T_TYPE:
		if (pfkey_get_nat_t_type(m, &ntype) == 0)
			fprintf(fp, "sadb_x_nat_t_type{ type=%u }\n", ntype);
		break;
	case SADB_X_EXT_NAT_T_SPORT:
	case SADB_X_EXT_NAT_T_DPORT:
		if (pfkey_get_nat_t_port(m, t, &port) == 0)
			fprintf(fp, "sadb_x_nat_t_port{ port=%u }\n", port);
		break;
	default:
		break;
	}
}

void
dump_kdebug(FILE *fp, const struct pfkey_msg *m)
{
	const struct pfkey_hdr *h = &m->pm_hdr;
	uint16_t len, type;
	unsigned t;

	fprintf(fp, "sadb_msg{ version=%u type=%u errno=%u satype=%u\n",
	    h->ph_version, h->ph_type, h->ph_errno, h->ph_satype);
	fprintf(fp, "  len=%u reserved=%u seq=%u pid=%u\n", h->ph_len,
	    h->ph_reserved, h->ph_seq, h->ph_pid);
	/* By type, not in wire order: the codec keeps one view per type. */
	for (t = 1; t <= SADB_EXT_MAX; t++) {
		if (!pfkey_has(m, t) ||
		    rbuf_peek_u16h(&m->pm_ext[t], 0, &len) == -1 ||
		    rbuf_peek_u16h(&m->pm_ext[t], 2, &type) == -1)
			continue;
		fprintf(fp, "sadb_ext{ len=%u type=%u }\n", len, type);
		dump_kd_ext(fp, m, t);
	}
}
