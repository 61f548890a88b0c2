// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_sib's per-port packet, byte and drop counters as RDMA hardware
 * counters, where users already look for them:
 *
 *   rdma statistic show link sib0/1
 *   /sys/class/infiniband/sib0/ports/1/hw_counters/<name>
 *
 * The counters themselves are atomics in struct sib_counters, counted by
 * the fabric and the send path; this file only names and reports them.
 */
#include "sib.h"

/* The order of struct sib_counters: the totals, then the drops. */
enum {
	SIB_CNT_TX_PKTS,
	SIB_CNT_TX_BYTES,
	SIB_CNT_RX_PKTS,
	SIB_CNT_RX_BYTES,
	SIB_CNT_TX_LSO,
	SIB_CNT_DROPS,
	SIB_CNT_MAX = SIB_CNT_DROPS + SIB_DROP_MAX,
};

static const char * const sib_counter_names[SIB_CNT_MAX] = {
	[SIB_CNT_TX_PKTS] = "tx_pkts",
	[SIB_CNT_TX_BYTES] = "tx_bytes",
	[SIB_CNT_RX_PKTS] = "rx_pkts",
	[SIB_CNT_RX_BYTES] = "rx_bytes",
	[SIB_CNT_TX_LSO] = "tx_lso_sends",
	[SIB_CNT_DROPS + SIB_DROP_NO_RECV] = "drop_no_recv",
	[SIB_CNT_DROPS + SIB_DROP_QKEY] = "drop_bad_qkey",
	[SIB_CNT_DROPS + SIB_DROP_NO_LID] = "drop_unknown_lid",
	[SIB_CNT_DROPS + SIB_DROP_NO_QP] = "drop_no_qp",
	[SIB_CNT_DROPS + SIB_DROP_MTU] = "drop_mtu_exceeded",
	[SIB_CNT_DROPS + SIB_DROP_LEN] = "drop_recv_too_small",
	[SIB_CNT_DROPS + SIB_DROP_FANOUT] = "drop_fanout_truncated",
	[SIB_CNT_DROPS + SIB_DROP_INACTIVE] = "drop_port_inactive",
};

#ifdef HAVE_RDMA_STAT_DESC
/*
 * Kernels since 5.15 take descriptors, made from the names at each HCA's
 * registration: the same values each time, and registrations are
 * serialised by sib_lock.
 */
static struct rdma_stat_desc sib_counter_descs[SIB_CNT_MAX];

static const struct rdma_stat_desc *sib_counter_table(void)
{
	int i;

	for (i = 0; i < SIB_CNT_MAX; i++)
		sib_counter_descs[i].name = sib_counter_names[i];
	return sib_counter_descs;
}
#else
static const char * const *sib_counter_table(void)
{
	return sib_counter_names;
}
#endif

/**
 * sib_alloc_hw_port_stats() - the counters of a port, for the RDMA core
 * @ibdev: the HCA
 * @port: its port (rdma_sib's HCAs have one)
 *
 * Lifespan 0: every read asks sib_get_hw_stats() again (reading atomics
 * costs nothing), so a test reads what was counted just before.
 *
 * Return: the counter set, freed by the RDMA core, or NULL.
 */
struct rdma_hw_stats *sib_alloc_hw_port_stats(struct ib_device *ibdev,
					      rbp_port_t port)
{
	return rdma_alloc_hw_stats_struct(sib_counter_table(), SIB_CNT_MAX, 0);
}

/**
 * sib_get_hw_stats() - fill in the counter values
 * @ibdev: the HCA
 * @stats: the set sib_alloc_hw_port_stats() made
 * @port: its port
 * @index: the counter asked for; all are filled in
 *
 * Return: the number of counters filled in.
 */
int sib_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats,
		     rbp_port_t port, int index)
{
	const struct sib_counters *c = &to_sdev(ibdev)->stats;
	int i;

	stats->value[SIB_CNT_TX_PKTS] = atomic64_read(&c->tx_pkts);
	stats->value[SIB_CNT_TX_BYTES] = atomic64_read(&c->tx_bytes);
	stats->value[SIB_CNT_RX_PKTS] = atomic64_read(&c->rx_pkts);
	stats->value[SIB_CNT_RX_BYTES] = atomic64_read(&c->rx_bytes);
	stats->value[SIB_CNT_TX_LSO] = atomic64_read(&c->tx_lso);
	for (i = 0; i < SIB_DROP_MAX; i++)
		stats->value[SIB_CNT_DROPS + i] = atomic64_read(&c->drops[i]);
	return SIB_CNT_MAX;
}
