// SPDX-License-Identifier: GPL-2.0-only
/*
 * rdma_sniffer_feed - feed an RDMA port's packets, kernel-bypass traffic
 * included, to rdma_sniffer's monitor of that port.
 *
 * mlx5 (ConnectX-4 and later) copies every packet a port sends and
 * receives to a sniffer flow: a raw packet QP with one
 * IBV_FLOW_ATTR_SNIFFER flow receives them all (CAP_NET_RAW). This program
 * creates that QP and flow and writes each packet it receives to the
 * port's rdma_sniffer feed file (Documentation/rdma_sniffer.rst, "The user
 * backend"): one flags byte, bit 0 set for a packet the port sent, and the
 * packet as received. The QP cannot tell the directions apart; a packet is
 * taken as sent when its source is the port: the source MAC of an Ethernet
 * port's netdev, or the port's LID (with its LMC) on InfiniBand.
 *
 *   echo "mlx5_0 1" > /sys/kernel/debug/rdma_sniffer/new_user_port
 *   echo "mlx5_0 1" > /sys/kernel/debug/rdma_sniffer/new_monitor
 *   rdma_sniffer_feed mlx5_0 1 &
 *
 * Exit status: 0 after -n packets or SIGINT/SIGTERM; 1 usage or system
 * error; 2 no such verbs device, port or monitor; 3 the device cannot do
 * it (no raw packet QP or no sniffer flow).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#define FEED_DIR	"/sys/kernel/debug/rdma_sniffer/monitors"
#define NRECV		256
#define SLOT		(16384 + 1)	/* flags byte + rdma_sniffer's largest */
#define FLAG_SENT	0x01

#define EXIT_USAGE	1
#define EXIT_NODEV	2
#define EXIT_NOSUPP	3

static const char *prog = "rdma_sniffer_feed";
static volatile sig_atomic_t stop;	/* set by the signal handler */

struct feeder {
	const char *devname;
	unsigned int port;
	bool eth;
	uint16_t lid, lid_mask;		/* InfiniBand: the port's LIDs */
	uint8_t mac[6];			/* Ethernet: its netdev's address */
	bool have_mac;
	int fd;				/* the feed file */
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_comp_channel *ch;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	struct ibv_flow *flow;
	struct ibv_mr *mr;
	uint8_t *buf;			/* NRECV slots of SLOT bytes */
	uint64_t packets, written, refused, errors;
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* As the kernel's tools/include spell them. */
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __noreturn	__attribute__((noreturn))

static __printf(2, 3) __noreturn int die(int code, const char *fmt, ...);

static int die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* The first line of a file, without its newline; empty on any error. */
static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* The feed file of the user-backend monitor of the port, or exit. */
static void open_feed(struct feeder *fe, const char *path)
{
	char p[PATH_MAX], v[64], found[PATH_MAX] = "";
	struct dirent *de;
	DIR *d;

	if (!path) {
		d = opendir(FEED_DIR);
		if (!d)
			die(EXIT_NODEV, "%s: %s (is rdma_sniffer loaded and debugfs mounted?)",
			    FEED_DIR, strerror(errno));
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), FEED_DIR "/%s/device", de->d_name);
			read_line(p, v, sizeof(v));
			if (strcmp(v, fe->devname))
				continue;
			snprintf(p, sizeof(p), FEED_DIR "/%s/port", de->d_name);
			read_line(p, v, sizeof(v));
			if (strtoul(v, NULL, 10) != fe->port)
				continue;
			snprintf(found, sizeof(found), FEED_DIR "/%s/feed", de->d_name);
			break;
		}
		closedir(d);
		if (!found[0])
			die(EXIT_NODEV,
			    "no rdma_sniffer monitor of %s port %u: write \"%s %u\" to %s, then to %s",
			    fe->devname, fe->port, fe->devname, fe->port,
			    "new_user_port", "new_monitor");
		path = found;
	}
	fe->fd = open(path, O_WRONLY);
	if (fe->fd < 0)
		die(errno == ENOENT ? EXIT_NODEV : EXIT_USAGE,
		    "%s: %s (the monitor of %s port %u must be of backend \"user\": new_user_port before new_monitor)",
		    path, strerror(errno), fe->devname, fe->port);
}

