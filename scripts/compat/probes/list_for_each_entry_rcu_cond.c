// SPDX-License-Identifier: GPL-2.0-only
/*
 * list_for_each_entry_rcu() takes an optional lockdep condition (5.4+), for
 * lists read either under RCU or under the writers' lock.
 */
#include <linux/rculist.h>

struct rbp_probe_item {
	struct list_head list;
	int val;
};

int rbp_probe(struct list_head *head);
int rbp_probe(struct list_head *head)
{
	struct rbp_probe_item *it;

	list_for_each_entry_rcu(it, head, list, true)
		return it->val;
	return 0;
}
