// SPDX-License-Identifier: GPL-2.0-only
/*
 * One simulated HCA: a single IB port (ACTIVE, or as an external SM sets
 * it: sma.c), with its own LID and GUID, P_Key table {0xffff}, one GID
 * (subnet prefix + port GUID). It registers with ib_core as an IB CA with
 * virtual DMA (addresses in work requests are kernel virtual addresses),
 * so the kernel's own ULPs (ib_mad, ib_sa, ib_cm, ib_ipoib, ib_umad)
 * drive it as they would a real HCA. No user-space verbs provider exists
 * for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <rdma/ib_mad.h>

#include "sib.h"

static int sib_query_device(struct ib_device *ibdev, struct ib_device_attr *attr,
			    struct ib_udata *udata)
{
	struct sib_dev *sd = to_sdev(ibdev);

	if (udata && (udata->inlen || udata->outlen))
		return -EINVAL;
	memset(attr, 0, sizeof(*attr));
	attr->sys_image_guid = sd->guid;
	attr->max_mr_size = U64_MAX;
	attr->page_size_cap = PAGE_SIZE;
	attr->vendor_id = SIB_VENDOR_ID;
	attr->hw_ver = SIB_HW_VER;
	attr->max_qp = 4096;
	attr->max_qp_wr = SIB_MAX_QP_WR;
	attr->max_send_sge = SIB_MAX_SGE;
	attr->max_recv_sge = SIB_MAX_SGE;
	attr->max_sge_rd = 1;
	attr->max_cq = 4096;
	attr->max_cqe = SIB_MAX_CQE;
	attr->max_mr = 4096;
	attr->max_pd = 4096;
	attr->max_ah = 65536;
	attr->max_pkeys = 1;
	attr->max_mcast_grp = 1024;
	attr->max_mcast_qp_attach = 1024;
	attr->max_total_mcast_qp_attach = 65536;
	/*
	 * UD_IP_CSUM: IPoIB's TCP/UDP checksums are filled in by send.c, and
	 * UD_TSO: so are its TCP segments of up to 64 KB cut (IB_WR_LSO).
	 */
	attr->device_cap_flags = IB_DEVICE_PORT_ACTIVE_EVENT |
				 IB_DEVICE_SYS_IMAGE_GUID |
				 IB_DEVICE_UD_IP_CSUM;
	rbp_attr_set_ud_tso(attr);
	if (!sib_hide_block_lb)
		rbp_attr_set_block_mcast_loopback(attr);
	return 0;
}

static int sib_query_port(struct ib_device *ibdev, rbp_port_t port,
			  struct ib_port_attr *attr)
{
	struct sib_dev *sd = to_sdev(ibdev);

	unsigned long flags;

	/* ib_core cleared *attr. */
	attr->phys_state = IB_PORT_PHYS_STATE_LINK_UP;
	attr->max_mtu = SIB_MTU;
	attr->active_mtu = SIB_MTU;
	attr->gid_tbl_len = 1;
	attr->pkey_tbl_len = 1;
	attr->max_msg_sz = SIB_RC_MAX_MSG;	/* UD: one packet of the MTU */
	spin_lock_irqsave(&sib_subnet.lock, flags);
	attr->state = sd->state;
	attr->port_cap_flags = sd->cap_flags;
	attr->lid = sd->lid;
	attr->sm_lid = sd->sm_lid;
	attr->sm_sl = sd->sm_sl;
	attr->lmc = sd->lmc;
	attr->subnet_timeout = sd->subnet_timeout;
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	attr->max_vl_num = 1;
	attr->active_width = IB_WIDTH_4X;
	attr->active_speed = IB_SPEED_EDR;
	return 0;
}

static int sib_get_port_immutable(struct ib_device *ibdev, rbp_port_t port,
				  struct ib_port_immutable *imm)
{
	/* IB with MAD, SMI (ib_mad makes QP0: sma.c), CM and SA. */
	imm->core_cap_flags = RDMA_CORE_CAP_PROT_IB | RDMA_CORE_CAP_IB_MAD |
			      RDMA_CORE_CAP_IB_SMI | RDMA_CORE_CAP_IB_CM |
			      RDMA_CORE_CAP_IB_SA;
	imm->pkey_tbl_len = 1;
	imm->gid_tbl_len = 1;
	imm->max_mad_size = IB_MGMT_MAD_SIZE;
	return 0;
}

/**
 * sib_port_gid() - the port's only GID: subnet prefix and port GUID
 * @sd: the HCA
 * @gid: filled in
 */
void sib_port_gid(struct sib_dev *sd, union ib_gid *gid)
{
	gid->global.subnet_prefix = cpu_to_be64(SIB_SUBNET_PREFIX);
	gid->global.interface_id = sd->guid;
}

