/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The validated racoon.conf tree.  cfg_load() reads a racoon.conf (and
 * the files it includes), reports every error and warning with its file
 * and line, and returns a tree only when there was no error: a tree the
 * caller gets is complete, with every default filled in, and is never
 * changed afterwards.  A reload parses into a new tree and swaps it in
 * only if it loaded; the old one stays in use otherwise.
 *
 * Ownership: the tree owns every string and list below it; cfg_free()
 * releases all of it (secrets such as ldap bind_pw and radius shared
 * secrets are wiped).  Pointers to struct alg point into the static
 * table of src/common/alg.c and live forever.
 *
 * Lifetimes are in seconds, sizes in bytes, key lengths in bits as the
 * IKE Key Length attribute carries them (for AES-GCM and AES-CTR without
 * the 32-bit salt that setkey and PF_KEY append).
 */
#ifndef CFG_H
#define CFG_H

#include <sys/queue.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "alg.h"

#define CFG_PORT_ISAKMP		500
#define CFG_PORT_NATT		4500
#define CFG_LIFETIME_DEFAULT	28800	/* RFC 2407 4.5, RFC 2409 A */
#define CFG_NONCE_DEFAULT	16
#define CFG_MAX_ALGS		16	/* per sainfo algorithm list */
#define CFG_MAX_EXMODES		3

/* log: racoon's levels, lowest first. */
enum cfg_loglevel {
	CFG_LOG_ERROR,
	CFG_LOG_WARNING,
	CFG_LOG_NOTIFY,
	CFG_LOG_INFO,
	CFG_LOG_DEBUG,
	CFG_LOG_DEBUG2,
};

/* privsep { user; group; chroot; }: names, or numbers as text. */
struct cfg_privsep {
	int		 ps_set;
	char		*ps_user;
	int		 ps_user_numeric;
	char		*ps_group;
	int		 ps_group_numeric;
	char		*ps_chroot;
};

/* path TYPE "value";  NULL when not given (pidfile has a default). */
struct cfg_paths {
	char		*p_include;
	char		*p_psk;		/* set; SYSCONFDIR/psk.txt */
	char		*p_certificate;
	char		*p_script;
	char		*p_backupsa;
	char		*p_pidfile;	/* set; racoon.pid */
	char		*p_keylog;	/* NULL: no key log */
};

struct cfg_padding {
	int		 pad_randomize;
	int		 pad_randomize_length;
	uint32_t	 pad_maximum_length;
	int		 pad_strict_check;
	int		 pad_exclusive_tail;
};

/* One "isakmp ADDR [port];" or "isakmp_natt ADDR [port];" line. */
struct cfg_listen_addr {
	struct addr	 la_addr;	/* port: default 500, 4500 */
	int		 la_natt;
	TAILQ_ENTRY(cfg_listen_addr) la_entry;
};
TAILQ_HEAD(cfg_listen_addrs, cfg_listen_addr);

struct cfg_listen {
	struct cfg_listen_addrs l_addrs;	/* empty: all addresses */
	int		 l_strict_address;
	int		 l_admin_disabled;
	char		*l_admin_path;
	char		*l_admin_owner;
	char		*l_admin_group;
	unsigned	 l_admin_mode;
};

struct cfg_timer {
	uint32_t	 t_counter;
	uint32_t	 t_interval;
	uint32_t	 t_persend;
	uint32_t	 t_phase1;
	uint32_t	 t_phase2;
	uint32_t	 t_natt_keepalive;
};

/* Phase 1 identities (my_identifier, peers_identifier, sainfo from). */
enum cfg_idtype {
	CFG_ID_ADDRESS = 1,
	CFG_ID_FQDN,
	CFG_ID_USER_FQDN,
	CFG_ID_KEYID,
	CFG_ID_ASN1DN,
	CFG_ID_SUBNET,
};

enum cfg_idqual {
	CFG_IDQUAL_NONE,
	CFG_IDQUAL_FILE,	/* keyid: the value is a file to read */
	CFG_IDQUAL_TAG,		/* keyid: the value itself */
};

struct cfg_id {
	enum cfg_idtype	 id_type;
	enum cfg_idqual	 id_qual;
	/*
	 * NULL: derived at run time (address: the local address;
	 * asn1dn: the certificate's subject).
	 */
	char		*id_value;
	struct addr	 id_addr;	/* CFG_ID_ADDRESS with a value */
	TAILQ_ENTRY(cfg_id) id_entry;
};
TAILQ_HEAD(cfg_ids, cfg_id);

