// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: per-CPU traffic counters and the rate estimator.
 *
 * Counters are bumped on the packet path without locks, one copy per CPU,
 * and summed when read.  Every 2 seconds a delayed work item turns the
 * growth of each registered counter set into smoothed rates the way IPVS
 * does: the new 2-second rate is weighted 1/4 into the average, packet and
 * connection rates are kept scaled by 2^10, byte rates by 2^5, and readers
 * get them rounded back to plain per-second values.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/jiffies.h>
#include <linux/sched.h>

#include "xvs.h"

#define XVS_EST_INTERVAL	(2 * HZ)
/* Counter sets handled per hold of est_lock before letting others in. */
#define XVS_EST_BATCH		64

int xvs_stats_init(struct xvs_stats *s)
{
	int cpu;

	memset(s, 0, sizeof(*s));
	s->cpu = alloc_percpu(struct xvs_cpu_stats);
	if (!s->cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->cpu, cpu)->syncp);
	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->est.list);
	return 0;
}

void xvs_stats_free(struct xvs_stats *s)
{
	free_percpu(s->cpu);
	s->cpu = NULL;
}

/* Sum over all CPUs of the raw counters (not relative to the last zero). */
static void xvs_stats_sum(struct xvs_stats *s, struct xvs_counters *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		struct xvs_cpu_stats *c = per_cpu_ptr(s->cpu, cpu);
		struct xvs_counters snap;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			snap = c->cnt;
		} while (u64_stats_fetch_retry(&c->syncp, start));
		sum->conns += snap.conns;
		sum->inpkts += snap.inpkts;
		sum->outpkts += snap.outpkts;
		sum->inbytes += snap.inbytes;
		sum->outbytes += snap.outbytes;
	}
}

void xvs_stats_read(struct xvs_stats *s, struct xvs_counters *out)
{
	struct xvs_counters sum;

	xvs_stats_sum(s, &sum);
	spin_lock_bh(&s->lock);
	out->conns = sum.conns - s->zero.conns;
	out->inpkts = sum.inpkts - s->zero.inpkts;
	out->outpkts = sum.outpkts - s->zero.outpkts;
	out->inbytes = sum.inbytes - s->zero.inbytes;
	out->outbytes = sum.outbytes - s->zero.outbytes;
	spin_unlock_bh(&s->lock);
}

void xvs_stats_read_rates(struct xvs_stats *s, struct xvs_rates *out)
{
	struct xvs_estimator *e = &s->est;

	spin_lock_bh(&s->lock);
	/* Round the scaled averages to the nearest unit. */
	out->cps = (e->cps + 0x1FF) >> 10;
	out->inpps = (e->inpps + 0x1FF) >> 10;
	out->outpps = (e->outpps + 0x1FF) >> 10;
	out->inbps = (e->inbps + 0xF) >> 5;
	out->outbps = (e->outbps + 0xF) >> 5;
	spin_unlock_bh(&s->lock);
}

void xvs_stats_zero(struct xvs_stats *s)
{
	struct xvs_counters sum;

	xvs_stats_sum(s, &sum);
	spin_lock_bh(&s->lock);
	s->zero = sum;
	/* The estimator restarts from here, with no rate history. */
	s->est.last = sum;
	s->est.cps = 0;
	s->est.inpps = 0;
	s->est.outpps = 0;
	s->est.inbps = 0;
	s->est.outbps = 0;
	spin_unlock_bh(&s->lock);
}

/* One smoothing step: avg += (rate - avg) / 4, rate given already scaled. */
static u64 xvs_est_smooth(u64 avg, u64 rate)
{
	return avg + (((s64)rate - (s64)avg) >> 2);
}

