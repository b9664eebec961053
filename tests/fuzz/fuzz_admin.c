/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for the admin protocol's codec (admin_msg.c): the
 * input is read as a request (header, SA index, remote name) and as a
 * reply (header, then ISAKMP-SA records or events), as racoon and
 * racoonctl read them.
 */
#include <stdint.h>

#include "admin_msg.h"
#include "buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct admin_hdr h;
	struct admin_index ai;
	struct admin_ph1rec pr;
	struct admin_evt ev;
	struct rbuf rb, body;
	const char *why;
	size_t len;

	rbuf_init(&rb, data, size);
	if (admin_hdr_parse(&rb, 0, &h, &why) == 0) {
		len = h.ah_len - ADMIN_HDR_LEN;
		if (rbuf_sub(&rb, len < rbuf_left(&rb) ? len : rbuf_left(&rb),
		    &body) == 0)
			(void)admin_index_parse(&body, &ai, &why);
	}
	rbuf_init(&rb, data, size);
	if (admin_hdr_parse(&rb, 1, &h, &why) == 0) {
		rbuf_rest(&rb, &body);
		while (rbuf_left(&body) > 0 &&
		    (h.ah_cmd == ADMIN_SHOW_EVT ?
		    admin_evt_parse(&body, &ev, &why) :
		    admin_ph1rec_parse(&body, &pr, &why)) == 0)
			;
	}
	return 0;
}
