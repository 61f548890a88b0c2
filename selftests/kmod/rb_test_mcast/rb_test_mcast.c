// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb_test_mcast - a kernel IB multicast client for the suite's tests. Never
 * shipped (built only with RB_WITH_TESTS=1).
 *
 * It joins groups through its own ib_sa_client (so tests can show that
 * joins of clients other than IPoIB are left alone) and runs kernel UD QPs
 * that attach to a group, send to it and count what they receive, telling
 * their own packets from others' (so tests can show multicast loopback and
 * its blocking), and RC QPs connected by hand (so tests can show an HCA's
 * RC errors). Driven through debugfs:
 *
 *   /sys/kernel/debug/rb_test_mcast/cmd    write one command:
 *     join DEV PORT MGID STATE      SA join, JoinState STATE (hex bit mask)
 *     leave DEV PORT MGID           leave that join
 *     qp NAME DEV PORT FLAGS        UD QP; FLAGS 1 asks for loopback blocking,
 *                                   2 for LSO (IB_QP_CREATE_IPOIB_UD_LSO), 3 both
 *     rcqp NAME DEV PORT NRECV LEN  RC QP in INIT with NRECV receives of
 *                                   LEN bytes (up to 104) posted
 *     connect NAME PEER             RC QP NAME to RTR and RTS, connected to
 *                                   QP PEER (at its port's LID), RNR and
 *                                   transport retry counts 7
 *     attach NAME MGID              attach QP NAME to joined group MGID
 *     send NAME MGID COUNT          send COUNT packets to the group
 *     destroy NAME                  destroy QP NAME
 *     qpbench DEV N [CHUNK]         create and destroy N UD QPs, timed;
 *                                   with CHUNK (N / CHUNK <= 1000) also
 *                                   each CHUNK QPs, their fastest, 25th
 *                                   percentile and median time reported
 *     post NAME DEST SIZE [imm=N] [solicited] [badlso]
 *                                   one send of SIZE bytes (up to 8192) to
 *                                   DEST ("-" for an RC QP: its peer), with
 *                                   immediate data N, asking for
 *                                   a solicited event; waits for it to
 *                                   complete. What ib_post_send() returned
 *                                   is the write's result and last_post.
 *                                   badlso: an IB_WR_LSO send whose 60-byte
 *                                   header is zeros, not IPoIB + IPv4 + TCP
 *     burst NAME DEST COUNT         post COUNT sends to DEST back to back;
 *                                   count those accepted and those refused
 *                                   with -ENOMEM, then wait for completions
 *     mcbench NAME DEST COUNT       COUNT sends to DEST as fast as the send
 *                                   queue takes them (32 in flight), timed
 *                                   until the last completes (a benchmark:
 *                                   multicast fan-out)
 *     rawqp NAME DEV PORT CQE       UD QP on a CQ of CQE entries that is
 *                                   never polled; counts its completion
 *                                   events and IB_EVENT_CQ_ERR events
 *     arm NAME solicited|next       arm rawqp NAME's CQ for the next
 *                                   solicited receive, or any completion
 *   /sys/kernel/debug/rb_test_mcast/state  joins and QPs with counters, and
 *                                   what ib_query_qp() said of each QP
 *                                   when it was made (create_flags)
 *
 * MGIDs are written as 32 hex digits, with or without colons. A DEST is a
 * group joined on the sender's port (its MGID) or a QP (its name: unicast).
 * One mutex serialises commands and the state dump; completion counters are
 * atomics.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <rdma/ib_cache.h>
#include <rdma/ib_sa.h>
#include <rdma/ib_verbs.h>

#include "compat/rbp_compat.h"

/*
 * A payload starts with the sender's QP number, big-endian, where it need
 * not be aligned. Byte copies rather than get/put_unaligned_be32(): their
 * header moved from asm/ to linux/ in 6.12, and two helpers are not worth
 * a compat probe.
 */
static u32 rbt_get_be32(const u8 *p)
{
	__be32 v;

	memcpy(&v, p, sizeof(v));
	return be32_to_cpu(v);
}

static void rbt_put_be32(u32 x, u8 *p)
{
	__be32 v = cpu_to_be32(x);

	memcpy(p, &v, sizeof(v));
}

#define RBT_QKEY	0x0b1b0001
#define RBT_NRECV	64
#define RBT_BUF		(sizeof(struct ib_grh) + 64)
#define RBT_MAX_NAME	16
#define RBT_MAX_ATTACH	4
#define RBT_MAX_POST	8192	/* post: up to twice rdma_sib's MTU */
#define RBT_MAX_BURST	1024
/* Room for every receive and a whole burst's sends, however late polled. */
#define RBT_CQE		(128 + RBT_NRECV + RBT_MAX_BURST)
#define RBT_MAX_RAW_CQE	1024
#define RBT_SEND_WAIT	(10 * HZ)

struct rbt_join {
	struct list_head list;
	union ib_gid mgid;
	u8 state;
	struct ib_sa_multicast *mc;
	struct completion done;
	int status;
	struct ib_sa_mcmember_rec rec;	/* as the SA answered */
	struct ib_device *dev;
	u32 port;
};

struct rbt_buf {
	struct ib_cqe cqe;
	struct rbt_qp *qp;
	u64 dma;
	u8 data[RBT_BUF];
};

struct rbt_qp {
	struct list_head list;
	char name[RBT_MAX_NAME];
	struct ib_device *dev;
	u32 port;
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_qp *qp;
	bool block;
	struct rbt_buf *bufs;
	struct ib_cqe send_cqe;
	u64 send_dma;
	u8 send_data[64];
	atomic_t sent;
	atomic_t send_errors;
	atomic_t received;
	atomic_t received_self;
	atomic_t inflight;
	int send_status;	/* the last send completion's status */
	atomic_t recv_errors;	/* receives completed in error ... */
	int recv_status;	/* ... and the last one's status */
	unsigned int recv_len;	/* each posted receive's length */
	atomic_t received_imm;	/* receives with IB_WC_WITH_IMM ... */
	u32 last_imm;		/* ... and the last one's immediate data */
	u8 *post_data;		/* post: RBT_MAX_POST bytes, the QPN first */
	u64 post_dma;
	int last_post;		/* what ib_post_send() returned to post */
	unsigned int burst_ok, burst_enomem;	/* the last burst's posts */
	/* rawqp: a CQ of its own that nobody polls, and its events */
	bool raw;
	atomic_t cq_notify;
	atomic_t cq_err;
	/* ib_query_qp() right after the QP was made: its result and the
	 * create_flags the driver reported back
	 */
	int query_ret;
	u32 query_create_flags;
	/* Attached groups: a QP must be detached before ib_destroy_qp(). */
	unsigned int nattach;
	union ib_gid attach_gid[RBT_MAX_ATTACH];
	u16 attach_lid[RBT_MAX_ATTACH];
};

static struct ib_sa_client rbt_sa_client;
static u64 rbt_bench_ns, rbt_bench_n;	/* last qpbench: time, QPs */
/* ... and its chunks: QPs in each, how many, min / p25 / p50 time */
static u64 rbt_bench_chunk, rbt_bench_chunks, rbt_bench_q[3];
static u64 rbt_mcb_ns, rbt_mcb_n;	/* last mcbench: time, sends */
static LIST_HEAD(rbt_joins);
static LIST_HEAD(rbt_qps);
static DEFINE_MUTEX(rbt_lock);	/* rbt_joins, rbt_qps, every command */
static struct dentry *rbt_dir;

static int rbt_parse_gid(const char *s, union ib_gid *gid)
{
	char hex[33];
	int n = 0;

	for (; *s && n < 32; s++) {
		if (*s == ':')
			continue;
		if (!isxdigit(*s))
			return -EINVAL;
		hex[n++] = *s;
	}
	if (n != 32 || *s)
		return -EINVAL;
	return hex2bin(gid->raw, hex, 16);
}

/* The join of @mgid made on @dev port @port (the same group may be joined
 * on several ports).
 */
static struct rbt_join *rbt_find_join(const union ib_gid *mgid,
				      struct ib_device *dev, u32 port)
{
	struct rbt_join *j;

	list_for_each_entry(j, &rbt_joins, list)
		if (!memcmp(&j->mgid, mgid, sizeof(*mgid)) &&
		    j->dev == dev && j->port == port)
			return j;
	return NULL;
}

static struct rbt_qp *rbt_find_qp(const char *name)
{
	struct rbt_qp *q;

	list_for_each_entry(q, &rbt_qps, list)
		if (!strcmp(q->name, name))
			return q;
	return NULL;
}

static int rbt_join_done(int status, struct ib_sa_multicast *mc)
{
	struct rbt_join *j = mc->context;

	j->status = status;
	if (!status)
		j->rec = mc->rec;
	complete(&j->done);
	return 0;
}

static int rbt_cmd_join(char *dev_name, u32 port, const char *mgid_s, u8 state)
{
	ib_sa_comp_mask mask = IB_SA_MCMEMBER_REC_MGID | IB_SA_MCMEMBER_REC_PORT_GID |
		IB_SA_MCMEMBER_REC_PKEY | IB_SA_MCMEMBER_REC_JOIN_STATE |
		IB_SA_MCMEMBER_REC_QKEY | IB_SA_MCMEMBER_REC_SL |
		IB_SA_MCMEMBER_REC_FLOW_LABEL | IB_SA_MCMEMBER_REC_TRAFFIC_CLASS;
	struct ib_sa_mcmember_rec rec = {};
	struct ib_device *dev;
	struct rbt_join *j;
	int ret;

	if (rbt_parse_gid(mgid_s, &rec.mgid))
		return -EINVAL;
	dev = ib_device_get_by_name(dev_name, RDMA_DRIVER_UNKNOWN);
	if (!dev)
		return -ENODEV;
	if (rbt_find_join(&rec.mgid, dev, port)) {
		ret = -EEXIST;
		goto out_put;
	}
	ret = rdma_query_gid(dev, port, 0, &rec.port_gid);
	if (ret)
		goto out_put;
	rec.pkey = cpu_to_be16(0xffff);
	rec.join_state = state;
	rec.qkey = cpu_to_be32(RBT_QKEY);

	j = kzalloc(sizeof(*j), GFP_KERNEL);
	if (!j) {
		ret = -ENOMEM;
		goto out_put;
	}
	j->mgid = rec.mgid;
	j->state = state;
	j->dev = dev;
	j->port = port;
	init_completion(&j->done);
	j->mc = ib_sa_join_multicast(&rbt_sa_client, dev, port, &rec, mask,
				     GFP_KERNEL, rbt_join_done, j);
	if (IS_ERR(j->mc)) {
		ret = PTR_ERR(j->mc);
		kfree(j);
		goto out_put;
	}
	if (!wait_for_completion_timeout(&j->done, 20 * HZ))
		j->status = -ETIMEDOUT;
	list_add_tail(&j->list, &rbt_joins);
	/* The join stays listed, failed or not, so its status can be read. */
	return 0;

out_put:
	ib_device_put(dev);
	return ret;
}

static void rbt_join_free(struct rbt_join *j)
{
	list_del(&j->list);
	ib_sa_free_multicast(j->mc);
	ib_device_put(j->dev);
	kfree(j);
}

static void rbt_recv_done(struct ib_cq *cq, struct ib_wc *wc);

static int rbt_post_recv(struct rbt_buf *b)
{
	struct ib_sge sge = {
		.addr = b->dma,
		.length = b->qp->recv_len,
		.lkey = b->qp->pd->local_dma_lkey,
	};
	struct ib_recv_wr wr = { .wr_cqe = &b->cqe, .sg_list = &sge, .num_sge = 1 };

	b->cqe.done = rbt_recv_done;
	return ib_post_recv(b->qp->qp, &wr, NULL);
}

static void rbt_recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct rbt_buf *b = container_of(wc->wr_cqe, struct rbt_buf, cqe);
	struct rbt_qp *q = b->qp;
	u32 src;

	if (wc->status != IB_WC_SUCCESS) {
		/* An RC error, or flushed on destroy: not posted again. */
		WRITE_ONCE(q->recv_status, wc->status);
		atomic_inc(&q->recv_errors);
		return;
	}
	if (wc->wc_flags & IB_WC_WITH_IMM) {
		WRITE_ONCE(q->last_imm, be32_to_cpu(wc->ex.imm_data));
		atomic_inc(&q->received_imm);
	}
	atomic_inc(&q->received);
	/* Payload after the GRH slot: the sender's QPN. */
	src = rbt_get_be32(b->data + sizeof(struct ib_grh));
	if (wc->src_qp == q->qp->qp_num && src == q->qp->qp_num)
		atomic_inc(&q->received_self);
	rbt_post_recv(b);
}

