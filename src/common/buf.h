/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one way untrusted bytes are read and written: UDP payloads, PF_KEY
 * messages, TUN and AF_PACKET frames, config files, psk.txt, the admin
 * socket and argv all go through struct rbuf; messages we build go through
 * struct wbuf.
 *
 * struct rbuf is a read-only view (data, length, offset) of memory it does
 * not own.  Every getter returns 0, or -1 when the bytes are not there, and
 * never moves on failure.  rbuf_sub() cuts a child view of a declared
 * length, so a payload parser cannot reach its neighbours.
 *
 * struct wbuf grows up to a hard maximum set at init; once a put fails the
 * buffer is marked failed and every later put fails too, so a builder may
 * chain puts and check once (wbuf_failed()).  wbuf_reserve() plus the
 * wbuf_set_* calls patch length fields after the fact.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t	*rb_data;
	size_t		 rb_len;
	size_t		 rb_off;
};

void	 rbuf_init(struct rbuf *, const void *, size_t);
void	 rbuf_init_str(struct rbuf *, const char *);
size_t	 rbuf_left(const struct rbuf *);
size_t	 rbuf_offset(const struct rbuf *);
/* Current position; valid while the memory under the view lives. */
const uint8_t *rbuf_ptr(const struct rbuf *);

/* Network byte order. */
int	 rbuf_get_u8(struct rbuf *, uint8_t *);
int	 rbuf_get_u16(struct rbuf *, uint16_t *);
int	 rbuf_get_u32(struct rbuf *, uint32_t *);
int	 rbuf_get_u64(struct rbuf *, uint64_t *);
/* Host byte order (PF_KEY, TPACKET and vnet headers). */
int	 rbuf_get_u16h(struct rbuf *, uint16_t *);
int	 rbuf_get_u32h(struct rbuf *, uint32_t *);
int	 rbuf_get_u64h(struct rbuf *, uint64_t *);
/* Peek at an offset from the current position, without moving. */
int	 rbuf_peek_u8(const struct rbuf *, size_t, uint8_t *);
int	 rbuf_peek_u16(const struct rbuf *, size_t, uint16_t *);
int	 rbuf_peek_u16h(const struct rbuf *, size_t, uint16_t *);
int	 rbuf_peek_u32(const struct rbuf *, size_t, uint32_t *);
int	 rbuf_peek_u32h(const struct rbuf *, size_t, uint32_t *);

int	 rbuf_get_bytes(struct rbuf *, void *, size_t);
/* Zero-copy: *ref points into the view's memory. */
int	 rbuf_get_ref(struct rbuf *, size_t, const uint8_t **);
int	 rbuf_skip(struct rbuf *, size_t);
/* Reads n bytes that must all be zero (reserved fields). */
int	 rbuf_get_zero(struct rbuf *, size_t);
/* Child view of the next len bytes; the parent moves past them. */
int	 rbuf_sub(struct rbuf *, size_t, struct rbuf *);
/* The rest of the view as a child; the parent is left empty. */
void	 rbuf_rest(struct rbuf *, struct rbuf *);

/*
 * Text.  A line ends at '\n' (not included; a trailing '\r' is dropped);
 * the last line need not end with one.  Returns -1 at end of input.
 */
int	 rbuf_get_line(struct rbuf *, struct rbuf *);
void	 rbuf_skip_blanks(struct rbuf *);		/* spaces and tabs */
/* The next run of non-blank bytes; -1 if none. */
int	 rbuf_get_word(struct rbuf *, struct rbuf *);
/* 1 if the view holds exactly the NUL-free string s. */
int	 rbuf_eq_str(const struct rbuf *, const char *);
/*
 * Copy the rest of the view into a NUL-terminated string.  Fails if it
 * holds a NUL or does not fit (len includes the terminator).
 */
int	 rbuf_get_str(struct rbuf *, char *, size_t);
/*
 * Unsigned number in decimal, or hex with 0x, filling the whole view and
 * at most max.  No sign, no blanks, no empty string.
 */
int	 rbuf_get_uint(struct rbuf *, uint64_t, uint64_t *);
/* Same for a NUL-terminated string (argv, config tokens). */
int	 str_to_uint(const char *, uint64_t, uint64_t *);
struct wbuf;
/*
 * Hex digits (an even number, no 0x) filling the whole view, decoded and
 * appended to the writer.  Fails on an odd count or a non-hex byte.
 */
int	 rbuf_get_hex(struct rbuf *, struct wbuf *);

#define WBUF_MAX_DEFAULT	(64 * 1024)

struct wbuf {
	uint8_t		*wb_data;
	size_t		 wb_len;
	size_t		 wb_cap;
	size_t		 wb_max;
	int		 wb_failed;
	int		 wb_fixed;	/* memory is the caller's */
	int		 wb_secret;	/* wipe on growth and free */
};

/* Heap buffer that grows up to max bytes.  Returns -1 if out of memory. */
int	 wbuf_init(struct wbuf *, size_t, size_t);
/* Writes into the caller's memory, never beyond len. */
void	 wbuf_init_fixed(struct wbuf *, void *, size_t);
/* Keys and other secrets: old memory is wiped when the buffer moves. */
void	 wbuf_set_secret(struct wbuf *);
/* Wipes (if secret) and frees a heap buffer; safe on a zeroed struct. */
void	 wbuf_free(struct wbuf *);
void	 wbuf_reset(struct wbuf *);
/* Drop bytes past len (wiped if secret); -1 if len is beyond the end. */
int	 wbuf_truncate(struct wbuf *, size_t);
int	 wbuf_failed(const struct wbuf *);
size_t	 wbuf_len(const struct wbuf *);
uint8_t	*wbuf_data(const struct wbuf *);

int	 wbuf_put_u8(struct wbuf *, uint8_t);
int	 wbuf_put_u16(struct wbuf *, uint16_t);
int	 wbuf_put_u32(struct wbuf *, uint32_t);
int	 wbuf_put_u64(struct wbuf *, uint64_t);
int	 wbuf_put_u16h(struct wbuf *, uint16_t);
int	 wbuf_put_u32h(struct wbuf *, uint32_t);
int	 wbuf_put_u64h(struct wbuf *, uint64_t);
int	 wbuf_put_bytes(struct wbuf *, const void *, size_t);
int	 wbuf_put_zero(struct wbuf *, size_t);
/* Zero bytes up to the next multiple of align (a power of two). */
int	 wbuf_pad(struct wbuf *, size_t);
/*
 * Reserve len zeroed bytes and return their offset in *off, for a field
 * (a length, a checksum) that is known only later.
 */
int	 wbuf_reserve(struct wbuf *, size_t, size_t *);
/* Patch a value at an offset already written. */
int	 wbuf_set_u8(struct wbuf *, size_t, uint8_t);
int	 wbuf_set_u16(struct wbuf *, size_t, uint16_t);
int	 wbuf_set_u32(struct wbuf *, size_t, uint32_t);
int	 wbuf_set_u16h(struct wbuf *, size_t, uint16_t);
int	 wbuf_set_u32h(struct wbuf *, size_t, uint32_t);

/* Wipe memory that held a secret; the compiler may not drop it. */
void	 mem_wipe(void *, size_t);
/* Wipe then free (iked's freezero); NULL is fine. */
void	 freezero(void *, size_t);
/* Constant-time compare (CRYPTO_memcmp): 0 if equal. */
int	 mem_cmp_ct(const void *, const void *, size_t);

#endif /* BUF_H */
