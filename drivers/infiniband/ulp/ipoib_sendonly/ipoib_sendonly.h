/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipoib_sendonly: the map of the module.
 *
 *   main.c       module life cycle, the policy parameter and iso_decide(),
 *                the one place a send-only join's JoinState is decided
 *   devices.c    the devices and ports tracked (ib_client, RCU list, port
 *                events) and the log line per port
 *   join_hook.c  the kprobe on ib_sa_join_multicast() that rewrites IPoIB's
 *                send-only JoinState, and recognising IPoIB's SA client
 *   sm_caps.c    per port: what the subnet manager supports, learned with
 *                our own ClassPortInfo query, asked again on port events
 *   refusals.c   the kprobe on IPoIB's join completion that notices an SM
 *                refusing a SendOnlyFullMember join
 *   debugfs.c    state for people and tests
 *
 * Locking: iso_devices is an RCU list, written under iso_lock (a mutex, in
 * process context) and read by the kprobe handlers under RCU. A kprobe
 * handler may run in NMI context (an int3 probe, where the probe cannot go
 * through ftrace), so handlers take no lock and queue no work: they use
 * atomics, RCU and irq_work (@log_kick, which queues the work). A port's
 * capability, its native-state observation and its counters are atomics,
 * written from MAD completions and event work and read by the handlers.
 * A port's query bookkeeping (@learned, @status, @retry_delay) is under its
 * spinlock @lock, as MAD handlers, the query work and event handlers
 * (possibly atomic) all touch it; the GID of its IPoIB joins
 * (@gid_prefix, @gid_guid) is written and read by the kprobe handlers with
 * WRITE_ONCE()/READ_ONCE(), half by half; @tid belongs to the query work
 * (an ordered workqueue runs one work at a time); @logged to the log work.
 */
#ifndef IPOIB_SENDONLY_H
#define IPOIB_SENDONLY_H

#include <linux/atomic.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_mad.h>

#include "compat/rb_compat.h"

/* Policy for IPoIB's send-only multicast joins. */
enum iso_policy {
	ISO_POLICY_AUTO,	/* 0x8 unless the SM is known to lack it */
	ISO_POLICY_FULL,	/* always FullMember (0x1) */
	ISO_POLICY_SENDONLY_FULL, /* always SendOnlyFullMember (0x8) */
	ISO_POLICY_OFF,		/* leave the kernel's choice alone */
};

/*
 * RHEL 7's IPoIB asks ib_sa_sendonly_fullmem_support() and, where the SM
 * supports SendOnlyFullMember, sets JoinState SENDONLY_FULLMEMBER_JOIN: the
 * enum index 3, not the bit 0x8, so the SA sees FullMember|NonMember. IPoIB
 * never asks for 0x3 otherwise: from its client, 0x3 is a send-only join.
 */
#define ISO_JOIN_MISENCODED	(RB_JOIN_FULL_MEMBER | RB_JOIN_NON_MEMBER)

/*
 * What a port's SM says it supports, as far as we know. Only
 * ISO_CAP_NO_SENDONLY_FULL says SendOnlyFullMember is not supported; every
 * other state leaves it possible (see iso_sm_lacks_sendonly()).
 */
enum iso_cap {
	ISO_CAP_UNKNOWN,	/* not asked yet, or asked and no answer yet */
	ISO_CAP_SENDONLY_FULL,	/* IB ClassPortInfo, CapabilityMask2 bit 12 set */
	ISO_CAP_NO_SENDONLY_FULL, /* IB ClassPortInfo, bit 12 clear */
	ISO_CAP_FAILED,		/* the query failed; retried with backoff */
	ISO_CAP_REFUSED,	/* the SA refused ClassPortInfo (an error status) */
	ISO_CAP_NOT_IB,		/* not an IB ClassPortInfo (OPA), nothing to read */
};

struct iso_dev;

