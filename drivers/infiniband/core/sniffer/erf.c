// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ERF output: monitors/<name>/erf. Each open of the file is a reader
 * with a bounded queue of its own; read() returns a pcap stream with link
 * type LINKTYPE_ERF (197): the pcap file header, then one pcap record per
 * packet holding an ERF header of type 21 (INFINIBAND) and the packet as
 * on the wire from its LRH on (LRH, GRH if it has one, BTH, DETH, ImmDt,
 * payload, pad bytes, ICRC and VCRC, both zero). This is what Mellanox's
 * ibdump writes and tshark dissects, LRH included.
 *
 * The packet path copies a packet for the readers only while the monitor
 * is up and at least one reader has the file open, after the monitor's
 * filter. A full queue drops the record and counts it (erf_dropped); a
 * record counts as read (erf_records) once a reader has read all of it.
 *
 * Lifetime: a reader blocked in read() keeps debugfs from removing the
 * file, so a monitor that goes away first marks its readers dead and wakes
 * them (snf_erf_close()); they see end of file. snf_erf_lock orders that
 * against open and release, which unlink a reader from a monitor that may
 * be gone by then.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/poll.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "sniffer.h"

#define SNF_PCAP_MAGIC		0xa1b2c3d4	/* microsecond timestamps */
#define SNF_LINKTYPE_ERF	197
#define SNF_ERF_TYPE_IB		21		/* INFINIBAND */
#define SNF_ERF_FLAG_VLEN	0x04		/* varying record length */
#define SNF_ERF_IF_SENT		0x01		/* interface 1: the port sends */
#define SNF_LRH_PKTLEN_MAX	0x7ff		/* 4-byte words */

/* The pcap file header, in the host's byte order (readers detect it). */
struct snf_pcap_hdr {
	u32 magic;
	u16 major;
	u16 minor;
	s32 thiszone;
	u32 sigfigs;
	u32 snaplen;
	u32 linktype;
};

struct snf_pcap_rec {
	u32 ts_sec;
	u32 ts_usec;
	u32 caplen;
	u32 len;
};

/* ERF header: the timestamp is little-endian, the rest big-endian. */
struct snf_erf_hdr {
	__le64 ts;		/* seconds << 32 | binary fraction */
	u8 type;
	u8 flags;
	__be16 rlen;		/* the record: this header and the packet */
	__be16 lctr;
	__be16 wlen;		/* the packet */
};

static const struct snf_pcap_hdr snf_pcap_hdr = {
	.magic = SNF_PCAP_MAGIC,
	.major = 2,
	.minor = 4,
	.snaplen = 65535,
	.linktype = SNF_LINKTYPE_ERF,
};

/* An open of the erf file. */
struct snf_erf_reader {
	struct list_head node;		/* in mon->erf_readers */
	struct snf_mon *mon;		/* valid inside a file operation */
	struct sk_buff_head q;		/* complete records */
	wait_queue_head_t wq;
	struct mutex read_lock;		/* @cur, @off, @hdr_off */
	struct sk_buff *cur;		/* the record being read */
	unsigned int off;		/* of @cur, read */
	unsigned int hdr_off;		/* of the pcap file header, read */
	bool linked;			/* on @mon's list; under snf_erf_lock */
	bool dead;			/* the monitor is going away */
};

/* Readers joining and leaving monitors, and monitors closing the file. */
static DEFINE_MUTEX(snf_erf_lock);

/*
 * The record of @pkt: pcap record header, ERF header, LRH, then the frame's
 * headers without the Ethernet header (and without a synthesised GRH),
 * payload, pad, ICRC and VCRC. NULL when out of memory or too long for an
 * LRH.
 */