/* Exchange modes, with their ISAKMP exchange type numbers (RFC 2408). */
enum cfg_exmode {
	CFG_EXMODE_BASE = 1,
	CFG_EXMODE_MAIN = 2,		/* Identity Protection */
	CFG_EXMODE_AGGRESSIVE = 4,
};

/* Phase 1 authentication methods (racoon.conf names). */
enum cfg_auth {
	CFG_AUTH_PSK = 1,
	CFG_AUTH_DSSSIG,
	CFG_AUTH_RSASIG,
	CFG_AUTH_RSAENC,
	CFG_AUTH_RSAREV,
	CFG_AUTH_GSSAPI_KRB,
	CFG_AUTH_HYBRID_RSA_SERVER,
	CFG_AUTH_HYBRID_RSA_CLIENT,
	CFG_AUTH_HYBRID_DSS_SERVER,
	CFG_AUTH_HYBRID_DSS_CLIENT,
	CFG_AUTH_XAUTH_PSK_SERVER,
	CFG_AUTH_XAUTH_PSK_CLIENT,
	CFG_AUTH_XAUTH_RSA_SERVER,
	CFG_AUTH_XAUTH_RSA_CLIENT,
};

/* One proposal { } of a remote, in the order written. */
struct cfg_proposal {
	const struct alg *p_enc;	/* ALG_IKE_ENC */
	unsigned	 p_enc_keylen;	/* bits; 0: fixed-size cipher */
	const struct alg *p_hash;	/* ALG_IKE_HASH */
	enum cfg_auth	 p_auth;
	const struct alg *p_dh;		/* ALG_DH */
	uint32_t	 p_lifetime;	/* default: the remote's lifetime */
	char		*p_gss_id;	/* NULL if not given */
	const char	*p_file;
	int		 p_line;
	TAILQ_ENTRY(cfg_proposal) p_entry;
};
TAILQ_HEAD(cfg_proposals, cfg_proposal);

enum cfg_switch3 {		/* on | off | force */
	CFG_OFF,
	CFG_ON,
	CFG_FORCE,
};

enum cfg_genpolicy {
	CFG_GENPOLICY_OFF,
	CFG_GENPOLICY_ON,	/* "on" and "require" */
	CFG_GENPOLICY_UNIQUE,
};

enum cfg_pcheck {
	CFG_PCHECK_OBEY,
	CFG_PCHECK_STRICT,
	CFG_PCHECK_CLAIM,
	CFG_PCHECK_EXACT,
};

enum cfg_certtype {
	CFG_CERT_NONE,
	CFG_CERT_X509,
	CFG_CERT_PLAIN_RSA,
	CFG_CERT_DNSSEC,	/* peers_certfile dnssec */
};

enum cfg_script {
	CFG_SCRIPT_PHASE1_UP,
	CFG_SCRIPT_PHASE1_DOWN,
	CFG_SCRIPT_PHASE1_DEAD,
	CFG_SCRIPT_MAX,
};

/*
 * remote ADDR [port] | anonymous [port] | "name" [inherit "parent"].
 * An inheriting remote starts as a copy of its parent's settings
 * (proposals included); its own directives then override them.
 */