static void rbt_send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct rbt_qp *q = container_of(wc->wr_cqe, struct rbt_qp, send_cqe);

	WRITE_ONCE(q->send_status, wc->status);
	if (wc->status == IB_WC_SUCCESS)
		atomic_inc(&q->sent);
	else
		atomic_inc(&q->send_errors);
	atomic_dec(&q->inflight);
}

static void rbt_qp_free(struct rbt_qp *q)
{
	int i;

	while (q->nattach) {
		q->nattach--;
		ib_detach_mcast(q->qp, &q->attach_gid[q->nattach],
				q->attach_lid[q->nattach]);
	}
	if (!IS_ERR_OR_NULL(q->qp) && ib_destroy_qp(q->qp))
		pr_err("QP %s could not be destroyed\n", q->name);
	if (!IS_ERR_OR_NULL(q->cq) && q->raw)
		ib_destroy_cq(q->cq);
	else if (!IS_ERR_OR_NULL(q->cq))
		ib_free_cq(q->cq);
	if (q->bufs) {
		for (i = 0; i < RBT_NRECV; i++)
			if (q->bufs[i].dma)
				ib_dma_unmap_single(q->dev, q->bufs[i].dma, RBT_BUF,
						    DMA_FROM_DEVICE);
		kfree(q->bufs);
	}
	if (q->send_dma)
		ib_dma_unmap_single(q->dev, q->send_dma, sizeof(q->send_data),
				    DMA_TO_DEVICE);
	if (q->post_dma)
		ib_dma_unmap_single(q->dev, q->post_dma, RBT_MAX_POST,
				    DMA_TO_DEVICE);
	kfree(q->post_data);
	if (!IS_ERR_OR_NULL(q->pd))
		ib_dealloc_pd(q->pd);
	ib_device_put(q->dev);
	kfree(q);
}

