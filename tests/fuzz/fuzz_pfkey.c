/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for the PF_KEY v2 codec (src/common/pfkey.c): every
 * input is parsed; what parses is decoded extension by extension, built
 * again from the decoded values and parsed again, which must succeed.  A
 * read outside the message is a finding for ASan, a message that parses
 * but does not rebuild is an abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pfkey.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_rebuild(const struct pfkey_msg *m, struct wbuf *wb)
{
	struct pfkey_sa sa;
	struct pfkey_lifetime lt;
	struct pfkey_address pa;
	struct pfkey_key k;
	struct pfkey_spirange sr;
	struct pfkey_sa2 s2;
	struct pfkey_policy pp;
	static struct pfkey_alg algs[PFKEY_MAX_ALGS];
	static struct pfkey_comb combs[PFKEY_MAX_COMBS];
	size_t n;
	uint8_t u8;
	uint16_t port;
	unsigned t;

	pfkey_build_hdr(wb, &m->pm_hdr);
	for (t = 1; t <= SADB_EXT_MAX; t++) {
		if (!pfkey_has(m, t))
			continue;
		if (pfkey_get_sa(m, &sa) == 0 && t == SADB_EXT_SA)
			pfkey_put_sa(wb, &sa);
		else if (pfkey_get_lifetime(m, t, &lt) == 0)
			pfkey_put_lifetime(wb, t, &lt);
		else if (pfkey_get_address(m, t, &pa) == 0)
			pfkey_put_address(wb, t, &pa);
		else if (pfkey_get_key(m, t, &k) == 0)
			pfkey_put_key(wb, t, k.pk_bits, k.pk_data);
		else if (t == SADB_EXT_SPIRANGE &&
		    pfkey_get_spirange(m, &sr) == 0)
			pfkey_put_spirange(wb, &sr);
		else if (t == SADB_X_EXT_SA2 && pfkey_get_sa2(m, &s2) == 0)
			pfkey_put_sa2(wb, &s2);
		else if (t == SADB_X_EXT_POLICY &&
		    pfkey_get_policy(m, &pp) == 0)
			pfkey_put_policy(wb, &pp);
		else if (pfkey_get_supported(m, t, algs, PFKEY_MAX_ALGS,
		    &n) == 0)
			pfkey_put_supported(wb, t, algs,
			    n < PFKEY_MAX_ALGS ? n : PFKEY_MAX_ALGS);
		else if (t == SADB_EXT_PROPOSAL && pfkey_get_proposal(m, &u8,
		    combs, PFKEY_MAX_COMBS, &n) == 0)
			pfkey_put_proposal(wb, u8, combs,
			    n < PFKEY_MAX_COMBS ? n : PFKEY_MAX_COMBS);
		else if (t == SADB_X_EXT_NAT_T_TYPE &&
		    pfkey_get_nat_t_type(m, &u8) == 0)
			pfkey_put_nat_t_type(wb, u8);
		else if (pfkey_get_nat_t_port(m, t, &port) == 0)
			pfkey_put_nat_t_port(wb, t, port);
		else
			pfkey_put_ext(wb, m, t);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct pfkey_msg m, again;
	struct wbuf wb;

	if (pfkey_parse(&m, data, len) == -1)
		return 0;
	if (wbuf_init(&wb, 256, PFKEY_MSG_MAX) == -1)
		return 0;
	fuzz_rebuild(&m, &wb);
	/* Proposals and supported lists longer than our arrays shrink. */
	if (pfkey_build_end(&wb) == 0 &&
	    pfkey_parse(&again, wbuf_data(&wb), wbuf_len(&wb)) == -1)
		abort();
	(void)pfkey_msgtype_name(m.pm_hdr.ph_type);
	(void)pfkey_satype_name(m.pm_hdr.ph_satype);
	wbuf_free(&wb);
	return 0;
}