struct cfg_remote {
	char		*r_name;	/* "name", or the address as text */
	int		 r_named;	/* header was remote "name" */
	int		 r_anonymous;
	int		 r_has_address;
	struct addr	 r_address;	/* remote_address, with port */
	uint16_t	 r_port;	/* header's [port] */
	char		*r_inherit;	/* parent's name, or NULL */
	/* In order: the initiator uses the first. */
	enum cfg_exmode	 r_exmode[CFG_MAX_EXMODES];
	int		 r_nexmode;
	int		 r_doi;		/* 1: IPsec DOI */
	int		 r_situation;	/* 1 identity_only, 2, 4 */
	struct cfg_id	*r_my_id;	/* default: address, derived */
	struct cfg_ids	 r_peers_ids;
	int		 r_verify_identifier;
	char		*r_xauth_login;
	enum cfg_certtype r_cert_type;
	char		*r_cert_file;	/* x509 cert, plain_rsa key */
	char		*r_cert_key;	/* x509 private key */
	char		*r_ca_file;	/* ca_type x509 */
	enum cfg_certtype r_peers_cert_type;
	char		*r_peers_cert_file;
	int		 r_verify_cert;
	int		 r_send_cert;
	int		 r_send_cr;
	int		 r_match_empty_cr;
	uint32_t	 r_nonce_size;
	int		 r_passive;
	enum cfg_switch3 r_ike_frag;
	uint32_t	 r_esp_frag;	/* 0: off */
	char		*r_script[CFG_SCRIPT_MAX];
	int		 r_mode_cfg;
	int		 r_weak_phase1_check;
	enum cfg_genpolicy r_generate_policy;
	int		 r_support_proxy;
	int		 r_initial_contact;
	enum cfg_switch3 r_nat_traversal;
	uint32_t	 r_dpd_delay;	/* seconds; 0: no DPD probes */
	uint32_t	 r_dpd_retry;
	uint32_t	 r_dpd_maxfail;
	enum cfg_switch3 r_rekey;
	uint32_t	 r_ph1id;
	uint32_t	 r_lifetime;
	enum cfg_pcheck	 r_proposal_check;
	struct cfg_proposals r_proposals;
	const char	*r_file;
	int		 r_line;
	TAILQ_ENTRY(cfg_remote) r_entry;
};
TAILQ_HEAD(cfg_remotes, cfg_remote);

/* One side of a sainfo: the phase 2 ID it matches. */
enum cfg_said_kind {
	CFG_SAID_ANONYMOUS,
	CFG_SAID_CLIENTADDR,	/* remote side only */
	CFG_SAID_ADDRESS,
	CFG_SAID_SUBNET,
	CFG_SAID_RANGE,		/* address A-B */
	CFG_SAID_FQDN,
	CFG_SAID_USER_FQDN,
	CFG_SAID_KEYID,
};

#define CFG_PROTO_ANY	255	/* IPSEC_ULPROTO_ANY */

struct cfg_said {
	enum cfg_said_kind sid_kind;
	struct addr	 sid_addr;	/* address, prefix and port */
	struct addr	 sid_addr_end;	/* RANGE: the last address */
	int		 sid_proto;	/* IPPROTO_*, or CFG_PROTO_ANY */
	char		*sid_str;	/* fqdn, user_fqdn, keyid */
};

struct cfg_sa_alg {
	const struct alg *sa_alg;
	unsigned	 sa_keylen;	/* bits; 0 for fixed-size */
};

struct cfg_sainfo {
	struct cfg_said	 si_local;
	struct cfg_said	 si_remote;
	struct cfg_id	*si_from;	/* peer's phase 1 ID, or NULL */
	char		*si_group;	/* XAuth group, or NULL */
	const struct alg *si_pfs;	/* ALG_DH, or NULL: no PFS */
	uint32_t	 si_lifetime;
	uint32_t	 si_remoteid;
	struct cfg_sa_alg si_enc[CFG_MAX_ALGS];
	int		 si_nenc;
	struct cfg_sa_alg si_auth[CFG_MAX_ALGS];
	int		 si_nauth;
	struct cfg_sa_alg si_comp[CFG_MAX_ALGS];
	int		 si_ncomp;
	const char	*si_file;
	int		 si_line;
	TAILQ_ENTRY(cfg_sainfo) si_entry;
};
TAILQ_HEAD(cfg_sainfos, cfg_sainfo);

/* mode_cfg { } (the server side of ISAKMP mode config and XAuth). */
enum cfg_source {
	CFG_SRC_NONE,
	CFG_SRC_SYSTEM,
	CFG_SRC_LOCAL,
	CFG_SRC_RADIUS,
	CFG_SRC_PAM,
	CFG_SRC_LDAP,
};

struct cfg_net {
	struct addr	 n_addr;	/* with a_plen */
	TAILQ_ENTRY(cfg_net) n_entry;
};
TAILQ_HEAD(cfg_nets, cfg_net);

struct cfg_str {
	char		*s_str;
	TAILQ_ENTRY(cfg_str) s_entry;
};
TAILQ_HEAD(cfg_strs, cfg_str);

