// SPDX-License-Identifier: GPL-2.0
/*
 * xvs: persistence engine registry.
 *
 * xvs's own engines (sip) are always there; other modules may add theirs
 * with xvs_register_pe().  Lookups walk the list under RCU,
 * so the sync receiver can resolve an engine name from any context; a
 * service or template using an engine holds the engine's module.
 */
#define pr_fmt(fmt) "xvs: " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/string.h>

#include "xvs.h"
#include "pe.h"

static LIST_HEAD(xvs_pe_list);		/* RCU; writers hold the mutex */
static DEFINE_MUTEX(xvs_pe_mutex);

static const struct xvs_pe_ops *const xvs_builtin_pes[] = { &xvs_pe_sip };

static const struct xvs_pe_ops *xvs_builtin_pe_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xvs_builtin_pes); i++)
		if (!strcmp(xvs_builtin_pes[i]->name, name))
			return xvs_builtin_pes[i];
	return NULL;
}

static bool xvs_pe_listed(const char *name)
{
	struct xvs_pe_ops *pe;

	if (xvs_builtin_pe_find(name))
		return true;
	list_for_each_entry(pe, &xvs_pe_list, list)
		if (!strcmp(pe->name, name))
			return true;
	return false;
}

/**
 * xvs_register_pe - make a persistence engine available to services
 * @pe: the engine, owner set to THIS_MODULE; valid until unregistered
 *
 * Returns 0, -EINVAL for an incomplete engine or -EEXIST if the name is
 * taken.
 */
int xvs_register_pe(struct xvs_pe_ops *pe)
{
	int err = 0;

	if (!pe || !pe->name || !pe->name[0] || !pe->fill_param ||
	    !pe->ct_match || !pe->show_pe_data ||
	    strlen(pe->name) >= IP_VS_PENAME_MAXLEN)
		return -EINVAL;
	mutex_lock(&xvs_pe_mutex);
	if (xvs_pe_listed(pe->name))
		err = -EEXIST;
	else
		list_add_rcu(&pe->list, &xvs_pe_list);
	mutex_unlock(&xvs_pe_mutex);
	if (!err)
		pr_info("[%s] pe registered.\n", pe->name);
	return err;
}
EXPORT_SYMBOL_GPL(xvs_register_pe);

/**
 * xvs_unregister_pe - withdraw an engine added by xvs_register_pe()
 * @pe: as registered
 *
 * Waits for a grace period, so no lookup still walks over @pe.
 */
int xvs_unregister_pe(struct xvs_pe_ops *pe)
{
	mutex_lock(&xvs_pe_mutex);
	list_del_rcu(&pe->list);
	mutex_unlock(&xvs_pe_mutex);
	synchronize_rcu();
	pr_info("[%s] pe unregistered.\n", pe->name);
	return 0;
}
EXPORT_SYMBOL_GPL(xvs_unregister_pe);

const struct xvs_pe_ops *xvs_pe_get(const char *name)
{
	const struct xvs_pe_ops *pe, *found;

	found = xvs_builtin_pe_find(name);
	if (found)
		return found;
	rcu_read_lock();
	list_for_each_entry_rcu(pe, &xvs_pe_list, list) {
		if (strcmp(pe->name, name))
			continue;
		/* A module on its way out is no longer offered. */
		if (!pe->owner || try_module_get(pe->owner))
			found = pe;
		break;
	}
	rcu_read_unlock();
	return found;
}

void xvs_pe_hold(const struct xvs_pe_ops *pe)
{
	if (pe && pe->owner)
		__module_get(pe->owner);
}

void xvs_pe_put(const struct xvs_pe_ops *pe)
{
	if (pe && pe->owner)
		module_put(pe->owner);
}
