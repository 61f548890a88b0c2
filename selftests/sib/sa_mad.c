// SPDX-License-Identifier: GPL-2.0-only
/*
 * sa_mad - SA MADs from user space (ib_umad) to rdma_sib's subnet
 * administrator: the statuses it answers malformed and unsupported requests
 * with, then garbage, then whether it still answers.
 *
 *   sa_mad [-n N] [-s SEED] CA
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
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/umad.h>

#define MAD_SIZE		256
#define SA_CLASS		0x03
#define SA_VERSION		2
#define SA_QKEY			0x80010000
#define TIMEOUT_MS		300

#define ST_BAD_VERSION		0x0004
#define ST_UNSUP_METHOD		0x0008
#define ST_UNSUP_METHOD_ATTR	0x000c
#define ST_SA_REQ_INVALID	0x0200
#define ST_SA_NO_RECORDS	0x0300
#define ST_SA_INSUFF_COMP	0x0600

#define ATTR_CPI		0x0001
#define ATTR_PATH		0x0035
#define ATTR_MCM		0x0038

static const uint8_t real_attrs[] = { ATTR_CPI, ATTR_PATH, ATTR_MCM };

static int fd, agent, dlid;
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

/* transact: send @m to the SM, wait for the response to its TID. */
static int transact(const uint8_t *m, struct reply *r)
{
	size_t sz = umad_size() + MAD_SIZE;
	void *u = calloc(1, sz);
	uint8_t *rm;
	int len;

	if (!u)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	memcpy(umad_get_mad(u), m, MAD_SIZE);
	umad_set_addr(u, dlid, 1, 0, SA_QKEY);
	if (umad_send(fd, agent, u, MAD_SIZE, TIMEOUT_MS, 0) < 0) {
		free(u);
		return -errno;
	}
	for (;;) {
		len = MAD_SIZE;
		if (umad_recv(fd, u, &len, 4 * TIMEOUT_MS) < 0) {
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

int main(int argc, char **argv)
{
	unsigned int seed = 1, n = 500, i, answered = 0, timeouts = 0, bad = 0;
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
	if (optind != argc - 1) {
		fprintf(stderr, "usage: sa_mad [-n N] [-s SEED] CA\n");
		return 2;
	}
	if (umad_init() < 0 || umad_get_port(argv[optind], 1, &port) < 0) {
		fprintf(stderr, "sa_mad: no port 1 on %s\n", argv[optind]);
		return 2;
	}
	dlid = port.sm_lid;
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

	mad_init(m, 1, SA_VERSION, 0x01, ATTR_CPI);
	check("ClassPortInfo Get answered", m, 0);
	mad_init(m, 1, SA_VERSION, 0x01, 0xbeef);
	check("unknown attribute 0xbeef: method/attribute not supported", m, ST_UNSUP_METHOD_ATTR);
	mad_init(m, 1, SA_VERSION, 0x7e, ATTR_CPI);
	check("undefined method 0x7e: method not supported", m, ST_UNSUP_METHOD);
	mad_init(m, 1, SA_VERSION, 0x12, ATTR_MCM);
	check("MCMemberRecord GetTable (not implemented): method/attribute not supported",
	      m, ST_UNSUP_METHOD_ATTR);
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

	srand(seed);
	for (i = 0; i < n; i++) {
		int resp = i % 50 == 49;	/* one in 50 has the response bit */
		unsigned int j;

		for (j = 0; j < MAD_SIZE; j++)
			m[j] = rand();
		m[0] = 1;
		m[1] = SA_CLASS;
		if (rand() % 2)
			m[2] = SA_VERSION;
		m[3] = resp ? m[3] | 0x80 : m[3] & 0x7f;
		/* TrapRepress travels as a response: no answer is awaited. */
		if (m[3] == 0x07)
			m[3] = 0x01;
		if (rand() % 2) {	/* often a real attribute */
			m[16] = 0;
			m[17] = real_attrs[rand() % 3];
		}
		m[4] = 0;
		m[5] = 0;
		m[25] = 0;		/* RMPP type: not an ACK, which SAs ignore */
		*(uint32_t *)(m + 8) = 0;
		*(uint32_t *)(m + 12) = htonl(next_tid++);
		if (transact(m, &r)) {
			bad++;
			continue;
		}
		if (!r.answered) {
			timeouts++;
			if (!resp)
				bad++;
		} else if (resp || !(r.method & 0x80)) {
			bad++;
		} else {
			answered++;
		}
	}
	printf("random: %u sent, %u answered, %u timed out, %u bad\n",
	       n, answered, timeouts, bad);
	if (bad) {
		printf("not ok random MADs: every request answered, every response ignored\n");
		failed = 1;
	} else {
		printf("ok random MADs: every request answered, every response ignored\n");
	}
	mad_init(m, 1, SA_VERSION, 0x01, ATTR_CPI);
	check("ClassPortInfo Get still answered", m, 0);

	umad_unregister(fd, agent);
	umad_close_port(fd);
	return failed;
}
