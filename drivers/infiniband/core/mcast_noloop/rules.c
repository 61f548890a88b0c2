// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rules: parsing a write into a new rule set (checked against the
 * devices present now, then swapped in under RCU, or nothing changes), the
 * canonical form read back, and the match the kprobe handlers make for a
 * new QP. The grammar, what is refused and why: see
 * Documentation/rdma_mcast_noloop.rst.
 *
 * Rules name devices by ib_device.name, the array the RDMA core renames in
 * place: the kprobe handlers read it, where dev_name() could be freed by a
 * concurrent rename under them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "mcast_noloop.h"

#define MCNL_MAX_RULES 64

static struct mcnl_rules __rcu *mcnl_rules;
static DEFINE_MUTEX(mcnl_rules_lock);	/* serialises writers of mcnl_rules */

/* Check one block/allow rule against the devices present now. */
static int mcnl_rule_check(const struct mcnl_rule *r, unsigned int line)
{
	bool can_block, is_mlx5;

	if (r->creator == MCNL_CREATOR_USER && !mcnl_user_hooked()) {
		pr_err_ratelimited("rules: line %u: creator=user: user-space QP creation is not hooked on this kernel (see hooks); rule refused\n",
				   line);
		return -EINVAL;
	}
	if (!r->dev[0]) {
		if (r->block && r->qp_type == IB_QPT_RAW_PACKET) {
			pr_err_ratelimited("rules: line %u: type=raw_packet needs a named mlx5 device\n",
					   line);
			return -EINVAL;
		}
		return 0;
	}
	if (mcnl_dev_caps(r->dev, &can_block, &is_mlx5)) {
		pr_err_ratelimited("rules: line %u: no RDMA device '%s'\n", line, r->dev);
		return -EINVAL;
	}
	if (r->block && !can_block) {
		pr_err_ratelimited("rules: line %u: device %s cannot block multicast loopback (no IBK_BLOCK_MULTICAST_LOOPBACK); rule refused\n",
				   line, r->dev);
		return -EINVAL;
	}
	if (r->block && r->qp_type == IB_QPT_RAW_PACKET && !is_mlx5) {
		pr_err_ratelimited("rules: line %u: device %s: type=raw_packet is only supported on mlx5\n",
				   line, r->dev);
		return -EINVAL;
	}
	return 0;
}

/* Parse one key=value into @r; @seen has a bit per key already given. */
static int mcnl_parse_kv(struct mcnl_rule *r, char *tok, unsigned int line,
			 unsigned int *seen)
{
	static const char * const keys[] = { "dev", "type", "creator", "uid", "gid" };
	char *val = strchr(tok, '=');
	unsigned int id;
	int k;

	if (!val) {
		pr_err_ratelimited("rules: line %u: '%s' is not key=value\n", line, tok);
		return -EINVAL;
	}
	*val++ = '\0';
	k = match_string(keys, ARRAY_SIZE(keys), tok);
	if (k < 0) {
		pr_err_ratelimited("rules: line %u: unknown key '%s' (dev, type, creator, uid, gid)\n",
				   line, tok);
		return -EINVAL;
	}
	if (*seen & BIT(k)) {
		pr_err_ratelimited("rules: line %u: %s given twice\n", line, tok);
		return -EINVAL;
	}
	*seen |= BIT(k);

	switch (k) {
	case 0:
		if (!strcmp(val, "*"))
			return 0;
		if (!*val || strlen(val) >= sizeof(r->dev)) {
			pr_err_ratelimited("rules: line %u: bad device name\n", line);
			return -EINVAL;
		}
		strscpy(r->dev, val, sizeof(r->dev));
		return 0;
	case 1:
		if (!strcmp(val, "ud"))
			r->qp_type = IB_QPT_UD;
		else if (!strcmp(val, "raw_packet"))
			r->qp_type = IB_QPT_RAW_PACKET;
		else
			break;
		return 0;
	case 2:
		if (!strcmp(val, "any"))
			r->creator = MCNL_CREATOR_ANY;
		else if (!strcmp(val, "kernel"))
			r->creator = MCNL_CREATOR_KERNEL;
		else if (!strcmp(val, "user"))
			r->creator = MCNL_CREATOR_USER;
		else
			break;
		return 0;
	case 3:
	case 4:
		if (kstrtouint(val, 10, &id) || id == (unsigned int)-1)
			break;
		/* An id the writer's user namespace does not map is refused. */
		if (k == 3) {
			r->uid = make_kuid(current_user_ns(), id);
			r->match_uid = uid_valid(r->uid);
			if (!r->match_uid)
				break;
		} else {
			r->gid = make_kgid(current_user_ns(), id);
			r->match_gid = gid_valid(r->gid);
			if (!r->match_gid)
				break;
		}
		return 0;
	}
	pr_err_ratelimited("rules: line %u: bad value '%s' for %s\n", line, val, keys[k]);
	return -EINVAL;
}

static int mcnl_parse_rule(struct mcnl_rule *r, char *line_text, unsigned int line)
{
	unsigned int seen = 0;
	char *tok;
	int ret;

	memset(r, 0, sizeof(*r));
	r->qp_type = IB_QPT_UD;
	tok = strsep(&line_text, " \t");
	if (!strcmp(tok, "block")) {
		r->block = true;
	} else if (strcmp(tok, "allow")) {
		pr_err_ratelimited("rules: line %u: '%s' is neither block nor allow\n", line, tok);
		return -EINVAL;
	}
	while ((tok = strsep(&line_text, " \t"))) {
		if (!*tok)
			continue;
		ret = mcnl_parse_kv(r, tok, line, &seen);
		if (ret)
			return ret;
	}
	if ((r->match_uid || r->match_gid) && r->creator != MCNL_CREATOR_USER) {
		pr_err_ratelimited("rules: line %u: uid/gid need creator=user\n", line);
		return -EINVAL;
	}
	return mcnl_rule_check(r, line);
}

