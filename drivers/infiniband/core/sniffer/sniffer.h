/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rdma_sniffer: monitor netdevs for RDMA ports. The map.
 *
 *   main.c     module life cycle, RDMA devices (ib_client), backends
 *   monitor.c  one monitor: its netdev, queue and NAPI, the packet path
 *   frame.c    RoCEv1-style frames from InfiniBand header values
 *   filter.c   the filter language: parse, print, match
 *   feed.c     the "user" backend: packets written by a user-space feeder
 *   debugfs.c  control files and per-monitor state, one value per file
 *   erf.c      the erf file: pcap with ERF records, LRH included
 *
 * Locking:
 *   snf_lock (mutex)       devices, backends, monitors: creating and
 *                          deleting them; taken before RTNL
 *   mon->filter_lock       replacing a monitor's filter (never under
 *                          snf_lock: debugfs removal waits for writers)
 *   mon->queue.lock        the monitor's packet queue (irqsave)
 *   snf_erf_lock (mutex)   erf readers joining and leaving monitors'
 *                          erf_readers (RCU for the packet path); taken
 *                          under snf_lock
 * The packet path takes no mutex: it finds the device in snf_devs and the
 * running monitor of the port under RCU. A monitor is published there only
 * while it is up; going down unpublishes it and waits for a grace period
 * before the queue is purged.
 */
#ifndef SNF_SNIFFER_H
#define SNF_SNIFFER_H

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/if_ether.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/xarray.h>
#include <rdma/ib_verbs.h>

#include "compat/rbp_compat.h"
#include "rdma_sniffer.h"

/* netif_napi_add() lost its weight argument in 6.1 (netif_napi_add_weight). */
#ifdef HAVE_NETIF_NAPI_ADD_WEIGHT
#define snf_napi_add(dev, napi, poll) \
	netif_napi_add_weight(dev, napi, poll, NAPI_POLL_WEIGHT)
#else
#define snf_napi_add(dev, napi, poll) \
	netif_napi_add(dev, napi, poll, NAPI_POLL_WEIGHT)
#endif

#define SNF_QUEUE_DEFAULT	512
#define SNF_QUEUE_MAX		65536

/* Which terms a filter has. */
enum {
	SNF_F_QPN	= BIT(0),	/* source or destination QPN */
	SNF_F_DQPN	= BIT(1),
	SNF_F_SQPN	= BIT(2),
	SNF_F_LID	= BIT(3),	/* source or destination LID */
	SNF_F_SLID	= BIT(4),
	SNF_F_DLID	= BIT(5),
	SNF_F_PKEY	= BIT(6),
	SNF_F_GID	= BIT(7),	/* source or destination GID */
	SNF_F_SGID	= BIT(8),
	SNF_F_DGID	= BIT(9),
	SNF_F_ETHERTYPE	= BIT(10),	/* the frame's, after a VLAN tag */
	SNF_F_UDP	= BIT(11),	/* source or destination UDP port */
};

/* The terms that read a packet's InfiniBand headers. */
#define SNF_F_IBA	(SNF_F_QPN | SNF_F_DQPN | SNF_F_SQPN | SNF_F_LID | \
			 SNF_F_SLID | SNF_F_DLID | SNF_F_PKEY | SNF_F_GID | \
			 SNF_F_SGID | SNF_F_DGID)

/* A filter: every term it has must match. */
struct snf_filter {
	u32 has;
	u32 qpn, dqpn, sqpn;
	u16 lid, slid, dlid, pkey;
	u16 ethertype, udp;
	union ib_gid gid, sgid, dgid;
	struct rcu_head rcu;
};

/* The transport headers of a frame, in wire order and layout. */
struct snf_bth {
	u8 opcode;
	u8 flags;	/* SE, M, pad count, transport version */
	__be16 pkey;
	__be32 dqpn;	/* reserved byte, QPN */
	__be32 psn;	/* AckReq bit, reserved bits, PSN */
};

struct snf_deth {
	__be32 qkey;
	__be32 sqpn;	/* reserved byte, source QPN */
};

/*
 * A frame in the making: its headers, written one after the other in front
 * of the payload, its pad bytes and a zero ICRC field.
 */
struct snf_frame {
	struct ethhdr eth;
	struct ib_grh grh;
	struct snf_bth bth;
	struct snf_deth deth;	/* UD opcodes only */
	__be32 imm;		/* *_WITH_IMMEDIATE opcodes only */
	bool has_deth;
	bool has_imm;
	bool has_udp;		/* an IPv4/IPv6 UDP frame (fed Ethernet) */
	u16 udp_sport, udp_dport;	/* then its ports */
	unsigned int pad;	/* pad bytes after the payload */
	unsigned int len;	/* the whole frame, ICRC included */
};

#define SNF_ICRC_LEN	4
/*
 * An skb allocated in the packet path (the pool is empty, or the frame is
 * longer than its buffers) keeps a frame of more than this in a page
 * fragment, with only the headers in its head (snf_frame_head()).
 */
#define SNF_FRAME_LINEAR_MAX	1024
#define SNF_VCRC_LEN	2

/*
 * A monitor's pool of frame buffers, so that the packet path allocates
 * nothing: up to SNF_POOL_SIZE skbs, each with room in its head for a whole
 * frame of an InfiniBand MTU (4096 bytes of payload, every header, pad and
 * ICRC). They are allocated fclone (alloc_skb_fclone()): the poll hands the
 * stack a clone, which costs no allocation, and takes the buffer back into
 * the pool once the clone is gone and no listener holds on to its data.
 */
#define SNF_POOL_SIZE		256
#define SNF_POOL_HEAD	(ETH_HLEN + sizeof(struct ib_grh) +		\
			 sizeof(struct snf_bth) + sizeof(struct snf_deth) +	\
			 sizeof(__be32) + 4096 + 3 + SNF_ICRC_LEN)

