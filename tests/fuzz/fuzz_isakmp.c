/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for the ISAKMP codec (src/racoon/isakmp.c and
 * isakmp_pld.c): the input is one whole datagram as it would arrive on
 * UDP 500, its body taken as plaintext (or as a decrypted body when the
 * E flag is set).  A message that walks is checked against the rules of
 * every exchange, role and message number, and each payload is parsed.
 * An SA payload that parses is rebuilt through the builder from what the
 * iterators return and must come out as the same bytes; anything else
 * is a finding (abort).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "isakmp.h"
#include "isakmp_pld.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_attrs(struct wbuf *wb, struct rbuf attrs)
{
	struct isakmp_attr at;
	uint64_t v;

	while (isakmp_attr_next(&attrs, &at) == 0) {
		(void)isakmp_attr_uint(&at, &v);
		if (at.at_tv)
			(void)isakmp_attr_put_tv(wb, at.at_type, at.at_value);
		else
			(void)isakmp_attr_put_tlv(wb, at.at_type, at.at_data,
			    at.at_len);
	}
}

static void
fuzz_sa_rebuild(const struct isakmp_sa *sa, const struct rbuf *body)
{
	struct isakmp_sa_out so;
	struct isakmp_prop p;
	struct isakmp_trans t;
	struct rbuf props = sa->sa_props, trs;
	struct wbuf wb;

	if (wbuf_init(&wb, 256, 65536) == -1)
		return;
	(void)isakmp_sa_build_begin(&so, &wb, sa->sa_doi, sa->sa_sit);
	while (rbuf_left(&props) > 0) {
		if (isakmp_prop_next(&props, &p) != ISAKMP_N_OK)
			abort();	/* checked by isakmp_sa_parse */
		(void)isakmp_sa_build_prop(&so, p.prop_num, p.prop_proto,
		    p.prop_spi, p.prop_spisize);
		trs = p.prop_trans;
		while (rbuf_left(&trs) > 0) {
			if (isakmp_trans_next(&trs, p.prop_proto, &t) !=
			    ISAKMP_N_OK)
				abort();
			(void)isakmp_sa_build_trans(&so, t.tr_num, t.tr_id);
			fuzz_attrs(&wb, t.tr_attrs);
		}
	}
	if (isakmp_sa_build_end(&so) == -1 ||
	    wbuf_len(&wb) != rbuf_left(body) ||
	    memcmp(wbuf_data(&wb), rbuf_ptr(body), wbuf_len(&wb)) != 0)
		abort();
	wbuf_free(&wb);
}

static void
fuzz_payload(const struct isakmp_pld *pld)
{
	struct isakmp_sa sa;
	struct rbuf body = pld->pld_body;

	(void)isakmp_pld_check(pld->pld_type, &pld->pld_body);
	if (pld->pld_type == ISAKMP_NPTYPE_SA &&
	    isakmp_sa_parse(&body, &sa) == ISAKMP_N_OK)
		fuzz_sa_rebuild(&sa, &pld->pld_body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct isakmp_msg msg;
	size_t i;
	uint8_t no;

	if (!quiet) {
		/* Every refusal is logged; keep the fuzzer's output clean. */
		if (log_open_file("/dev/null") == -1)
			return 0;
		quiet = 1;
	}
	if (isakmp_msg_parse(data, size, &msg) != ISAKMP_N_OK)
		return 0;
	for (no = 1; no <= 6; no++) {
		(void)isakmp_rules_check(&msg, ISAKMP_ROLE_I, no);
		(void)isakmp_rules_check(&msg, ISAKMP_ROLE_R, no);
	}
	for (i = 0; i < msg.msg_npld; i++)
		fuzz_payload(&msg.msg_pld[i]);
	return 0;
}
