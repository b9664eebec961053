/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for src/common/buf.c and addr.c: the input drives a
 * little program of reads (one opcode byte, then operands from the input
 * itself) against a view of the rest, so every getter, child views with
 * lying lengths, text and number parsing all meet arbitrary bytes.  Any
 * read outside the view is a finding for ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_step(struct rbuf *prog, struct rbuf *rb, struct wbuf *wb)
{
	struct rbuf child;
	uint8_t op = 0, u8, tmp[64];
	uint16_t u16, len = 0;
	uint32_t u32;
	uint64_t u64;
	const uint8_t *ref;
	char s[80];
	struct addr a;

	(void)rbuf_get_u8(prog, &op);
	(void)rbuf_get_u16(prog, &len);
	switch (op % 16) {
	case 0:	(void)rbuf_get_u8(rb, &u8); break;
	case 1:	(void)rbuf_get_u16(rb, &u16); break;
	case 2:	(void)rbuf_get_u32(rb, &u32); break;
	case 3:	(void)rbuf_get_u64h(rb, &u64); break;
	case 4:	(void)rbuf_get_bytes(rb, tmp, len % sizeof(tmp)); break;
	case 5:
		if (rbuf_get_ref(rb, len, &ref) == 0 && len > 0)
			(void)wbuf_put_bytes(wb, ref, len);
		break;
	case 6:
		if (rbuf_sub(rb, len, &child) == 0)
			while (rbuf_get_u32h(&child, &u32) == 0)
				(void)wbuf_put_u32(wb, u32);
		break;
	case 7:	(void)rbuf_peek_u32(rb, len, &u32); break;
	case 8:
		if (rbuf_get_line(rb, &child) == 0 &&
		    rbuf_get_word(&child, &child) == 0)
			(void)rbuf_get_uint(&child, len, &u64);
		break;
	case 9:
		if (rbuf_sub(rb, len % 64, &child) == 0)
			(void)rbuf_get_hex(&child, wb);
		break;
	case 10:
		if (rbuf_sub(rb, len % 80, &child) == 0 &&
		    rbuf_get_str(&child, s, sizeof(s)) == 0)
			(void)addr_parse(s, len & 3, &a, NULL);
		break;
	case 11: (void)rbuf_get_zero(rb, len); break;
	case 12: (void)wbuf_reserve(wb, len % 32, NULL); break;
	case 13: (void)wbuf_set_u32(wb, len, 0xdeadbeef); break;
	case 14: (void)wbuf_pad(wb, (size_t)1 << (len % 8)); break;
	default: (void)rbuf_skip(rb, len); break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbuf in, prog, rb;
	struct wbuf wb;
	uint8_t plen;

	rbuf_init(&in, data, size);
	if (rbuf_get_u8(&in, &plen) == -1 || rbuf_sub(&in, plen, &prog) == -1)
		return 0;
	rbuf_rest(&in, &rb);
	if (wbuf_init(&wb, 16, 4096) == -1)
		return 0;
	while (rbuf_left(&prog) > 0)
		fuzz_step(&prog, &rb, &wb);
	wbuf_free(&wb);
	return 0;
}
