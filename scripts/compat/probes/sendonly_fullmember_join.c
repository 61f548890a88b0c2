// SPDX-License-Identifier: GPL-2.0-only
/*
 * SENDONLY_FULLMEMBER_JOIN in enum ib_sa_mc_join_states (4.9+).
 */
#include <rdma/ib_sa.h>

int rbp_probe(void);
int rbp_probe(void)
{
	return SENDONLY_FULLMEMBER_JOIN;
}
