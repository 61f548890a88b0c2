// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hardware counters are described by struct rdma_stat_desc (5.15+, RHEL
 * 8.10 and 9.6); before, rdma_alloc_hw_stats_struct() took an array of
 * names.
 */
#include <rdma/ib_verbs.h>

static const struct rdma_stat_desc rbp_probe_desc[] = { { .name = "x" } };

struct rdma_hw_stats *rbp_probe(void);
struct rdma_hw_stats *rbp_probe(void)
{
	return rdma_alloc_hw_stats_struct(rbp_probe_desc, 1, 0);
}
