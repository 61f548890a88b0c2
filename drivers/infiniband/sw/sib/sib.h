/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rdma_sib: software InfiniBand HCAs and the subnet they sit on. The map.
 *
 *   main.c     module life cycle, the subnet, adding and removing HCAs
 *   device.c   one HCA: registration, port, attributes, PD/MR/AH
 *   qp.c       UD/SMI/GSI and RC QPs: queues, state changes, flushing
 *   rc.c       RC: a connected QP's messages, and its errors
 *   fabric.c   the switch: unicast and multicast delivery, from a work
 *   sa.c       the embedded subnet administrator (class 0x03 on QP1)
 *   rmpp.c     RMPP: the SA's GetTable answers, sent in windowed segments
 *   mad.c      the MADs an HCA answers itself (process_mad): to sma.c, pma.c
 *   sma.c      each HCA port's SMA: NodeInfo, PortInfo and the rest
 *   switch.c   the switch's SMA, and directed-route SMPs through it
 *   pma.c      PerfMgt: the ports' counters for perfquery
 *   debugfs.c  state, a value per file, and a file per action; each
 *              HCA's directory, made by an ib_client of its own
 *   tap.c      copies of the packets for a capture backend (sib_tap.h)
 *
 * Locking:
 *   sib_lock (mutex)       the HCA list; adding and removing HCAs
 *   subnet.lock (spinlock) HCA table by LID, SA groups and members, SA
 *                          personality; taken in delivery (work, BH off)
 *                          and by SA processing
 *   qp->lock (spinlock)    a QP's receive and send queues and state
 *   cq->lock (spinlock)    a CQ's completion ring
 *   subnet.pkt_lock        the queue of packets to deliver
 * sib_lock is held around ib_register_device() and ib_unregister_device(),
 * which take the RDMA core's devices_rwsem: debugfs.c's ib_client
 * callbacks, called under it, never take sib_lock.
 * Order: subnet.lock, then qp->lock, then cq->lock. A capture backend's
 * packet() may be called under subnet.lock and takes only its own locks.
 * post_send only queues the packet (GFP_ATOMIC) and the delivery work does
 * the rest, so no verb re-enters another QP's locks from a caller's
 * context.
 */
#ifndef SIB_H
#define SIB_H

#include <linux/atomic.h>
#include <linux/jump_label.h>
#include <linux/list.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <rdma/ib_verbs.h>

#include "compat/rbp_compat.h"

/*
 * Verb signatures that differ between the kernel lines rdma_sib builds on
 * (the features it cannot do without are in scripts/compat/modules):
 * create_cq()'s third argument is the uverbs attribute bundle since 6.11
 * (RHEL 9.6, 10); QPs are allocated by ib_core only since 5.15 (RHEL 8.10,
 * 9.6, 10), see sib_create_qp().
 */
#ifdef HAVE_IB_CREATE_CQ_ATTR_BUNDLE
#define sib_create_cq_ctx uverbs_attr_bundle
#else
#define sib_create_cq_ctx ib_udata
#endif

#define SIB_SM_LID		1	/* the switch's port 0: the SM and SA */
#define SIB_LID_PERMISSIVE	0xffff
#define SIB_FIRST_LID		2
#define SIB_MLID_BASE		0xc000
#define SIB_MLID_COUNT		(0xfffe - SIB_MLID_BASE + 1)	/* 0xffff: permissive */
#define SIB_GSI_QKEY		0x80010000
#define SIB_MTU			IB_MTU_4096	/* IPoIB: 4092-byte datagrams */
#define SIB_MTU_BYTES		4096
#define SIB_MAX_QP_WR		1024
/*
 * Scatter/gather entries per work request: a 64 KB skb in pages and its
 * head (MAX_SKB_FRAGS + 1), which IPoIB's connected mode sends as one, and
 * the 16 pages it receives one into.
 */