static struct sk_buff *snf_erf_record(const struct snf_frame *fr,
				      const struct rdma_sniffer_ib_pkt *pkt,
				      bool outgoing)
{
	unsigned int grh = pkt->grh ? sizeof(fr->grh) : 0;
	unsigned int ib, rlen;
	struct snf_pcap_rec rec;
	struct snf_erf_hdr erf;
	struct snf_lrh lrh;
	struct timespec64 ts;
	struct sk_buff *skb;

	BUILD_BUG_ON(sizeof(struct snf_pcap_hdr) != 24);
	BUILD_BUG_ON(sizeof(rec) != 16);
	BUILD_BUG_ON(sizeof(erf) != 16);
	BUILD_BUG_ON(sizeof(lrh) != 8);

	/* LRH to ICRC: the frame's bytes after Ethernet header and GRH. */
	ib = sizeof(lrh) + grh + fr->len - sizeof(fr->eth) - sizeof(fr->grh);
	if (ib / 4 > SNF_LRH_PKTLEN_MAX)
		return NULL;
	rlen = sizeof(erf) + ib + SNF_VCRC_LEN;
	skb = alloc_skb(sizeof(rec) + rlen, GFP_ATOMIC);
	if (!skb)
		return NULL;

	ktime_get_real_ts64(&ts);
	rec.ts_sec = (u32)ts.tv_sec;
	rec.ts_usec = ts.tv_nsec / NSEC_PER_USEC;
	rec.caplen = rlen;
	rec.len = rlen;

	erf.ts = cpu_to_le64((u64)ts.tv_sec << 32 |
			     div_u64((u64)ts.tv_nsec << 32, NSEC_PER_SEC));
	erf.type = SNF_ERF_TYPE_IB;
	erf.flags = SNF_ERF_FLAG_VLEN | (outgoing ? SNF_ERF_IF_SENT : 0);
	erf.rlen = cpu_to_be16(rlen);
	erf.lctr = 0;
	erf.wlen = cpu_to_be16(ib + SNF_VCRC_LEN);

	lrh.vl_lver = (pkt->vl & 0xf) << 4;
	lrh.sl_lnh = (pkt->sl & 0xf) << 4 |
		     (grh ? SNF_LRH_LNH_GLOBAL : SNF_LRH_LNH_LOCAL);
	lrh.dlid = cpu_to_be16(pkt->dlid);
	lrh.pktlen = cpu_to_be16(ib / 4);
	lrh.slid = cpu_to_be16(pkt->slid);

	skb_put_data(skb, &rec, sizeof(rec));
	skb_put_data(skb, &erf, sizeof(erf));
	skb_put_data(skb, &lrh, sizeof(lrh));
	if (grh)
		skb_put_data(skb, &fr->grh, sizeof(fr->grh));
	skb_put_data(skb, &fr->bth, sizeof(fr->bth));
	if (fr->has_deth)
		skb_put_data(skb, &fr->deth, sizeof(fr->deth));
	if (fr->has_imm)
		skb_put_data(skb, &fr->imm, sizeof(fr->imm));
	snf_pkt_payload(pkt, skb_put(skb, pkt->len));
	skb_put_zero(skb, fr->pad + SNF_ICRC_LEN + SNF_VCRC_LEN);
	return skb;
}

/**
 * snf_erf_packet() - queue a packet's record for each reader of @mon
 * @mon: the monitor, up, with readers (snf_erf_active())
 * @fr: the packet's frame headers, which passed the filter
 * @pkt: the packet
 * @outgoing: the port sends it
 *
 * The record is built once, and only if some reader's queue has room;
 * each reader's queue gets a clone of it, or, when full or out of memory,
 * a count in erf_dropped. A reader that never reads thus costs the packet
 * path a count, not a record.
 *
 * Context: any; under rcu_read_lock().
 */
void snf_erf_packet(struct snf_mon *mon, const struct snf_frame *fr,
		    const struct rdma_sniffer_ib_pkt *pkt, bool outgoing)
{
	u32 qmax = READ_ONCE(mon->queue_max);
	struct sk_buff *skb = NULL, *c;
	struct snf_erf_reader *r;
	bool built = false;

	list_for_each_entry_rcu(r, &mon->erf_readers, node) {
		/* A cheap early look; snf_queue_bounded() decides under the lock. */
		if (skb_queue_len(&r->q) >= qmax) {
			atomic64_inc(&mon->cnt.erf_dropped);
			continue;
		}
		if (!built) {
			skb = snf_erf_record(fr, pkt, outgoing);
			built = true;
		}
		c = skb ? skb_clone(skb, GFP_ATOMIC) : NULL;
		if (!c || !snf_queue_bounded(&r->q, c, qmax)) {
			atomic64_inc(&mon->cnt.erf_dropped);
			kfree_skb(c);
			continue;
		}
		wake_up_interruptible(&r->wq);
	}
	consume_skb(skb);
}

/**
 * snf_erf_close() - end the readers of a monitor that goes away
 * @mon: the monitor
 *
 * Readers blocked in read() wake up and see end of file; later opens fail
 * with -ENODEV. Called before the monitor's debugfs directory is removed,
 * which waits for those reads to return.
 *
 * Context: process.
 */
void snf_erf_close(struct snf_mon *mon)
{
	struct snf_erf_reader *r, *tmp;

	mutex_lock(&snf_erf_lock);
	mon->erf_closed = true;
	list_for_each_entry_safe(r, tmp, &mon->erf_readers, node) {
		list_del_rcu(&r->node);
		r->linked = false;
		WRITE_ONCE(r->dead, true);
		wake_up_interruptible(&r->wq);
	}
	mutex_unlock(&snf_erf_lock);
}

