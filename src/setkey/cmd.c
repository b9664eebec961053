/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * setkey's commands: the structures the grammar fills, the checks that
 * need a whole statement (what a protocol allows, key lengths from the
 * algorithm table, policy requests), the names of PF_KEY's numbers, and
 * the canonical printer behind setkey -C.  The printer writes what the
 * grammar reads back to the same commands: the golden tests and the fuzz
 * target rely on that.
 */
#include <netinet/in.h>

#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6	58
#endif

struct cmd_name {
	int		 cn_val;
	const char	*cn_name;
};

/* Upper-layer names setkey knows beyond /etc/protocols (libipsec's). */
static const struct cmd_name cmd_ulextra[] = {
	{ IPSEC_ULPROTO_ANY,	"any" },
	{ IPPROTO_ICMPV6,	"icmp6" },
	{ IPPROTO_IPIP,		"ip4" },
	{ -1, NULL }
};

int
cmd_lookup(const char *(*name)(unsigned), unsigned max, const char *s)
{
	unsigned v;

	for (v = 0; v < max; v++)
		if (strcmp(name(v), s) == 0)
			return (int)v;
	return -1;
}

const char *
cmd_satype_name(uint8_t v)
{
	return v == CMD_SATYPE_TCPSIG ? "tcp" : pfkey_satype_name(v);
}

/* "esp", "ah", "ipcomp" for a request's IP protocol. */
static const char *
cmd_ipproto_name(unsigned proto)
{
	uint8_t t = pfkey_proto2satype(proto);

	return t != 0 ? pfkey_satype_name(t) : "unknown";
}

void
cmd_error(struct cmd_errs *errs, int line, const char *fmt, ...)
{
	va_list ap;

	errs->ce_count++;
	if (errs->ce_out == NULL)
		return;
	fprintf(errs->ce_out, "%s:%d: ", errs->ce_name, line);
	va_start(ap, fmt);
	vfprintf(errs->ce_out, fmt, ap);
	va_end(ap);
	fputc('\n', errs->ce_out);
}

struct cmd *
cmd_new(enum cmd_type type, int line)
{
	struct cmd *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->c_type = type;
	c->c_line = line;
	c->c_mode = IPSEC_MODE_ANY;
	/* libipsec's default: sequence numbers may cycle. */
	c->c_flags = CMD_SAF_CYCSEQ;
	c->c_ulproto = IPSEC_ULPROTO_ANY;
	return c;
}

void
cmd_key_clear(struct cmd_key *k)
{
	freezero(k->k_data, k->k_len);
	k->k_data = NULL;
	k->k_len = 0;
}

void
cmd_free(struct cmd *c)
{
	if (c == NULL)
		return;
	cmd_key_clear(&c->c_enckey);
	cmd_key_clear(&c->c_authkey);
	freezero(c, sizeof(*c));
}

void
cmd_list_free(struct cmd_list *l)
{
	struct cmd *c;

	while ((c = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, c, c_entry);
		cmd_free(c);
	}
}