/* The MAC of the port's netdev, from sysfs, for the direction. */
static void port_mac(struct feeder *fe)
{
	char p[PATH_MAX], v[64];
	unsigned int m[6];
	int i;

	snprintf(p, sizeof(p), "/sys/class/infiniband/%s/ports/%u/gid_attrs/ndevs/0",
		 fe->devname, fe->port);
	read_line(p, v, sizeof(v));
	if (!v[0])
		return;
	snprintf(p, sizeof(p), "/sys/class/net/%s/address", v);
	read_line(p, v, sizeof(v));
	if (sscanf(v, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		return;
	for (i = 0; i < 6; i++)
		fe->mac[i] = m[i];
	fe->have_mac = true;
}

static void open_device(struct feeder *fe)
{
	struct ibv_device **list;
	struct ibv_port_attr pa;
	int n, i;

	list = ibv_get_device_list(&n);
	if (!list)
		die(EXIT_NODEV, "cannot list verbs devices: %s (is ib_uverbs loaded?)",
		    strerror(errno));
	for (i = 0; i < n; i++)
		if (!strcmp(ibv_get_device_name(list[i]), fe->devname))
			break;
	if (i == n)
		die(EXIT_NODEV,
		    "no verbs device %s (%d found; one needs ib_uverbs and a verbs provider)",
		    fe->devname, n);
	fe->ctx = ibv_open_device(list[i]);
	if (!fe->ctx)
		die(EXIT_NODEV, "%s: cannot open: %s", fe->devname, strerror(errno));
	ibv_free_device_list(list);
	if (fe->port < 1 || fe->port > 255 ||
	    ibv_query_port(fe->ctx, fe->port, &pa))
		die(EXIT_NODEV, "%s has no port %u", fe->devname, fe->port);
	fe->eth = pa.link_layer == IBV_LINK_LAYER_ETHERNET;
	fe->lid = pa.lid;
	fe->lid_mask = (uint16_t)~((1u << pa.lmc) - 1);
	if (fe->eth) {
		port_mac(fe);
		if (!fe->have_mac)
			fprintf(stderr, "%s: %s port %u: no netdev address; %s\n",
				prog, fe->devname, fe->port,
				"every packet is taken as received");
	}
}

static void post_recv(struct feeder *fe, unsigned int i)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(fe->buf + (size_t)i * SLOT + 1),
		.length = SLOT - 1,
		.lkey = fe->mr->lkey,
	};
	struct ibv_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 };
	struct ibv_recv_wr *bad;

	if (ibv_post_recv(fe->qp, &wr, &bad))
		die(EXIT_USAGE, "%s: ibv_post_recv: %s", fe->devname, strerror(errno));
}

static void setup_qp(struct feeder *fe)
{
	struct ibv_qp_init_attr qa = {
		.qp_type = IBV_QPT_RAW_PACKET,
		.cap = { .max_recv_wr = NRECV, .max_recv_sge = 1 },
	};
	struct ibv_flow_attr fa = {
		.type = IBV_FLOW_ATTR_SNIFFER,
		.size = sizeof(fa),
		.port = fe->port,
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = fe->port };
	unsigned int i;

	fe->pd = ibv_alloc_pd(fe->ctx);
	fe->ch = ibv_create_comp_channel(fe->ctx);
	if (!fe->pd || !fe->ch)
		die(EXIT_USAGE, "%s: PD or completion channel: %s", fe->devname,
		    strerror(errno));
	fe->cq = ibv_create_cq(fe->ctx, NRECV, NULL, fe->ch, 0);
	if (!fe->cq)
		die(EXIT_USAGE, "%s: ibv_create_cq: %s", fe->devname, strerror(errno));
	qa.send_cq = fe->cq;
	qa.recv_cq = fe->cq;
	fe->qp = ibv_create_qp(fe->pd, &qa);
	if (!fe->qp)
		die(EXIT_NOSUPP, "%s port %u: no raw packet QP (%s): %s",
		    fe->devname, fe->port, strerror(errno),
		    errno == EPERM ? "needs CAP_NET_RAW" :
		    "the device or its driver has none; only mlx4/mlx5 offer sniffer capture");
	if (ibv_modify_qp(fe->qp, &a, IBV_QP_STATE | IBV_QP_PORT))
		die(EXIT_USAGE, "%s: raw packet QP to INIT: %s", fe->devname, strerror(errno));
	a.qp_state = IBV_QPS_RTR;
	if (ibv_modify_qp(fe->qp, &a, IBV_QP_STATE))
		die(EXIT_USAGE, "%s: raw packet QP to RTR: %s", fe->devname, strerror(errno));

	fe->buf = calloc(NRECV, SLOT);
	if (!fe->buf)
		die(EXIT_USAGE, "out of memory");
	fe->mr = ibv_reg_mr(fe->pd, fe->buf, (size_t)NRECV * SLOT,
			    IBV_ACCESS_LOCAL_WRITE);
	if (!fe->mr)
		die(EXIT_USAGE, "%s: ibv_reg_mr: %s", fe->devname, strerror(errno));
	for (i = 0; i < NRECV; i++)
		post_recv(fe, i);

	fe->flow = ibv_create_flow(fe->qp, &fa);
	if (!fe->flow)
		die(EXIT_NOSUPP, "%s port %u: sniffer flow refused (%s): %s",
		    fe->devname, fe->port, strerror(errno),
		    errno == EPERM ? "needs CAP_NET_RAW" :
		    "the device has no sniffer flow tables (mlx5: allow_sniffer_and_nic_rx_shared_tir)");
	if (ibv_req_notify_cq(fe->cq, 0))
		die(EXIT_USAGE, "%s: ibv_req_notify_cq: %s", fe->devname, strerror(errno));
}

