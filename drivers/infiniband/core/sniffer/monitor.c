// SPDX-License-Identifier: GPL-2.0-only
/*
 * A monitor: the netdev that shows one RDMA port's packets. It only
 * receives. A backend hands a packet to rdma_sniffer_ib_packet(); if the
 * port's monitor is up and something listens (a packet socket on it or on
 * all interfaces), its headers are computed on the stack, the filter is
 * applied, and only then is a frame taken from the monitor's pool, filled
 * and put on the monitor's bounded queue. A NAPI poll hands each frame to
 * the stack as a clone, which the listeners get and the monitor's
 * rx_handler then consumes, so no protocol handler of the stack ever does;
 * the buffer goes back into the pool when no listener kept its data
 * (snf_mon_recycle()), and the poll tops the pool up after each round. The
 * poll is threaded where the kernel can and there is more than one CPU
 * (dev_set_threaded()): its kthread may run beside the data path, which
 * then pays only for the copy. Where the poll is a softirq and the path
 * runs with bottom halves disabled (rdma_sib's delivery), the frame skips
 * the queue and goes to the stack at once (snf_mon_deliver_inline()).
 * Only when the pool is empty (the poll is behind) does the path allocate
 * a frame itself. A full queue drops and counts; nothing in the path
 * sleeps or waits for the reader.
 * A packet socket that does not read drops in its own queue or ring, which
 * the monitor cannot see: its frames are still made. The same filtered
 * packets of a backend go to the readers of the monitor's erf file, if
 * any (erf.c), also while no packet socket listens.
 *
 * The carrier stays off: the stack then never activates a qdisc, so it
 * sends nothing of its own (IPv6 autoconfiguration, MLD) through the
 * monitor, and a capture shows the port's packets only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "sniffer.h"

/*
 * Fill the pool up to SNF_POOL_SIZE, as far as atomic allocations go.
 * Context: the poll, the packet path after a frame delivered in it, or
 * process context while the monitor is down; does not sleep.
 */
static void snf_mon_pool_fill(struct snf_mon *mon)
{
	struct sk_buff *skb;

	while (skb_queue_len(&mon->pool) < SNF_POOL_SIZE) {
		skb = alloc_skb_fclone(NET_SKB_PAD + SNF_POOL_HEAD, GFP_ATOMIC);
		if (!skb)
			return;
		skb_reserve(skb, NET_SKB_PAD);
		skb->dev = mon->netdev;
		SNF_SKB_CB(skb)->pooled = true;
		skb_queue_tail(&mon->pool, skb);
	}
}

/* A buffer of the pool, the monitor's alone again, back into it emptied. */
static void snf_mon_pool_put(struct snf_mon *mon, struct sk_buff *skb)
{
	skb->data = skb->head + NET_SKB_PAD;
	skb->len = 0;
	skb_reset_tail_pointer(skb);
	skb->pkt_type = PACKET_HOST;
	skb_queue_tail(&mon->pool, skb);
}

/**
 * snf_mon_recycle() - a frame buffer of the pool back into it, emptied
 * @mon: the monitor
 * @skb: a frame of the monitor, delivered (as a clone) or not; the caller's
 *
 * A buffer goes back only when its data is the monitor's alone: the clone
 * given to the stack is gone and no listener took a reference to the data
 * (a packet socket without a ring queues the clone until it is read). Then
 * nothing but the monitor can see the buffer, which is emptied for the next
 * frame. Otherwise, and for a frame allocated in the packet path or one
 * carrying a page fragment (which a frame of the pool never needs: it
 * fits in the head), the skb is freed (the data when its last holder lets
 * go).
 *
 * Context: any; does not sleep.
 */
static void snf_mon_recycle(struct snf_mon *mon, struct sk_buff *skb)
{
	if (!SNF_SKB_CB(skb)->pooled || skb_cloned(skb) ||
	    skb_is_nonlinear(skb) || skb_queue_len(&mon->pool) >= SNF_POOL_SIZE) {
		dev_kfree_skb_any(skb);
		return;
	}
	snf_mon_pool_put(mon, skb);
}