static int snf_erf_open(struct inode *inode, struct file *file)
{
	struct snf_mon *mon = inode->i_private;
	struct snf_erf_reader *r;

	if (file->f_mode & FMODE_WRITE) {
		pr_warn_ratelimited("%s: erf is read only\n", mon->netdev->name);
		return -EINVAL;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->mon = mon;
	skb_queue_head_init(&r->q);
	init_waitqueue_head(&r->wq);
	mutex_init(&r->read_lock);

	mutex_lock(&snf_erf_lock);
	if (mon->erf_closed) {
		mutex_unlock(&snf_erf_lock);
		kfree(r);
		return -ENODEV;
	}
	list_add_tail_rcu(&r->node, &mon->erf_readers);
	r->linked = true;
	mutex_unlock(&snf_erf_lock);

	file->private_data = r;
	return nonseekable_open(inode, file);
}

static int snf_erf_release(struct inode *inode, struct file *file)
{
	struct snf_erf_reader *r = file->private_data;

	mutex_lock(&snf_erf_lock);
	if (r->linked) {
		list_del_rcu(&r->node);
		r->linked = false;
	}
	mutex_unlock(&snf_erf_lock);
	/* The packet path may be queueing a record to it. */
	synchronize_rcu();
	skb_queue_purge(&r->q);
	kfree_skb(r->cur);
	mutex_destroy(&r->read_lock);
	kfree(r);
	return 0;
}

/*
 * The next record to read, waiting for one unless @nonblock. Under
 * @r->read_lock. Return: 0 with @r->cur set; 0 with it NULL at end of file
 * (the monitor is going away); -EAGAIN; -ERESTARTSYS.
 */
static int snf_erf_next(struct snf_erf_reader *r, bool nonblock)
{
	int ret;

	for (;;) {
		if (READ_ONCE(r->dead))
			return 0;
		r->cur = skb_dequeue(&r->q);
		if (r->cur) {
			r->off = 0;
			return 0;
		}
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(r->wq,
					       !skb_queue_empty_lockless(&r->q) ||
					       READ_ONCE(r->dead));
		if (ret)
			return ret;
	}
}

/**
 * snf_erf_read() - the pcap stream of a reader
 * @file: the reader's open file
 * @ubuf: to copy to
 * @count: at most this many bytes
 * @ppos: unused (the file is a stream)
 *
 * The pcap file header first, then records; a record may be split over
 * reads. Waits for a record only when nothing was copied yet and the file
 * is not O_NONBLOCK.
 *
 * Return: bytes copied; 0 at end of file (the monitor is going away);
 * -EAGAIN, -ERESTARTSYS or -EFAULT when nothing was copied.
 */
static ssize_t snf_erf_read(struct file *file, char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	struct snf_erf_reader *r = file->private_data;
	bool nonblock = file->f_flags & O_NONBLOCK;
	size_t done = 0, n;
	int ret = 0;

	if (mutex_lock_interruptible(&r->read_lock))
		return -ERESTARTSYS;
	if (r->hdr_off < sizeof(snf_pcap_hdr)) {
		n = min_t(size_t, count, sizeof(snf_pcap_hdr) - r->hdr_off);
		if (copy_to_user(ubuf, (const u8 *)&snf_pcap_hdr + r->hdr_off, n)) {
			ret = -EFAULT;
			goto out;
		}
		r->hdr_off += n;
		done = n;
	}
	while (done < count) {
		if (!r->cur) {
			/* Having copied something, return it rather than wait. */
			ret = snf_erf_next(r, nonblock || done);
			if (ret || !r->cur)
				break;
		}
		n = min_t(size_t, count - done, r->cur->len - r->off);
		if (copy_to_user(ubuf + done, r->cur->data + r->off, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
		r->off += n;
		if (r->off == r->cur->len) {
			consume_skb(r->cur);
			r->cur = NULL;
			atomic64_inc(&r->mon->cnt.erf_records);
		}
	}
out:
	mutex_unlock(&r->read_lock);
	return done ? done : ret;
}

static __poll_t snf_erf_poll(struct file *file, poll_table *wait)
{
	struct snf_erf_reader *r = file->private_data;

	poll_wait(file, &r->wq, wait);
	if (READ_ONCE(r->dead))
		return EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	if (READ_ONCE(r->hdr_off) < sizeof(snf_pcap_hdr) || READ_ONCE(r->cur) ||
	    !skb_queue_empty_lockless(&r->q))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

const struct file_operations snf_erf_fops = {
	.owner = THIS_MODULE,
	.open = snf_erf_open,
	.release = snf_erf_release,
	.read = snf_erf_read,
	.poll = snf_erf_poll,
	.llseek = noop_llseek,
};
