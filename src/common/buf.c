/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bounds-checked reader (struct rbuf) and writer (struct wbuf) for every
 * byte that comes from outside the process.  See buf.h for the contract:
 * getters return 0 or -1 and never move on failure; the writer has a hard
 * maximum and a sticky failure flag.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

void
rbuf_init(struct rbuf *rb, const void *data, size_t len)
{
	rb->rb_data = data;
	rb->rb_len = data == NULL ? 0 : len;
	rb->rb_off = 0;
}

void
rbuf_init_str(struct rbuf *rb, const char *s)
{
	rbuf_init(rb, s, s == NULL ? 0 : strlen(s));
}

size_t
rbuf_left(const struct rbuf *rb)
{
	return rb->rb_len - rb->rb_off;
}

size_t
rbuf_offset(const struct rbuf *rb)
{
	return rb->rb_off;
}

const uint8_t *
rbuf_ptr(const struct rbuf *rb)
{
	return rb->rb_data + rb->rb_off;
}

static int
rbuf_peek(const struct rbuf *rb, size_t at, size_t n, const uint8_t **p)
{
	if (at > rbuf_left(rb) || n > rbuf_left(rb) - at)
		return -1;
	*p = rb->rb_data + rb->rb_off + at;
	return 0;
}

int
rbuf_peek_u8(const struct rbuf *rb, size_t at, uint8_t *v)
{
	const uint8_t *p;

	if (rbuf_peek(rb, at, 1, &p) == -1)
		return -1;
	*v = p[0];
	return 0;
}