/* An skb of the monitor: whether it is one of its pool. */
struct snf_skb_cb {
	bool pooled;
};

#define SNF_SKB_CB(skb)		((struct snf_skb_cb *)(skb)->cb)

/* The Local Route Header, in wire layout; LNH: what follows it. */
#define SNF_LRH_LNH_LOCAL	2	/* BTH */
#define SNF_LRH_LNH_GLOBAL	3	/* GRH */

struct snf_lrh {
	u8 vl_lver;
	u8 sl_lnh;	/* SL, 2 reserved bits, LNH */
	__be16 dlid;
	__be16 pktlen;	/* 5 reserved bits, PktLen in 4-byte words: LRH to ICRC */
	__be16 slid;
};

struct snf_counters {
	atomic64_t seen;	/* offered while up with a listener */
	atomic64_t filtered;	/* of those, rejected by the filter */
	atomic64_t dropped;	/* matched, not delivered: queue full, no memory */
	atomic64_t mirrored;	/* delivered to the listeners */
	atomic64_t mirrored_bytes;
	atomic64_t tx_dropped;	/* the stack's own transmits, refused */
	atomic64_t erf_records;	/* read from the erf file, whole */
	atomic64_t erf_dropped;	/* matched, not queued for an erf reader */
	atomic64_t malformed;	/* feed writes refused (user backend) */
};

struct snf_dev;

/* A monitor: the private part of its netdev. */
struct snf_mon {
	struct net_device *netdev;
	struct snf_dev *sd;
	u32 port;
	struct rdma_sniffer_backend *backend;
	struct napi_struct napi;
	struct sk_buff_head queue;
	u32 queue_max;			/* debugfs knob; read locklessly */
	struct sk_buff_head pool;	/* filled by the poll while up */
	struct mutex filter_lock;	/* @filter writers */
	struct snf_filter __rcu *filter;	/* NULL: everything */
	struct snf_counters cnt;
	struct list_head erf_readers;	/* open erf files (erf.c) */
	bool erf_closed;		/* going away; under snf_erf_lock */
	struct dentry *dir;
	bool feed_eth;			/* user backend: fed Ethernet frames */
	char devname[IB_DEVICE_NAME_MAX];	/* at creation */
};

/* A port of an RDMA device: its monitor, if any. */
struct snf_port {
	struct snf_mon *mon;		/* under snf_lock */
	bool user_fed;			/* under snf_lock: new_user_port */
	struct snf_mon __rcu *live;	/* while it is up: the packet path's */
};

/* An RDMA device, from ib_client add to remove. */
struct snf_dev {
	struct ib_device *ibdev;
	struct rcu_head rcu;
	u32 nports;			/* @ports[0..rdma_end_port] */
	struct snf_port ports[];
};

extern struct mutex snf_lock;
extern struct xarray snf_devs;

/* main.c */
struct snf_dev *snf_dev_by_name(const char *name);
struct rdma_sniffer_backend *snf_backend_for(struct ib_device *ibdev, u32 port);

/* monitor.c */
int snf_mon_create(struct snf_dev *sd, u32 port);
void snf_mon_destroy(struct snf_mon *mon);
bool snf_queue_bounded(struct sk_buff_head *q, struct sk_buff *skb, u32 max);
struct snf_mon *snf_mon_live(struct snf_dev *sd, u32 port);
struct sk_buff *snf_mon_admit(struct snf_mon *mon, const struct snf_frame *fr,
			      const struct rdma_sniffer_ib_pkt *pkt,
			      unsigned int head);
void snf_mon_drop(struct snf_mon *mon, struct sk_buff *skb);
void snf_mon_queue(struct snf_mon *mon, struct sk_buff *skb, bool outgoing);

/* frame.c */
void snf_pkt_payload(const struct rdma_sniffer_ib_pkt *pkt, void *dst);
void snf_frame_build(struct snf_frame *f, const struct rdma_sniffer_ib_pkt *pkt);
unsigned int snf_frame_head(const struct snf_frame *f);
int snf_frame_write(const struct snf_frame *f,
		    const struct rdma_sniffer_ib_pkt *pkt, struct sk_buff *skb);

/* erf.c */
extern const struct file_operations snf_erf_fops;
void snf_erf_packet(struct snf_mon *mon, const struct snf_frame *fr,
		    const struct rdma_sniffer_ib_pkt *pkt, bool outgoing);
void snf_erf_close(struct snf_mon *mon);

/* Does the erf file of @mon have a reader? Under rcu_read_lock(). */
static inline bool snf_erf_active(struct snf_mon *mon)
{
	return !list_empty(&mon->erf_readers);
}

/* filter.c */
int snf_filter_parse(char *text, struct snf_filter *f);
int snf_filter_print(const struct snf_filter *f, char *buf, size_t size);
bool snf_filter_match(const struct snf_filter *f, const struct snf_frame *fr,
		      const struct rdma_sniffer_ib_pkt *pkt);

/* feed.c */
extern struct rdma_sniffer_backend snf_user_backend;
int snf_user_port_add(struct snf_dev *sd, u32 port);
int snf_user_port_del(struct snf_dev *sd, u32 port);
ssize_t snf_feed(struct snf_mon *mon, const u8 *buf, size_t count);

#define SNF_FEED_MAX	16384	/* bytes of one fed packet, after the flags */
#define SNF_FEED_SENT	0x01	/* flags: the port sent it */

/* debugfs.c */
int snf_debugfs_init(void);
void snf_debugfs_controls_exit(void);
void snf_debugfs_exit(void);
void snf_debugfs_mon_add(struct snf_mon *mon);

#endif /* SNF_SNIFFER_H */
