/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * setkey's commands as the grammar (parse.y) builds them from a script,
 * before anything is sent: one struct cmd per statement, in a list that
 * the whole script fills first, so that a script with any error changes
 * nothing.  This module owns the structures, their validation once a
 * statement is complete, the canonical printer (setkey -C) that the
 * golden tests diff, and the PF_KEY request of each command (cmd_build).
 *
 * Numbers kept here are PF_KEY's, with pfkey.h's names, so that
 * cmd_build copies them into messages as they are.  Keys are secret:
 * cmd_free wipes them.
 */
#ifndef CMD_H
#define CMD_H

#include <sys/queue.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "alg.h"
#include "pfkey.h"

enum cmd_type {
	CMD_ADD,
	CMD_GET,
	CMD_DELETE,
	CMD_DELETEALL,
	CMD_FLUSH,
	CMD_DUMP,
	CMD_SPDADD,
	CMD_SPDUPDATE,
	CMD_SPDDELETE,
	CMD_SPDFLUSH,
	CMD_SPDDUMP,
	CMD_EXIT,		/* -c: stop reading */
};

/*
 * PF_KEY's numbers are pfkey.h's (SADB_SATYPE_*, IPSEC_MODE_*, _DIR_*,
 * _POLICY_*, _LEVEL_*); these few are KAME's, which Linux lacks.
 */
#define CMD_SATYPE_TCPSIG	11	/* SADB_X_SATYPE_TCPSIGNATURE */

/* Policy priorities as libipsec spells them (prio low/def/high +- n). */
#define CMD_PRIO_HIGH		0x40000000U
#define CMD_PRIO_DEFAULT	0x80000000U
#define CMD_PRIO_LOW		0xc0000000U
#define CMD_PRIO_OFF_POS_MAX	0x3fffffffU	/* base - n */
#define CMD_PRIO_OFF_NEG_MAX	0x40000000U	/* base + n */

/* sadb_sa_flags that -f and -R set (KAME SADB_X_EXT_*). */
#define CMD_SAF_RAWCPI		0x0080
#define CMD_SAF_CYCSEQ		0x0040
#define CMD_SAF_PRAND		0x0100
#define CMD_SAF_PZERO		0x0200
#define CMD_SAF_PMASK		0x0300

/* A key as the script gave it (hex or "string"); wiped on free. */
struct cmd_key {
	uint8_t		*k_data;
	size_t		 k_len;
};

struct cmd {
	TAILQ_ENTRY(cmd) c_entry;
	enum cmd_type	 c_type;
	int		 c_line;	/* where the statement starts */
	int		 c_bad;		/* an error was reported for it */
	sa_family_t	 c_family;	/* -4 or -6, else AF_UNSPEC */

	/* SAD commands. */
	uint8_t		 c_satype;
	int		 c_natt;	/* esp-udp */
	int		 c_natt_oa_set;
	struct addr	 c_natt_oa;
	struct addr	 c_src;		/* SA: port only; SPD: prefix, port */
	struct addr	 c_dst;
	uint32_t	 c_spi;
	uint8_t		 c_mode;
	uint32_t	 c_reqid;
	uint8_t		 c_replay;
	uint32_t	 c_flags;
	uint64_t	 c_hard_time;
	uint64_t	 c_soft_time;
	uint64_t	 c_hard_bytes;
	uint64_t	 c_soft_bytes;
	const struct alg *c_enc;
	const struct alg *c_auth;
	const struct alg *c_comp;
	struct cmd_key	 c_enckey;
	struct cmd_key	 c_authkey;

	/* SPD commands. */
	uint8_t		 c_ulproto;
	int		 c_icmp;	/* icmp type[,code] given */
	uint8_t		 c_icmptype;	/* sent as the source port */
	uint8_t		 c_icmpcode;	/* sent as the destination port */
	int		 c_pol_action;	/* 0: -P gave only a direction */
	struct pfkey_policy c_pol;	/* requests: AF_UNSPEC, no endpoints */
};

TAILQ_HEAD(cmd_list, cmd);

/* Where errors go while a script is read; NULL silences them. */
struct cmd_errs {
	FILE		*ce_out;
	const char	*ce_name;	/* the file's basename, or "<stdin>" */
	int		 ce_count;
};

/* Print "name:line: message" and count it. */
void	 cmd_error(struct cmd_errs *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* A new command with its defaults; NULL if out of memory. */
struct cmd *cmd_new(enum cmd_type, int);
/* Wipes the keys and frees; NULL is fine. */
void	 cmd_free(struct cmd *);
void	 cmd_list_free(struct cmd_list *);
void	 cmd_key_clear(struct cmd_key *);

/*
 * Checks a statement the grammar has completed: what its type needs,
 * what its protocol allows, key lengths from the algorithm table.
 * Reports each problem through errs; returns 0 if there was none.
 */
int	 cmd_check(struct cmd *, struct cmd_errs *);

/*
 * Parses one -P request word ("esp/tunnel/192.0.2.1-192.0.2.2/require")
 * into the next slot of pol; reports a problem and returns -1.
 */
int	 cmd_policy_request(struct pfkey_policy *, const char *, int,
	    struct cmd_errs *);

/* The key bits an algorithm takes, for error messages ("128 or 256"). */
void	 cmd_alg_keysizes(const struct alg *, char *, size_t);

/* Upper-layer protocol names: /etc/protocols, then icmp6, ip4, any. */
int	 cmd_ulproto_byname(const char *);
/* Name for a number as setkey -DP prints it (the number if none). */
void	 cmd_ulproto_name(uint8_t, char *, size_t);

/* "esp", "ah", "ipcomp", "tcp" as scripts write them. */
const char *cmd_satype_name(uint8_t);
/* The number whose pfkey_*_name() is name, below max; -1 if none. */
int	 cmd_lookup(const char *(*)(unsigned), unsigned, const char *);
/*
 * A priority as libipsec dumps it: "" for 0, else "prio def", "prio
 * high + 5", "prio low - 3" (the sign as it is written in a script).
 */
void	 cmd_prio_fmt(uint32_t, char *, size_t);

/* The command's keyword ("add", "spdflush"). */
const char *cmd_word(enum cmd_type);
/* One statement in canonical setkey syntax, ending in ";\n". */
void	 cmd_print(FILE *, const struct cmd *);

/* The PF_KEY message type a command sends (deleteall: its SADB_DUMP). */
uint8_t	 cmd_msgtype(const struct cmd *);
/*
 * The PF_KEY request for a command, with seq and pid, into an empty wbuf
 * (make it secret: an add carries keys).  For deleteall this is the
 * SADB_DUMP of its protocol; cmd_build_delete then removes one SA it
 * found.  Returns 0, or -1 if the message does not fit.
 */
int	 cmd_build(const struct cmd *, uint32_t, uint32_t, struct wbuf *);
int	 cmd_build_delete(const struct cmd *, uint32_t, uint32_t, uint32_t,
	    struct wbuf *);

#endif /* CMD_H */