#define SIB_MAX_SGE		18
#define SIB_RC_MAX_MSG		SZ_1M	/* the largest RC message */
#define SIB_LSO_MAX_HLEN	128	/* IPoIB + IPv4 + TCP headers of an LSO send */
#define SIB_LSO_MAX_BYTES	65536	/* headers and payload of an LSO send */
#define SIB_MAX_CQE		65536
#define SIB_MAX_HCAS		62
#define SIB_SW_PORTS		SIB_MAX_HCAS	/* port n: HCA n - 1 */
#define SIB_SW_DESC		"rdma_sib switch"	/* its NodeDescription */
#define SIB_GUID_BASE		0x0002c903000a0000ULL	/* + 0: the SM's; + i + 1: HCA i's */
#define SIB_SUBNET_PREFIX	0xfe80000000000000ULL
/*
 * PortInfo:CapabilityMask of every port (IBA bits, as ib_port_attr takes
 * them). Client re-register is what an SM that restarted asks of the
 * ports it finds, if they have it, so that their clients join again.
 */
#define SIB_PORT_CAP_FLAGS	(IB_PORT_CM_SUP | IB_PORT_SYS_IMAGE_GUID_SUP | \
				 IB_PORT_EXTENDED_SPEEDS_SUP | \
				 IB_PORT_CLIENT_REG_SUP)
#define SIB_VENDOR_ID		0x02c9	/* looks like a Mellanox OUI to tools */
#define SIB_HW_VER		1

/* SA status codes (MAD status, class-specific bits). */
#define SIB_SA_ERR_NO_RESOURCES		0x0100
#define SIB_SA_ERR_REQ_INVALID		0x0200
#define SIB_SA_ERR_NO_RECORDS		0x0300
#define SIB_SA_ERR_REQ_INVALID_GID	0x0500
#define SIB_SA_ERR_INSUFFICIENT_COMP	0x0600

/* What a real fabric drops, counted per port. */
enum sib_drop {
	SIB_DROP_NO_RECV,	/* no receive posted */
	SIB_DROP_QKEY,		/* Q_Key mismatch */
	SIB_DROP_NO_LID,	/* unknown destination LID */
	SIB_DROP_NO_QP,		/* no such QP, or not ready to receive */
	SIB_DROP_MTU,		/* larger than the MTU */
	SIB_DROP_LEN,		/* larger than the receive buffer */
	SIB_DROP_FANOUT,	/* multicast copies past SIB_MC_TARGETS */
	SIB_DROP_INACTIVE,	/* from or to a port an SM has not made ACTIVE */
	SIB_DROP_MAX,
};

struct sib_counters {
	atomic64_t tx_pkts;
	atomic64_t tx_bytes;
	atomic64_t rx_pkts;
	atomic64_t rx_bytes;
	atomic64_t tx_lso;	/* IB_WR_LSO sends cut into packets */
	atomic64_t drops[SIB_DROP_MAX];
};

struct sib_dev;
struct ib_sa_mad;

struct sib_pd {
	struct ib_pd ibpd;
};

struct sib_ah {
	struct ib_ah ibah;
	struct rdma_ah_attr attr;
};

struct sib_mr {
	struct ib_mr ibmr;
};

struct sib_cq {
	struct ib_cq ibcq;
	spinlock_t lock;	/* the ring, @notify */
	struct ib_wc *ring;
	unsigned int size, head, count;
	enum ib_cq_notify_flags notify;	/* armed for, 0 when not */
	bool missed;		/* completions since the last empty poll */
	bool overflowed;	/* IB_EVENT_CQ_ERR raised: the CQ is in error */
};

/* A posted receive, in its QP's ring until a packet or a flush takes it. */
struct sib_wqe {
	u64 wr_id;
	struct ib_cqe *wr_cqe;
	bool signaled;
	unsigned int num_sge;
	struct ib_sge sge[SIB_MAX_SGE];
};

struct sib_mcast {
	struct list_head list;
	union ib_gid mgid;
	u16 mlid;
};

/* The other end of an RC QP, as modify_qp set it (to RTR, RTS). */
struct sib_rc_path {
	u32 dqpn;		/* IB_QP_DEST_QPN */
	u16 dlid;		/* IB_QP_AV */
	u8 sl;
	u8 rnr_retry;		/* IB_QP_RNR_RETRY: 7 is "for ever" */
};