/* Empty the pool. Context: process, the poll disabled. */
static void snf_mon_pool_free(struct snf_mon *mon)
{
	skb_queue_purge(&mon->pool);
}

/*
 * Hand a frame to the stack. Copies are marked as the port's own sends; the
 * rest are received ones. A frame of the pool goes as a clone, taken
 * back when the stack is done with it (snf_mon_recycle()).
 */
static void snf_mon_deliver(struct snf_mon *mon, struct sk_buff *skb)
{
	struct sk_buff *clone = NULL;

	atomic64_inc(&mon->cnt.mirrored);
	atomic64_add(skb->len + ETH_HLEN, &mon->cnt.mirrored_bytes);
	if (SNF_SKB_CB(skb)->pooled)
		clone = skb_clone(skb, GFP_ATOMIC);
	if (!clone) {
		netif_receive_skb(skb);
		return;
	}
	netif_receive_skb(clone);
	snf_mon_recycle(mon, skb);
}

static int snf_mon_poll(struct napi_struct *napi, int budget)
{
	struct snf_mon *mon = container_of(napi, struct snf_mon, napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget && (skb = skb_dequeue(&mon->queue))) {
		snf_mon_deliver(mon, skb);
		done++;
	}
	snf_mon_pool_fill(mon);
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/**
 * snf_queue_bounded() - append @skb to @q unless @q holds @max already
 * @q: the queue (its own lock is taken, irqsave)
 * @skb: the buffer; still the caller's when refused
 * @max: the bound
 *
 * Context: any; does not sleep.
 * Return: true when queued.
 */
bool snf_queue_bounded(struct sk_buff_head *q, struct sk_buff *skb, u32 max)
{
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&q->lock, flags);
	if (skb_queue_len(q) < max) {
		__skb_queue_tail(q, skb);
		queued = true;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return queued;
}

/**
 * snf_mon_drop() - give up a frame of snf_mon_admit(), counted as dropped
 * @mon: the monitor
 * @skb: the frame
 *
 * Context: any; does not sleep.
 */
void snf_mon_drop(struct snf_mon *mon, struct sk_buff *skb)
{
	atomic64_inc(&mon->cnt.dropped);
	snf_mon_recycle(mon, skb);
}

/*
 * Whether a frame may go to the stack at once, in the packet path, rather
 * than through the queue: where the poll is a softirq it would run on this
 * CPU after the path anyway, so delivering here does the same work without
 * queueing the frame and raising the softirq for it. Only where the stack
 * may be entered (bottom halves disabled, not a hard interrupt, interrupts
 * on), and only with nothing queued, so frames keep their order.
 */
static bool snf_mon_inline(struct snf_mon *mon)
{
#ifdef HAVE_DEV_SET_THREADED
	if (test_bit(NAPI_STATE_THREADED, &mon->napi.state))
		return false;
#endif
	return in_softirq() && !hardirq_count() && !irqs_disabled() &&
	       !skb_queue_len(&mon->queue);
}

/*
 * Hand a frame to the stack from the packet path (snf_mon_inline()). A
 * frame of the pool goes itself, not a clone, with a reference kept: the
 * stack is done with it when netif_receive_skb() returns, unless a listener
 * took a reference or a clone, and then the buffer is let go. Otherwise it
 * goes back into the pool, scrubbed of what the stack may have set on it
 * (a time stamp, above all, which would otherwise stay for the next frame).
 * Whether it was pooled is read before: the stack may use the control
 * buffer.
 */
static void snf_mon_deliver_inline(struct snf_mon *mon, struct sk_buff *skb)
{
	atomic64_inc(&mon->cnt.mirrored);
	atomic64_add(skb->len + ETH_HLEN, &mon->cnt.mirrored_bytes);
	if (!SNF_SKB_CB(skb)->pooled) {
		netif_receive_skb(skb);
		return;
	}
	skb_get(skb);
	netif_receive_skb(skb);
	if (skb_shared(skb) || skb_cloned(skb) || skb_is_nonlinear(skb) ||
	    skb_queue_len(&mon->pool) >= SNF_POOL_SIZE) {
		consume_skb(skb);
		return;
	}
	skb_scrub_packet(skb, true);
	skb->tstamp = 0;
	SNF_SKB_CB(skb)->pooled = true;
	snf_mon_pool_put(mon, skb);
}

/* Queue a frame, or drop it when the queue is full. */
static void snf_mon_enqueue(struct snf_mon *mon, struct sk_buff *skb)
{
	if (snf_mon_inline(mon)) {
		snf_mon_deliver_inline(mon, skb);
		if (skb_queue_len(&mon->pool) < SNF_POOL_SIZE / 2)
			snf_mon_pool_fill(mon);
		return;
	}
	if (!snf_queue_bounded(&mon->queue, skb, READ_ONCE(mon->queue_max))) {
		snf_mon_drop(mon, skb);
		return;
	}
	napi_schedule(&mon->napi);
}

/* The monitor of a port while it is up, listened to or not; RCU read side. */
static struct snf_mon *snf_mon_up(struct snf_dev *sd, u32 port)
{
	return port < sd->nports ? rcu_dereference(sd->ports[port].live) : NULL;
}

/**
 * snf_mon_live() - the monitor of a port, if it is up and listened to
 * @sd: the device
 * @port: the port (any number: checked here)
 *
 * Context: RCU read side.
 * Return: the monitor, or NULL: nothing to do with the port's packets.
 */
struct snf_mon *snf_mon_live(struct snf_dev *sd, u32 port)
{
	struct snf_mon *mon = snf_mon_up(sd, port);

	if (!mon || !dev_nit_active(mon->netdev))
		return NULL;
	return mon;
}

/**
 * snf_mon_admit() - count a packet as seen, filter it, make room for it
 * @mon: a live monitor (snf_mon_live())
 * @fr: the frame's headers, from snf_frame_build(); @fr->len is the frame's
 * @pkt: the packet's header values; NULL for a frame that is not an IBA
 *       packet (a non-RoCE Ethernet frame), which only the ethertype and
 *       udp terms can match
 * @head: bytes of room the skb's head needs if it is allocated here (@fr->len,
 *        or fewer where the caller adds the rest as a page fragment:
 *        snf_frame_head())
 *
 * Return: an skb from the monitor's pool, with room for the whole frame,
 * where the frame fits there and the pool is not empty, else one allocated
 * here with room for @head bytes; or NULL
 * when the packet is filtered or dropped (and counted so): the queue is
 * full, or no memory.
 *
 * Context: RCU read side; does not sleep.
 */
struct sk_buff *snf_mon_admit(struct snf_mon *mon, const struct snf_frame *fr,
			      const struct rdma_sniffer_ib_pkt *pkt,
			      unsigned int head)
{
	const struct snf_filter *f = rcu_dereference(mon->filter);
	struct sk_buff *skb;

	atomic64_inc(&mon->cnt.seen);
	if (!snf_filter_match(f, fr, pkt)) {
		atomic64_inc(&mon->cnt.filtered);
		return NULL;
	}
	/* A cheap early look; snf_mon_enqueue() decides under the lock. */
	if (skb_queue_len(&mon->queue) >= READ_ONCE(mon->queue_max)) {
		atomic64_inc(&mon->cnt.dropped);
		return NULL;
	}
	/*
	 * The pool only saves allocations: queue_max alone bounds what is
	 * queued, also above the pool's size.
	 */
	skb = fr->len <= SNF_POOL_HEAD ? skb_dequeue(&mon->pool) : NULL;
	if (!skb)
		skb = netdev_alloc_skb(mon->netdev, head);
	if (!skb)
		atomic64_inc(&mon->cnt.dropped);
	return skb;
}

/**
 * snf_mon_queue() - a filled frame onto the monitor's queue
 * @mon: the monitor of snf_mon_admit()
 * @skb: its skb, holding the whole frame from the Ethernet header
 * @outgoing: the port sent the packet
 *
 * Context: RCU read side; does not sleep.
 */
void snf_mon_queue(struct snf_mon *mon, struct sk_buff *skb, bool outgoing)
{
	skb->protocol = eth_type_trans(skb, mon->netdev);
	if (outgoing)
		skb->pkt_type = PACKET_OUTGOING;
	snf_mon_enqueue(mon, skb);
}

/**
 * rdma_sniffer_ib_packet() - a packet of an InfiniBand port, for its monitor
 * @dev: the RDMA device
 * @port: its port
 * @outgoing: the port sends it (else it receives it)
 * @pkt: the packet; only read during the call
 *
 * Costs a lookup and returns when the port has no monitor, it is down or
 * nobody listens on it: no packet socket and no reader of its erf file.
 * With a packet socket, counts the packet as seen and then as filtered,
 * dropped or (later) mirrored; if it passes the filter, its erf readers
 * get a record each (erf.c).
 *
 * Context: any (hard or soft interrupt, process); does not sleep.
 */
void rdma_sniffer_ib_packet(struct ib_device *dev, u32 port, bool outgoing,
			    const struct rdma_sniffer_ib_pkt *pkt)
{
	struct snf_frame fr;
	struct sk_buff *skb;
	struct snf_dev *sd;
	struct snf_mon *mon;
	bool nit, erf;

	rcu_read_lock();
	sd = xa_load(&snf_devs, dev->index);
	mon = sd ? snf_mon_up(sd, port) : NULL;
	/* A port fed from user space takes its packets from there only. */
	if (!mon || mon->backend == &snf_user_backend)
		goto out;
	nit = dev_nit_active(mon->netdev);
	erf = snf_erf_active(mon);
	if (!nit && !erf)
		goto out;
	snf_frame_build(&fr, pkt);
	if (erf && snf_filter_match(rcu_dereference(mon->filter), &fr, pkt))
		snf_erf_packet(mon, &fr, pkt, outgoing);
	/* The netdev's counters count what its listeners were offered. */
	if (!nit)
		goto out;
	skb = snf_mon_admit(mon, &fr, pkt, snf_frame_head(&fr));
	if (!skb)
		goto out;
	if (snf_frame_write(&fr, pkt, skb))
		snf_mon_drop(mon, skb);
	else
		snf_mon_queue(mon, skb, outgoing);
out:
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(rdma_sniffer_ib_packet);

static int snf_mon_open(struct net_device *netdev)
{
	struct snf_mon *mon = netdev_priv(netdev);
	struct rdma_sniffer_backend *b = mon->backend;
	int ret;

	snf_mon_pool_fill(mon);
	napi_enable(&mon->napi);
	if (b->start) {
		ret = b->start(mon->sd->ibdev, mon->port);
		if (ret) {
			napi_disable(&mon->napi);
			snf_mon_pool_free(mon);
			return ret;
		}
	}
	rcu_assign_pointer(mon->sd->ports[mon->port].live, mon);
	return 0;
}

static int snf_mon_stop(struct net_device *netdev)
{
	struct snf_mon *mon = netdev_priv(netdev);
	struct rdma_sniffer_backend *b = mon->backend;

	RCU_INIT_POINTER(mon->sd->ports[mon->port].live, NULL);
	if (b->stop)
		b->stop(mon->sd->ibdev, mon->port);
	/* No packet path is inside the monitor after this. */
	synchronize_net();
	napi_disable(&mon->napi);
	/* Seen but never delivered: counted as dropped. */
	atomic64_add(skb_queue_len(&mon->queue), &mon->cnt.dropped);
	skb_queue_purge(&mon->queue);
	snf_mon_pool_free(mon);
	return 0;
}

/*
 * What the monitor receives is for the packet sockets only, which get it
 * before this handler runs: no protocol handler of the stack sees it. A
 * captured frame of a RoCE port may be IPv4, IPv6 or ARP; IP, taking one
 * the port sent as received here, could answer or forward it.
 */
static rx_handler_result_t snf_mon_rx_handler(struct sk_buff **pskb)
{
	consume_skb(*pskb);
	return RX_HANDLER_CONSUMED;
}

/* The monitor transmits nothing (its carrier is off; see the top). */
static netdev_tx_t snf_mon_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	struct snf_mon *mon = netdev_priv(netdev);

	atomic64_inc(&mon->cnt.tx_dropped);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static void snf_mon_get_stats64(struct net_device *netdev,
				struct rtnl_link_stats64 *s)
{
	struct snf_mon *mon = netdev_priv(netdev);

	s->rx_packets = atomic64_read(&mon->cnt.mirrored);
	s->rx_bytes = atomic64_read(&mon->cnt.mirrored_bytes);
	s->rx_dropped = atomic64_read(&mon->cnt.dropped);
	s->tx_dropped = atomic64_read(&mon->cnt.tx_dropped);
}

static const struct net_device_ops snf_mon_ops = {
	.ndo_open = snf_mon_open,
	.ndo_stop = snf_mon_stop,
	.ndo_start_xmit = snf_mon_xmit,
	.ndo_get_stats64 = snf_mon_get_stats64,
};

static void snf_mon_setup(struct net_device *netdev)
{
	ether_setup(netdev);
	netdev->netdev_ops = &snf_mon_ops;
	netdev->flags |= IFF_NOARP;
	netdev->priv_flags |= IFF_NO_QUEUE;
	netdev->max_mtu = ETH_MAX_MTU;
	eth_hw_addr_random(netdev);
}

/*
 * Run the poll in its own kthread where the kernel can and there is more
 * than one CPU: it then need not run on the CPU whose packet path queued
 * the frames. On one CPU the thread gains nothing and costs switches to it
 * and back (measured on one vCPU: a stopped tcpdump cost 0.178 of IPoIB
 * throughput with the thread, 0.141 without), so the poll stays a softirq
 * there, as it does where the kernel cannot thread it. Chosen when the
 * monitor is made; /sys/class/net/<monitor>/threaded changes it.
 * Context: RTNL held.
 */
static void snf_mon_threaded(struct net_device *netdev)
{
#ifdef HAVE_DEV_SET_THREADED
	if (num_online_cpus() > 1 && dev_set_threaded(netdev, true))
		pr_info("%s: NAPI poll not threaded, runs as a softirq\n",
			netdev->name);
#endif
}

/*
 * The largest frame a monitor of an InfiniBand port hands up: 4096 payload
 * bytes (the largest IB MTU) with 128 of headers as framed (Ethernet 14,
 * GRH 40, BTH 12, DETH 8, ImmDt 4, an RETH kept with the payload 16, pad 3,
 * ICRC 4: 101).
 */
#define SNF_IB_FRAME_MAX	(4096 + 128)

/*
 * A monitor's MTU is the largest frame it hands up, less its Ethernet
 * header: a user-fed port's feeder may write Ethernet frames of up to
 * SNF_FEED_MAX bytes, the other backends give InfiniBand packets. Capture
 * tools size their buffers by it: libpcap's TPACKET_V2 ring (tcpdump
 * --immediate-mode) has slots of MTU + 18 bytes, or of 65535 + 18 where the
 * device shows any offload (snf_mon_no_offloads()).
 */
static unsigned int snf_mon_mtu(const struct rdma_sniffer_backend *b)
{
	return (b == &snf_user_backend ? SNF_FEED_MAX : SNF_IB_FRAME_MAX) -
	       ETH_HLEN;
}

/*
 * A monitor aggregates and segments nothing: the soft GSO and GRO every
 * netdev gets at registration go, so that capture tools size their buffers
 * by its MTU (with them, a 2 MB tcpdump --immediate-mode ring held 31
 * frames, and a burst of IPoIB pings overran it).
 * Context: RTNL held, @netdev registered.
 */
static void snf_mon_no_offloads(struct net_device *netdev)
{
	netdev->wanted_features &= ~NETIF_F_SOFT_FEATURES;
	netdev_update_features(netdev);
}

/*
 * The monitor's name: DEVpPORTs (sib0p1s), or rdmasnfINDEXpPORT where that
 * is too long for IFNAMSIZ or not a valid netdev name.
 */
static void snf_mon_name(struct ib_device *ibdev, u32 port, char *name)
{
	int n = snprintf(name, IFNAMSIZ, "%sp%us", dev_name(&ibdev->dev), port);

	if (n >= IFNAMSIZ || !dev_valid_name(name))
		snprintf(name, IFNAMSIZ, "rdmasnf%up%u", ibdev->index, port);
}

/**
 * snf_mon_create() - the monitor of port @port of @sd
 * @sd: the device
 * @port: a port of it, checked by the caller
 *
 * Context: process, snf_lock held.
 * Return: 0, -EEXIST (it has one, or the name is taken), -EOPNOTSUPP (no
 * backend captures the port), or another error of the netdev registration.
 */
int snf_mon_create(struct snf_dev *sd, u32 port)
{
	struct rdma_sniffer_backend *b;
	struct net_device *netdev;
	char name[IFNAMSIZ];
	struct snf_mon *mon;
	int ret;

	lockdep_assert_held(&snf_lock);
	if (sd->ports[port].mon)
		return -EEXIST;
	b = snf_backend_for(sd->ibdev, port);
	if (!b)
		return -EOPNOTSUPP;
	snf_mon_name(sd->ibdev, port, name);
	netdev = alloc_netdev(sizeof(*mon), name, NET_NAME_PREDICTABLE,
			      snf_mon_setup);
	if (!netdev)
		return -ENOMEM;
	mon = netdev_priv(netdev);
	mon->netdev = netdev;
	mon->sd = sd;
	mon->port = port;
	mon->backend = b;
	netdev->mtu = snf_mon_mtu(b);
	mon->queue_max = SNF_QUEUE_DEFAULT;
	mon->feed_eth = rdma_port_get_link_layer(sd->ibdev, port) ==
			IB_LINK_LAYER_ETHERNET;
	strscpy(mon->devname, dev_name(&sd->ibdev->dev), sizeof(mon->devname));
	skb_queue_head_init(&mon->queue);
	skb_queue_head_init(&mon->pool);
	INIT_LIST_HEAD(&mon->erf_readers);
	mutex_init(&mon->filter_lock);
	snf_napi_add(netdev, &mon->napi, snf_mon_poll);
	netif_carrier_off(netdev);

	rtnl_lock();
	ret = register_netdevice(netdev);
	if (!ret) {
		snf_mon_no_offloads(netdev);
		snf_mon_threaded(netdev);
	}
	if (!ret) {
		ret = netdev_rx_handler_register(netdev, snf_mon_rx_handler, mon);
		if (ret)
			unregister_netdevice(netdev);
	}
	rtnl_unlock();
	if (ret) {
		netif_napi_del(&mon->napi);
		free_netdev(netdev);
		return ret;
	}
	sd->ports[port].mon = mon;
	snf_debugfs_mon_add(mon);
	return 0;
}

/**
 * snf_mon_destroy() - remove a monitor, taking it down first if it is up
 * @mon: the monitor
 *
 * Context: process, snf_lock held (and not RTNL).
 */
void snf_mon_destroy(struct snf_mon *mon)
{
	struct net_device *netdev = mon->netdev;

	lockdep_assert_held(&snf_lock);
	/* Wakes erf readers blocked in read(): removing the file waits. */
	snf_erf_close(mon);
	/* Waits for the readers and writers of its files. */
	debugfs_remove_recursive(mon->dir);
	mon->sd->ports[mon->port].mon = NULL;
	unregister_netdev(netdev);
	netif_napi_del(&mon->napi);
	kfree(rcu_dereference_protected(mon->filter, true));
	mutex_destroy(&mon->filter_lock);
	free_netdev(netdev);
}