/* rawqp: a completion event of its CQ (armed by "arm"). */
static void rbt_raw_comp(struct ib_cq *cq, void *context)
{
	struct rbt_qp *q = context;

	atomic_inc(&q->cq_notify);
}

/* rawqp: an asynchronous event of its CQ. */
static void rbt_raw_event(struct ib_event *event, void *context)
{
	struct rbt_qp *q = context;

	if (event->event == IB_EVENT_CQ_ERR)
		atomic_inc(&q->cq_err);
}

/* What rbt_cmd_qp() makes, beyond a UD QP with RBT_NRECV receives. */
struct rbt_qp_opts {
	bool block;		/* IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK */
	bool lso;		/* IB_QP_CREATE_IPOIB_UD_LSO */
	unsigned int raw_cqe;	/* rawqp: a CQ of this many entries */
	bool rc;		/* rcqp: an RC QP, left in INIT ... */
	unsigned int nrecv;	/* ... with this many receives ... */
	unsigned int recv_len;	/* ... of this many bytes */
};

/*
 * A UD QP on a CQ that ib_core polls or, with @o->raw_cqe (rawqp), on a CQ
 * of that many entries that only "arm" and the event handlers above touch;
 * @o->lso creates it with IB_QP_CREATE_IPOIB_UD_LSO. With @o->rc, an RC QP
 * in INIT instead, for "connect".
 */
