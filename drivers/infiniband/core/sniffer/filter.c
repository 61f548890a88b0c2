// SPDX-License-Identifier: GPL-2.0-only
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/*
 * A monitor's filter, applied before anything is copied. Its text is
 * KEY=VALUE terms separated by blanks, all of which must match, or "all"
 * (or nothing) for no filter:
 *
 *	qpn dqpn sqpn		QPNs, 0 to 0xffffff (qpn: source or destination)
 *	lid slid dlid		LIDs, 0 to 0xffff (lid: source or destination)
 *	pkey			P_Key, 0 to 0xffff, membership bit ignored
 *	gid sgid dgid mgid	GIDs in IPv6 notation (gid: source or
 *				destination; mgid: dgid, and must be multicast)
 *
 * Numbers are decimal or 0x hex. GIDs are those of the frame, the
 * synthesised GRH's for a packet without one. Each key at most once.
 */
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "sniffer.h"

struct snf_key {
	const char *name;
	u32 bit;
	u32 max;		/* numbers: the largest value; GIDs: 0 */
};

static const struct snf_key snf_keys[] = {
	{ "qpn", SNF_F_QPN, 0xffffff },
	{ "dqpn", SNF_F_DQPN, 0xffffff },
	{ "sqpn", SNF_F_SQPN, 0xffffff },
	{ "lid", SNF_F_LID, 0xffff },
	{ "slid", SNF_F_SLID, 0xffff },
	{ "dlid", SNF_F_DLID, 0xffff },
	{ "pkey", SNF_F_PKEY, 0xffff },
	{ "gid", SNF_F_GID, 0 },
	{ "sgid", SNF_F_SGID, 0 },
	{ "dgid", SNF_F_DGID, 0 },
	{ "mgid", SNF_F_DGID, 0 },
	{ "ethertype", SNF_F_ETHERTYPE, 0xffff },
	{ "udp", SNF_F_UDP, 0xffff },
};

static int snf_parse_gid(const char *s, union ib_gid *gid)
{
	const char *end;

	if (!in6_pton(s, -1, gid->raw, '\0', &end) || *end)
		return -EINVAL;
	return 0;
}

static void snf_filter_set(struct snf_filter *f, u32 bit, u32 v,
			   const union ib_gid *gid)
{
	switch (bit) {
	case SNF_F_QPN:
		f->qpn = v;
		break;
	case SNF_F_DQPN:
		f->dqpn = v;
		break;
	case SNF_F_SQPN:
		f->sqpn = v;
		break;
	case SNF_F_LID:
		f->lid = v;
		break;
	case SNF_F_SLID:
		f->slid = v;
		break;
	case SNF_F_DLID:
		f->dlid = v;
		break;
	case SNF_F_PKEY:
		f->pkey = v;
		break;
	case SNF_F_GID:
		f->gid = *gid;
		break;
	case SNF_F_SGID:
		f->sgid = *gid;
		break;
	case SNF_F_DGID:
		f->dgid = *gid;
		break;
	case SNF_F_ETHERTYPE:
		f->ethertype = v;
		break;
	case SNF_F_UDP:
		f->udp = v;
		break;
	}
	f->has |= bit;
}

/**
 * snf_filter_parse() - a filter from its text
 * @text: the text, modified (split at blanks)
 * @f: zeroed; filled in on success, undefined on failure
 *
 * Every problem is logged (rate-limited) naming the term.
 * Return: 0, or -EINVAL.
 */
int snf_filter_parse(char *text, struct snf_filter *f)
{
	char *term;

	text = strim(text);
	if (!*text || !strcmp(text, "all"))
		return 0;
	while ((term = strsep(&text, " \t")) != NULL) {
		const struct snf_key *k = NULL;
		union ib_gid gid = {};
		char *val;
		u32 v = 0;
		size_t i;

		if (!*term)
			continue;
		val = strchr(term, '=');
		if (!val) {
			pr_warn_ratelimited("filter: \"%s\" is not KEY=VALUE\n", term);
			return -EINVAL;
		}
		*val++ = '\0';
		for (i = 0; i < ARRAY_SIZE(snf_keys); i++)
			if (!strcmp(term, snf_keys[i].name))
				k = &snf_keys[i];
		if (!k) {
			pr_warn_ratelimited("filter: unknown key \"%s\" (qpn dqpn sqpn lid slid dlid pkey gid sgid dgid mgid ethertype udp)\n",
					    term);
			return -EINVAL;
		}
		if (f->has & k->bit) {
			pr_warn_ratelimited("filter: \"%s\" given twice\n", term);
			return -EINVAL;
		}
		if (k->max) {
			if (kstrtou32(val, 0, &v) || v > k->max) {
				pr_warn_ratelimited("filter: %s=\"%s\": not a number from 0 to %#x\n",
						    term, val, k->max);
				return -EINVAL;
			}
		} else if (snf_parse_gid(val, &gid)) {
			pr_warn_ratelimited("filter: %s=\"%s\": not a GID (IPv6 notation)\n",
					    term, val);
			return -EINVAL;
		} else if (!strcmp(term, "mgid") && gid.raw[0] != 0xff) {
			pr_warn_ratelimited("filter: mgid=\"%s\": not a multicast GID (ff..)\n",
					    val);
			return -EINVAL;
		}
		snf_filter_set(f, k->bit, v, &gid);
	}
	return 0;
}