struct sib_qp {
	struct ib_qp ibqp;
	struct sib_dev *dev;
	spinlock_t lock;	/* @rq, @state, @qkey, @mcast, @rc */
	enum ib_qp_state state;
	u32 qkey;
	struct sib_rc_path rc;	/* RC only */
	bool block_mc_lb;	/* IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK */
	bool lso;		/* IB_QP_CREATE_IPOIB_UD_LSO: IB_WR_LSO allowed */
	bool sig_all;		/* IB_SIGNAL_ALL_WR */
	unsigned int max_recv, max_send;
	unsigned int nrecv;	/* posted receives in @rq ... */
	unsigned int rq_head;	/* ... from this slot on */
	struct sib_wqe *rq;	/* ring of @max_recv slots, made with the QP */
	struct list_head mcast;	/* struct sib_mcast */
	atomic_t send_inflight;
};

/* One packet on the wire, from post_send to delivery. */
struct sib_pkt {
	struct list_head list;
	struct sib_dev *src;	/* sending HCA; flushed before it goes */
	struct sib_qp *sqp;	/* sending QP, NULL for SA replies */
	u32 src_qpn;
	u16 slid, dlid;
	u32 dqpn;
	u32 qkey;
	u8 sl;
	bool has_grh;
	struct ib_grh grh;
	u64 wr_id;		/* the send to complete, if @sqp */
	struct ib_cqe *wr_cqe;
	bool signaled;
	bool solicited;		/* IB_SEND_SOLICITED: the SE bit of the BTH */
	bool has_imm;
	__be32 imm_data;
	bool ip_csum;		/* IB_SEND_IP_CSUM: @csum goes at @csum_pos */
	__sum16 csum;
	u32 csum_pos;
	u32 len;
	u8 sw_port;		/* set: the switch sends it out of this port */
	bool rc;		/* an RC message from @sqp (rc.c) */
	/*
	 * How @sqp's send completes: IB_WC_SUCCESS unless delivery failed
	 * (rc.c), or IB_WC_WR_FLUSH_ERR for a work request posted to a QP in
	 * the error state, which the fabric completes without sending.
	 */
	enum ib_wc_status status;
	/*
	 * The payload. A QP's send is read from the sender's own buffers
	 * (@sge) when the fabric delivers it, as an HCA's DMA reads them: the
	 * send is not complete until then, so they stay put. Requests to the
	 * SA and the SA's replies carry it in @data (@num_sge 0). A segment of
	 * an LSO send has its own copy of the headers in @data, its first SGE
	 * (hence one more than a work request can have).
	 */
	unsigned int num_sge;
	struct ib_sge sge[SIB_MAX_SGE + 1];
	u8 data[];
};

struct sib_dev {
	struct ib_device ibdev;
	struct list_head list;	/* on sib_subnet.hcas, under sib_lock */
	unsigned int index;
	__be64 guid;
	/*
	 * The port as its SM set it: the embedded SM's fixed values, or an
	 * external SM's (sa_mode=opensm, sma.c). Written under
	 * sib_subnet.lock; @lid and @state are read locklessly too.
	 */
	u16 lid;
	u16 sm_lid;
	u8 sm_sl, lmc, subnet_timeout;
	enum ib_port_state state;
	u32 cap_flags;		/* SIB_PORT_CAP_FLAGS, IB_PORT_SM if an SM is here */
	struct xarray qps;	/* QPN -> struct sib_qp */
	u32 next_qpn;
	struct sib_counters stats;
	struct dentry *dbg;	/* debugfs <name>/, by debugfs.c's client */
	bool tapped;		/* sib_tap_port(); read locklessly */
};

/* SA multicast group and its members (port GID + JoinState). */
struct sib_member {
	struct list_head list;
	union ib_gid port_gid;
	u8 join_state;
};

struct sib_group {
	struct list_head list;
	union ib_gid mgid;
	u16 mlid;
	u32 qkey;
	u16 pkey;
	u8 mtu, rate, plt, sl, tclass, hop_limit, scope;
	u32 flow_label;
	bool permanent;		/* the IPoIB broadcast group */
	struct list_head members;
};

enum sib_sa_mode {
	SIB_SA_MODERN,		/* SendOnlyFullMember supported */
	SIB_SA_LEGACY,		/* like OpenSM before 3.3.21 */
};

/* How the SA answers a ClassPortInfo Get. */
enum sib_sa_cpi {
	SIB_CPI_ANSWER,		/* an IB ClassPortInfo of the personality */
	SIB_CPI_REFUSE,		/* "method/attribute not supported" */
	SIB_CPI_OPA,		/* in OPA's form: class version 0x80 */
	SIB_CPI_BUSY,		/* MAD status busy: ask again later */
	SIB_CPI_DROP,		/* no answer at all: the requester times out */
};