/* Did the port send this packet? Its source is the port's. */
static bool sent_by_port(const struct feeder *fe, const uint8_t *p, uint32_t n)
{
	if (fe->eth)
		return fe->have_mac && n >= 12 && !memcmp(p + 6, fe->mac, 6);
	if (n < 8)
		return false;
	return fe->lid && ((p[6] << 8 | p[7]) & fe->lid_mask) == fe->lid;
}

static void feed_one(struct feeder *fe, const struct ibv_wc *wc)
{
	uint8_t *slot = fe->buf + (size_t)wc->wr_id * SLOT;

	fe->packets++;
	if (wc->status != IBV_WC_SUCCESS) {
		if (!fe->errors++)
			fprintf(stderr, "%s: receive error: %s (%s)\n", prog,
				ibv_wc_status_str(wc->status),
				"counted, no more of these printed");
		return;
	}
	slot[0] = sent_by_port(fe, slot + 1, wc->byte_len) ? FLAG_SENT : 0;
	if (write(fe->fd, slot, wc->byte_len + 1) >= 0) {
		fe->written++;
	} else if (errno == EINVAL) {
		/* The kernel says why in its log, rate-limited. */
		fe->refused++;
	} else {
		die(EXIT_USAGE, "feed file: %s (the monitor was removed?)", strerror(errno));
	}
}

/* Receive and feed until @limit packets (0: no limit) or a signal. */
static void run(struct feeder *fe, uint64_t limit)
{
	struct pollfd pfd = { .fd = fe->ch->fd, .events = POLLIN };
	struct ibv_wc wc[32];
	struct ibv_cq *cq;
	void *cq_ctx;
	int n, i;

	if (fcntl(fe->ch->fd, F_SETFL, fcntl(fe->ch->fd, F_GETFL) | O_NONBLOCK))
		die(EXIT_USAGE, "completion channel: %s", strerror(errno));
	while (!stop && (!limit || fe->packets < limit)) {
		n = ibv_poll_cq(fe->cq, 32, wc);
		if (n < 0)
			die(EXIT_USAGE, "%s: ibv_poll_cq failed", fe->devname);
		for (i = 0; i < n; i++) {
			feed_one(fe, &wc[i]);
			post_recv(fe, wc[i].wr_id);
		}
		if (n)
			continue;
		if (poll(&pfd, 1, 500) <= 0)
			continue;
		if (ibv_get_cq_event(fe->ch, &cq, &cq_ctx))
			continue;
		ibv_ack_cq_events(cq, 1);
		if (ibv_req_notify_cq(fe->cq, 0))
			die(EXIT_USAGE, "%s: ibv_req_notify_cq: %s", fe->devname, strerror(errno));
	}
}

static void teardown(struct feeder *fe)
{
	ibv_destroy_flow(fe->flow);
	ibv_destroy_qp(fe->qp);
	ibv_dereg_mr(fe->mr);
	ibv_destroy_cq(fe->cq);
	ibv_destroy_comp_channel(fe->ch);
	ibv_dealloc_pd(fe->pd);
	ibv_close_device(fe->ctx);
	free(fe->buf);
	close(fe->fd);
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: %s [-n PACKETS] [-f FEEDFILE] DEVICE PORT\n"
		"  feeds the packets of DEVICE's port PORT, taken by a raw packet QP with an\n"
		"  IBV_FLOW_ATTR_SNIFFER flow, to the rdma_sniffer monitor of that port\n"
		"  (one of backend \"user\", or FEEDFILE); needs root (CAP_NET_RAW, debugfs)\n",
		prog);
	exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
	struct feeder fe = { .fd = -1 };
	const char *path = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t limit = 0;
	char *end;
	int c;

	while ((c = getopt(argc, argv, "n:f:h")) != -1) {
		switch (c) {
		case 'n':
			limit = strtoull(optarg, &end, 0);
			if (*end || !*optarg)
				print_usage();
			break;
		case 'f':
			path = optarg;
			break;
		default:
			print_usage();
		}
	}
	if (argc - optind != 2)
		print_usage();
	fe.devname = argv[optind];
	fe.port = strtoul(argv[optind + 1], &end, 10);
	if (*end || !argv[optind + 1][0])
		print_usage();

	open_feed(&fe, path);
	open_device(&fe);
	setup_qp(&fe);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "%s: feeding %s port %u (%s) to rdma_sniffer\n", prog,
		fe.devname, fe.port, fe.eth ? "Ethernet frames" : "InfiniBand packets");
	run(&fe, limit);
	fprintf(stderr, "%s: %llu packets: %llu fed, %llu refused by %s, %llu receive errors\n",
		prog, (unsigned long long)fe.packets,
		(unsigned long long)fe.written, (unsigned long long)fe.refused,
		"rdma_sniffer", (unsigned long long)fe.errors);
	teardown(&fe);
	return 0;
}