int
rbuf_peek_u16(const struct rbuf *rb, size_t at, uint16_t *v)
{
	const uint8_t *p;

	if (rbuf_peek(rb, at, 2, &p) == -1)
		return -1;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

int
rbuf_peek_u16h(const struct rbuf *rb, size_t at, uint16_t *v)
{
	const uint8_t *p;

	if (rbuf_peek(rb, at, 2, &p) == -1)
		return -1;
	memcpy(v, p, 2);
	return 0;
}

int
rbuf_peek_u32(const struct rbuf *rb, size_t at, uint32_t *v)
{
	const uint8_t *p;

	if (rbuf_peek(rb, at, 4, &p) == -1)
		return -1;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	return 0;
}

int
rbuf_peek_u32h(const struct rbuf *rb, size_t at, uint32_t *v)
{
	const uint8_t *p;

	if (rbuf_peek(rb, at, 4, &p) == -1)
		return -1;
	memcpy(v, p, 4);
	return 0;
}

int
rbuf_get_ref(struct rbuf *rb, size_t n, const uint8_t **ref)
{
	const uint8_t *p;

	if (rbuf_peek(rb, 0, n, &p) == -1)
		return -1;
	rb->rb_off += n;
	if (ref != NULL)
		*ref = p;
	return 0;
}

int
rbuf_get_bytes(struct rbuf *rb, void *out, size_t n)
{
	const uint8_t *p;

	if (rbuf_get_ref(rb, n, &p) == -1)
		return -1;
	if (n > 0)
		memcpy(out, p, n);
	return 0;
}

int
rbuf_skip(struct rbuf *rb, size_t n)
{
	return rbuf_get_ref(rb, n, NULL);
}

int
rbuf_get_zero(struct rbuf *rb, size_t n)
{
	const uint8_t *p;
	size_t i;

	if (rbuf_peek(rb, 0, n, &p) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return -1;
	rb->rb_off += n;
	return 0;
}

int
rbuf_get_u8(struct rbuf *rb, uint8_t *v)
{
	if (rbuf_peek_u8(rb, 0, v) == -1)
		return -1;
	rb->rb_off += 1;
	return 0;
}

int
rbuf_get_u16(struct rbuf *rb, uint16_t *v)
{
	if (rbuf_peek_u16(rb, 0, v) == -1)
		return -1;
	rb->rb_off += 2;
	return 0;
}

int
rbuf_get_u32(struct rbuf *rb, uint32_t *v)
{
	if (rbuf_peek_u32(rb, 0, v) == -1)
		return -1;
	rb->rb_off += 4;
	return 0;
}

int
rbuf_get_u64(struct rbuf *rb, uint64_t *v)
{
	uint32_t hi, lo;

	if (rbuf_left(rb) < 8)
		return -1;
	(void)rbuf_get_u32(rb, &hi);
	(void)rbuf_get_u32(rb, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

int
rbuf_get_u16h(struct rbuf *rb, uint16_t *v)
{
	return rbuf_get_bytes(rb, v, sizeof(*v));
}

int
rbuf_get_u32h(struct rbuf *rb, uint32_t *v)
{
	return rbuf_get_bytes(rb, v, sizeof(*v));
}

int
rbuf_get_u64h(struct rbuf *rb, uint64_t *v)
{
	return rbuf_get_bytes(rb, v, sizeof(*v));
}

int
rbuf_sub(struct rbuf *rb, size_t len, struct rbuf *child)
{
	const uint8_t *p;

	if (rbuf_get_ref(rb, len, &p) == -1)
		return -1;
	rbuf_init(child, p, len);
	return 0;
}

void
rbuf_rest(struct rbuf *rb, struct rbuf *child)
{
	(void)rbuf_sub(rb, rbuf_left(rb), child);
}

int
rbuf_get_line(struct rbuf *rb, struct rbuf *line)
{
	const uint8_t *p = rbuf_ptr(rb), *nl;
	size_t n = rbuf_left(rb), len, used;

	if (n == 0)
		return -1;
	nl = memchr(p, '\n', n);
	len = nl == NULL ? n : (size_t)(nl - p);
	used = nl == NULL ? n : len + 1;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	rbuf_init(line, p, len);
	rb->rb_off += used;
	return 0;
}

static int
is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

void
rbuf_skip_blanks(struct rbuf *rb)
{
	while (rbuf_left(rb) > 0 && is_blank(rb->rb_data[rb->rb_off]))
		rb->rb_off++;
}

int
rbuf_get_word(struct rbuf *rb, struct rbuf *word)
{
	size_t n = 0, left;
	const uint8_t *p;

	rbuf_skip_blanks(rb);
	p = rbuf_ptr(rb);
	left = rbuf_left(rb);
	while (n < left && !is_blank(p[n]) && p[n] != '\n' && p[n] != '\r')
		n++;
	if (n == 0)
		return -1;
	return rbuf_sub(rb, n, word);
}

int
rbuf_eq_str(const struct rbuf *rb, const char *s)
{
	size_t n = strlen(s);

	return rbuf_left(rb) == n && memcmp(rbuf_ptr(rb), s, n) == 0;
}

int
rbuf_get_str(struct rbuf *rb, char *out, size_t outlen)
{
	size_t n = rbuf_left(rb);

	if (outlen == 0 || n > outlen - 1 || memchr(rbuf_ptr(rb), '\0', n))
		return -1;
	(void)rbuf_get_bytes(rb, out, n);
	out[n] = '\0';
	return 0;
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
rbuf_get_uint(struct rbuf *rb, uint64_t max, uint64_t *v)
{
	struct rbuf t = *rb;
	uint64_t base = 10, acc = 0;
	uint8_t c;
	int d, digits = 0;

	if (rbuf_left(&t) > 2 && t.rb_data[t.rb_off] == '0' &&
	    (t.rb_data[t.rb_off + 1] | 0x20) == 'x') {
		base = 16;
		t.rb_off += 2;
	}
	while (rbuf_get_u8(&t, &c) == 0) {
		d = hexval(c);
		if (d < 0 || (uint64_t)d >= base)
			return -1;
		if (acc > (max - (uint64_t)d) / base)
			return -1;
		acc = acc * base + (uint64_t)d;
		digits++;
	}
	if (digits == 0)
		return -1;
	*rb = t;
	*v = acc;
	return 0;
}

int
str_to_uint(const char *s, uint64_t max, uint64_t *v)
{
	struct rbuf rb;

	rbuf_init_str(&rb, s);
	return rbuf_get_uint(&rb, max, v);
}

int
rbuf_get_hex(struct rbuf *rb, struct wbuf *wb)
{
	struct rbuf t = *rb;
	uint8_t hi, lo = 0;
	size_t start = wbuf_len(wb);

	if (rbuf_left(&t) % 2 != 0)
		return -1;
	while (rbuf_get_u8(&t, &hi) == 0) {
		(void)rbuf_get_u8(&t, &lo);
		if (hexval(hi) < 0 || hexval(lo) < 0 ||
		    wbuf_put_u8(wb, (uint8_t)(hexval(hi) << 4 | hexval(lo))))
			goto fail;
	}
	*rb = t;
	return 0;
 fail:
	/* Leave no half-decoded (possibly secret) bytes behind. */
	if (wb->wb_len > start) {
		mem_wipe(wb->wb_data + start, wb->wb_len - start);
		(void)wbuf_truncate(wb, start);
	}
	return -1;
}

/* Writer. */

int
wbuf_init(struct wbuf *wb, size_t initial, size_t max)
{
	memset(wb, 0, sizeof(*wb));
	wb->wb_max = max;
	if (initial > max)
		initial = max;
	if (initial > 0 && (wb->wb_data = calloc(1, initial)) == NULL)
		return -1;
	wb->wb_cap = initial;
	return 0;
}

void
wbuf_init_fixed(struct wbuf *wb, void *mem, size_t len)
{
	memset(wb, 0, sizeof(*wb));
	wb->wb_data = mem;
	wb->wb_cap = wb->wb_max = len;
	wb->wb_fixed = 1;
}

void
wbuf_set_secret(struct wbuf *wb)
{
	wb->wb_secret = 1;
}

void
wbuf_free(struct wbuf *wb)
{
	if (wb->wb_data != NULL && wb->wb_secret)
		mem_wipe(wb->wb_data, wb->wb_cap);
	if (!wb->wb_fixed)
		free(wb->wb_data);
	memset(wb, 0, sizeof(*wb));
}

void
wbuf_reset(struct wbuf *wb)
{
	if (wb->wb_data != NULL && wb->wb_secret)
		mem_wipe(wb->wb_data, wb->wb_len);
	wb->wb_len = 0;
	wb->wb_failed = 0;
}

int
wbuf_truncate(struct wbuf *wb, size_t len)
{
	if (len > wb->wb_len)
		return -1;
	if (wb->wb_secret)
		mem_wipe(wb->wb_data + len, wb->wb_len - len);
	wb->wb_len = len;
	return 0;
}

int
wbuf_failed(const struct wbuf *wb)
{
	return wb->wb_failed;
}

size_t
wbuf_len(const struct wbuf *wb)
{
	return wb->wb_len;
}

uint8_t *
wbuf_data(const struct wbuf *wb)
{
	return wb->wb_data;
}

/* Make room for n more bytes and return where they go, or NULL. */
static uint8_t *
wbuf_room(struct wbuf *wb, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (wb->wb_failed)
		return NULL;
	if (n > wb->wb_max - wb->wb_len) {
		wb->wb_failed = 1;
		return NULL;
	}
	need = wb->wb_len + n;
	if (need > wb->wb_cap) {
		if (wb->wb_fixed) {
			wb->wb_failed = 1;
			return NULL;
		}
		cap = wb->wb_cap < 64 ? 64 : wb->wb_cap;
		while (cap < need)
			cap = cap > wb->wb_max / 2 ? wb->wb_max : cap * 2;
		if ((p = calloc(1, cap)) == NULL) {
			wb->wb_failed = 1;
			return NULL;
		}
		if (wb->wb_len > 0)
			memcpy(p, wb->wb_data, wb->wb_len);
		if (wb->wb_secret && wb->wb_data != NULL)
			mem_wipe(wb->wb_data, wb->wb_cap);
		free(wb->wb_data);
		wb->wb_data = p;
		wb->wb_cap = cap;
	}
	p = wb->wb_data + wb->wb_len;
	wb->wb_len += n;
	return p;
}

int
wbuf_put_bytes(struct wbuf *wb, const void *data, size_t n)
{
	uint8_t *p;

	if ((p = wbuf_room(wb, n)) == NULL)
		return -1;
	if (n > 0)
		memcpy(p, data, n);
	return 0;
}

int
wbuf_put_zero(struct wbuf *wb, size_t n)
{
	uint8_t *p;

	if ((p = wbuf_room(wb, n)) == NULL)
		return -1;
	memset(p, 0, n);
	return 0;
}

int
wbuf_pad(struct wbuf *wb, size_t align)
{
	size_t rem;

	if (align == 0 || (align & (align - 1)) != 0) {
		wb->wb_failed = 1;
		return -1;
	}
	rem = wb->wb_len & (align - 1);
	return rem == 0 ? (wb->wb_failed ? -1 : 0) :
	    wbuf_put_zero(wb, align - rem);
}

int
wbuf_reserve(struct wbuf *wb, size_t n, size_t *off)
{
	size_t at = wb->wb_len;

	if (wbuf_put_zero(wb, n) == -1)
		return -1;
	if (off != NULL)
		*off = at;
	return 0;
}

int
wbuf_put_u8(struct wbuf *wb, uint8_t v)
{
	return wbuf_put_bytes(wb, &v, 1);
}

int
wbuf_put_u16(struct wbuf *wb, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v & 0xff };

	return wbuf_put_bytes(wb, b, sizeof(b));
}

int
wbuf_put_u32(struct wbuf *wb, uint32_t v)
{
	uint8_t b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
	    v & 0xff };

	return wbuf_put_bytes(wb, b, sizeof(b));
}

int
wbuf_put_u64(struct wbuf *wb, uint64_t v)
{
	if (wbuf_put_u32(wb, (uint32_t)(v >> 32)) == -1)
		return -1;
	return wbuf_put_u32(wb, (uint32_t)v);
}

int
wbuf_put_u16h(struct wbuf *wb, uint16_t v)
{
	return wbuf_put_bytes(wb, &v, sizeof(v));
}

int
wbuf_put_u32h(struct wbuf *wb, uint32_t v)
{
	return wbuf_put_bytes(wb, &v, sizeof(v));
}

int
wbuf_put_u64h(struct wbuf *wb, uint64_t v)
{
	return wbuf_put_bytes(wb, &v, sizeof(v));
}

static int
wbuf_set(struct wbuf *wb, size_t off, const void *v, size_t n)
{
	if (wb->wb_failed || off > wb->wb_len || n > wb->wb_len - off)
		return -1;
	memcpy(wb->wb_data + off, v, n);
	return 0;
}

int
wbuf_set_u8(struct wbuf *wb, size_t off, uint8_t v)
{
	return wbuf_set(wb, off, &v, 1);
}

int
wbuf_set_u16(struct wbuf *wb, size_t off, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v & 0xff };

	return wbuf_set(wb, off, b, sizeof(b));
}

int
wbuf_set_u32(struct wbuf *wb, size_t off, uint32_t v)
{
	uint8_t b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
	    v & 0xff };

	return wbuf_set(wb, off, b, sizeof(b));
}

int
wbuf_set_u16h(struct wbuf *wb, size_t off, uint16_t v)
{
	return wbuf_set(wb, off, &v, sizeof(v));
}

int
wbuf_set_u32h(struct wbuf *wb, size_t off, uint32_t v)
{
	return wbuf_set(wb, off, &v, sizeof(v));
}

void
mem_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

void
freezero(void *p, size_t n)
{
	int saved = errno;

	mem_wipe(p, n);
	free(p);
	errno = saved;
}

int
mem_cmp_ct(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0 ? 0 : 1;
}