/* What the SA counts requests and errors by: their attribute. */
enum sib_sa_kind {
	SIB_SA_CPI,		/* ClassPortInfo */
	SIB_SA_MCM,		/* MCMemberRecord */
	SIB_SA_PATH,		/* PathRecord */
	SIB_SA_NODE,		/* NodeRecord */
	SIB_SA_PORT,		/* PortInfoRecord */
	SIB_SA_SM,		/* SMInfoRecord */
	SIB_SA_OTHER,		/* any other */
	SIB_SA_KINDS
};

struct sib_sa_stats {
	atomic64_t requests[SIB_SA_KINDS];
	atomic64_t errors[SIB_SA_KINDS];
};

/* rmpp.c's GetTable answers. */
struct sib_rmpp_stats {
	atomic64_t tables;	/* gathered and started */
	atomic64_t segments;	/* DATA segments sent, again or not */
	atomic64_t resent;	/* timeouts that sent segments again */
	atomic64_t aborted;	/* ended by STOP/ABORT, retries, or no memory */
};

/* Ports of the switch in one MulticastForwardingTable PortMask. */
#define SIB_SW_MFT_PORTS	16
#define SIB_SW_MFT_POS		DIV_ROUND_UP(SIB_SW_PORTS + 1, SIB_SW_MFT_PORTS)
#define SIB_SW_LFT_CAP		1024	/* unicast LIDs its LFT holds */

/*
 * The switch (switch.c): the SMPs it handled and, with an external SM
 * (sa_mode=opensm), what that SM set: its LID and port states, and the
 * forwarding tables the fabric then forwards by. The rest under
 * sib_subnet.lock.
 */
struct sib_switch {
	atomic64_t answered;	/* SMPs answered by its SMA */
	atomic64_t forwarded;	/* directed route, on to the next hop */
	atomic64_t dropped;	/* discarded: route, hop pointer, class */
	u16 lid, sm_lid;
	u8 lmc, life;
	enum ib_port_state state[SIB_SW_PORTS + 1];
	bool state_change;	/* SwitchInfo:PortStateChange */
	u16 lft_top, mft_top;
	u8 *lft;		/* SIB_SW_LFT_CAP ports, by LID */
	u16 *mft;		/* sib_mft_cap x SIB_SW_MFT_POS PortMasks */
};

struct sib_subnet {
	spinlock_t lock;	/* @by_lid, @groups, @sa_mode, @sa_cpi, @mlids, @last_mlid */
	/*
	 * The HCAs by the LID the embedded SM gives them, SIB_FIRST_LID +
	 * their index; with an external SM, whose LIDs they have instead,
	 * only by that slot (their switch port is the index + 1).
	 */
	struct sib_dev *by_lid[SIB_FIRST_LID + SIB_MAX_HCAS];
	struct list_head groups;
	enum sib_sa_mode sa_mode;
	enum sib_sa_cpi sa_cpi;
	DECLARE_BITMAP(mlids, SIB_MLID_COUNT);	/* in use, bit 0 = 0xc000 */
	unsigned int last_mlid;	/* bit of the last one given out */
	struct sib_sa_stats sa;
	spinlock_t pkt_lock;	/* @pkts, @hold */
	struct list_head pkts;
	bool hold;		/* sends stay queued: a stalled link */
	struct work_struct deliver;
	struct workqueue_struct *wq;
	spinlock_t rmpp_lock;	/* @rmpp, @rmpp_count, @rmpp_stopping, the transfers */
	struct list_head rmpp;	/* GetTable answers being sent (rmpp.c) */
	unsigned int rmpp_count;
	bool rmpp_stopping;	/* the module goes: no new transfer */
	struct sib_rmpp_stats rmpp_stats;
	struct sib_switch sw;
};

extern struct sib_subnet sib_subnet;
extern bool sib_sm_external;
extern struct mutex sib_lock;
extern struct list_head sib_hcas;
extern bool sib_hide_block_lb;
extern bool sib_port_active_event;
extern unsigned int sib_mft_cap;

static inline struct sib_dev *to_sdev(struct ib_device *d)
{
	return container_of(d, struct sib_dev, ibdev);
}

static inline struct sib_qp *to_sqp(struct ib_qp *q)
{
	return container_of(q, struct sib_qp, ibqp);
}