/**
 * snf_filter_print() - the canonical text of a filter
 * @f: the filter, NULL for none
 * @buf: where to print it, with a newline
 * @size: of @buf
 *
 * Return: the length printed.
 */
int snf_filter_print(const struct snf_filter *f, char *buf, size_t size)
{
	int n = 0;

	if (!f || !f->has)
		return scnprintf(buf, size, "all\n");
	if (f->has & SNF_F_QPN)
		n += scnprintf(buf + n, size - n, "qpn=%#x ", f->qpn);
	if (f->has & SNF_F_DQPN)
		n += scnprintf(buf + n, size - n, "dqpn=%#x ", f->dqpn);
	if (f->has & SNF_F_SQPN)
		n += scnprintf(buf + n, size - n, "sqpn=%#x ", f->sqpn);
	if (f->has & SNF_F_LID)
		n += scnprintf(buf + n, size - n, "lid=%#x ", f->lid);
	if (f->has & SNF_F_SLID)
		n += scnprintf(buf + n, size - n, "slid=%#x ", f->slid);
	if (f->has & SNF_F_DLID)
		n += scnprintf(buf + n, size - n, "dlid=%#x ", f->dlid);
	if (f->has & SNF_F_PKEY)
		n += scnprintf(buf + n, size - n, "pkey=%#x ", f->pkey);
	if (f->has & SNF_F_GID)
		n += scnprintf(buf + n, size - n, "gid=%pI6 ", f->gid.raw);
	if (f->has & SNF_F_SGID)
		n += scnprintf(buf + n, size - n, "sgid=%pI6 ", f->sgid.raw);
	if (f->has & SNF_F_DGID)
		n += scnprintf(buf + n, size - n, "dgid=%pI6 ", f->dgid.raw);
	if (f->has & SNF_F_ETHERTYPE)
		n += scnprintf(buf + n, size - n, "ethertype=%#06x ", f->ethertype);
	if (f->has & SNF_F_UDP)
		n += scnprintf(buf + n, size - n, "udp=%u ", f->udp);
	/* The last blank becomes the newline. */
	if (n > 0)
		buf[n - 1] = '\n';
	return n;
}

static bool snf_gid_eq(const union ib_gid *a, const union ib_gid *b)
{
	return !memcmp(a->raw, b->raw, sizeof(a->raw));
}

/**
 * snf_filter_match() - does a packet pass the filter?
 * @f: the filter, NULL for none
 * @fr: the frame's headers (its ethertype, UDP ports and GIDs)
 * @pkt: the packet (its other fields); NULL for an Ethernet frame that is
 *       no IBA packet, which no InfiniBand term matches
 *
 * Context: any.
 * Return: true when every term of @f matches.
 */
bool snf_filter_match(const struct snf_filter *f, const struct snf_frame *fr,
		      const struct rdma_sniffer_ib_pkt *pkt)
{
	u32 has;

	if (!f)
		return true;
	has = f->has;
	if ((has & SNF_F_ETHERTYPE) && f->ethertype != be16_to_cpu(fr->eth.h_proto))
		return false;
	if ((has & SNF_F_UDP) && (!fr->has_udp ||
				  (f->udp != fr->udp_sport && f->udp != fr->udp_dport)))
		return false;
	if (!(has & SNF_F_IBA))
		return true;
	if (!pkt)
		return false;
	if ((has & SNF_F_QPN) && f->qpn != pkt->dqpn &&
	    (!fr->has_deth || f->qpn != pkt->sqpn))
		return false;
	if ((has & SNF_F_DQPN) && f->dqpn != pkt->dqpn)
		return false;
	if ((has & SNF_F_SQPN) && (!fr->has_deth || f->sqpn != pkt->sqpn))
		return false;
	if ((has & SNF_F_LID) && f->lid != pkt->slid && f->lid != pkt->dlid)
		return false;
	if ((has & SNF_F_SLID) && f->slid != pkt->slid)
		return false;
	if ((has & SNF_F_DLID) && f->dlid != pkt->dlid)
		return false;
	if ((has & SNF_F_PKEY) && (f->pkey & 0x7fff) != (pkt->pkey & 0x7fff))
		return false;
	if ((has & SNF_F_GID) && !snf_gid_eq(&f->gid, &fr->grh.sgid) &&
	    !snf_gid_eq(&f->gid, &fr->grh.dgid))
		return false;
	if ((has & SNF_F_SGID) && !snf_gid_eq(&f->sgid, &fr->grh.sgid))
		return false;
	if ((has & SNF_F_DGID) && !snf_gid_eq(&f->dgid, &fr->grh.dgid))
		return false;
	return true;
}
