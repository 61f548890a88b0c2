// SPDX-License-Identifier: GPL-2.0-only
/*
 * netif_napi_add_weight() (5.19+, backported to RHEL 8.10 and 9.6); before,
 * netif_napi_add() took the weight as a fourth argument.
 */
#include <linux/netdevice.h>

static int rbp_probe_poll(struct napi_struct *napi, int budget)
{
	return 0;
}

void rbp_probe(struct net_device *dev, struct napi_struct *napi);
void rbp_probe(struct net_device *dev, struct napi_struct *napi)
{
	netif_napi_add_weight(dev, napi, rbp_probe_poll, NAPI_POLL_WEIGHT);
}