struct cfg_modecfg {
	int		 mc_set;
	struct addr	 mc_network4;
	struct addr	 mc_netmask4;
	struct cfg_nets	 mc_dns4;	/* host addresses */
	struct cfg_nets	 mc_wins4;
	struct cfg_nets	 mc_split_include;
	struct cfg_nets	 mc_split_local;
	struct cfg_strs	 mc_split_dns;
	struct cfg_strs	 mc_auth_groups;
	char		*mc_default_domain;
	enum cfg_source	 mc_auth_source;
	enum cfg_source	 mc_group_source;
	enum cfg_source	 mc_conf_source;
	enum cfg_source	 mc_accounting;
	uint32_t	 mc_pool_size;
	char		*mc_banner;
	uint32_t	 mc_auth_throttle;
	const struct alg *mc_pfs_group;	/* NULL: 0 */
	int		 mc_save_passwd;
};

struct cfg_ldap {
	int		 ld_set;
	uint32_t	 ld_version;
	uint32_t	 ld_debug;
	uint32_t	 ld_timeout;	/* 0: the library's */
	char		*ld_uri;
	char		*ld_host;
	uint32_t	 ld_port;
	char		*ld_base;
	int		 ld_subtree;
	char		*ld_bind_dn;
	char		*ld_bind_pw;	/* secret: wiped */
	char		*ld_attr_user;
	char		*ld_attr_addr;
	char		*ld_attr_mask;
	char		*ld_attr_group;
	char		*ld_attr_member;
};

struct cfg_radius_server {
	char		*rs_host;
	uint16_t	 rs_port;	/* 0: the default */
	char		*rs_secret;	/* secret: wiped */
	TAILQ_ENTRY(cfg_radius_server) rs_entry;
};
TAILQ_HEAD(cfg_radius_servers, cfg_radius_server);

struct cfg_radius {
	int		 rad_set;
	struct cfg_radius_servers rad_auth;
	struct cfg_radius_servers rad_acct;
	uint32_t	 rad_timeout;
	uint32_t	 rad_retries;
};

struct cfg {
	struct cfg_privsep c_privsep;
	struct cfg_paths c_paths;
	int		 c_gss_id_utf16le;	/* default 1 */
	uint32_t	 c_pfkey_buffer;	/* KiB; 0: the OS default */
	enum cfg_loglevel c_log;
	struct cfg_padding c_padding;
	struct cfg_listen c_listen;
	struct cfg_timer c_timer;
	int		 c_complex_bundle;
	struct cfg_remotes c_remotes;
	struct cfg_sainfos c_sainfos;
	struct cfg_modecfg c_modecfg;
	struct cfg_ldap	 c_ldap;
	struct cfg_radius c_radius;
	/* Every file read; the *_file members above point into these. */
	struct cfg_strs	 c_files;
};

/*
 * Where diagnostics go.  Each call gets one complete line without a
 * newline: "file:line: message" for errors, "file:line: warning:
 * message" for warnings.  NULL writes them to stderr.
 */
typedef void (*cfg_diag_fn)(void *, int, const char *);
#define CFG_DIAG_ERROR		1
#define CFG_DIAG_WARNING	0

struct cfg_opts {
	cfg_diag_fn	 co_diag;
	void		*co_diag_arg;
	int		 co_no_include;	/* fuzzing: refuse include */
};

/*
 * Read and validate a configuration file.  Returns the tree, or NULL
 * after every error has been reported (and then nothing is returned).
 * opts may be NULL.
 */
struct cfg	*cfg_load(const char *, const struct cfg_opts *);
/* The same from memory; name is used in the diagnostics. */
struct cfg	*cfg_load_mem(const char *, const void *, size_t,
		    const struct cfg_opts *);
void		 cfg_free(struct cfg *);

/* The canonical form of a tree, every default written out. */
void		 cfg_print(FILE *, const struct cfg *);

/* Names for what the tree holds, for the printer and for logs. */
const char	*cfg_auth_name(enum cfg_auth);
const char	*cfg_exmode_name(enum cfg_exmode);
const char	*cfg_idtype_name(enum cfg_idtype);
/* The remote a name refers to ("name" or an address), or NULL. */
struct cfg_remote *cfg_remote_by_name(const struct cfg *, const char *);

/* Largest file cfg_load() reads. */
#define CFG_FILE_MAX	(1024 * 1024)
/* Deepest include nesting. */
#define CFG_INCLUDE_MAX	10

#endif /* CFG_H */