static inline struct sib_cq *to_scq(struct ib_cq *c)
{
	return container_of(c, struct sib_cq, ibcq);
}

static inline struct sib_ah *to_sah(struct ib_ah *a)
{
	return container_of(a, struct sib_ah, ibah);
}

/*
 * The packets @pkt is on the wire: one, but an RC message is cut into
 * packets of the MTU.
 */
static inline u32 sib_wire_pkts(const struct sib_pkt *pkt)
{
	return pkt->rc && pkt->len > SIB_MTU_BYTES ?
	       DIV_ROUND_UP(pkt->len, SIB_MTU_BYTES) : 1;
}

/* Count a packet @sd's port dropped (none: @sd NULL). */
static inline void sib_drop(struct sib_dev *sd, enum sib_drop why)
{
	if (sd)
		atomic64_inc(&sd->stats.drops[why]);
}

/* main.c */
int sib_add_hca(void);
int sib_del_hca(const char *name);
int sib_port_event(const char *name, enum ib_event_type event);

/* device.c */
struct sib_dev *sib_dev_create(unsigned int index);
void sib_dev_destroy(struct sib_dev *sd);
void sib_port_gid(struct sib_dev *sd, union ib_gid *gid);

/* qp.c */
#ifdef HAVE_IB_CORE_ALLOCATED_QP
int sib_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
		  struct ib_udata *udata);
#else
struct ib_qp *sib_create_qp(struct ib_pd *pd, struct ib_qp_init_attr *init,
			    struct ib_udata *udata);
#endif
int sib_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		  struct ib_udata *udata);
int sib_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		 struct ib_qp_init_attr *init);
int sib_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata);
int sib_attach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid);
int sib_detach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid);
bool sib_qp_attached(struct sib_qp *qp, const union ib_gid *mgid);
void sib_qp_to_error(struct sib_qp *qp);

/* rc.c */
void sib_rc_address(struct sib_pkt *pkt, struct sib_qp *qp,
		    const struct ib_send_wr *wr);
void sib_rc_receive(struct sib_dev *dst, struct sib_qp *qp,
		    struct sib_pkt *pkt, enum sib_drop why);

/* send.c */
int sib_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		  const struct ib_send_wr **bad);
void sib_send_complete(struct sib_pkt *pkt);
void sib_pkt_from_wr(struct sib_pkt *pkt, struct sib_qp *qp,
		     const struct ib_send_wr *wr);

/* recv.c */
int sib_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		  const struct ib_recv_wr **bad);
void sib_recv_flush(struct sib_qp *qp);
void sib_qp_receive(struct sib_dev *dst, struct sib_qp *qp,
		    const struct sib_pkt *pkt);
bool sib_qp_take_recv(struct sib_qp *qp, struct sib_wqe *w);
u32 sib_recv_wc(struct ib_wc *wc, const struct sib_wqe *w, struct sib_qp *qp);
void sib_scatter(struct sib_wqe *w, u32 off, const void *src, u32 len);
void sib_scatter_payload(struct sib_wqe *w, u32 off, const struct sib_pkt *pkt);

/* cq.c */
void sib_cq_complete(struct sib_cq *cq, const struct ib_wc *wc, bool solicited);
int sib_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
		  struct sib_create_cq_ctx *uctx);
int sib_destroy_cq(struct ib_cq *ibcq, struct ib_udata *udata);
int sib_poll_cq(struct ib_cq *ibcq, int num, struct ib_wc *wc);
int sib_req_notify_cq(struct ib_cq *ibcq, enum ib_cq_notify_flags flags);

/* fabric.c */
int sib_fabric_send(struct sib_pkt *pkt);
void sib_fabric_deliver_work(struct work_struct *work);
void sib_fabric_flush(void);
void sib_fabric_hold(bool hold);
bool sib_fabric_held(void);
struct sib_pkt *sib_pkt_alloc(u32 len, gfp_t gfp);
void sib_pkt_read(const struct sib_pkt *pkt, u32 off, void *dst, u32 len);

