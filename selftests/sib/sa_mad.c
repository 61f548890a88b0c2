// SPDX-License-Identifier: GPL-2.0-only
/*
 * sa_mad - SA MADs from user space (ib_umad) to rdma_sib's subnet
 * administrator: the statuses it answers malformed and unsupported requests
 * with, then garbage, then whether it still answers; or single joins and
 * leaves, or many of them.
 *
 *   sa_mad [-n N] [-s SEED] CA
 *   sa_mad CA join|leave MGID [FIELD=VALUE...]
 *   sa_mad CA cycle N MGID [FIELD=VALUE...]
 *   sa_mad CA agents LID N
 *   sa_mad CA dr PORT N
 *
 * Sends from port 1 of CA to the SM (LID and QP1 from the port), one MAD at
 * a time, and waits for the answer. Prints one line per check:
 *   ok NAME status=0x000c
 *   not ok NAME status=... want=...
 * then "random: N sent, A answered, T timed out, B bad" and exits 0 when
 * every check passed, 1 otherwise, 2 when the port cannot be used.
 *
 * The random MADs are SA-class requests (response bit clear) with random
 * method, attribute, modifier, class version, component mask and payload,
 * so each must be answered with a response of the same TID (or, for a
 * version the SA does not speak, a "bad version" status); a few have the
 * response bit set, which an SA must ignore (timeout expected).
 *
 * agents LID N sends N random LID-routed SMPs and PerfMgt MADs to port
 * LID's QP0 and QP1 (the HCA's own agents), each of which must be answered
 * (or, with the response bit, ignored), then checks a NodeInfo and a
 * PortCounters Get are still answered. It prints "ok"/"not ok" lines as
 * above and exits 0 when all passed.
 *
 * dr PORT N sends directed-route SMPs from CA's port to the switch: first
 * ones the switch must discard (a hop pointer or count the rules of IBA
 * 14.2.2.2 do not allow, a path on out of port 0, out of a port beyond the
 * switch's or of PORT, which must have no HCA, returning at its first
 * hop, or ending in a LID-routed part), each of which must stay
 * unanswered; then N random ones (route, pointers, direction, method,
 * attribute and payload), answered or not; then a NodeInfo Get of the
 * switch (path 0,1) and one of the HCA at its port 2 (path 0,1,2) must be
 * answered with status 0. The malformed SMPs are sent with a DrSLID of 1,
 * not the permissive LID, so that ib_mad puts them on the wire as they
 * are; three in four random ones have permissive DrSLID and DrDLID and a
 * route of 1 to 3 hops from port 1, which ib_mad takes as it is.
 *
 * join and leave send one MCMemberRecord Set or Delete for MGID with CA's
 * own PortGID and JoinState FullMember, components MGID, PortGID and
 * JoinState, plus each FIELD given: state=, qkey=, pkey=, tclass=, sl=,
 * flow=, hop= (numbers), mtu=, rate=, plt= ([SEL:]CODE, SEL one of gt, lt,
 * eq, max: with it the selector component too), gid=CA2 (the PortGID of
 * CA2 instead of CA's own). They print the answer on one line,
 *   status=0x0000 mlid=0xc001 mtu=4 rate=7 plt=18 sl=0 flow=0x0 tclass=0 hop=0 state=0x1
 * and exit 0, or 3 when none came.
 *
 * cycle makes N joins of MGID, each followed by the leave of the same
 * record (with a record that may create the group, each join creates it
 * and each leave deletes it), and stops at the first that is not answered
 * with status 0. It prints
 *   cycles=N ok=K [failed=join|leave status=S] mlid_min=M mlid_max=M
 *   wraps=W secs=T us_per_cycle=U
 * (wraps: joins that got a lower MLID than the join before) and exits 0
 * when all N cycles succeeded, 1 otherwise.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/umad.h>

#define MAD_SIZE		256
#define SA_CLASS		0x03
#define SA_VERSION		2
#define SA_QKEY			0x80010000
#define TIMEOUT_MS		300
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define JOIN_TIMEOUT_MS		5000	/* join, leave, cycle: no retries */

#define ST_BAD_VERSION		0x0004
#define ST_UNSUP_METHOD		0x0008
#define ST_UNSUP_METHOD_ATTR	0x000c
#define ST_SA_REQ_INVALID	0x0200
#define ST_SA_NO_RECORDS	0x0300
#define ST_SA_INSUFF_COMP	0x0600