static int rbt_cmd_qp(const char *name, char *dev_name, u32 port,
		      const struct rbt_qp_opts *o)
{
	unsigned int nrecv = o->rc ? o->nrecv : RBT_NRECV;
	struct ib_qp_init_attr init = {
		.qp_type = o->rc ? IB_QPT_RC : IB_QPT_UD,
		.sq_sig_type = IB_SIGNAL_ALL_WR,
		.cap = { .max_send_wr = 64, .max_recv_wr = RBT_NRECV,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ib_qp_attr attr = {};
	struct rbt_qp *q;
	int ret, i;

	if (strlen(name) >= RBT_MAX_NAME || rbt_find_qp(name))
		return -EINVAL;
	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return -ENOMEM;
	strscpy(q->name, name, sizeof(q->name));
	q->port = port;
	q->block = o->block;
	q->recv_len = o->rc ? o->recv_len : RBT_BUF;
	q->dev = ib_device_get_by_name(dev_name, RDMA_DRIVER_UNKNOWN);
	if (!q->dev) {
		kfree(q);
		return -ENODEV;
	}
	q->pd = ib_alloc_pd(q->dev, 0);
	if (IS_ERR(q->pd)) {
		ret = PTR_ERR(q->pd);
		goto err;
	}
	if (o->raw_cqe) {
		struct ib_cq_init_attr cq_attr = { .cqe = o->raw_cqe };

		q->raw = true;
		q->cq = ib_create_cq(q->dev, rbt_raw_comp, rbt_raw_event, q,
				     &cq_attr);
	} else {
		q->cq = ib_alloc_cq(q->dev, q, RBT_CQE, 0, IB_POLL_WORKQUEUE);
	}
	if (IS_ERR(q->cq)) {
		ret = PTR_ERR(q->cq);
		goto err;
	}
	init.send_cq = q->cq;
	init.recv_cq = q->cq;
	if (o->block)
		init.create_flags |= IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK;
	if (o->lso)
		init.create_flags |= IB_QP_CREATE_IPOIB_UD_LSO;
	q->qp = ib_create_qp(q->pd, &init);
	if (IS_ERR(q->qp)) {
		ret = PTR_ERR(q->qp);
		goto err;
	}
	memset(&init, 0, sizeof(init));
	q->query_ret = ib_query_qp(q->qp, &attr, 0, &init);
	q->query_create_flags = init.create_flags;
	memset(&attr, 0, sizeof(attr));
	attr.qp_state = IB_QPS_INIT;
	attr.pkey_index = 0;
	attr.port_num = port;
	attr.qkey = RBT_QKEY;
	ret = ib_modify_qp(q->qp, &attr, IB_QP_STATE | IB_QP_PKEY_INDEX |
			   IB_QP_PORT |
			   (o->rc ? IB_QP_ACCESS_FLAGS : IB_QP_QKEY));
	if (ret)
		goto err;
	if (o->rc)
		goto ready;
	attr.qp_state = IB_QPS_RTR;
	ret = ib_modify_qp(q->qp, &attr, IB_QP_STATE);
	if (ret)
		goto err;
	attr.qp_state = IB_QPS_RTS;
	attr.sq_psn = 0;
	ret = ib_modify_qp(q->qp, &attr, IB_QP_STATE | IB_QP_SQ_PSN);
	if (ret)
		goto err;

ready:
	q->send_cqe.done = rbt_send_done;
	rbt_put_be32(q->qp->qp_num, q->send_data);
	q->send_dma = ib_dma_map_single(q->dev, q->send_data,
					sizeof(q->send_data), DMA_TO_DEVICE);
	if (ib_dma_mapping_error(q->dev, q->send_dma)) {
		q->send_dma = 0;
		ret = -ENOMEM;
		goto err;
	}
	q->post_data = kzalloc(RBT_MAX_POST, GFP_KERNEL);
	if (!q->post_data) {
		ret = -ENOMEM;
		goto err;
	}
	rbt_put_be32(q->qp->qp_num, q->post_data);
	q->post_dma = ib_dma_map_single(q->dev, q->post_data, RBT_MAX_POST,
					DMA_TO_DEVICE);
	if (ib_dma_mapping_error(q->dev, q->post_dma)) {
		q->post_dma = 0;
		ret = -ENOMEM;
		goto err;
	}
	q->bufs = kcalloc(RBT_NRECV, sizeof(*q->bufs), GFP_KERNEL);
	if (!q->bufs) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < nrecv; i++) {
		struct rbt_buf *b = &q->bufs[i];

		b->qp = q;
		b->dma = ib_dma_map_single(q->dev, b->data, RBT_BUF, DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(q->dev, b->dma)) {
			b->dma = 0;
			ret = -ENOMEM;
			goto err;
		}
		ret = rbt_post_recv(b);
		if (ret)
			goto err;
	}
	list_add_tail(&q->list, &rbt_qps);
	return 0;

err:
	rbt_qp_free(q);
	return ret;
}

/*
 * connect: RC QP @name, in INIT, to RTR and RTS, its peer QP @peer_name at
 * the LID of @peer_name's port, as a CM would set it up; RNR and transport
 * retries 7 (rdma_sib models neither).
 */
static int rbt_cmd_connect(const char *name, const char *peer_name)
{
	struct rbt_qp *q = rbt_find_qp(name), *peer = rbt_find_qp(peer_name);
	struct ib_qp_attr attr = {};
	struct ib_port_attr pattr;
	int ret;

	if (!q || !peer || q->qp->qp_type != IB_QPT_RC ||
	    peer->qp->qp_type != IB_QPT_RC)
		return -EINVAL;
	ret = ib_query_port(peer->dev, peer->port, &pattr);
	if (ret)
		return ret;
	attr.qp_state = IB_QPS_RTR;
	attr.path_mtu = IB_MTU_1024;
	attr.dest_qp_num = peer->qp->qp_num;
	attr.rq_psn = 0;
	attr.max_dest_rd_atomic = 0;
	attr.min_rnr_timer = 1;
	attr.ah_attr.type = rdma_ah_find_type(q->dev, q->port);
	rdma_ah_set_dlid(&attr.ah_attr, pattr.lid);
	rdma_ah_set_port_num(&attr.ah_attr, q->port);
	ret = ib_modify_qp(q->qp, &attr, IB_QP_STATE | IB_QP_AV |
			   IB_QP_PATH_MTU | IB_QP_DEST_QPN | IB_QP_RQ_PSN |
			   IB_QP_MAX_DEST_RD_ATOMIC | IB_QP_MIN_RNR_TIMER);
	if (ret)
		return ret;
	memset(&attr, 0, sizeof(attr));
	attr.qp_state = IB_QPS_RTS;
	attr.sq_psn = 0;
	attr.timeout = 14;
	attr.retry_cnt = 7;
	attr.rnr_retry = 7;
	attr.max_rd_atomic = 0;
	return ib_modify_qp(q->qp, &attr, IB_QP_STATE | IB_QP_SQ_PSN |
			    IB_QP_TIMEOUT | IB_QP_RETRY_CNT | IB_QP_RNR_RETRY |
			    IB_QP_MAX_QP_RD_ATOMIC);
}

static int rbt_cmd_attach(const char *name, const char *mgid_s)
{
	struct rbt_qp *q = rbt_find_qp(name);
	union ib_gid mgid;
	struct rbt_join *j;
	int ret;

	if (!q || rbt_parse_gid(mgid_s, &mgid))
		return -EINVAL;
	j = rbt_find_join(&mgid, q->dev, q->port);
	if (!j || j->status)
		return -ENOENT;
	if (q->nattach == RBT_MAX_ATTACH)
		return -ENOSPC;
	ret = ib_attach_mcast(q->qp, &mgid, be16_to_cpu(j->rec.mlid));
	if (ret)
		return ret;
	q->attach_gid[q->nattach] = mgid;
	q->attach_lid[q->nattach++] = be16_to_cpu(j->rec.mlid);
	return 0;
}

/*
 * An address handle, remote QPN and Q_Key for sends of @q to @dest: a group
 * joined on @q's port (by MGID), or QP @dest (unicast, to its port's LID).
 */
static int rbt_dest(struct rbt_qp *q, const char *dest, struct ib_ah **ah,
		    u32 *qpn, u32 *qkey)
{
	struct rdma_ah_attr ah_attr = {};
	union ib_gid mgid;
	int ret;

	if (!rbt_parse_gid(dest, &mgid)) {
		struct rbt_join *j = rbt_find_join(&mgid, q->dev, q->port);

		if (!j || j->status)
			return -ENOENT;
		ret = ib_init_ah_from_mcmember(q->dev, q->port, &j->rec, NULL,
					       IB_GID_TYPE_IB, &ah_attr);
		if (ret)
			return ret;
		*qpn = 0xffffff;
		*qkey = be32_to_cpu(j->rec.qkey);
	} else {
		struct rbt_qp *d = rbt_find_qp(dest);
		struct ib_port_attr pattr;

		if (!d)
			return -EINVAL;
		ret = ib_query_port(d->dev, d->port, &pattr);
		if (ret)
			return ret;
		ah_attr.type = rdma_ah_find_type(q->dev, q->port);
		rdma_ah_set_dlid(&ah_attr, pattr.lid);
		rdma_ah_set_port_num(&ah_attr, q->port);
		*qpn = d->qp->qp_num;
		*qkey = RBT_QKEY;
	}
	*ah = rdma_create_ah(q->pd, &ah_attr, RDMA_CREATE_AH_SLEEPABLE);
	rdma_destroy_ah_attr(&ah_attr);
	return PTR_ERR_OR_ZERO(*ah);
}

/* A signaled UD send of @q's send buffer through @ah. */
static void rbt_ud_send_init(struct rbt_qp *q, struct ib_ud_wr *wr,
			     struct ib_sge *sge, struct ib_ah *ah)
{
	sge->addr = q->send_dma;
	sge->length = sizeof(q->send_data);
	sge->lkey = q->pd->local_dma_lkey;
	wr->wr.wr_cqe = &q->send_cqe;
	wr->wr.sg_list = sge;
	wr->wr.num_sge = 1;
	wr->wr.opcode = IB_WR_SEND;
	wr->wr.send_flags = IB_SEND_SIGNALED;
	wr->ah = ah;
}

static int rbt_cmd_send(const char *name, const char *mgid_s, unsigned int count)
{
	struct rbt_qp *q = rbt_find_qp(name);
	struct ib_ud_wr wr = {};
	union ib_gid mgid;
	struct ib_sge sge;
	struct ib_ah *ah;
	unsigned int i;
	int ret = 0;

	/* A group only: rbt_dest() would take a QP name too. */
	if (!q || rbt_parse_gid(mgid_s, &mgid) || !count || count > 10000)
		return -EINVAL;
	ret = rbt_dest(q, mgid_s, &ah, &wr.remote_qpn, &wr.remote_qkey);
	if (ret)
		return ret;
	rbt_ud_send_init(q, &wr, &sge, ah);
	for (i = 0; i < count && !ret; i++) {
		/* Keep the send queue from overflowing. */
		while (atomic_read(&q->inflight) >= 32)
			usleep_range(100, 200);
		atomic_inc(&q->inflight);
		ret = ib_post_send(q->qp, &wr.wr, NULL);
		if (ret)
			atomic_dec(&q->inflight);
		usleep_range(200, 400);	/* let receivers keep up */
	}
	while (atomic_read(&q->inflight))
		usleep_range(100, 200);
	rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
	return ret;
}

/* Wait for @q's sends to complete, RBT_SEND_WAIT at most. */
static int rbt_wait_sends(struct rbt_qp *q)
{
	unsigned long end = jiffies + RBT_SEND_WAIT;

	while (atomic_read(&q->inflight)) {
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(100, 200);
	}
	return 0;
}

/*
 * post: one send of @size bytes from QP @name to @dest; @opts may ask for
 * immediate data ("imm=N") and a solicited event ("solicited"). Waits for
 * its completion; ib_post_send()'s answer is kept in last_post.
 */
static int rbt_cmd_post(const char *name, const char *dest, unsigned int size,
			char **opts, int nopts)
{
	static u8 zeros[60];	/* badlso's header */
	struct rbt_qp *q = rbt_find_qp(name);
	bool imm = false, solicited = false, badlso = false;
	struct ib_ud_wr wr = {};
	struct ib_sge sge;
	struct ib_ah *ah;
	int i, ret, wret;
	u32 v = 0;

	if (!q || !size || size > RBT_MAX_POST)
		return -EINVAL;
	for (i = 0; i < nopts; i++) {
		if (!strcmp(opts[i], "solicited") && !solicited)
			solicited = true;
		else if (!strcmp(opts[i], "badlso") && !badlso && !imm)
			badlso = true;
		else if (!strncmp(opts[i], "imm=", 4) && !imm && !badlso &&
			 !kstrtou32(opts[i] + 4, 0, &v))
			imm = true;
		else
			return -EINVAL;
	}
	if (q->qp->qp_type == IB_QPT_RC) {
		if (strcmp(dest, "-") || badlso)
			return -EINVAL;
		ah = NULL;	/* the peer is the QP's own */
	} else {
		ret = rbt_dest(q, dest, &ah, &wr.remote_qpn, &wr.remote_qkey);
		if (ret)
			return ret;
	}
	sge.addr = q->post_dma;
	sge.length = size;
	sge.lkey = q->pd->local_dma_lkey;
	wr.wr.wr_cqe = &q->send_cqe;
	wr.wr.sg_list = &sge;
	wr.wr.num_sge = 1;
	wr.wr.opcode = imm ? IB_WR_SEND_WITH_IMM : IB_WR_SEND;
	wr.wr.ex.imm_data = cpu_to_be32(v);
	wr.wr.send_flags = IB_SEND_SIGNALED | (solicited ? IB_SEND_SOLICITED : 0);
	wr.ah = ah;
	if (badlso) {
		wr.wr.opcode = IB_WR_LSO;
		wr.header = zeros;
		wr.hlen = sizeof(zeros);
		wr.mss = 1024;
	}
	atomic_inc(&q->inflight);
	ret = ib_post_send(q->qp, &wr.wr, NULL);
	q->last_post = ret;
	if (ret)
		atomic_dec(&q->inflight);
	wret = rbt_wait_sends(q);
	if (ah)
		rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
	return ret ? ret : wret;
}

/*
 * burst: @count sends from QP @name to @dest posted back to back, none
 * waited for, as a ULP that ignores its send queue's depth would. Those
 * accepted and those refused with -ENOMEM (a full send queue) are counted;
 * any other error ends the burst. The next post waits for them all. For
 * rdma_sib, which copies what a send needs of its address handle when it
 * is posted: the handle goes at once.
 */
static int rbt_cmd_burst(const char *name, const char *dest, unsigned int count)
{
	struct rbt_qp *q = rbt_find_qp(name);
	struct ib_ud_wr wr = {};
	struct ib_sge sge;
	struct ib_ah *ah;
	unsigned int i;
	int ret;

	if (!q || !count || count > RBT_MAX_BURST)
		return -EINVAL;
	ret = rbt_dest(q, dest, &ah, &wr.remote_qpn, &wr.remote_qkey);
	if (ret)
		return ret;
	rbt_ud_send_init(q, &wr, &sge, ah);
	q->burst_ok = 0;
	q->burst_enomem = 0;
	for (i = 0; i < count; i++) {
		atomic_inc(&q->inflight);
		ret = ib_post_send(q->qp, &wr.wr, NULL);
		if (!ret) {
			q->burst_ok++;
			continue;
		}
		atomic_dec(&q->inflight);
		if (ret != -ENOMEM)
			break;
		q->burst_enomem++;
		ret = 0;
	}
	rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
	return ret;
}

#define RBT_MCB_WINDOW	32

/*
 * mcbench: @count sends from QP @name to @dest, at most RBT_MCB_WINDOW in
 * flight, timed from the first post until the last send completed; what
 * each receiver got is in its "received".
 */
static int rbt_cmd_mcbench(const char *name, const char *dest, unsigned int count)
{
	struct rbt_qp *q = rbt_find_qp(name);
	struct ib_ud_wr wr = {};
	unsigned int i;
	struct ib_sge sge;
	struct ib_ah *ah;
	u64 start;
	int ret;

	if (!q || !count || count > 1000000)
		return -EINVAL;
	ret = rbt_dest(q, dest, &ah, &wr.remote_qpn, &wr.remote_qkey);
	if (ret)
		return ret;
	rbt_ud_send_init(q, &wr, &sge, ah);
	start = ktime_get_ns();
	for (i = 0; i < count && !ret; i++) {
		while (atomic_read(&q->inflight) >= RBT_MCB_WINDOW)
			usleep_range(10, 20);
		atomic_inc(&q->inflight);
		ret = ib_post_send(q->qp, &wr.wr, NULL);
		if (ret)
			atomic_dec(&q->inflight);
	}
	if (!ret)
		ret = rbt_wait_sends(q);
	rbt_mcb_ns = ktime_get_ns() - start;
	rbt_mcb_n = i;
	rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
	return ret;
}

/* arm: request a completion event of rawqp @name's CQ. */
static int rbt_cmd_arm(const char *name, const char *how)
{
	struct rbt_qp *q = rbt_find_qp(name);
	enum ib_cq_notify_flags flags;
	int ret;

	if (!q || !q->raw)
		return -EINVAL;
	if (!strcmp(how, "solicited"))
		flags = IB_CQ_SOLICITED;
	else if (!strcmp(how, "next"))
		flags = IB_CQ_NEXT_COMP;
	else
		return -EINVAL;
	ret = ib_req_notify_cq(q->cq, flags);
	return ret < 0 ? ret : 0;
}

static int rbt_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Create and destroy @n UD QPs on one PD and CQ; record the time taken.
 * With @chunk, also the time of each @chunk QPs in a row, and of those the
 * fastest, the 25th percentile and the median: a chunk during which the
 * host took the CPU away (a VM on a busy machine) is slow, so these tell
 * what creation costs apart from that.
 */
static int rbt_cmd_qpbench(char *dev_name, unsigned int n, unsigned int chunk)
{
	struct ib_qp_init_attr init = {
		.qp_type = IB_QPT_UD,
		.sq_sig_type = IB_SIGNAL_ALL_WR,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	unsigned int i, nchunks = chunk ? n / chunk : 0;
	struct ib_device *dev;
	u64 t0, tc, *times;
	struct ib_pd *pd;
	struct ib_cq *cq;
	int ret = 0;

	if (!n || n > 100000 || (chunk && (!nchunks || nchunks > 1000)))
		return -EINVAL;
	times = kcalloc(max(nchunks, 1U), sizeof(*times), GFP_KERNEL);
	if (!times)
		return -ENOMEM;
	dev = ib_device_get_by_name(dev_name, RDMA_DRIVER_UNKNOWN);
	if (!dev) {
		kfree(times);
		return -ENODEV;
	}
	pd = ib_alloc_pd(dev, 0);
	if (IS_ERR(pd)) {
		ret = PTR_ERR(pd);
		goto out_dev;
	}
	cq = ib_alloc_cq(dev, NULL, 64, 0, IB_POLL_WORKQUEUE);
	if (IS_ERR(cq)) {
		ret = PTR_ERR(cq);
		goto out_pd;
	}
	init.send_cq = cq;
	init.recv_cq = cq;
	t0 = ktime_get_ns();
	tc = t0;
	for (i = 0; i < n && !ret; i++) {
		struct ib_qp *qp = ib_create_qp(pd, &init);

		if (IS_ERR(qp))
			ret = PTR_ERR(qp);
		else
			ib_destroy_qp(qp);
		init.create_flags = 0;	/* a hook may have set it */
		if (chunk && (i + 1) % chunk == 0) {
			u64 now = ktime_get_ns();

			times[(i + 1) / chunk - 1] = now - tc;
			tc = now;
		}
	}
	rbt_bench_ns = ktime_get_ns() - t0;
	rbt_bench_n = i;
	rbt_bench_chunk = chunk;
	rbt_bench_chunks = ret ? 0 : nchunks;
	if (rbt_bench_chunks) {
		sort(times, nchunks, sizeof(*times), rbt_u64_cmp, NULL);
		rbt_bench_q[0] = times[0];
		rbt_bench_q[1] = times[nchunks / 4];
		rbt_bench_q[2] = times[nchunks / 2];
	}
	ib_free_cq(cq);
out_pd:
	ib_dealloc_pd(pd);
out_dev:
	ib_device_put(dev);
	kfree(times);
	return ret;
}

static int rbt_run(char *line)
{
	char *argv[6], *tok;
	int argc = 0, ret;
	unsigned int a, b;

	while ((tok = strsep(&line, " \t\n"))) {
		if (!*tok)
			continue;
		if (argc == ARRAY_SIZE(argv))
			return -EINVAL;	/* more words than any command has */
		argv[argc++] = tok;
	}
	if (!argc)
		return -EINVAL;

	if (!strcmp(argv[0], "join") && argc == 5 &&
	    !kstrtouint(argv[2], 10, &a) && !kstrtouint(argv[4], 16, &b) && b < 16)
		return rbt_cmd_join(argv[1], a, argv[3], b);
	if (!strcmp(argv[0], "leave") && argc == 4 && !kstrtouint(argv[2], 10, &a)) {
		struct ib_device *dev;
		union ib_gid mgid;
		struct rbt_join *j;

		if (rbt_parse_gid(argv[3], &mgid))
			return -EINVAL;
		dev = ib_device_get_by_name(argv[1], RDMA_DRIVER_UNKNOWN);
		if (!dev)
			return -ENODEV;
		j = rbt_find_join(&mgid, dev, a);
		ib_device_put(dev);
		if (!j)
			return -ENOENT;
		rbt_join_free(j);
		return 0;
	}
	if (!strcmp(argv[0], "qp") && argc == 5 &&
	    !kstrtouint(argv[3], 10, &a) && !kstrtouint(argv[4], 10, &b) && b < 4) {
		struct rbt_qp_opts o = { .block = b & 1, .lso = b & 2 };

		return rbt_cmd_qp(argv[1], argv[2], a, &o);
	}
	if (!strcmp(argv[0], "rcqp") && argc == 6 &&
	    !kstrtouint(argv[3], 10, &a)) {
		struct rbt_qp_opts o = { .rc = true };

		if (kstrtouint(argv[4], 10, &o.nrecv) || o.nrecv > RBT_NRECV ||
		    kstrtouint(argv[5], 10, &o.recv_len) || !o.recv_len ||
		    o.recv_len > RBT_BUF)
			return -EINVAL;
		return rbt_cmd_qp(argv[1], argv[2], a, &o);
	}
	if (!strcmp(argv[0], "connect") && argc == 3)
		return rbt_cmd_connect(argv[1], argv[2]);
	if (!strcmp(argv[0], "attach") && argc == 3)
		return rbt_cmd_attach(argv[1], argv[2]);
	if (!strcmp(argv[0], "send") && argc == 4 && !kstrtouint(argv[3], 10, &a))
		return rbt_cmd_send(argv[1], argv[2], a);
	if (!strcmp(argv[0], "qpbench") && (argc == 3 || argc == 4) &&
	    !kstrtouint(argv[2], 10, &a)) {
		b = 0;
		if (argc == 4 && kstrtouint(argv[3], 10, &b))
			return -EINVAL;
		return rbt_cmd_qpbench(argv[1], a, b);
	}
	if (!strcmp(argv[0], "post") && argc >= 4 && !kstrtouint(argv[3], 10, &a))
		return rbt_cmd_post(argv[1], argv[2], a, argv + 4, argc - 4);
	if (!strcmp(argv[0], "burst") && argc == 4 && !kstrtouint(argv[3], 10, &a))
		return rbt_cmd_burst(argv[1], argv[2], a);
	if (!strcmp(argv[0], "mcbench") && argc == 4 && !kstrtouint(argv[3], 10, &a))
		return rbt_cmd_mcbench(argv[1], argv[2], a);
	if (!strcmp(argv[0], "rawqp") && argc == 5 && !kstrtouint(argv[3], 10, &a) &&
	    !kstrtouint(argv[4], 10, &b) && b && b <= RBT_MAX_RAW_CQE) {
		struct rbt_qp_opts o = { .raw_cqe = b };

		return rbt_cmd_qp(argv[1], argv[2], a, &o);
	}
	if (!strcmp(argv[0], "arm") && argc == 3)
		return rbt_cmd_arm(argv[1], argv[2]);
	if (!strcmp(argv[0], "destroy") && argc == 2) {
		struct rbt_qp *q = rbt_find_qp(argv[1]);

		if (!q)
			return -ENOENT;
		list_del(&q->list);
		rbt_qp_free(q);
		return 0;
	}
	ret = -EINVAL;
	pr_err_ratelimited("bad command '%s' (join, leave, qp, rcqp, connect, attach, send, destroy, qpbench, post, burst, mcbench, rawqp, arm)\n",
			   argv[0]);
	return ret;
}

static ssize_t rbt_cmd_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char *buf;
	int ret;

	if (count > 256)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	mutex_lock(&rbt_lock);
	ret = rbt_run(buf);
	mutex_unlock(&rbt_lock);
	kfree(buf);
	return ret ? ret : count;
}

static const struct file_operations rbt_cmd_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = rbt_cmd_write,
	.llseek = noop_llseek,
};

