// SPDX-License-Identifier: GPL-2.0
/*
 * The schedulers built into the core, for lookup by name.
 */
#include "xvs_shim.h"
#include "xvs_sched.h"

const struct xvs_sched_ops *const xvs_core_scheds[] = {
	&xvs_sched_rr,
	&xvs_sched_wrr,
	&xvs_sched_lc,
	&xvs_sched_wlc,
	&xvs_sched_lblc,
	&xvs_sched_lblcr,
	&xvs_sched_dh,
	&xvs_sched_sh,
	&xvs_sched_sed,
	&xvs_sched_nq,
	&xvs_sched_fo,
	&xvs_sched_ovf,
	&xvs_sched_mh,
	&xvs_sched_twos,
	NULL,
};