#define ATTR_CPI		0x0001
#define ATTR_PATH		0x0035
#define ATTR_MCM		0x0038

/* MCMemberRecord components (IBA 15.2.5.17) and where they are. */
#define MCM_MGID		0x00001ULL
#define MCM_PORT_GID		0x00002ULL
#define MCM_QKEY		0x00004ULL
#define MCM_MTU_SEL		0x00010ULL
#define MCM_MTU			0x00020ULL
#define MCM_TCLASS		0x00040ULL
#define MCM_PKEY		0x00080ULL
#define MCM_RATE_SEL		0x00100ULL
#define MCM_RATE		0x00200ULL
#define MCM_PLT_SEL		0x00400ULL
#define MCM_PLT			0x00800ULL
#define MCM_SL			0x01000ULL
#define MCM_FLOW		0x02000ULL
#define MCM_HOP			0x04000ULL
#define MCM_JOIN_STATE		0x10000ULL
#define SA_DATA			56	/* the record, after the SA header */
#define MCM_LEN			64

#define METHOD_SET		0x02
#define METHOD_DELETE		0x15

static const uint8_t real_attrs[] = { ATTR_CPI, ATTR_PATH, ATTR_MCM };

static int fd, agent, dlid;
static int timeout_ms = TIMEOUT_MS;
static uint8_t own_gid[16];	/* port 1 of CA: prefix, then GUID */
static uint32_t next_tid = 1;
static int failed;

struct reply {
	int answered;		/* a response with our TID came back */
	uint16_t status;	/* its MAD status */
	uint8_t method;		/* its method */
	uint8_t data[MAD_SIZE];
};

/* mad_init: an SA request header in @m. */
static void mad_init(uint8_t *m, uint8_t base, uint8_t cver, uint8_t method,
		     uint16_t attr)
{
	uint64_t tid = htobe64(next_tid++);
	uint16_t a = htons(attr);

	memset(m, 0, MAD_SIZE);
	m[0] = base;
	m[1] = SA_CLASS;
	m[2] = cver;
	m[3] = method;
	memcpy(m + 8, &tid, 8);
	memcpy(m + 16, &a, 2);
}

/*
 * transact_to: send @m through agent @ag to @lid's QP @qpn with @qkey,
 * wait for the response to its TID.
 */
static int transact_to(const uint8_t *m, struct reply *r, int ag, int lid,
		       int qpn, uint32_t qkey)
{
	size_t sz = umad_size() + MAD_SIZE;
	void *u = calloc(1, sz);
	uint8_t *rm;
	int len;

	if (!u)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	memcpy(umad_get_mad(u), m, MAD_SIZE);
	umad_set_addr(u, lid, qpn, 0, qkey);
	if (umad_send(fd, ag, u, MAD_SIZE, timeout_ms, 0) < 0) {
		free(u);
		return -errno;
	}
	for (;;) {
		len = MAD_SIZE;
		if (umad_recv(fd, u, &len, 4 * timeout_ms) < 0) {
			free(u);
			return 0;	/* nothing at all: counted as no answer */
		}
		rm = umad_get_mad(u);
		if (memcmp(rm + 12, m + 12, 4))
			continue;	/* an earlier request's straggler */
		if (umad_status(u))
			break;		/* our send, returned: timed out */
		r->answered = 1;
		r->status = ntohs(*(uint16_t *)(rm + 4));
		r->method = rm[3];
		memcpy(r->data, rm, MAD_SIZE);
		break;
	}
	free(u);
	return 0;
}

/* transact: send @m to the SM, wait for the response to its TID. */
static int transact(const uint8_t *m, struct reply *r)
{
	return transact_to(m, r, agent, dlid, 1, SA_QKEY);
}

static void check(const char *name, const uint8_t *m, uint16_t want)
{
	struct reply r;
	int ret = transact(m, &r);

	if (ret || !r.answered || r.status != want) {
		printf("not ok %s status=0x%04x want=0x%04x%s%s\n", name, r.status,
		       want, r.answered ? "" : " (no answer)",
		       ret ? " (send failed)" : "");
		failed = 1;
	} else {
		printf("ok %s status=0x%04x\n", name, r.status);
	}
}