static int rbt_state_show(struct seq_file *m, void *v)
{
	struct rbt_join *j;
	struct rbt_qp *q;

	mutex_lock(&rbt_lock);
	list_for_each_entry(j, &rbt_joins, list)
		seq_printf(m, "join %pI6 dev %s port %u state 0x%x status %d mlid 0x%x\n",
			   j->mgid.raw, dev_name(&j->dev->dev), j->port, j->state, j->status,
			   j->status ? 0 : be16_to_cpu(j->rec.mlid));
	list_for_each_entry(q, &rbt_qps, list) {
		seq_printf(m, "qp %s qpn %u block %d sent %d send_errors %d received %d self %d",
			   q->name, q->qp->qp_num, q->block, atomic_read(&q->sent),
			   atomic_read(&q->send_errors), atomic_read(&q->received),
			   atomic_read(&q->received_self));
		seq_printf(m, " received_imm %d last_imm 0x%x last_post %d burst_ok %u burst_enomem %u",
			   atomic_read(&q->received_imm), READ_ONCE(q->last_imm),
			   q->last_post, q->burst_ok, q->burst_enomem);
		if (q->raw)
			seq_printf(m, " cq_notify %d cq_err %d",
				   atomic_read(&q->cq_notify), atomic_read(&q->cq_err));
		seq_printf(m, " query_qp %d create_flags 0x%x", q->query_ret,
			   q->query_create_flags);
		seq_printf(m, " send_status %d recv_errors %d recv_status %d",
			   READ_ONCE(q->send_status), atomic_read(&q->recv_errors),
			   READ_ONCE(q->recv_status));
		seq_putc(m, '\n');
	}
	if (rbt_bench_n) {
		seq_printf(m, "qpbench qps %llu ns %llu", rbt_bench_n, rbt_bench_ns);
		if (rbt_bench_chunks)
			seq_printf(m, " chunk %llu chunks %llu min_ns %llu p25_ns %llu p50_ns %llu",
				   rbt_bench_chunk, rbt_bench_chunks, rbt_bench_q[0],
				   rbt_bench_q[1], rbt_bench_q[2]);
		seq_putc(m, '\n');
	}
	if (rbt_mcb_n)
		seq_printf(m, "mcbench sends %llu ns %llu\n", rbt_mcb_n, rbt_mcb_ns);
	mutex_unlock(&rbt_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rbt_state);

static int __init rbt_init(void)
{
	ib_sa_register_client(&rbt_sa_client);
	rbt_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("cmd", 0200, rbt_dir, NULL, &rbt_cmd_fops);
	debugfs_create_file("state", 0444, rbt_dir, NULL, &rbt_state_fops);
	return 0;
}

static void __exit rbt_exit(void)
{
	struct rbt_join *j, *jn;
	struct rbt_qp *q, *qn;

	debugfs_remove_recursive(rbt_dir);
	list_for_each_entry_safe(q, qn, &rbt_qps, list) {
		list_del(&q->list);
		rbt_qp_free(q);
	}
	list_for_each_entry_safe(j, jn, &rbt_joins, list)
		rbt_join_free(j);
	ib_sa_unregister_client(&rbt_sa_client);
}

module_init(rbt_init);
module_exit(rbt_exit);

MODULE_DESCRIPTION("rdma-backports test client: SA joins, kernel UD multicast and RC QPs");
MODULE_LICENSE("GPL");
MODULE_VERSION(RBP_MODULE_VERSION);
RBP_MODULE_INFO();