/**
 * struct iso_port - one IB port of one device
 * @dev: owning device
 * @port: port number
 * @cap: enum iso_cap (atomic: read by the kprobe handler)
 * @native: the JoinState IPoIB itself asked for in the last send-only join
 *          seen on this port, 0 before the first (atomic)
 * @legacy: 1 once the SA refused a SendOnlyFullMember join from this port,
 *          until the next SM change (atomic)
 * @logged: the effective behaviour last reported by pr_info, -1 for none
 * @lock: protects @learned, @status and @retry_delay
 * @gid_prefix: subnet prefix of the port GID IPoIB's send-only joins name
 * @gid_guid: its interface ID; both tell IPoIB's join completions apart by
 *            port (a reader racing a change may see halves of two GIDs and
 *            miss one completion)
 * @learned: wall-clock seconds when @cap was last set from an SA answer
 * @sm_lid: the SM LID the last query went to
 * @status: result of the last query (0, or a negative errno / MAD status)
 * @queries: ClassPortInfo queries sent
 * @tid: transaction counter for our MADs
 * @agent: our MAD agent on this port (GSI), NULL if the port has no SA
 * @query_work: sends the query (delayed for retries)
 * @retry_delay: seconds before the next retry of a failed query
 * @log_work: reports changes of the effective behaviour
 * @log_kick: queues @log_work from kprobe handlers (NMI-safe)
 * @seen: every ib_sa_join_multicast() call on this port
 * @sendonly: IPoIB send-only joins among them
 * @rewritten: send-only joins whose JoinState this module changed
 * @left_alone: send-only joins it let through unchanged
 * @refused: SendOnlyFullMember joins of IPoIB the SA refused
 */
struct iso_port {
	struct iso_dev *dev;
	u32 port;
	atomic_t cap;
	atomic_t native;
	atomic_t legacy;
	int logged;
	spinlock_t lock;	/* @learned, @status, @retry_delay */
	time64_t learned;
	__be64 gid_prefix;
	__be64 gid_guid;
	u32 sm_lid;
	int status;
	unsigned int queries;
	u32 tid;
	struct ib_mad_agent *agent;
	struct delayed_work query_work;
	unsigned int retry_delay;
	struct work_struct log_work;
	struct irq_work log_kick;
	atomic_long_t seen;
	atomic_long_t sendonly;
	atomic_long_t rewritten;
	atomic_long_t left_alone;
	atomic_long_t refused;
};

/**
 * struct iso_dev - an RDMA device with at least one IB port
 * @list: on iso_devices (RCU)
 * @rcu: for freeing after readers
 * @ibdev: the device
 * @events: port event handler
 * @first_port: number of ports[0]
 * @nports: number of ports
 * @ports: the ports
 */
struct iso_dev {
	struct list_head list;
	struct rcu_head rcu;
	struct ib_device *ibdev;
	struct ib_event_handler events;
	u32 first_port;
	u32 nports;
	struct iso_port ports[];
};

extern struct list_head iso_devices;
extern struct mutex iso_lock;
extern struct workqueue_struct *iso_wq;

/**
 * struct iso_decision - what a port's send-only joins get, and why
 * @state: the JoinState to send; 0 when the module leaves joins alone
 * @why: the reason, in the words of the kernel log
 */
struct iso_decision {
	u8 state;
	const char *why;
};

/* main.c */
enum iso_policy iso_get_policy(void);
struct iso_decision iso_decide(struct iso_port *p, u8 requested);
const char *iso_policy_name(enum iso_policy policy);
void iso_policy_changed(void);

/* join_hook.c */
int iso_hook_init(void);
void iso_hook_exit(void);
bool iso_ipoib_resolved(void);
bool iso_kernel_decides(void);
long iso_misencoded_seen(void);

/* refusals.c */
void iso_refusals_arm(void);
void iso_refusals_disarm(void);
bool iso_refusals_armed(void);

/* devices.c */
int iso_devices_init(void);
void iso_devices_exit(void);
struct iso_port *iso_find_port(struct ib_device *dev, u32 port);
struct iso_port *iso_find_port_by_gid(const union ib_gid *gid);
void iso_report(struct iso_port *p);

/* sm_caps.c */
bool iso_caps_port_init(struct iso_port *p);
void iso_caps_port_stop(struct iso_port *p);
void iso_relearn(struct iso_port *p);
void iso_new_sm(struct iso_port *p);
void iso_relearn_all(void);
bool iso_sm_lacks_sendonly(struct iso_port *p);
const char *iso_cap_name(enum iso_cap cap);

/* debugfs.c */
void iso_debugfs_init(void);
void iso_debugfs_exit(void);

#endif /* IPOIB_SENDONLY_H */
