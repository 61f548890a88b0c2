// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_create_ah() and rdma_destroy_ah() take flags saying whether they may
 * sleep (5.0+); before, they took none.
 */
#include <rdma/ib_verbs.h>

struct ib_ah *rbp_probe(struct ib_pd *pd, struct rdma_ah_attr *attr);
struct ib_ah *rbp_probe(struct ib_pd *pd, struct rdma_ah_attr *attr)
{
	struct ib_ah *ah = rdma_create_ah(pd, attr, RDMA_CREATE_AH_SLEEPABLE);

	if (!IS_ERR(ah))
		rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
	return ah;
}