/*
 * A GetTable answered with a table of one segment: GetTableResp, status 0,
 * RMPP version 1, DATA, flags Active, First and Last, segment 1, and a
 * PayloadLength of the SA header and whole records (AttributeOffset).
 */
static void rmpp_check(const char *name, const uint8_t *m)
{
	unsigned int paylen, recs = 0;
	struct reply r;
	int ret = transact(m, &r);
	uint16_t off;

	if (!ret && r.answered) {
		paylen = be32toh(*(uint32_t *)(r.data + 32));
		off = ntohs(*(uint16_t *)(r.data + 44)) * 8;
		if (off && paylen >= 20 && (paylen - 20) % off == 0)
			recs = (paylen - 20) / off;
	}
	if (ret || !r.answered || r.status || r.method != 0x92 ||
	    r.data[24] != 1 || r.data[25] != 1 || (r.data[26] & 7) != 7 ||
	    be32toh(*(uint32_t *)(r.data + 28)) != 1 || !recs) {
		printf("not ok %s%s method=0x%02x status=0x%04x rmpp=%02x/%02x/%02x\n",
		       name, r.answered ? "" : " (no answer)", r.method, r.status,
		       r.data[24], r.data[25], r.data[26]);
		failed = 1;
	} else {
		printf("ok %s (%u record(s))\n", name, recs);
	}
}

/* An MCMemberRecord request: the record and its component mask. */
struct mcm_req {
	uint8_t rec[MCM_LEN];
	uint64_t comp;
};

/* The GID of port 1 of @ca, as a record carries it. */
static int port_gid(const char *ca, uint8_t *gid)
{
	umad_port_t p;

	if (umad_get_port(ca, 1, &p) < 0)
		return -1;
	memcpy(gid, &p.gid_prefix, 8);
	memcpy(gid + 8, &p.port_guid, 8);
	umad_release_port(&p);
	return 0;
}

/* "[SEL:]CODE" of mtu=, rate=, plt=: the selector (-1: none) and code. */
static int parse_sel(const char *s, int *sel, unsigned int *code)
{
	static const char * const names[] = { "gt", "lt", "eq", "max" };
	const char *colon = strchr(s, ':');
	unsigned long v;
	char *end;
	int i;

	*sel = -1;
	if (colon) {
		for (i = 0; i < 4; i++)
			if (strlen(names[i]) == (size_t)(colon - s) &&
			    !strncmp(s, names[i], colon - s))
				*sel = i;
		if (*sel < 0)
			return -1;
		s = colon + 1;
	}
	v = strtoul(s, &end, 0);
	if (!*s || *end || v > 0x3f)
		return -1;
	*code = v;
	return 0;
}

/* A selector and code at byte @off of the record, with their components. */
static int set_sel(struct mcm_req *q, const char *s, int off, uint64_t comp,
		   uint64_t comp_sel)
{
	unsigned int code;
	int sel;

	if (parse_sel(s, &sel, &code))
		return -1;
	q->rec[off] = (sel < 0 ? 0 : sel) << 6 | code;
	q->comp |= comp | (sel < 0 ? 0 : comp_sel);
	return 0;
}

/* Is the @k-character name of @arg @name? */
static int is_key(const char *arg, size_t k, const char *name)
{
	return k == strlen(name) && !strncmp(arg, name, k);
}