/* sa.c */
void sib_sa_handle(struct sib_pkt *req);
void sib_sa_address(struct sib_pkt *pkt, u16 dlid, u32 dqpn);
struct sib_group *sib_group_by_mlid(u16 mlid);
bool sib_group_forwards_to(const struct sib_group *g, struct sib_dev *sd);
void sib_sa_init(void);
void sib_sa_exit(void);
int sib_sa_table(const struct ib_sa_mad *req, u8 **data, u32 *len, u16 *rec_len);
void sib_sa_port_gone(struct sib_dev *sd);
int sib_sa_set_mode(const char *mode);
const char *sib_sa_mode_name(void);
int sib_sa_set_cpi(const char *how);
const char *sib_sa_cpi_name(void);

/* rmpp.c */
void sib_rmpp_init(void);
void sib_rmpp_stop(void);
u16 sib_rmpp_table(const struct sib_pkt *req);
void sib_rmpp_recv(const struct sib_pkt *pkt);

/* counters.c */
struct rdma_hw_stats *sib_alloc_hw_port_stats(struct ib_device *ibdev,
					      rbp_port_t port);
int sib_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats,
		     rbp_port_t port, int index);

/* mad.c */
struct ib_mad;
int sib_process_mad(struct ib_device *ibdev, int flags, u32 port,
		    const struct ib_wc *in_wc, const struct ib_grh *in_grh,
		    const struct ib_mad *in, struct ib_mad *out,
		    size_t *out_size, u16 *out_pkey_index);

/* sma.c */
#define SIB_SMP_CLASS_VERSION	1
#define SIB_SMP_DIR		0x8000	/* the D bit, in the SMP's status */
#define SIB_NODE_INFO_LEN	40
#define SIB_PORT_INFO_LEN	64
#define SIB_PORT_INFO_MOD_PORT	0xff	/* PortInfo's attribute modifier: the port */
struct ib_smp;
/* What a PortInfo Set asks of a port. */
struct sib_port_set {
	u16 lid, sm_lid;
	u8 lmc, sm_sl, subnet_timeout;
	u8 state;		/* IB_PORT_NOP: no change */
	bool rereg;		/* ClientReregister */
};

void sib_node_info(u8 *ni, const struct sib_dev *sd);
void sib_port_info_link(u8 *pi, enum ib_port_state state);
void sib_port_info(u8 *pi, const struct sib_dev *sd);
void sib_sma_port_init(struct sib_dev *sd);
u16 sib_port_info_parse(const u8 *pi, struct sib_port_set *set);
int sib_port_state_next(enum ib_port_state cur, u8 want);
u16 sib_pkey_block(u8 *p, u32 block);
u16 sib_smp_check(const struct ib_smp *in);
bool sib_sma_answer(struct sib_dev *sd, const struct ib_smp *in,
		    struct ib_smp *out, u16 *status);

/* switch.c */
#define SIB_SM_INFO_LEN		24
void sib_sm_info(u8 *p);
void sib_switch_node_info(u8 *ni, unsigned int in_port);
u16 sib_switch_lid(void);
bool sib_switch_is_for(const struct sib_pkt *pkt);
void sib_switch_receive(const struct sib_pkt *pkt);
void sib_switch_deliver(const struct sib_pkt *pkt);
int sib_switch_init(void);
void sib_switch_exit(void);
void sib_switch_link(struct sib_dev *sd, bool up);
bool sib_switch_port_active(const struct sib_dev *sd);
struct sib_dev *sib_switch_unicast(const struct sib_pkt *pkt,
				   enum sib_drop *why);
bool sib_switch_mc_forwards(const struct sib_pkt *pkt, const struct sib_dev *sd);

/* pma.c */
struct ib_pma_mad;
u16 sib_pma_answer(struct sib_dev *sd, const struct ib_pma_mad *in,
		   struct ib_pma_mad *out);

/* tap.c */
DECLARE_STATIC_KEY_FALSE(sib_tap_key);
void __sib_tap(struct sib_dev *sd, const struct sib_pkt *pkt, bool outgoing);

/*
 * A copy of @pkt as port @sd sends or receives it, if a backend listens to
 * that port.
 */
static inline void sib_tap(struct sib_dev *sd, const struct sib_pkt *pkt,
			   bool outgoing)
{
	if (static_branch_unlikely(&sib_tap_key) && READ_ONCE(sd->tapped))
		__sib_tap(sd, pkt, outgoing);
}

/* debugfs.c */
int sib_debugfs_init(void);
void sib_debugfs_exit(void);

#endif /* SIB_H */
