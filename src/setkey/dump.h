/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * setkey's output of kernel messages in ipsec-tools' layout: SAs (-D,
 * get), policies (-DP), and libipsec's field-by-field debug form (-x,
 * -v).  Each takes a message the codec has parsed; nothing is kept.
 */
#ifndef DUMP_H
#define DUMP_H

#include <stdio.h>
#include <time.h>

#include "pfkey.h"

/* One SA; now is the "current:" time; withports adds [port]. */
void	 dump_sa(FILE *, const struct pfkey_msg *, int, time_t);
/* One policy; withports adds the tunnel endpoints' [port]. */
void	 dump_sp(FILE *, const struct pfkey_msg *, int);
/* Header and every extension with its fields (keys included). */
void	 dump_kdebug(FILE *, const struct pfkey_msg *);

#endif /* DUMP_H */