/* One FIELD=VALUE of the command line into @q. */
static int parse_field(struct mcm_req *q, const char *arg)
{
	const char *v = strchr(arg, '=');
	uint32_t w, be;
	unsigned long n;
	uint16_t pkey;
	size_t k;
	char *end;

	if (!v)
		return -1;
	k = v++ - arg;
	if (is_key(arg, k, "gid"))
		return port_gid(v, q->rec + 16);
	if (is_key(arg, k, "mtu"))
		return set_sel(q, v, 38, MCM_MTU, MCM_MTU_SEL);
	if (is_key(arg, k, "rate"))
		return set_sel(q, v, 42, MCM_RATE, MCM_RATE_SEL);
	if (is_key(arg, k, "plt"))
		return set_sel(q, v, 43, MCM_PLT, MCM_PLT_SEL);
	n = strtoul(v, &end, 0);
	if (!*v || *end)
		return -1;
	memcpy(&be, q->rec + 44, 4);
	w = ntohl(be);		/* SL:4, FlowLabel:20, HopLimit:8 */
	if (is_key(arg, k, "state") && n < 16) {
		q->rec[48] = (q->rec[48] & 0xf0) | n;
		q->comp |= MCM_JOIN_STATE;
	} else if (is_key(arg, k, "qkey") && n <= 0xffffffffUL) {
		be = htonl(n);
		memcpy(q->rec + 32, &be, 4);
		q->comp |= MCM_QKEY;
	} else if (is_key(arg, k, "pkey") && n <= 0xffff) {
		pkey = htons(n);
		memcpy(q->rec + 40, &pkey, 2);
		q->comp |= MCM_PKEY;
	} else if (is_key(arg, k, "tclass") && n <= 0xff) {
		q->rec[39] = n;
		q->comp |= MCM_TCLASS;
	} else if (is_key(arg, k, "sl") && n < 16) {
		w = (w & 0x0fffffff) | n << 28;
		q->comp |= MCM_SL;
	} else if (is_key(arg, k, "flow") && n < (1UL << 20)) {
		w = (w & 0xf00000ff) | n << 8;
		q->comp |= MCM_FLOW;
	} else if (is_key(arg, k, "hop") && n <= 0xff) {
		w = (w & 0xffffff00) | n;
		q->comp |= MCM_HOP;
	} else {
		return -1;
	}
	be = htonl(w);
	memcpy(q->rec + 44, &be, 4);
	return 0;
}

/* The request for @mgid from the command line's @nf fields. */
static int mcm_build(struct mcm_req *q, const char *mgid, int nf, char **f)
{
	int i;

	memset(q, 0, sizeof(*q));
	if (inet_pton(AF_INET6, mgid, q->rec) != 1) {
		fprintf(stderr, "sa_mad: bad MGID %s\n", mgid);
		return -1;
	}
	memcpy(q->rec + 16, own_gid, 16);
	q->rec[48] = 1;		/* FullMember unless state= says otherwise */
	q->comp = MCM_MGID | MCM_PORT_GID | MCM_JOIN_STATE;
	for (i = 0; i < nf; i++) {
		if (parse_field(q, f[i])) {
			fprintf(stderr, "sa_mad: bad field %s\n", f[i]);
			return -1;
		}
	}
	return 0;
}

/* Send @q with @method (Set: join, Delete: leave); the answer in @r. */
static int mcm_send(const struct mcm_req *q, uint8_t method, struct reply *r)
{
	uint64_t comp = htobe64(q->comp);
	uint8_t m[MAD_SIZE];

	mad_init(m, 1, SA_VERSION, method, ATTR_MCM);
	memcpy(m + 48, &comp, 8);
	memcpy(m + SA_DATA, q->rec, MCM_LEN);
	return transact(m, r);
}

static unsigned int reply_mlid(const struct reply *r)
{
	return r->data[SA_DATA + 36] << 8 | r->data[SA_DATA + 37];
}

/* join, leave: one request, its answer printed. */
static int run_one(uint8_t method, const struct mcm_req *q)
{
	const uint8_t *d;
	struct reply r;
	uint32_t w;

	if (mcm_send(q, method, &r) || !r.answered) {
		printf("status=none\n");
		return 3;
	}
	d = r.data + SA_DATA;
	memcpy(&w, d + 44, 4);
	w = ntohl(w);
	printf("status=0x%04x mlid=0x%04x mtu=%u rate=%u plt=%u", r.status,
	       reply_mlid(&r), d[38] & 0x3f, d[42] & 0x3f, d[43] & 0x3f);
	printf(" sl=%u flow=0x%x tclass=%u hop=%u state=0x%x\n", w >> 28,
	       (w >> 8) & 0xfffff, d[39], w & 0xff, d[48] & 0xf);
	return 0;
}

