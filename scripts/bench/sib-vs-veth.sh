#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark (prints figures, asserts nothing but that it measured): TCP over
# IPoIB on two rdma_sib ports, in connected mode (RC) and in datagram mode,
# against TCP over a veth pair, the machine's software-network limit, in
# one VM run, interleaved over rounds (iperf3, each pair of links in two
# network namespaces). Printed: each, the ratios per round as median (min,
# max), and once UDP over IPoIB and rxe's UD sends (perftest; IPoIB cannot
# run on RoCE, so UD verbs traffic is rxe's closest equivalent), and UD
# multicast fan-out on rdma_sib: packets delivered per second to 1, 2, 4
# and 8 receivers of one sender, and how that scales (8 receivers over 1).
# Target: connected mode's ratio at least 0.6. Also printed, to tell
# rdma_sib's cost from what IPoIB's modes cost any device: TCP over veth
# pairs moving data as each mode makes a device move it (datagram: 4092-byte
# frames, cut by GSO on the way out, GRO on the way in; connected: 65520-byte
# packets, checksums computed by the stack both ways, no scatter/gather),
# and rdma_sib's ratio to each.
# RB_BENCH_SECS seconds per sample (3), RB_BENCH_ROUNDS rounds (3).
set -euo pipefail

# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_accel
bench_vm sib-vs-veth.sh 600
bench_need sib_ipoib_cm_tcp sib_ipoib_tcp veth_tcp vethcm_tcp veth4k_tcp

printf '%-40s %s\n' "rdma_sib IPoIB TCP, connected, Mbit/s:" "$(bench_vals sib_ipoib_cm_tcp | bench_stats)" \
	"rdma_sib IPoIB TCP, datagram, Mbit/s:" "$(bench_vals sib_ipoib_tcp | bench_stats)" \
	"veth TCP, Mbit/s:" "$(bench_vals veth_tcp | bench_stats)"
echo "ratio rdma_sib IPoIB TCP / veth TCP: $(bench_ratios veth_tcp sib_ipoib_cm_tcp | bench_stats) (connected mode; target >= 0.6)"
echo "ratio rdma_sib IPoIB TCP / veth TCP, datagram mode: $(bench_ratios veth_tcp sib_ipoib_tcp | bench_stats)"
printf '%-40s %s\n' "veth TCP as connected mode moves it, Mbit/s:" "$(bench_vals vethcm_tcp | bench_stats)" \
	"veth TCP at 4092-byte frames, Mbit/s:" "$(bench_vals veth4k_tcp | bench_stats)"
echo "ratio veth as connected mode / veth: $(bench_ratios veth_tcp vethcm_tcp | bench_stats) (any device's ceiling in connected mode)"
echo "ratio rdma_sib connected / veth as connected mode: $(bench_ratios vethcm_tcp sib_ipoib_cm_tcp | bench_stats)"
echo "ratio rdma_sib datagram / veth at 4092-byte frames: $(bench_ratios veth4k_tcp sib_ipoib_tcp | bench_stats)"
printf '%-40s %s\n' "rdma_sib IPoIB UDP (1400 B), Mbit/s:" "$(bench_vals sib_ipoib_udp | head -n 1)" \
	"rxe UD send (1024 B), Mbit/s:" "$(bench_vals rxe_ud_send_bw | head -n 1)"
fan=""
for n in 1 2 4 8; do
	fan="$fan${fan:+, }$n: $(bench_vals sib_mc_fanout_$n | head -n 1)"
done
printf '%-40s %s\n' "rdma_sib UD multicast fan-out, deliveries/s (receivers: value):" "$fan"
echo "fan-out scaling, deliveries/s 8 receivers / 1: $(paste <(bench_vals sib_mc_fanout_1) <(bench_vals sib_mc_fanout_8) |
	awk 'NF == 2 && $1 > 0 { printf "%.2f", $2 / $1 }')"
bench_footer
