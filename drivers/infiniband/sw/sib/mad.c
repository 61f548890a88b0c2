// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MADs an HCA answers itself. ib_mad offers every MAD a port's QP0 or
 * QP1 receives to the device's process_mad hook before its own agents, as
 * a hardware HCA's firmware sees them first: here SMPs go to the subnet
 * management agent (sma.c), PerfMgt requests to the
 * performance management agent (pma.c), and each gets its response, which
 * ib_mad sends back to the requester. Responses, requests of every other
 * class, and SMPs of attributes the SMA leaves to the host (SMInfo, for an
 * SM bound to the port) go on to ib_mad's agents (ib_sa, ib_cm, ib_umad),
 * and ib_mad answers a Get or Set no agent takes "unsupported".
 */
#include <rdma/ib_mad.h>
#include <rdma/ib_pma.h>
#include <rdma/ib_smi.h>

#include "sib.h"

/**
 * sib_process_mad() - the HCA's own agents, offered each MAD its QP0 and
 *	QP1 receive
 * @ibdev: the HCA
 * @flags: ib_mad's process_mad flags (unused)
 * @port: the port (rdma_sib's HCAs have one)
 * @in_wc: the receive completion (unused: ib_mad addresses the reply)
 * @in_grh: its GRH, if any (unused)
 * @in: the MAD
 * @out: the response, written if one is made
 * @out_size: its size (ib_mad's, left as it is)
 * @out_pkey_index: unused (OPA only)
 *
 * Context: ib_mad's receive work, or the sender's context for a
 * directed-route SMP to the local port (ib_mad offers it before sending
 * it): may be atomic, never sleeps.
 * Return: IB_MAD_RESULT_SUCCESS | IB_MAD_RESULT_REPLY with a response in
 * @out for a request of the SMA or the PMA, else IB_MAD_RESULT_SUCCESS:
 * ib_mad's agents handle the MAD.
 */
int sib_process_mad(struct ib_device *ibdev, int flags, u32 port,
		    const struct ib_wc *in_wc, const struct ib_grh *in_grh,
		    const struct ib_mad *in, struct ib_mad *out,
		    size_t *out_size, u16 *out_pkey_index)
{
	struct sib_dev *sd = to_sdev(ibdev);
	u8 class = in->mad_hdr.mgmt_class;
	u16 status;

	/* Responses, and TrapRepress, which travels as one, are not ours. */
	if (in->mad_hdr.method & IB_MGMT_METHOD_RESP ||
	    in->mad_hdr.method == IB_MGMT_METHOD_TRAP_REPRESS ||
	    (class != IB_MGMT_CLASS_SUBN_LID_ROUTED &&
	     class != IB_MGMT_CLASS_SUBN_DIRECTED_ROUTE &&
	     class != IB_MGMT_CLASS_PERF_MGMT))
		return IB_MAD_RESULT_SUCCESS;

	memset(out, 0, sizeof(*out));
	out->mad_hdr = in->mad_hdr;
	out->mad_hdr.method = IB_MGMT_METHOD_GET_RESP;
	if (class == IB_MGMT_CLASS_PERF_MGMT)
		status = sib_pma_answer(sd, (const struct ib_pma_mad *)in,
					(struct ib_pma_mad *)out);
	else if (!sib_sma_answer(sd, (const struct ib_smp *)in,
				 (struct ib_smp *)out, &status))
		return IB_MAD_RESULT_SUCCESS;	/* for an SM bound here, or ib_mad */
	out->mad_hdr.status = cpu_to_be16(status);
	return IB_MAD_RESULT_SUCCESS | IB_MAD_RESULT_REPLY;
}