/* cycle: @n joins of @q, each followed by its leave. */
static int run_cycles(unsigned long n, const struct mcm_req *q)
{
	unsigned int mlid, prev = 0, lo = 0xffff, hi = 0, wraps = 0;
	const char *op = "join";
	struct timespec t0, t1;
	unsigned long i;
	struct reply r;
	double secs;

	memset(&r, 0, sizeof(r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		op = "join";
		if (mcm_send(q, METHOD_SET, &r) || !r.answered || r.status)
			break;
		mlid = reply_mlid(&r);
		if (mlid < lo)
			lo = mlid;
		if (mlid > hi)
			hi = mlid;
		if (i && mlid < prev)
			wraps++;
		prev = mlid;
		op = "leave";
		if (mcm_send(q, METHOD_DELETE, &r) || !r.answered || r.status)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("cycles=%lu ok=%lu", n, i);
	if (i < n)
		printf(" failed=%s status=0x%04x%s", op, r.status,
		       r.answered ? "" : " (no answer)");
	printf(" mlid_min=0x%04x mlid_max=0x%04x wraps=%u secs=%.1f us_per_cycle=%.0f\n",
	       lo, hi, wraps, secs, i ? secs * 1e6 / i : 0.0);
	return i == n ? 0 : 1;
}

/* join, leave, cycle: @argv[0] is the operation. */
/* The outcomes of random requests. */
struct tally {
	unsigned long answered, timeouts, bad;
};

/*
 * random_mad: @m random bytes made a request of @class (of version @ver
 * half the time) with a new TID; a response (bit 0x80) if @resp.
 */
static void random_mad(uint8_t *m, uint8_t class, uint8_t ver, int resp)
{
	unsigned int j;

	for (j = 0; j < MAD_SIZE; j++)
		m[j] = rand();
	m[0] = 1;
	m[1] = class;
	if (rand() % 2)
		m[2] = ver;
	m[3] = resp ? m[3] | 0x80 : m[3] & 0x7f;
	/* TrapRepress travels as a response: no answer is awaited. */
	if (m[3] == 0x07)
		m[3] = 0x01;
	m[4] = 0;
	m[5] = 0;
	*(uint32_t *)(m + 8) = 0;
	*(uint32_t *)(m + 12) = htonl(next_tid++);
}

/*
 * tally_one: count how random request @r went (@ret: transact's), which
 * must be answered with a response, or ignored if @resp.
 */
static void tally_one(struct tally *t, int ret, const struct reply *r, int resp)
{
	if (ret) {
		t->bad++;
	} else if (!r->answered) {
		t->timeouts++;
		if (!resp)
			t->bad++;
	} else if (resp || !(r->method & 0x80)) {
		t->bad++;
	} else {
		t->answered++;
	}
}

/*
 * agents LID N: N random requests to the HCA agents of port LID: LID-routed
 * SMPs to its QP0 and PerfMgt MADs to its QP1, alternately, with random
 * method, attribute, modifier, class version and payload. Each must be
 * answered with a response of its TID; one in 50 has the response bit
 * set, which an agent must ignore. Then a NodeInfo Get and a PortCounters
 * Get must still be answered with status 0.
 */
static int run_agents(int lid, unsigned long n)
{
	static const uint8_t classes[] = { 0x01, 0x04 };	/* SMI, PerfMgt */
	struct tally t = {};
	unsigned long i;
	int ag[2], c;
	uint8_t m[MAD_SIZE];
	struct reply r;

	for (c = 0; c < 2; c++) {
		ag[c] = umad_register(fd, classes[c], 1, 0, NULL);
		if (ag[c] < 0) {
			fprintf(stderr, "sa_mad: umad_register class %u: %s\n",
				classes[c], strerror(errno));
			return 2;
		}
	}
	timeout_ms = TIMEOUT_MS;
	for (i = 0; i < n; i++) {
		int resp = i % 50 == 49;

		c = i % 2;
		random_mad(m, classes[c], 1, resp);
		tally_one(&t, transact_to(m, &r, ag[c], lid, c, c ? SA_QKEY : 0),
			  &r, resp);
	}
	printf("agents random: %lu sent, %lu answered, %lu timed out, %lu bad\n",
	       n, t.answered, t.timeouts, t.bad);
	printf("%sok random SMPs and PerfMgt MADs: %s\n", t.bad ? "not " : "",
	       "every request answered, every response ignored");
	if (t.bad)
		failed = 1;
	for (c = 0; c < 2; c++) {
		memset(m, 0, MAD_SIZE);
		m[0] = 1;
		m[1] = classes[c];
		m[2] = 1;
		m[3] = 0x01;
		*(uint32_t *)(m + 12) = htonl(next_tid++);
		m[17] = c ? 0x12 : 0x11;	/* PortCounters, NodeInfo */
		if (c)
			m[64 + 1] = 1;		/* PortSelect */
		if (transact_to(m, &r, ag[c], lid, c, c ? SA_QKEY : 0) ||
		    !r.answered || r.status) {
			printf("not ok %s Get still answered (status 0x%04x)\n",
			       c ? "PortCounters" : "NodeInfo", r.status);
			failed = 1;
		} else {
			printf("ok %s Get still answered\n", c ? "PortCounters" : "NodeInfo");
		}
		umad_unregister(fd, ag[c]);
	}
	return failed;
}

/* dr_init: a directed-route SMP Get of @attr in @m, its route @path. */
static void dr_init(uint8_t *m, uint16_t attr, const uint8_t *path, int cnt)
{
	uint16_t a = htons(attr), permissive = 0xffff, one = htons(1);

	memset(m, 0, MAD_SIZE);
	m[0] = 1;
	m[1] = 0x81;
	m[2] = 1;
	m[3] = 0x01;
	m[6] = 0;			/* hop pointer */
	m[7] = cnt;			/* hop count */
	*(uint32_t *)(m + 12) = htonl(next_tid++);
	memcpy(m + 16, &a, 2);
	memcpy(m + 32, &one, 2);	/* DrSLID 1: ib_mad leaves the route */
	memcpy(m + 34, &permissive, 2);	/* DrDLID */
	memcpy(m + 128, path, cnt + 1);	/* initial path */
}

/* dr_get: a directed-route Get of @attr by @path; its status, or -1. */
static int dr_get(int ag, uint16_t attr, const uint8_t *path, int cnt,
		  struct reply *r)
{
	uint8_t m[MAD_SIZE];

	dr_init(m, attr, path, cnt);
	/* Permissive DrSLID: ib_mad routes it, and takes the answer back. */
	m[32] = 0xff;
	m[33] = 0xff;
	if (transact_to(m, r, ag, 0xffff, 0, 0) || !r->answered)
		return -1;
	return r->status & 0x7fff;
}

/*
 * dr_node_check: a NodeInfo Get by directed route @path (@cnt hops) must be
 * answered with status 0 and NodeType @type; prints ok/not ok for @who.
 */
static void dr_node_check(int ag, const uint8_t *path, int cnt, int type,
			  const char *who)
{
	struct reply r;
	int st = dr_get(ag, 0x11, path, cnt, &r);

	if (st || r.data[64 + 2] != type) {
		printf("not ok %s NodeInfo still answered (status %d, type %u)\n",
		       who, st, r.data[64 + 2]);
		failed = 1;
	} else {
		printf("ok %s NodeInfo still answered\n", who);
	}
}

/*
 * dr PORT N: malformed directed-route SMPs to the switch, unanswered;
 * N random ones; then the switch and the HCA at its port 2 still answer.
 */
static int run_dr(int port, unsigned long n)
{
	static const uint8_t to_switch[] = { 0, 1 }, to_hca[] = { 0, 1, 2 };
	struct {
		const char *name;
		uint8_t ptr, cnt, next, dir;
		uint16_t drdlid;
	} bad[] = {
		{ "hop pointer 0 on the wire", 0, 2, 2, 0, 0xffff },
		{ "hop pointer past hop count + 1", 3, 1, 0, 0, 0xffff },
		{ "hop count 64", 1, 64, 2, 0, 0xffff },
		{ "on out of port 0", 1, 2, 0, 0, 0xffff },
		{ "on out of port 200", 1, 2, 200, 0, 0xffff },
		{ "on out of a port without an HCA", 1, 2, (uint8_t)port, 0, 0xffff },
		{ "returning at its first hop", 1, 1, 0, 1, 1 },
		{ "ending in a LID-routed part", 1, 1, 0, 0, 5 },
	};
	struct tally t = {};
	uint8_t m[MAD_SIZE];
	struct reply r;
	unsigned long i;
	unsigned int b;
	int ag;

	ag = umad_register(fd, 0x81, 1, 0, NULL);
	if (ag < 0) {
		fprintf(stderr, "sa_mad: umad_register class 0x81: %s\n",
			strerror(errno));
		return 2;
	}
	timeout_ms = TIMEOUT_MS;
	for (b = 0; b < ARRAY_SIZE(bad); b++) {
		uint16_t d = htons(bad[b].drdlid);

		dr_init(m, 0x11, to_hca, 2);
		m[6] = bad[b].ptr;
		m[7] = bad[b].cnt;
		m[128 + 2] = bad[b].next;
		if (bad[b].dir)
			m[4] = 0x80;	/* the D bit */
		memcpy(m + 34, &d, 2);
		if (transact_to(m, &r, ag, 0xffff, 0, 0)) {
			printf("ok %s: refused by ib_mad\n", bad[b].name);
		} else if (r.answered) {
			printf("not ok %s: answered, status 0x%04x\n",
			       bad[b].name, r.status);
			failed = 1;
		} else {
			printf("ok %s: discarded\n", bad[b].name);
		}
	}
	for (i = 0; i < n; i++) {
		int j, ret;

		random_mad(m, 0x81, 1, 0);
		if (rand() % 4) {
			/* Mostly a route ib_mad takes: 1 to 3 hops from port 1. */
			memset(m + 32, 0xff, 4);	/* DrSLID, DrDLID */
			m[4] = 0;
			m[6] = 0;
			m[7] = 1 + rand() % 3;
			m[129] = 1;
			for (j = 2; j < 64; j++)
				m[128 + j] = rand() % 4 ? 1 + rand() % 3 : rand();
		} else {
			m[4] = rand() % 2 ? 0x80 : 0;
			m[7] = rand() % 70;
			m[6] = rand() % 70;
		}
		ret = transact_to(m, &r, ag, 0xffff, 0, 0);
		if (ret)
			t.bad++;	/* refused by ib_mad: not sent */
		else if (r.answered)
			t.answered++;
		else
			t.timeouts++;
	}
	printf("dr random: %lu sent, %lu answered, %lu unanswered, %lu refused by ib_mad\n",
	       n, t.answered, t.timeouts, t.bad);
	timeout_ms = TIMEOUT_MS;
	dr_node_check(ag, to_switch, 1, 2, "the switch's");
	dr_node_check(ag, to_hca, 2, 1, "port 2's HCA's");
	umad_unregister(fd, ag);
	return failed;
}

static int run_op(int argc, char **argv)
{
	struct mcm_req q;
	unsigned long n;
	char *end;

	timeout_ms = JOIN_TIMEOUT_MS;
	if (argc >= 2 && (!strcmp(argv[0], "join") || !strcmp(argv[0], "leave"))) {
		if (mcm_build(&q, argv[1], argc - 2, argv + 2))
			return 2;
		return run_one(!strcmp(argv[0], "join") ? METHOD_SET : METHOD_DELETE,
			       &q);
	}
	if (argc == 1 && !strcmp(argv[0], "gettable")) {
		/* A PathRecord GetTable whose answer nobody ACKs. */
		uint8_t m[MAD_SIZE];

		mad_init(m, 1, SA_VERSION, 0x12, ATTR_PATH);
		rmpp_check("PathRecord GetTable answered, left unACKed", m);
		return failed;
	}
	if (argc == 3 && !strcmp(argv[0], "dr"))
		return run_dr(strtol(argv[1], NULL, 0), strtoul(argv[2], NULL, 0));
	if (argc == 3 && !strcmp(argv[0], "agents"))
		return run_agents(strtol(argv[1], NULL, 0), strtoul(argv[2], NULL, 0));
	if (argc >= 3 && !strcmp(argv[0], "cycle")) {
		n = strtoul(argv[1], &end, 0);
		if (!*argv[1] || *end || !n || mcm_build(&q, argv[2], argc - 3, argv + 3))
			return 2;
		return run_cycles(n, &q);
	}
	fprintf(stderr, "sa_mad: unknown operation %s\n", argv[0]);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned int seed = 1, n = 500, i;
	struct tally t = {};
	umad_port_t port;
	uint8_t m[MAD_SIZE];
	struct reply r;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: sa_mad [-n N] [-s SEED] CA\n"
			"       sa_mad CA join|leave MGID [FIELD=VALUE...]\n"
			"       sa_mad CA cycle N MGID [FIELD=VALUE...]\n"
			"       sa_mad CA gettable\n"
			"       sa_mad CA agents LID N\n"
			"       sa_mad CA dr PORT N\n");
		return 2;
	}
	if (umad_init() < 0 || umad_get_port(argv[optind], 1, &port) < 0) {
		fprintf(stderr, "sa_mad: no port 1 on %s\n", argv[optind]);
		return 2;
	}
	dlid = port.sm_lid;
	memcpy(own_gid, &port.gid_prefix, 8);
	memcpy(own_gid + 8, &port.port_guid, 8);
	umad_release_port(&port);
	fd = umad_open_port(argv[optind], 1);
	if (fd < 0) {
		fprintf(stderr, "sa_mad: umad_open_port: %s\n", strerror(-fd));
		return 2;
	}
	agent = umad_register(fd, SA_CLASS, SA_VERSION, 0, NULL);
	if (agent < 0) {
		fprintf(stderr, "sa_mad: umad_register: %s\n", strerror(errno));
		return 2;
	}
	srand(seed);
	if (optind < argc - 1) {
		failed = run_op(argc - optind - 1, argv + optind + 1);
		goto out;
	}

	mad_init(m, 1, SA_VERSION, 0x01, ATTR_CPI);
	check("ClassPortInfo Get answered", m, 0);
	mad_init(m, 1, SA_VERSION, 0x01, 0xbeef);
	check("unknown attribute 0xbeef: method/attribute not supported", m, ST_UNSUP_METHOD_ATTR);
	mad_init(m, 1, SA_VERSION, 0x7e, ATTR_CPI);
	check("undefined method 0x7e: method not supported", m, ST_UNSUP_METHOD);
	mad_init(m, 1, SA_VERSION, 0x12, ATTR_CPI);
	check("ClassPortInfo GetTable: method/attribute not supported",
	      m, ST_UNSUP_METHOD_ATTR);
	mad_init(m, 1, SA_VERSION, 0x12, ATTR_PATH);
	m[53] = 0x01;			/* MTUSelector: not compared */
	check("PathRecord GetTable with a selector component: request invalid",
	      m, ST_SA_REQ_INVALID);
	/*
	 * This agent is not an RMPP one: it gets the table's one segment
	 * as it is and ACKs nothing, so the SA sends it again a few times
	 * and then ends the transfer (sa_mads.sh reads the counters).
	 */
	mad_init(m, 1, SA_VERSION, 0x12, ATTR_PATH);
	rmpp_check("PathRecord GetTable: one RMPP segment, first and last", m);
	mad_init(m, 1, SA_VERSION, 0x02, ATTR_CPI);
	check("ClassPortInfo Set: method/attribute not supported", m, ST_UNSUP_METHOD_ATTR);
	mad_init(m, 1, 3, 0x01, ATTR_CPI);
	check("class version 3: bad version", m, ST_BAD_VERSION);
	mad_init(m, 1, SA_VERSION, 0x02, ATTR_MCM);
	check("MCMemberRecord Set, empty component mask: insufficient components",
	      m, ST_SA_INSUFF_COMP);
	mad_init(m, 1, SA_VERSION, 0x15, ATTR_MCM);
	memset(m + 48, 0xff, 8);	/* every component, of a zeroed record */
	check("MCMemberRecord Delete of no group: request invalid", m, ST_SA_REQ_INVALID);
	mad_init(m, 1, SA_VERSION, 0x01, ATTR_PATH);
	m[55] = 0x0c;			/* DGID | SGID */
	check("PathRecord Get to an unknown GID: no records", m, ST_SA_NO_RECORDS);

	for (i = 0; i < n; i++) {
		int resp = i % 50 == 49;	/* one in 50 has the response bit */

		random_mad(m, SA_CLASS, SA_VERSION, resp);
		if (rand() % 2) {	/* often a real attribute */
			m[16] = 0;
			m[17] = real_attrs[rand() % 3];
		}
		m[25] = 0;		/* RMPP type: not an ACK, which SAs ignore */
		tally_one(&t, transact(m, &r), &r, resp);
	}
	printf("random: %u sent, %lu answered, %lu timed out, %lu bad\n",
	       n, t.answered, t.timeouts, t.bad);
	if (t.bad) {
		printf("not ok random MADs: every request answered, every response ignored\n");
		failed = 1;
	} else {
		printf("ok random MADs: every request answered, every response ignored\n");
	}
	mad_init(m, 1, SA_VERSION, 0x01, ATTR_CPI);
	check("ClassPortInfo Get still answered", m, 0);

out:
	umad_unregister(fd, agent);
	umad_close_port(fd);
	return failed;
}