/**
 * mcnl_rules_set() - replace the rule set with the one @text describes
 * @text: the rules (not NUL-terminated)
 * @len: its length
 *
 * The first set that is not empty arms the QP creation probes
 * (mcnl_hook_arm()), which stay armed until unload.
 *
 * Context: process context. Either the new set is complete and valid and
 * replaces the old one, or nothing changes.
 * Return: 0 or -EINVAL (a message says which line and why), -ENOMEM, or
 * the error of arming the probes.
 */
int mcnl_rules_set(const char *text, size_t len)
{
	struct mcnl_rules *new, *old;
	char *buf, *cur, *line;
	unsigned int n = 0, lineno = 0;
	int ret = 0;

	buf = kmalloc(len + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, text, len);
	buf[len] = '\0';
	new = kzalloc(struct_size(new, rules, MCNL_MAX_RULES), GFP_KERNEL);
	if (!new) {
		kfree(buf);
		return -ENOMEM;
	}

	cur = strim(buf);
	if (!strcmp(cur, "clear"))
		cur = NULL;		/* the empty rule set */
	while ((line = strsep(&cur, "\n;"))) {
		lineno++;
		line = strim(line);
		if (!*line)
			continue;
		if (n == MCNL_MAX_RULES) {
			pr_err_ratelimited("rules: more than %d rules\n", MCNL_MAX_RULES);
			ret = -EINVAL;
			break;
		}
		ret = mcnl_parse_rule(&new->rules[n], line, lineno);
		if (ret)
			break;
		n++;
	}
	kfree(buf);
	if (ret) {
		kfree(new);
		return ret;
	}
	new->count = n;

	/* The probes are armed before the first rule is in force. */
	mutex_lock(&mcnl_rules_lock);
	ret = n ? mcnl_hook_arm() : 0;
	if (ret) {
		mutex_unlock(&mcnl_rules_lock);
		kfree(new);
		return ret;
	}
	old = rcu_dereference_protected(mcnl_rules, lockdep_is_held(&mcnl_rules_lock));
	rcu_assign_pointer(mcnl_rules, new);
	mutex_unlock(&mcnl_rules_lock);
	if (old)
		kfree_rcu(old, rcu);
	pr_info("%u rule%s in force\n", n, n == 1 ? "" : "s");
	return 0;
}

/**
 * mcnl_rules_match() - the first rule that applies to a new QP
 * @dev: the QP's device
 * @type: the QP's type
 * @user: created by user space (ib_create_qp_user())
 *
 * Context: under rcu_read_lock(), in the creating task's context.
 * Return: the rule, valid until rcu_read_unlock(), or NULL.
 */
const struct mcnl_rule *mcnl_rules_match(struct ib_device *dev,
					 enum ib_qp_type type, bool user)
{
	struct mcnl_rules *set = rcu_dereference(mcnl_rules);
	unsigned int i;

	if (!set)
		return NULL;
	for (i = 0; i < set->count; i++) {
		const struct mcnl_rule *r = &set->rules[i];

		if (r->dev[0] && strncmp(r->dev, dev->name, IB_DEVICE_NAME_MAX))
			continue;
		if (r->qp_type != type)
			continue;
		if ((r->creator == MCNL_CREATOR_USER && !user) ||
		    (r->creator == MCNL_CREATOR_KERNEL && user))
			continue;
		if (r->match_uid && !uid_eq(current_euid(), r->uid))
			continue;
		if (r->match_gid && !in_egroup_p(r->gid))
			continue;
		return r;
	}
	return NULL;
}

/**
 * mcnl_rules_show() - the rule set in force, one canonical rule a line
 * @buf: output
 * @size: its size
 *
 * Return: bytes written.
 */
ssize_t mcnl_rules_show(char *buf, size_t size)
{
	static const char * const creators[] = { "any", "kernel", "user" };
	struct mcnl_rules *set;
	ssize_t n = 0;
	unsigned int i;

	rcu_read_lock();
	set = rcu_dereference(mcnl_rules);
	for (i = 0; set && i < set->count; i++) {
		const struct mcnl_rule *r = &set->rules[i];

		n += scnprintf(buf + n, size - n, "%s dev=%s type=%s creator=%s",
			       r->block ? "block" : "allow",
			       r->dev[0] ? r->dev : "*",
			       r->qp_type == IB_QPT_UD ? "ud" : "raw_packet",
			       creators[r->creator]);
		if (r->match_uid)
			n += scnprintf(buf + n, size - n, " uid=%u",
				       from_kuid(&init_user_ns, r->uid));
		if (r->match_gid)
			n += scnprintf(buf + n, size - n, " gid=%u",
				       from_kgid(&init_user_ns, r->gid));
		n += scnprintf(buf + n, size - n, "\n");
	}
	rcu_read_unlock();
	return n;
}

/**
 * mcnl_rules_exit() - drop the rule set (no reader is left)
 */
void mcnl_rules_exit(void)
{
	kfree(rcu_dereference_protected(mcnl_rules, true));
	RCU_INIT_POINTER(mcnl_rules, NULL);
}
