/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address table shared by the locality-based schedulers lblc and
 * lblcr: a hash table keyed by a packet's destination address, with IPVS's
 * bucket count, size limits and housekeeping (lblc_table.c).
 *
 * Each scheduler embeds struct xvs_lblc_node in its own entry type and
 * hands the table a release function that frees one whole entry (lblcr's
 * entries own their member lists).  The table does no locking: both
 * schedulers are ->serialized.
 */
#ifndef XVS_LBLC_TABLE_H
#define XVS_LBLC_TABLE_H

#include "xvs_shim.h"
#include "xvs_sched.h"

#define XVS_LBLC_TAB_BITS	10
#define XVS_LBLC_TAB_SIZE	(1U << XVS_LBLC_TAB_BITS)
#define XVS_LBLC_TAB_MASK	(XVS_LBLC_TAB_SIZE - 1)
/* Past this many entries, housekeeping trims the table every time. */
#define XVS_LBLC_MAX_SIZE	((int)XVS_LBLC_TAB_SIZE * 16)
/* Idle time after which an entry may go while the table is oversized. */
#define XVS_LBLC_ENTRY_TIMEOUT	(6 * 60 * XVS_HZ)
/* Default of the lblc_expiration and lblcr_expiration sysctls. */
#define XVS_LBLC_EXPIRATION	(24 * 60 * 60 * XVS_HZ)
#define XVS_LBLC_FULL_EVERY	30	/* gc calls between full checks */

struct xvs_lblc_node {
	struct xvs_lblc_node *next;
	unsigned long lastuse;		/* jiffies */
	u32 addr[4];			/* as xvs_sched_input.daddr */
};

struct xvs_lblc_table {
	struct xvs_lblc_node *bucket[XVS_LBLC_TAB_SIZE];
	int entries;
	unsigned int rover;		/* last bucket swept */
	unsigned int counter;		/* gc calls since the last full check */
};

/* Frees the entry that embeds @node. */
typedef void (*xvs_lblc_release_t)(struct xvs_lblc_node *node);

/* The entry of type @type whose member @field is @node. */
#define xvs_lblc_entry(node, type, field) \
	((type *)((char *)(node) - offsetof(type, field)))

void xvs_lblc_table_init(struct xvs_lblc_table *t);

/* Releases every entry. */
void xvs_lblc_table_destroy(struct xvs_lblc_table *t,
			    xvs_lblc_release_t release);

/* The link that points at @addr's node, or NULL when it has none. */
struct xvs_lblc_node **xvs_lblc_table_find(struct xvs_lblc_table *t,
					   u16 af, const u32 *addr);

/* True when the table refuses new entries (IPVS's hard limit). */
bool xvs_lblc_table_full(const struct xvs_lblc_table *t);

/* Links @node for @addr, used as of @now; the caller checked _full(). */
void xvs_lblc_table_insert(struct xvs_lblc_table *t, struct xvs_lblc_node *node,
			   u16 af, const u32 *addr, unsigned long now);

/* Unlinks the node @pp points at and releases its entry. */
void xvs_lblc_table_unlink(struct xvs_lblc_table *t, struct xvs_lblc_node **pp,
			   xvs_lblc_release_t release);

/*
 * The periodic housekeeping (->gc of both schedulers): every thirtieth
 * call drops entries idle for @expiration; an oversized table is trimmed
 * of entries idle for XVS_LBLC_ENTRY_TIMEOUT in between.
 */
void xvs_lblc_table_gc(struct xvs_lblc_table *t, long expiration,
		       xvs_lblc_release_t release);

/*
 * The locality schedulers' own overload rule: @dest has more active
 * connections than its weight while some destination of @set (any, @dest
 * included) has fewer than half its weight active.
 */
bool xvs_lblc_overloaded(const struct xvs_sched_dest *dest,
			 const struct xvs_dest_set *set);

/* Whether @d is a member of @set. */
bool xvs_lblc_in_set(const struct xvs_dest_set *set,
		     const struct xvs_sched_dest *d);

#endif /* XVS_LBLC_TABLE_H */
