/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rdma_mcast_noloop: the map of the module.
 *
 *   main.c      module life cycle
 *   rules.c     the rule grammar: parse, validate, match
 *   qp_hook.c   kprobes on the functions QPs are created by (which ones
 *               differs by kernel) that add IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK
 *               when a rule says so
 *   devices.c   per-device capability and counters (an ib_client)
 *   sysfs.c     /sys/kernel/rdma_mcast_noloop/: rules, hooks/<creator>,
 *               devices/<device>/<value>
 *
 * Locking: the rule set in force is an RCU pointer, replaced whole under
 * mcnl_rules_lock; the device list is an RCU list changed under
 * mcnl_dev_lock. The kprobe handlers (preemption off) read both under RCU
 * and bump per-CPU counters of their CPU, so they take no lock and write
 * no cacheline another CPU writes; the per-device sysfs files read both
 * under RCU and sum the counters over the CPUs.
 */
#ifndef MCAST_NOLOOP_H
#define MCAST_NOLOOP_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/uidgid.h>
#include <rdma/ib_verbs.h>

#include "compat/rbp_compat.h"

enum mcnl_creator {
	MCNL_CREATOR_ANY,
	MCNL_CREATOR_KERNEL,
	MCNL_CREATOR_USER,
};

/**
 * struct mcnl_rule - one line of the rule set; unset fields match anything
 * @block: true for "block", false for "allow"
 * @dev: device name, "" for any device (compared with ib_device.name)
 * @qp_type: IB_QPT_UD or IB_QPT_RAW_PACKET
 * @creator: who creates the QP
 * @uid: effective uid of a user-space creator, if @match_uid
 * @gid: effective gid of a user-space creator, if @match_gid
 * @match_uid: @uid is set
 * @match_gid: @gid is set
 */
struct mcnl_rule {
	bool block;
	char dev[IB_DEVICE_NAME_MAX];
	enum ib_qp_type qp_type;
	enum mcnl_creator creator;
	kuid_t uid;
	kgid_t gid;
	bool match_uid;
	bool match_gid;
};

/**
 * struct mcnl_rules - a rule set; the first matching rule decides
 * @rcu: freeing after readers
 * @count: number of rules
 * @rules: the rules
 */
struct mcnl_rules {
	struct rcu_head rcu;
	unsigned int count;
	struct mcnl_rule rules[];
};

/* Why a QP was not flagged, as counted per device. */
enum mcnl_skip {
	MCNL_SKIP_NO_RULE,	/* no rule matched: default is no effect */
	MCNL_SKIP_ALLOW,		/* an allow rule matched */
	MCNL_SKIP_NO_CAP,	/* a block rule matched; the device cannot */
	MCNL_SKIP_UNSUPPORTED,	/* QP setup the driver would refuse flagged */
	MCNL_SKIP_ALREADY,	/* the creator asked for blocking itself */
	MCNL_SKIP_MAX,
};

/**
 * struct mcnl_dev_stats - what happened to a device's QPs, on one CPU
 * @flagged: QPs this module flagged
 * @skipped: QPs not flagged, by reason
 *
 * Written only by the kprobe handlers running on that CPU (preemption off,
 * so this_cpu_inc() needs no atomic); read by summing over the CPUs. A
 * QP seen is one of these, so "seen" is their sum, not a counter of its
 * own.
 */
struct mcnl_dev_stats {
	unsigned long flagged;
	unsigned long skipped[MCNL_SKIP_MAX];
};

/**
 * struct mcnl_dev - a device's capability and counters
 * @list: on mcnl_devs (RCU)
 * @rcu: freeing after readers
 * @ibdev: the device
 * @kobj: its directory devices/<name>/, set after @list is published and
 *	before the directory has files; deleted before the state is freed
 * @stats: per-CPU counters of the QPs of a matchable type created on it
 *	while a rule for their creator was in force
 */
struct mcnl_dev {
	struct list_head list;
	struct rcu_head rcu;
	struct ib_device *ibdev;
	struct kobject *kobj;
	struct mcnl_dev_stats __percpu *stats;
};

extern const char * const mcnl_skip_names[MCNL_SKIP_MAX];

/* rules.c */
int mcnl_rules_set(const char *text, size_t len);
const struct mcnl_rule *mcnl_rules_match(struct ib_device *dev,
					 enum ib_qp_type type, bool user);
ssize_t mcnl_rules_show(char *buf, size_t size);
void mcnl_rules_exit(void);

/* devices.c */
int mcnl_devices_init(void);
void mcnl_devices_exit(void);
struct mcnl_dev *mcnl_dev_find(struct ib_device *dev);
ssize_t mcnl_dev_show(struct kobject *kobj, unsigned int value, char *buf);
int mcnl_dev_caps(const char *name, bool *can_block, bool *is_mlx5);

/* qp_hook.c */
int mcnl_hook_init(void);
void mcnl_hook_exit(void);
int mcnl_hook_arm(void);
bool mcnl_hook_armed(void);
bool mcnl_user_hooked(void);
const char *mcnl_hook_name(bool user);

/* sysfs.c */

/* The files of devices/<device>/: a counter index, or one of these. */
enum mcnl_dev_value {
	MCNL_VAL_SKIP,				/* + enum mcnl_skip */
	MCNL_VAL_CAN_BLOCK = MCNL_VAL_SKIP + MCNL_SKIP_MAX,
	MCNL_VAL_SEEN,
	MCNL_VAL_FLAGGED,
	MCNL_VAL_MAX,
};

int mcnl_sysfs_init(void);
void mcnl_sysfs_exit(void);
int mcnl_sysfs_files_init(void);
void mcnl_sysfs_files_exit(void);
int mcnl_sysfs_dev_add(struct mcnl_dev *d);
void mcnl_sysfs_dev_del(struct mcnl_dev *d);
void mcnl_sysfs_dev_rename(struct mcnl_dev *d);

#endif /* MCAST_NOLOOP_H */