static int sib_query_gid(struct ib_device *ibdev, rbp_port_t port, int index,
			 union ib_gid *gid)
{
	if (index)
		return -EINVAL;
	sib_port_gid(to_sdev(ibdev), gid);
	return 0;
}

static int sib_query_pkey(struct ib_device *ibdev, rbp_port_t port, u16 index,
			  u16 *pkey)
{
	if (index)
		return -EINVAL;
	*pkey = 0xffff;
	return 0;
}

/*
 * ib_cm attaches only to devices that can set port capability bits. The
 * one kept is IsSM, which ib_umad sets while an SM holds the port's issm
 * device: PortInfo shows it, as an SM looking for others reads it.
 */
static int sib_modify_port(struct ib_device *ibdev, rbp_port_t port, int mask,
			   struct ib_port_modify *props)
{
	struct sib_dev *sd = to_sdev(ibdev);
	unsigned long flags;

	spin_lock_irqsave(&sib_subnet.lock, flags);
	if (props->set_port_cap_mask & IB_PORT_SM)
		sd->cap_flags |= IB_PORT_SM;
	if (props->clr_port_cap_mask & IB_PORT_SM)
		sd->cap_flags &= ~IB_PORT_SM;
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	return 0;
}

static int sib_modify_device(struct ib_device *ibdev, int mask,
			     struct ib_device_modify *props)
{
	if (mask & ~IB_DEVICE_MODIFY_NODE_DESC)
		return -EOPNOTSUPP;
	if (mask & IB_DEVICE_MODIFY_NODE_DESC)
		memcpy(ibdev->node_desc, props->node_desc, IB_DEVICE_NODE_DESC_MAX);
	return 0;
}

static int sib_alloc_pd(struct ib_pd *pd, struct ib_udata *udata)
{
	return udata ? -EOPNOTSUPP : 0;
}

static int sib_dealloc_pd(struct ib_pd *pd, struct ib_udata *udata)
{
	return 0;
}

static int sib_create_ah(struct ib_ah *ibah, struct rdma_ah_init_attr *init,
			 struct ib_udata *udata)
{
	struct sib_ah *ah = to_sah(ibah);

	if (init->ah_attr->type != RDMA_AH_ATTR_TYPE_IB)
		return -EINVAL;
	ah->attr = *init->ah_attr;
	ah->attr.grh.sgid_attr = NULL;	/* no reference kept */
	return 0;
}

/* ib_mad validates the SM's AH with this before it sends anything. */
static int sib_query_ah(struct ib_ah *ibah, struct rdma_ah_attr *attr)
{
	*attr = to_sah(ibah)->attr;
	return 0;
}

static int sib_destroy_ah(struct ib_ah *ibah, u32 flags)
{
	return 0;
}

static struct ib_mr *sib_get_dma_mr(struct ib_pd *pd, int access)
{
	struct sib_mr *mr = kzalloc(sizeof(*mr), GFP_KERNEL);

	if (!mr)
		return ERR_PTR(-ENOMEM);
	/* Virtual DMA: keys are not checked; kernel ULPs pass real addresses. */
	mr->ibmr.lkey = 0x1000;
	mr->ibmr.rkey = 0x1000;
	return &mr->ibmr;
}

static struct ib_mr *sib_reg_user_mr(struct ib_pd *pd, u64 start, u64 length,
				     u64 virt, int access, struct ib_udata *udata)
{
	return ERR_PTR(-EOPNOTSUPP);	/* no user-space provider */
}

static int sib_dereg_mr(struct ib_mr *ibmr, struct ib_udata *udata)
{
	kfree(container_of(ibmr, struct sib_mr, ibmr));
	return 0;
}

