// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: scheduler registry.
 *
 * The schedulers of the portable core are always present.  Other modules
 * may add more with xvs_register_scheduler(); a service bound to such a
 * scheduler pins the owning module, so it cannot be unloaded underneath.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/timer.h>
#include <linux/string.h>

#include "xvs.h"
#include "xvs_ctl.h"

struct xvs_sched_entry {
	struct list_head list;
	const struct xvs_sched_ops *ops;
	struct module *owner;
};

/* Schedulers registered by other modules; under xvs_sched_mutex. */
static LIST_HEAD(xvs_sched_list);
static DEFINE_MUTEX(xvs_sched_mutex);

static const struct xvs_sched_ops *xvs_core_sched_find(const char *name)
{
	const struct xvs_sched_ops *const *p;

	for (p = xvs_core_scheds; *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}

static struct xvs_sched_entry *xvs_sched_entry_find(const char *name)
{
	struct xvs_sched_entry *e;

	list_for_each_entry(e, &xvs_sched_list, list)
		if (!strcmp(e->ops->name, name))
			return e;
	return NULL;
}

static struct xvs_sched_entry *xvs_sched_entry_by_ops(const struct xvs_sched_ops *ops)
{
	struct xvs_sched_entry *e;

	list_for_each_entry(e, &xvs_sched_list, list)
		if (e->ops == ops)
			return e;
	return NULL;
}

/**
 * xvs_register_scheduler - make a scheduler available to services
 * @ops: the scheduler; must stay valid until unregistered
 * @owner: the module implementing @ops (THIS_MODULE)
 *
 * Returns 0, -EINVAL for an incomplete scheduler, -EEXIST if the name is
 * taken, or -ENOMEM.
 */
int xvs_register_scheduler(const struct xvs_sched_ops *ops, struct module *owner)
{
	struct xvs_sched_entry *e;
	int err = 0;

	if (!ops || !ops->name || !ops->name[0] || !ops->schedule ||
	    strlen(ops->name) >= IP_VS_SCHEDNAME_MAXLEN)
		return -EINVAL;
	/* A serialized scheduler keeps state that must follow the set. */
	if (ops->serialized && !ops->dests_changed)
		return -EINVAL;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->ops = ops;
	e->owner = owner;

	mutex_lock(&xvs_sched_mutex);
	if (xvs_core_sched_find(ops->name) || xvs_sched_entry_find(ops->name))
		err = -EEXIST;
	else
		list_add_tail(&e->list, &xvs_sched_list);
	mutex_unlock(&xvs_sched_mutex);

	if (err) {
		kfree(e);
		return err;
	}
	pr_info("[%s] scheduler registered.\n", ops->name);
	return 0;
}
EXPORT_SYMBOL_GPL(xvs_register_scheduler);

/**
 * xvs_unregister_scheduler - withdraw a scheduler added by a module
 * @ops: as given to xvs_register_scheduler()
 *
 * Services bound to it hold a reference on its module, so this is reached
 * from the module's exit only when no service uses it any more.
 */
int xvs_unregister_scheduler(const struct xvs_sched_ops *ops)
{
	struct xvs_sched_entry *e;

	mutex_lock(&xvs_sched_mutex);
	e = ops ? xvs_sched_entry_by_ops(ops) : NULL;
	if (e)
		list_del(&e->list);
	mutex_unlock(&xvs_sched_mutex);

	if (!e)
		return -EINVAL;
	pr_info("[%s] scheduler unregistered.\n", ops->name);
	kfree(e);
	return 0;
}
EXPORT_SYMBOL_GPL(xvs_unregister_scheduler);

const struct xvs_sched_ops *xvs_sched_get(const char *name)
{
	const struct xvs_sched_ops *ops;
	struct xvs_sched_entry *e;

	ops = xvs_core_sched_find(name);
	if (ops)
		return ops;

	mutex_lock(&xvs_sched_mutex);
	e = xvs_sched_entry_find(name);
	/* A module on its way out is no longer offered. */
	if (e && try_module_get(e->owner))
		ops = e->ops;
	mutex_unlock(&xvs_sched_mutex);
	return ops;
}

void xvs_sched_put(const struct xvs_sched_ops *ops)
{
	struct xvs_sched_entry *e;
	struct module *owner = NULL;

	if (!ops || xvs_core_sched_find(ops->name) == ops)
		return;

	mutex_lock(&xvs_sched_mutex);
	e = xvs_sched_entry_by_ops(ops);
	if (e)
		owner = e->owner;
	mutex_unlock(&xvs_sched_mutex);
	/*
	 * The entry cannot be gone: the reference we drop here keeps the
	 * owner from running its exit, which is where it unregisters.
	 */
	WARN_ON_ONCE(!e);
	module_put(owner);
}

/* Periodic housekeeping of schedulers that keep tables (lblc, lblcr). */
static void xvs_sched_gc_timer(struct timer_list *t)
{
	struct xvs_sched_inst *inst = from_timer(inst, t, gc_timer);
	struct xvs_service *svc = inst->svc;

	if (inst->ops->serialized)
		spin_lock_bh(&svc->sched_lock);
	inst->ops->gc(inst->state, &svc->xnet->sched_knobs);
	if (inst->ops->serialized)
		spin_unlock_bh(&svc->sched_lock);
	mod_timer(&inst->gc_timer, jiffies + XVS_SCHED_GC_INTERVAL);
}

/*
 * A scheduler instance for @svc, initialised from @set.  The state may be
 * large (mh keeps a 64K-slot table), hence kvzalloc.
 */
struct xvs_sched_inst *xvs_sched_inst_new(const struct xvs_sched_ops *ops,
					  struct xvs_service *svc,
					  const struct xvs_dest_set *set)
{
	struct xvs_sched_inst *inst;

	inst = kvzalloc(struct_size(inst, state,
				    DIV_ROUND_UP(ops->state_size, sizeof(u64))),
			GFP_KERNEL);
	if (!inst)
		return NULL;
	inst->ops = ops;
	inst->svc = svc;
	if (ops->init)
		ops->init(inst->state, set);
	if (ops->gc) {
		timer_setup(&inst->gc_timer, xvs_sched_gc_timer, 0);
		mod_timer(&inst->gc_timer, jiffies + XVS_SCHED_GC_INTERVAL);
	}
	return inst;
}

static void xvs_sched_inst_free_rcu(struct rcu_head *head)
{
	struct xvs_sched_inst *inst = container_of(head, struct xvs_sched_inst,
						   rcu);

	if (inst->ops->destroy)
		inst->ops->destroy(inst->state);
	kvfree(inst);
}

/*
 * Free an instance no longer published: once its timer is stopped and a
 * grace period has passed, no callback can be running on its state.
 */
void xvs_sched_inst_retire(struct xvs_sched_inst *inst)
{
	if (!inst)
		return;
	if (inst->ops->gc)
		del_timer_sync(&inst->gc_timer);
	call_rcu(&inst->rcu, xvs_sched_inst_free_rcu);
}
