/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvs: per-service connection timeouts (svc_timeout.c).
 */
#ifndef XVS_SVC_TIMEOUT_H
#define XVS_SVC_TIMEOUT_H

#include <net/netlink.h>

#include "xvs.h"

struct xvs_conn;

/* The timeouts a NEW_SERVICE or SET_SERVICE request gives. */
struct xvs_svc_timeouts_conf {
	unsigned int given;		/* BIT(enum xvs_svc_timeout) */
	unsigned int secs[XVS_SVC_TIMEOUTS];
};

/*
 * From the service nest @nla of a request; validated whole, so that a bad
 * value changes nothing.
 */
int xvs_svc_timeouts_parse(struct xvs_svc_timeouts_conf *conf,
			   const struct nlattr *nla,
			   struct netlink_ext_ack *extack);
/* Sets the given ones; caller holds xnet->mutex. */
void xvs_svc_timeouts_apply(struct xvs_service *svc,
			    const struct xvs_svc_timeouts_conf *conf);
/* Puts the non-zero ones into the service nest being filled. */
int xvs_svc_timeouts_fill(struct sk_buff *skb,
			  const struct xvs_service *svc);

/*
 * The timeout @cp's service sets for @state, in jiffies, or 0 when the
 * netns's applies.  Caller holds cp->lock.
 */
unsigned int xvs_svc_state_timeout(const struct xvs_conn *cp,
				   unsigned int state);

#endif /* XVS_SVC_TIMEOUT_H */