static const struct ib_device_ops sib_dev_ops = {
	.owner = THIS_MODULE,
	.driver_id = RDMA_DRIVER_UNKNOWN,

	.query_device = sib_query_device,
	.query_port = sib_query_port,
	.get_port_immutable = sib_get_port_immutable,
	.query_gid = sib_query_gid,
	.query_pkey = sib_query_pkey,
	.modify_port = sib_modify_port,
	.modify_device = sib_modify_device,
	.alloc_pd = sib_alloc_pd,
	.dealloc_pd = sib_dealloc_pd,
	.create_ah = sib_create_ah,
	.query_ah = sib_query_ah,
	.destroy_ah = sib_destroy_ah,
	.get_dma_mr = sib_get_dma_mr,
	.reg_user_mr = sib_reg_user_mr,
	.dereg_mr = sib_dereg_mr,
	.create_cq = sib_create_cq,
	.destroy_cq = sib_destroy_cq,
	.poll_cq = sib_poll_cq,
	.req_notify_cq = sib_req_notify_cq,
	.create_qp = sib_create_qp,
	.modify_qp = sib_modify_qp,
	.query_qp = sib_query_qp,
	.destroy_qp = sib_destroy_qp,
	.post_send = sib_post_send,
	.post_recv = sib_post_recv,
	.attach_mcast = sib_attach_mcast,
	.detach_mcast = sib_detach_mcast,
	.alloc_hw_port_stats = sib_alloc_hw_port_stats,
	.get_hw_stats = sib_get_hw_stats,
	.process_mad = sib_process_mad,

	INIT_RDMA_OBJ_SIZE(ib_pd, sib_pd, ibpd),
	INIT_RDMA_OBJ_SIZE(ib_ah, sib_ah, ibah),
	INIT_RDMA_OBJ_SIZE(ib_cq, sib_cq, ibcq),
#ifdef HAVE_IB_CORE_ALLOCATED_QP
	INIT_RDMA_OBJ_SIZE(ib_qp, sib_qp, ibqp),
#endif
};

/**
 * sib_dev_create() - create and register HCA number @index
 * @index: its index in the subnet: its switch port is @index + 1, its LID
 *	SIB_FIRST_LID + @index unless an external SM sets another
 *
 * Context: process context, under sib_lock.
 * Return: the HCA or an ERR_PTR().
 */
struct sib_dev *sib_dev_create(unsigned int index)
{
	struct ib_event ev = { .event = IB_EVENT_PORT_ACTIVE };
	struct sib_dev *sd;
	unsigned long flags;
	int ret;

	sd = ib_alloc_device(sib_dev, ibdev);
	if (!sd)
		return ERR_PTR(-ENOMEM);
	sd->index = index;
	sd->guid = cpu_to_be64(SIB_GUID_BASE + index + 1);
	sib_sma_port_init(sd);
	sd->next_qpn = 0x10;
	xa_init_flags(&sd->qps, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_IRQ);

	sd->ibdev.node_type = RDMA_NODE_IB_CA;
	sd->ibdev.node_guid = sd->guid;
	sd->ibdev.phys_port_cnt = 1;
	sd->ibdev.num_comp_vectors = 1;	/* 0 makes IPoIB divide by zero */
	sd->ibdev.local_dma_lkey = 0x1000;
	strscpy(sd->ibdev.node_desc, "rdma_sib simulated HCA",
		sizeof(sd->ibdev.node_desc));
	ib_set_device_ops(&sd->ibdev, &sib_dev_ops);

	spin_lock_irqsave(&sib_subnet.lock, flags);
	sib_subnet.by_lid[SIB_FIRST_LID + index] = sd;
	sib_switch_link(sd, true);
	spin_unlock_irqrestore(&sib_subnet.lock, flags);

	ret = ib_register_device(&sd->ibdev, "sib%d", NULL);
	if (ret) {
		spin_lock_irqsave(&sib_subnet.lock, flags);
		sib_subnet.by_lid[SIB_FIRST_LID + index] = NULL;
		sib_switch_link(sd, false);
		spin_unlock_irqrestore(&sib_subnet.lock, flags);
		ib_dealloc_device(&sd->ibdev);
		return ERR_PTR(ret);
	}

	/*
	 * Stock ib_sa asks the SA for ClassPortInfo only after a port event;
	 * without one (port_active_event=0) its cache stays empty. An
	 * external SM's port raises it when that SM makes it ACTIVE.
	 */
	if (sib_port_active_event && !sib_sm_external) {
		ev.device = &sd->ibdev;
		ev.element.port_num = 1;
		ib_dispatch_event(&ev);
	}
	return sd;
}

/**
 * sib_dev_destroy() - unregister and free an HCA
 * @sd: the HCA
 *
 * ib_core has its ULPs destroy their QPs (their last MADs, such as SA
 * leaves, still reach the SA and back); then it is unplugged from the
 * switch, and packets still queued from it are delivered before it is
 * freed.
 *
 * Context: process context, under sib_lock.
 */
void sib_dev_destroy(struct sib_dev *sd)
{
	unsigned long flags;

	ib_unregister_device(&sd->ibdev);
	spin_lock_irqsave(&sib_subnet.lock, flags);
	sib_subnet.by_lid[SIB_FIRST_LID + sd->index] = NULL;
	sib_switch_link(sd, false);
	spin_unlock_irqrestore(&sib_subnet.lock, flags);
	sib_fabric_flush();
	sib_sa_port_gone(sd);
	WARN_ON(!xa_empty(&sd->qps));
	xa_destroy(&sd->qps);
	ib_dealloc_device(&sd->ibdev);
}