void
cmd_alg_keysizes(const struct alg *a, char *buf, size_t len)
{
	unsigned b, n = 0;
	size_t off = 0;

	buf[0] = '\0';
	if (a->alg_keymin == a->alg_keymax) {
		snprintf(buf, len, "%u", a->alg_keymin);
		return;
	}
	if (a->alg_keystep == 0) {
		snprintf(buf, len, "%u or %u", a->alg_keymin, a->alg_keymax);
		return;
	}
	if ((a->alg_keymax - a->alg_keymin) / a->alg_keystep > 3) {
		snprintf(buf, len, "%u to %u in steps of %u", a->alg_keymin,
		    a->alg_keymax, a->alg_keystep);
		return;
	}
	for (b = a->alg_keymin; b <= a->alg_keymax && off < len;
	    b += a->alg_keystep, n++) {
		const char *sep = n == 0 ? "" :
		    b + a->alg_keystep > a->alg_keymax ? " or " : ", ";
		int w = snprintf(buf + off, len - off, "%s%u", sep, b);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int
cmd_ulproto_byname(const char *name)
{
	struct protoent *pe;
	int v;

	for (v = 0; cmd_ulextra[v].cn_name != NULL; v++)
		if (strcmp(cmd_ulextra[v].cn_name, name) == 0)
			return cmd_ulextra[v].cn_val;
	v = -1;
	if ((pe = getprotobyname(name)) != NULL && pe->p_proto >= 0 &&
	    pe->p_proto <= 255)
		v = pe->p_proto;
	endprotoent();
	return v;
}

void
cmd_ulproto_name(uint8_t proto, char *buf, size_t len)
{
	struct protoent *pe;

	/* ipsec-tools prints what getprotobynumber(3) says, "255" for any. */
	if ((pe = getprotobynumber(proto)) != NULL)
		snprintf(buf, len, "%s", pe->p_name);
	else
		snprintf(buf, len, "%u", proto);
	endprotoent();
}

void
cmd_prio_fmt(uint32_t prio, char *buf, size_t len)
{
	const char *base;
	uint32_t b;
	int64_t off;

	if (prio == 0) {
		buf[0] = '\0';
		return;
	}
	/* The nearest constant, as libipsec's ipsec_dump_policy picks it. */
	if (prio < CMD_PRIO_DEFAULT / 4 * 3) {
		base = "high";
		b = CMD_PRIO_HIGH;
	} else if (prio < CMD_PRIO_DEFAULT / 4 * 5) {
		base = "def";
		b = CMD_PRIO_DEFAULT;
	} else {
		base = "low";
		b = CMD_PRIO_LOW;
	}
	/* A higher priority is a lower number: "+ n" means base - n. */
	off = (int64_t)b - (int64_t)prio;
	if (off == 0)
		snprintf(buf, len, "prio %s", base);
	else
		snprintf(buf, len, "prio %s %c %lld", base, off > 0 ? '+' : '-',
		    (long long)(off > 0 ? off : -off));
}

/* "A-B", "A[p]-B[p]", "me-any", "any-me": the tunnel endpoints. */
static int
cmd_request_addrs(struct pfkey_ipsecreq *r, const char *s, int dir, int line,
    struct cmd_errs *errs)
{
	char tmp[2 * ADDR_STRLEN + 2];
	const char *why = "";
	char *dash;

	if (strcmp(s, "me-any") == 0 || strcmp(s, "any-me") == 0) {
		if (dir != (s[0] == 'm' ? IPSEC_DIR_OUTBOUND : IPSEC_DIR_INBOUND)) {
			cmd_error(errs, line, "\"%s\" needs direction %s", s,
			    s[0] == 'm' ? "out" : "in");
			return -1;
		}
		return 0;
	}
	if (strlen(s) >= sizeof(tmp) ||
	    (dash = strchr(strcpy(tmp, s), '-')) == NULL) {
		cmd_error(errs, line, "bad tunnel endpoints \"%s\": expected "
		    "src-dst", s);
		return -1;
	}
	*dash = '\0';
	if (addr_parse(tmp, ADDR_PORT, &r->pq_src, &why) == -1 ||
	    addr_parse(dash + 1, ADDR_PORT, &r->pq_dst, &why) == -1) {
		cmd_error(errs, line, "bad tunnel endpoints \"%s\": %s", s,
		    why);
		return -1;
	}
	if (r->pq_src.a_af != r->pq_dst.a_af) {
		cmd_error(errs, line, "tunnel endpoints \"%s\" mix IPv4 and "
		    "IPv6", s);
		return -1;
	}
		return 0;
}

static int
cmd_request_level(struct pfkey_ipsecreq *r, const char *s, int line,
    struct cmd_errs *errs)
{
	uint64_t v;
	int lv;

	if (strncmp(s, "unique:", 7) == 0) {
		if (str_to_uint(s + 7, UINT32_MAX, &v) == -1 || v == 0) {
			cmd_error(errs, line, "bad reqid in \"%s\": expected "
			    "1 to %u", s, UINT32_MAX);
			return -1;
		}
		r->pq_level = IPSEC_LEVEL_UNIQUE;
		r->pq_reqid = (uint32_t)v;
		return 0;
	}
	if (*s == '\0')
		lv = IPSEC_LEVEL_DEFAULT;
	else if ((lv = cmd_lookup(pfkey_level_name, IPSEC_LEVEL_UNIQUE + 1, s)) == -1) {
		cmd_error(errs, line, "unknown level \"%s\": expected default, "
		    "use, require, unique or unique:N", s);
		return -1;
	}
	r->pq_level = (uint8_t)lv;
	return 0;
}

int
cmd_policy_request(struct pfkey_policy *pol, const char *word, int line,
    struct cmd_errs *errs)
{
	char buf[4 * ADDR_STRLEN], *field[5], *p;
	struct pfkey_ipsecreq r;
	size_t n = 0;
	int v;

	if (pol->pp_nreq == PFKEY_MAX_IPSECREQ) {
		cmd_error(errs, line, "more than %d requests in one policy",
		    PFKEY_MAX_IPSECREQ);
		return -1;
	}
	if (strlen(word) >= sizeof(buf)) {
		cmd_error(errs, line, "request too long");
		return -1;
	}
	strcpy(buf, word);
	for (p = buf; n < 5; n++) {
		field[n] = p;
		if ((p = strchr(p, '/')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n > 4) {
		cmd_error(errs, line, "request \"%s\" has more than four parts "
		    "(proto/mode/src-dst/level)", word);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	if ((v = cmd_lookup(pfkey_satype_name, SADB_SATYPE_MAX + 1,
	    field[0])) == -1 || (v = pfkey_satype2proto((unsigned)v)) == 0) {
		cmd_error(errs, line, "unknown protocol \"%s\" in request "
		    "\"%s\": expected esp, ah or ipcomp", field[0], word);
		return -1;
	}
	r.pq_proto = (uint8_t)v;
	if (n < 2 || (v = cmd_lookup(pfkey_mode_name, IPSEC_MODE_TUNNEL + 1,
	    field[1])) == -1 ||
	    v == IPSEC_MODE_ANY) {
		cmd_error(errs, line, "request \"%s\" needs a mode: transport "
		    "or tunnel", word);
		return -1;
	}
	r.pq_mode = (uint8_t)v;
	if (n > 2 && *field[2] != '\0' &&
	    cmd_request_addrs(&r, field[2], pol->pp_dir, line, errs) == -1)
		return -1;
	if (cmd_request_level(&r, n > 3 ? field[3] : "", line, errs) == -1)
		return -1;
	if (r.pq_mode == IPSEC_MODE_TUNNEL && r.pq_src.a_af == AF_UNSPEC) {
		cmd_error(errs, line, "tunnel request \"%s\" needs its "
		    "endpoints: %s/tunnel/src-dst/level", word, field[0]);
		return -1;
	}
	pol->pp_req[pol->pp_nreq++] = r;
	return 0;
}

static int
cmd_check_key(const struct cmd *c, const struct alg *a,
    const struct cmd_key *k, const char *opt, struct cmd_errs *errs)
{
	char sizes[64];
	unsigned bits = (unsigned)(k->k_len * 8);

	if (a->alg_keymax == 0) {
		if (k->k_data != NULL) {
			cmd_error(errs, c->c_line, "%s %s takes no key", opt,
			    a->alg_name);
			return -1;
		}
		return 0;
	}
	cmd_alg_keysizes(a, sizes, sizeof(sizes));
	if (k->k_data == NULL) {
		cmd_error(errs, c->c_line, "%s %s needs a key of %s bits", opt,
		    a->alg_name, sizes);
		return -1;
	}
	if (k->k_len > 0xffff / 8 || !alg_key_ok(a, bits)) {
		cmd_error(errs, c->c_line, "%s %s: key is %zu bits, expected "
		    "%s%s", opt, a->alg_name, k->k_len * 8, sizes,
		    (a->alg_flags & ALG_F_SALT) ? " (with the 32-bit salt)" :
		    "");
		return -1;
	}
	return 0;
}

/* Which of -E, -A, -C each protocol takes. */
static int
cmd_check_algs(const struct cmd *c, struct cmd_errs *errs)
{
	int bad = 0;

	switch (c->c_satype) {
	case SADB_SATYPE_ESP:
		if (c->c_enc == NULL || c->c_comp != NULL) {
			cmd_error(errs, c->c_line, "esp needs -E (and may "
			    "have -A)");
			return -1;
		}
		if ((c->c_enc->alg_flags & ALG_F_AEAD) && c->c_auth != NULL) {
			cmd_error(errs, c->c_line, "%s is a combined-mode "
			    "cipher: no -A with it", c->c_enc->alg_name);
			return -1;
		}
		break;
	case SADB_SATYPE_AH:
	case CMD_SATYPE_TCPSIG:
		if (c->c_auth == NULL || c->c_enc != NULL ||
		    c->c_comp != NULL) {
			cmd_error(errs, c->c_line, "%s takes -A only",
			    cmd_satype_name(c->c_satype));
			return -1;
		}
		break;
	case SADB_X_SATYPE_IPCOMP:
		if (c->c_comp == NULL || c->c_enc != NULL ||
		    c->c_auth != NULL) {
			cmd_error(errs, c->c_line, "ipcomp takes -C only");
			return -1;
		}
		break;
	}
	if (c->c_enc != NULL &&
	    cmd_check_key(c, c->c_enc, &c->c_enckey, "-E", errs) == -1)
		bad = -1;
	if (c->c_auth != NULL &&
	    cmd_check_key(c, c->c_auth, &c->c_authkey, "-A", errs) == -1)
		bad = -1;
	return bad;
}

static int
cmd_check_sa(const struct cmd *c, struct cmd_errs *errs)
{
	if (c->c_satype == SADB_SATYPE_UNSPEC) {
		cmd_error(errs, c->c_line, "missing protocol: esp, ah, ipcomp, "
		    "esp-udp or tcp");
		return -1;
	}
	if (c->c_src.a_af != c->c_dst.a_af) {
		cmd_error(errs, c->c_line, "source and destination mix IPv4 "
		    "and IPv6");
		return -1;
	}
	if (c->c_satype == SADB_X_SATYPE_IPCOMP && c->c_spi > 0xffff &&
	    c->c_type != CMD_DELETEALL) {
		cmd_error(errs, c->c_line, "ipcomp CPI 0x%x is above 0xffff",
		    c->c_spi);
		return -1;
	}
	if (c->c_type != CMD_ADD)
		return 0;
	if (c->c_soft_time != 0 && c->c_hard_time != 0 &&
	    c->c_soft_time > c->c_hard_time) {
		cmd_error(errs, c->c_line, "soft lifetime %llu s is above the "
		    "hard one, %llu s", (unsigned long long)c->c_soft_time,
		    (unsigned long long)c->c_hard_time);
		return -1;
	}
	if (c->c_soft_bytes != 0 && c->c_hard_bytes != 0 &&
	    c->c_soft_bytes > c->c_hard_bytes) {
		cmd_error(errs, c->c_line, "soft byte lifetime %llu is above "
		    "the hard one, %llu", (unsigned long long)c->c_soft_bytes,
		    (unsigned long long)c->c_hard_bytes);
		return -1;
	}
	return cmd_check_algs(c, errs);
}

static int
cmd_check_spd(struct cmd *c, struct cmd_errs *errs)
{
	const struct pfkey_policy *p = &c->c_pol;

	if (c->c_src.a_af != c->c_dst.a_af) {
		cmd_error(errs, c->c_line, "source and destination mix IPv4 "
		    "and IPv6");
		return -1;
	}
	if (c->c_icmp && c->c_ulproto != IPPROTO_ICMP &&
	    c->c_ulproto != IPPROTO_ICMPV6) {
		cmd_error(errs, c->c_line, "a type and code need icmp or "
		    "icmp6");
		return -1;
	}
	if (c->c_icmp) {
		/* PF_KEY carries the icmp type and code in the ports. */
		if (c->c_src.a_port != 0 || c->c_dst.a_port != 0) {
			cmd_error(errs, c->c_line, "ports must be [any] with "
			    "an icmp type and code");
			return -1;
		}
		c->c_src.a_port = c->c_icmptype;
		c->c_dst.a_port = c->c_icmpcode;
	}
	if (!c->c_pol_action && c->c_type != CMD_SPDDELETE) {
		cmd_error(errs, c->c_line, "policy needs an action: discard, "
		    "none or ipsec");
		return -1;
	}
	if (p->pp_type != IPSEC_POLICY_IPSEC && p->pp_nreq > 0) {
		cmd_error(errs, c->c_line, "requests are for ipsec policies, "
		    "not %s", pfkey_policy_name(p->pp_type));
		return -1;
	}
	return 0;
}

int
cmd_check(struct cmd *c, struct cmd_errs *errs)
{
	int rc = 0;

	switch (c->c_type) {
	case CMD_ADD:
	case CMD_GET:
	case CMD_DELETE:
	case CMD_DELETEALL:
		rc = cmd_check_sa(c, errs);
		break;
	case CMD_SPDADD:
	case CMD_SPDUPDATE:
	case CMD_SPDDELETE:
		rc = cmd_check_spd(c, errs);
		break;
	default:
		break;
	}
	if (rc == -1)
		c->c_bad = 1;
	return rc;
}

static void
cmd_print_key(FILE *fp, const struct cmd_key *k)
{
	size_t i;

	if (k->k_data == NULL)
		return;
	fputs(" 0x", fp);
	for (i = 0; i < k->k_len; i++)
		fprintf(fp, "%02x", k->k_data[i]);
}

static void
cmd_print_sa_head(FILE *fp, const struct cmd *c)
{
	char s[ADDR_STRLEN], d[ADDR_STRLEN], oa[ADDR_STRLEN];

	addr_fmt(&c->c_src, c->c_src.a_port ? ADDR_PORT : 0, s, sizeof(s));
	addr_fmt(&c->c_dst, c->c_dst.a_port ? ADDR_PORT : 0, d, sizeof(d));
	fprintf(fp, " %s %s", s, d);
	if (c->c_natt) {
		fputs(" esp-udp", fp);
		if (c->c_natt_oa_set)
			fprintf(fp, " %s", addr_fmt(&c->c_natt_oa, 0, oa,
			    sizeof(oa)));
	} else
		fprintf(fp, " %s", cmd_satype_name(c->c_satype));
}

static void
cmd_print_ext(FILE *fp, const struct cmd *c)
{
	if (c->c_mode != IPSEC_MODE_ANY)
		fprintf(fp, " -m %s", pfkey_mode_name(c->c_mode));
	if (c->c_reqid != 0)
		fprintf(fp, " -u %u", c->c_reqid);
	if (c->c_replay != 0)
		fprintf(fp, " -r %u", c->c_replay);
	if (c->c_flags & CMD_SAF_PRAND)
		fputs(" -f random-pad", fp);
	if (c->c_flags & CMD_SAF_PZERO)
		fputs(" -f zero-pad", fp);
	if (!(c->c_flags & CMD_SAF_CYCSEQ))
		fputs(" -f nocyclic-seq", fp);
	if (c->c_hard_time != 0)
		fprintf(fp, " -lh %llu", (unsigned long long)c->c_hard_time);
	if (c->c_soft_time != 0)
		fprintf(fp, " -ls %llu", (unsigned long long)c->c_soft_time);
	if (c->c_hard_bytes != 0)
		fprintf(fp, " -bh %llu", (unsigned long long)c->c_hard_bytes);
	if (c->c_soft_bytes != 0)
		fprintf(fp, " -bs %llu", (unsigned long long)c->c_soft_bytes);
}

static void
cmd_print_sa(FILE *fp, const struct cmd *c)
{
	cmd_print_sa_head(fp, c);
	if (c->c_type == CMD_DELETEALL)
		return;
	fprintf(fp, " 0x%x", c->c_spi);
	if (c->c_type != CMD_ADD)
		return;
	cmd_print_ext(fp, c);
	if (c->c_enc != NULL) {
		fprintf(fp, " -E %s", c->c_enc->alg_name);
		cmd_print_key(fp, &c->c_enckey);
	}
	if (c->c_auth != NULL) {
		fprintf(fp, " -A %s", c->c_auth->alg_name);
		cmd_print_key(fp, &c->c_authkey);
	}
	if (c->c_comp != NULL) {
		fprintf(fp, " -C %s", c->c_comp->alg_name);
		if (c->c_flags & CMD_SAF_RAWCPI)
			fputs(" -R", fp);
	}
}

static void
cmd_print_req(FILE *fp, const struct pfkey_ipsecreq *r)
{
	char s[ADDR_STRLEN], d[ADDR_STRLEN];

	fprintf(fp, " %s/%s/", cmd_ipproto_name(r->pq_proto),
	    pfkey_mode_name(r->pq_mode));
	if (r->pq_src.a_af != AF_UNSPEC)
		fprintf(fp, "%s-%s",
		    addr_fmt(&r->pq_src, r->pq_src.a_port ? ADDR_PORT : 0, s,
		    sizeof(s)),
		    addr_fmt(&r->pq_dst, r->pq_dst.a_port ? ADDR_PORT : 0, d,
		    sizeof(d)));
	if (r->pq_level == IPSEC_LEVEL_UNIQUE && r->pq_reqid != 0)
		fprintf(fp, "/unique:%u", r->pq_reqid);
	else
		fprintf(fp, "/%s", pfkey_level_name(r->pq_level));
}

static void
cmd_print_spd(FILE *fp, const struct cmd *c)
{
	const struct pfkey_policy *p = &c->c_pol;
	char s[ADDR_STRLEN], d[ADDR_STRLEN], prio[48];
	int flags = ADDR_PREFIX | (c->c_icmp ? 0 : ADDR_PORT);
	size_t i;

	fprintf(fp, " %s %s", addr_fmt(&c->c_src, flags, s, sizeof(s)),
	    addr_fmt(&c->c_dst, flags, d, sizeof(d)));
	if (c->c_ulproto == IPSEC_ULPROTO_ANY)
		fputs(" any", fp);
	else
		fprintf(fp, " %u", c->c_ulproto);
	if (c->c_icmp)
		fprintf(fp, " %u,%u", c->c_src.a_port, c->c_dst.a_port);
	fprintf(fp, " -P %s", pfkey_dir_name(p->pp_dir));
	if (!c->c_pol_action)
		return;
	if (p->pp_priority != CMD_PRIO_DEFAULT) {
		cmd_prio_fmt(p->pp_priority, prio, sizeof(prio));
		fprintf(fp, " %s", prio);
	}
	fprintf(fp, " %s", pfkey_policy_name(p->pp_type));
	for (i = 0; i < p->pp_nreq; i++)
		cmd_print_req(fp, &p->pp_req[i]);
}

static const char *const cmd_words[] = {
	[CMD_ADD] = "add",
	[CMD_GET] = "get",
	[CMD_DELETE] = "delete",
	[CMD_DELETEALL] = "deleteall",
	[CMD_FLUSH] = "flush",
	[CMD_DUMP] = "dump",
	[CMD_SPDADD] = "spdadd",
	[CMD_SPDUPDATE] = "spdupdate",
	[CMD_SPDDELETE] = "spddelete",
	[CMD_SPDFLUSH] = "spdflush",
	[CMD_SPDDUMP] = "spddump",
	[CMD_EXIT] = "exit",
};

const char *
cmd_word(enum cmd_type t)
{
	return cmd_words[t];
}

void
cmd_print(FILE *fp, const struct cmd *c)
{
	fputs(cmd_words[c->c_type], fp);
	switch (c->c_type) {
	case CMD_ADD:
	case CMD_GET:
	case CMD_DELETE:
	case CMD_DELETEALL:
		cmd_print_sa(fp, c);
		break;
	case CMD_FLUSH:
	case CMD_DUMP:
		if (c->c_satype != SADB_SATYPE_UNSPEC)
			fprintf(fp, " %s", cmd_satype_name(c->c_satype));
		break;
	case CMD_SPDADD:
	case CMD_SPDUPDATE:
	case CMD_SPDDELETE:
		cmd_print_spd(fp, c);
		break;
	default:
		break;
	}
	fputs(";\n", fp);
}

static const uint8_t cmd_msgtypes[] = {
	[CMD_ADD] = SADB_ADD,
	[CMD_GET] = SADB_GET,
	[CMD_DELETE] = SADB_DELETE,
	[CMD_DELETEALL] = SADB_DUMP,
	[CMD_FLUSH] = SADB_FLUSH,
	[CMD_DUMP] = SADB_DUMP,
	[CMD_SPDADD] = SADB_X_SPDADD,
	[CMD_SPDUPDATE] = SADB_X_SPDUPDATE,
	[CMD_SPDDELETE] = SADB_X_SPDDELETE,
	[CMD_SPDFLUSH] = SADB_X_SPDFLUSH,
	[CMD_SPDDUMP] = SADB_X_SPDDUMP,
	[CMD_EXIT] = SADB_RESERVED,
};

uint8_t
cmd_msgtype(const struct cmd *c)
{
	return cmd_msgtypes[c->c_type];
}

static void
cmd_build_hdr(struct wbuf *wb, uint8_t type, uint8_t satype, uint32_t seq,
    uint32_t pid)
{
	struct pfkey_hdr h;

	memset(&h, 0, sizeof(h));
	h.ph_version = PF_KEY_V2;
	h.ph_type = type;
	h.ph_satype = satype;
	h.ph_seq = seq;
	h.ph_pid = pid;
	(void)pfkey_build_hdr(wb, &h);
}

/* SA and SA2 name the SA; the addresses of an SA carry no selector. */
static void
cmd_build_said(struct wbuf *wb, const struct cmd *c, uint32_t spi)
{
	struct pfkey_sa sa;
	struct pfkey_sa2 sa2;
	struct pfkey_address pa;

	memset(&sa, 0, sizeof(sa));
	sa.ps_spi = spi;
	sa.ps_replay = c->c_replay;
	sa.ps_flags = c->c_flags;
	if (c->c_auth != NULL)
		sa.ps_auth = (uint8_t)c->c_auth->alg_sadb;
	if (c->c_enc != NULL)
		sa.ps_encrypt = (uint8_t)c->c_enc->alg_sadb;
	else if (c->c_comp != NULL)
		sa.ps_encrypt = (uint8_t)c->c_comp->alg_sadb;
	(void)pfkey_put_sa(wb, &sa);
	memset(&sa2, 0, sizeof(sa2));
	sa2.p2_mode = c->c_mode;
	sa2.p2_reqid = c->c_reqid;
	(void)pfkey_put_sa2(wb, &sa2);
	pa.pa_proto = IPSEC_ULPROTO_ANY;
	pa.pa_addr = c->c_src;
	pa.pa_addr.a_plen = addr_maxplen(pa.pa_addr.a_af);
	(void)pfkey_put_address(wb, SADB_EXT_ADDRESS_SRC, &pa);
	pa.pa_addr = c->c_dst;
	pa.pa_addr.a_plen = addr_maxplen(pa.pa_addr.a_af);
	(void)pfkey_put_address(wb, SADB_EXT_ADDRESS_DST, &pa);
}

static void
cmd_build_lifetime(struct wbuf *wb, unsigned type, uint64_t secs,
    uint64_t bytes)
{
	struct pfkey_lifetime lt;

	if (secs == 0 && bytes == 0)
		return;
	memset(&lt, 0, sizeof(lt));
	lt.pl_addtime = secs;
	lt.pl_bytes = bytes;
	(void)pfkey_put_lifetime(wb, type, &lt);
}

static void
cmd_build_add(struct wbuf *wb, const struct cmd *c)
{
	struct pfkey_address pa;

	cmd_build_said(wb, c, c->c_spi);
	if (c->c_enckey.k_data != NULL)
		(void)pfkey_put_key(wb, SADB_EXT_KEY_ENCRYPT,
		    (uint16_t)(c->c_enckey.k_len * 8), c->c_enckey.k_data);
	else if (c->c_satype == SADB_SATYPE_ESP && c->c_enc != NULL)
		/* af_key wants KEY_ENCRYPT on every ESP SA, null's too. */
		(void)pfkey_put_key(wb, SADB_EXT_KEY_ENCRYPT, 0, "");
	if (c->c_authkey.k_data != NULL)
		(void)pfkey_put_key(wb, SADB_EXT_KEY_AUTH,
		    (uint16_t)(c->c_authkey.k_len * 8), c->c_authkey.k_data);
	cmd_build_lifetime(wb, SADB_EXT_LIFETIME_HARD, c->c_hard_time,
	    c->c_hard_bytes);
	cmd_build_lifetime(wb, SADB_EXT_LIFETIME_SOFT, c->c_soft_time,
	    c->c_soft_bytes);
	if (!c->c_natt)
		return;
	/* RFC 3948: ports default to 4500, as libipsec's get_port(). */
	(void)pfkey_put_nat_t_type(wb, UDP_ENCAP_ESPINUDP);
	(void)pfkey_put_nat_t_port(wb, SADB_X_EXT_NAT_T_SPORT,
	    c->c_src.a_port != 0 ? c->c_src.a_port : 4500);
	(void)pfkey_put_nat_t_port(wb, SADB_X_EXT_NAT_T_DPORT,
	    c->c_dst.a_port != 0 ? c->c_dst.a_port : 4500);
	if (c->c_natt_oa_set) {
		pa.pa_proto = IPSEC_ULPROTO_ANY;
		pa.pa_addr = c->c_natt_oa;
		(void)pfkey_put_address(wb, SADB_X_EXT_NAT_T_OA, &pa);
	}
}

static void
cmd_build_spd(struct wbuf *wb, const struct cmd *c)
{
	struct pfkey_address pa;

	(void)pfkey_put_policy(wb, &c->c_pol);
	pa.pa_proto = c->c_ulproto;
	pa.pa_addr = c->c_src;
	(void)pfkey_put_address(wb, SADB_EXT_ADDRESS_SRC, &pa);
	pa.pa_addr = c->c_dst;
	(void)pfkey_put_address(wb, SADB_EXT_ADDRESS_DST, &pa);
}

int
cmd_build(const struct cmd *c, uint32_t seq, uint32_t pid, struct wbuf *wb)
{
	uint8_t satype = c->c_satype;

	switch (c->c_type) {
	case CMD_SPDADD:
	case CMD_SPDUPDATE:
	case CMD_SPDDELETE:
	case CMD_SPDFLUSH:
	case CMD_SPDDUMP:
		satype = SADB_SATYPE_UNSPEC;
		break;
	default:
		break;
	}
	cmd_build_hdr(wb, cmd_msgtype(c), satype, seq, pid);
	switch (c->c_type) {
	case CMD_ADD:
		cmd_build_add(wb, c);
		break;
	case CMD_GET:
	case CMD_DELETE:
		cmd_build_said(wb, c, c->c_spi);
		break;
	case CMD_SPDADD:
	case CMD_SPDUPDATE:
	case CMD_SPDDELETE:
		cmd_build_spd(wb, c);
		break;
	default:
		break;
	}
	return pfkey_build_end(wb);
}

int
cmd_build_delete(const struct cmd *c, uint32_t spi, uint32_t seq,
    uint32_t pid, struct wbuf *wb)
{
	cmd_build_hdr(wb, SADB_DELETE, c->c_satype, seq, pid);
	cmd_build_said(wb, c, spi);
	return pfkey_build_end(wb);
}
