// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_sniffer_sib - the rdma_sib backend of rdma_sniffer.
 *
 * rdma_sib's fabric has a tap for one capture backend (sib_tap.h): this
 * module turns its packets into rdma_sniffer's and offers port 1 of every
 * rdma_sib HCA for monitors. It is a module of its own, depending on both,
 * so that neither rdma_sniffer (meant for hosts with real HCAs) nor
 * rdma_sib (meant for tests) pulls in the other. The tap is attached only
 * while at least one monitor of an rdma_sib port is up: otherwise the
 * fabric pays a patched-out branch per packet and nothing else.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <rdma/ib_pack.h>

#include "compat/rbp_compat.h"
#include "rdma_sniffer.h"
#include "sib_tap.h"

static DEFINE_MUTEX(snfsib_lock);	/* @snfsib_up, attaching the tap */
static unsigned int snfsib_up;		/* monitors up */

/* The payload of a packet still in its sender's buffers. */
static void snfsib_read(const struct rdma_sniffer_ib_pkt *pkt, u32 off,
			void *dst, u32 len)
{
	sib_tap_read(pkt->priv, off, dst, len);
}

static void snfsib_packet(struct ib_device *ibdev, bool outgoing,
			  const struct sib_tap_pkt *tp)
{
	struct rdma_sniffer_ib_pkt pkt = {
		.grh = tp->grh,
		.payload = tp->data,
		.read = tp->data ? NULL : snfsib_read,
		.priv = tp,
		.len = tp->len,
		.dqpn = tp->dqpn,
		.sqpn = tp->src_qpn,
		.qkey = tp->qkey,
		.slid = tp->slid,
		.dlid = tp->dlid,
		.pkey = tp->pkey,
		.sl = tp->sl,
		.vl = 0,	/* the fabric has no virtual lanes */
		.opcode = tp->has_imm ? IB_OPCODE_UD_SEND_ONLY_WITH_IMMEDIATE :
					IB_OPCODE_UD_SEND_ONLY,
		.solicited = tp->solicited,
		.imm = tp->imm_data,
	};

	rdma_sniffer_ib_packet(ibdev, 1, outgoing, &pkt);
}

static const struct sib_tap_ops snfsib_tap_ops = {
	.packet = snfsib_packet,
};

static bool snfsib_serves(struct ib_device *dev, u32 port)
{
	return sib_tap_owns(dev) && port == 1;
}

static int snfsib_start(struct ib_device *dev, u32 port)
{
	int ret = 0;

	mutex_lock(&snfsib_lock);
	if (!snfsib_up)
		ret = sib_tap_attach(&snfsib_tap_ops);
	if (!ret) {
		snfsib_up++;
		sib_tap_port(dev, true);
	}
	mutex_unlock(&snfsib_lock);
	return ret;
}

static void snfsib_stop(struct ib_device *dev, u32 port)
{
	mutex_lock(&snfsib_lock);
	sib_tap_port(dev, false);
	if (!--snfsib_up)
		sib_tap_detach(&snfsib_tap_ops);
	mutex_unlock(&snfsib_lock);
}

static struct rdma_sniffer_backend snfsib_backend = {
	.name = "rdma_sib",
	.serves = snfsib_serves,
	.start = snfsib_start,
	.stop = snfsib_stop,
};

static int __init snfsib_init(void)
{
	return rdma_sniffer_backend_register(&snfsib_backend);
}

static void __exit snfsib_exit(void)
{
	/* Takes every monitor down, so the tap is detached after this. */
	rdma_sniffer_backend_unregister(&snfsib_backend);
}

module_init(snfsib_init);
module_exit(snfsib_exit);

MODULE_DESCRIPTION("rdma_sib capture backend of rdma_sniffer");
MODULE_AUTHOR("rdma-backports");
MODULE_LICENSE("GPL");
MODULE_VERSION(RBP_MODULE_VERSION);
RBP_MODULE_INFO();
