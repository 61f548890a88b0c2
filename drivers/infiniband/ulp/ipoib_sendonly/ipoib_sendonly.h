/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipoib_sendonly: the map of the module.
 *
 *   main.c       module life cycle, the policy parameter and ipoib_so_decide(),
 *                the one place a send-only join's JoinState is decided
 *   devices.c    the devices and ports tracked (ib_client, RCU list, port
 *                events) and the log line per port
 *   join_hook.c  the kprobe on ib_sa_join_multicast() that rewrites IPoIB's
 *                send-only JoinState, and recognising IPoIB's SA client
 *   sm_caps.c    per port: what the subnet manager supports, learned with
 *                our own ClassPortInfo query, asked again on port events
 *   refusals.c   the kprobe on IPoIB's join completion that notices an SM
 *                refusing a SendOnlyFullMember join
 *   debugfs.c    state for people and tests: a summary, and one value per
 *                file in a directory per device and port
 *
 * Locking: ipoib_so_devices is an RCU list, written under ipoib_so_lock (a mutex, in
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
 * A device's debugfs directory (@debugfs, @files) belongs to the ib_client's
 * add, rename and remove callbacks, which the RDMA core never runs at the
 * same time for one device: add and rename hold its devices_rwsem (rename
 * for writing while it renames, for reading while clients hear of it), and
 * remove first waits for the client_data_rwsem a rename callback holds.
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

#include "compat/rbp_compat.h"

/* Policy for IPoIB's send-only multicast joins. */
enum ipoib_so_policy {
	IPOIB_SO_POLICY_AUTO,	/* 0x8 unless the SM is known to lack it */
	IPOIB_SO_POLICY_FULL,	/* always FullMember (0x1) */
	IPOIB_SO_POLICY_SENDONLY_FULL, /* always SendOnlyFullMember (0x8) */
	IPOIB_SO_POLICY_OFF,		/* leave the kernel's choice alone */
};

/*
 * RHEL 7's IPoIB asks ib_sa_sendonly_fullmem_support() and, where the SM
 * supports SendOnlyFullMember, sets JoinState SENDONLY_FULLMEMBER_JOIN: the
 * enum index 3, not the bit 0x8, so the SA sees FullMember|NonMember. IPoIB
 * never asks for 0x3 otherwise: from its client, 0x3 is a send-only join.
 */
#define IPOIB_SO_JOIN_MISENCODED	(RBP_JOIN_FULL_MEMBER | RBP_JOIN_NON_MEMBER)

/*
 * What a port's SM says it supports, as far as we know. Only
 * IPOIB_SO_CAP_NO_SENDONLY_FULL says SendOnlyFullMember is not supported; every
 * other state leaves it possible (see ipoib_so_sm_lacks_sendonly()).
 */
enum ipoib_so_cap {
	IPOIB_SO_CAP_UNKNOWN,	/* not asked yet, or asked and no answer yet */
	IPOIB_SO_CAP_SENDONLY_FULL,	/* IB ClassPortInfo, CapabilityMask2 bit 12 set */
	IPOIB_SO_CAP_NO_SENDONLY_FULL, /* IB ClassPortInfo, bit 12 clear */
	IPOIB_SO_CAP_FAILED,		/* the query failed; retried with backoff */
	IPOIB_SO_CAP_REFUSED,	/* the SA refused ClassPortInfo (an error status) */
	IPOIB_SO_CAP_NOT_IB,		/* not an IB ClassPortInfo (OPA), nothing to read */
};

struct dentry;
struct ipoib_so_dev;
struct ipoib_so_port_file;

/**
 * struct ipoib_so_port - one IB port of one device
 * @dev: owning device
 * @port: port number
 * @cap: enum ipoib_so_cap (atomic: read by the kprobe handler)
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
 * @learned: wall-clock seconds when @cap was last set from an SA answer,
 *           0 before the first
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
struct ipoib_so_port {
	struct ipoib_so_dev *dev;
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
 * struct ipoib_so_dev - an RDMA device with at least one IB port
 * @list: on ipoib_so_devices (RCU)
 * @rcu: for freeing after readers
 * @ibdev: the device
 * @events: port event handler
 * @first_port: number of ports[0]
 * @nports: number of ports
 * @debugfs: its directory, ports/<device name>/ (NULL or an error pointer
 *           when there is none)
 * @files: what each file in it shows (debugfs.c), NULL when there are none
 * @ports: the ports
 */
struct ipoib_so_dev {
	struct list_head list;
	struct rcu_head rcu;
	struct ib_device *ibdev;
	struct ib_event_handler events;
	u32 first_port;
	u32 nports;
	struct dentry *debugfs;
	struct ipoib_so_port_file *files;
	struct ipoib_so_port ports[];
};

extern struct list_head ipoib_so_devices;
extern struct mutex ipoib_so_lock;
extern struct workqueue_struct *ipoib_so_wq;

/**
 * struct ipoib_so_decision - what a port's send-only joins get, and why
 * @state: the JoinState to send; 0 when the module leaves joins alone
 * @why: the reason, in the words of the kernel log
 */
struct ipoib_so_decision {
	u8 state;
	const char *why;
};

/* main.c */
enum ipoib_so_policy ipoib_so_get_policy(void);
struct ipoib_so_decision ipoib_so_decide(struct ipoib_so_port *p, u8 requested);
const char *ipoib_so_policy_name(enum ipoib_so_policy policy);
void ipoib_so_policy_changed(void);

/* join_hook.c */
int ipoib_so_hook_init(void);
void ipoib_so_hook_exit(void);
bool ipoib_so_ipoib_resolved(void);
bool ipoib_so_kernel_decides(void);
long ipoib_so_misencoded_seen(void);

/* refusals.c */
void ipoib_so_refusals_arm(void);
void ipoib_so_refusals_disarm(void);
bool ipoib_so_refusals_armed(void);

/* devices.c */
int ipoib_so_devices_init(void);
void ipoib_so_devices_exit(void);
struct ipoib_so_port *ipoib_so_find_port(struct ib_device *dev, u32 port);
struct ipoib_so_port *ipoib_so_find_port_by_gid(const union ib_gid *gid);
void ipoib_so_report(struct ipoib_so_port *p);

/* sm_caps.c */
bool ipoib_so_caps_port_init(struct ipoib_so_port *p);
void ipoib_so_caps_port_stop(struct ipoib_so_port *p);
void ipoib_so_relearn(struct ipoib_so_port *p);
void ipoib_so_new_sm(struct ipoib_so_port *p);
void ipoib_so_relearn_all(void);
bool ipoib_so_sm_lacks_sendonly(struct ipoib_so_port *p);
const char *ipoib_so_cap_name(enum ipoib_so_cap cap);

/* debugfs.c */
void ipoib_so_debugfs_init(void);
void ipoib_so_debugfs_exit(void);
void ipoib_so_debugfs_add_dev(struct ipoib_so_dev *d);
void ipoib_so_debugfs_rename_dev(struct ipoib_so_dev *d);
void ipoib_so_debugfs_remove_dev(struct ipoib_so_dev *d);

#endif /* IPOIB_SENDONLY_H */