static void xvs_est_update(struct xvs_stats *s)
{
	struct xvs_estimator *e = &s->est;
	struct xvs_counters sum;

	xvs_stats_sum(s, &sum);

	spin_lock_bh(&s->lock);
	/*
	 * Deltas over 2 seconds: << 9 is "scale by 2^10, divide by 2", << 4
	 * is "scale by 2^5, divide by 2".
	 */
	e->cps = xvs_est_smooth(e->cps, (sum.conns - e->last.conns) << 9);
	e->inpps = xvs_est_smooth(e->inpps,
				  (sum.inpkts - e->last.inpkts) << 9);
	e->outpps = xvs_est_smooth(e->outpps,
				   (sum.outpkts - e->last.outpkts) << 9);
	e->inbps = xvs_est_smooth(e->inbps,
				  (sum.inbytes - e->last.inbytes) << 4);
	e->outbps = xvs_est_smooth(e->outbps,
				   (sum.outbytes - e->last.outbytes) << 4);
	e->last = sum;
	spin_unlock_bh(&s->lock);
}

/*
 * A cursor in the list marks how far the walk got, so est_lock can be
 * dropped between batches while services come and go: removing any real
 * entry leaves the cursor in place.  Only this work item walks the list of
 * its namespace, so one cursor at a time exists.
 */
static void xvs_est_work_fn(struct work_struct *work)
{
	struct xvs_net *xnet = container_of(to_delayed_work(work),
					    struct xvs_net, est_work);
	struct list_head cursor;
	struct xvs_estimator *e;
	unsigned int n;

	if (!READ_ONCE(xnet->sysctl.run_estimation))
		goto out;

	spin_lock_bh(&xnet->est_lock);
	e = list_first_entry(&xnet->est_list, struct xvs_estimator, list);
	for (;;) {
		for (n = 0; &e->list != &xnet->est_list && n < XVS_EST_BATCH;
		     n++) {
			xvs_est_update(container_of(e, struct xvs_stats, est));
			e = list_next_entry(e, list);
		}
		if (&e->list == &xnet->est_list)
			break;
		/*
		 * e may go while the lock is dropped: a cursor parked before
		 * it keeps the place (one list move per batch, not per entry).
		 */
		list_add_tail(&cursor, &e->list);
		spin_unlock_bh(&xnet->est_lock);
		cond_resched();
		spin_lock_bh(&xnet->est_lock);
		e = list_entry(cursor.next, struct xvs_estimator, list);
		list_del(&cursor);
	}
	spin_unlock_bh(&xnet->est_lock);
out:
	queue_delayed_work(system_long_wq, &xnet->est_work,
			   XVS_EST_INTERVAL);
}

void xvs_est_add(struct xvs_net *xnet, struct xvs_stats *s)
{
	spin_lock_bh(&xnet->est_lock);
	/* Idempotent, so every owner may register what it owns. */
	if (list_empty(&s->est.list)) {
		struct xvs_counters sum;

		xvs_stats_sum(s, &sum);
		spin_lock(&s->lock);
		s->est.last = sum;
		spin_unlock(&s->lock);
		list_add_tail(&s->est.list, &xnet->est_list);
	}
	spin_unlock_bh(&xnet->est_lock);
}

void xvs_est_del(struct xvs_net *xnet, struct xvs_stats *s)
{
	spin_lock_bh(&xnet->est_lock);
	list_del_init(&s->est.list);
	spin_unlock_bh(&xnet->est_lock);
}

int xvs_est_net_init(struct xvs_net *xnet)
{
	spin_lock_init(&xnet->est_lock);
	INIT_LIST_HEAD(&xnet->est_list);
	INIT_DELAYED_WORK(&xnet->est_work, xvs_est_work_fn);
	/* The namespace totals are always estimated, as IPVS does. */
	xvs_est_add(xnet, &xnet->tot_stats);
	queue_delayed_work(system_long_wq, &xnet->est_work,
			   XVS_EST_INTERVAL);
	return 0;
}

void xvs_est_net_exit(struct xvs_net *xnet)
{
	cancel_delayed_work_sync(&xnet->est_work);
	xvs_est_del(xnet, &xnet->tot_stats);
}
