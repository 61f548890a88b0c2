// SPDX-License-Identifier: GPL-2.0-only
/*
 * mcast_lb - who receives a UD multicast send: the sender's own QP, other
 * QPs of the sender's device, QPs of other devices.
 *
 *   mcast_lb [options] SENDER_IP [RECEIVER_IP...]
 *
 * One process, one rdma_cm id and UD QP per address: the first is the
 * sender, the others receivers (an address given twice gives two QPs on one
 * device). Every QP, the sender's included, posts receives and joins the
 * group as a full member (the sender send-only with -o); the sender then
 * sends -n messages with its QPN as immediate data, and every QP counts what
 * arrives within -w milliseconds. mckey cannot show the sender's own
 * loopback: its sender posts no receives.
 *
 *   -b      create the sender's QP with IBV_QP_CREATE_BLOCK_SELF_MCAST_LB
 *   -B      create the receivers' QPs with it as well
 *   -o      the sender joins as a send-only full member
 *   -q      give receivers on other devices the sender's QPN, by creating
 *           their QP again until the number matches (rxe allocates QPNs
 *           cyclically per device), so that a same-numbered QP elsewhere is
 *           tested too
 *   -r      only try to create an RC QP with the flag on SENDER_IP, report
 *   -n N    messages (10)      -m GROUP  (239.1.1.1)     -w MS  (3000)
 *
 * Output, one line per QP:
 *   qp node=0 role=sender ip=10.0.0.1 dev=rxe0 qpn=17 block=1 got=0 from_sender=0
 * and "sent=N". Exit 0 when all ran (whatever was received), 2 when a QP
 * could not be created ("create-qp ... errno=N (text)"), 1 on other errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#define MAX_NODES	8
#define MSG_SIZE	64
#define BUF_SIZE	(MSG_SIZE + sizeof(struct ibv_grh))

struct node {
	const char *ip;
	int sender;
	int block;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_mr *mr;
	char *buf;
	struct ibv_ah *ah;
	unsigned int remote_qpn;
	unsigned int remote_qkey;
	int got;
	int from_sender;
	int sent;
};

static struct rdma_event_channel *channel;
static struct sockaddr_in group;
static int count = 10;
static int wait_ms = 3000;

static void die(const char *what)
{
	fprintf(stderr, "mcast_lb: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* wait_event() - the next CM event of @id, which must be @want */
static int wait_event(struct rdma_cm_id *id, enum rdma_cm_event_type want,
		      struct rdma_ud_param *ud)
{
	struct rdma_cm_event *ev;
	int ret = 0;

	if (rdma_get_cm_event(channel, &ev))
		die("rdma_get_cm_event");
	if (ev->id != id || ev->event != want) {
		fprintf(stderr, "mcast_lb: got event %s status %d, wanted %s\n",
			rdma_event_str(ev->event), ev->status,
			rdma_event_str(want));
		ret = -1;
	} else if (ud) {
		*ud = ev->param.ud;
	}
	rdma_ack_cm_event(ev);
	return ret;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int create_qp(struct node *n, enum ibv_qp_type type)
{
	struct ibv_qp_init_attr_ex attr;

	memset(&attr, 0, sizeof(attr));
	attr.qp_type = type;
	attr.send_cq = n->cq;
	attr.recv_cq = n->cq;
	attr.cap.max_send_wr = count + 1;
	attr.cap.max_recv_wr = 2 * count + 1;
	attr.cap.max_send_sge = 1;
	attr.cap.max_recv_sge = 1;
	attr.comp_mask = IBV_QP_INIT_ATTR_PD;
	attr.pd = n->pd;
	if (n->block) {
		attr.comp_mask |= IBV_QP_INIT_ATTR_CREATE_FLAGS;
		attr.create_flags = IBV_QP_CREATE_BLOCK_SELF_MCAST_LB;
	}
	if (rdma_create_qp_ex(n->id, &attr)) {
		printf("create-qp ip=%s type=%s block=%d errno=%d (%s)\n",
		       n->ip, type == IBV_QPT_UD ? "ud" : "rc", n->block,
		       errno, strerror(errno));
		return -1;
	}
	return 0;
}

/* setup() - resolve @n's address to its device, allocate its resources */
static int setup(struct node *n)
{
	struct sockaddr_in src;

	if (rdma_create_id(channel, &n->id, n, RDMA_PS_UDP))
		die("rdma_create_id");
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	if (inet_pton(AF_INET, n->ip, &src.sin_addr) != 1) {
		fprintf(stderr, "mcast_lb: bad address %s\n", n->ip);
		exit(1);
	}
	if (rdma_resolve_addr(n->id, (struct sockaddr *)&src,
			      (struct sockaddr *)&group, 2000))
		die("rdma_resolve_addr");
	if (wait_event(n->id, RDMA_CM_EVENT_ADDR_RESOLVED, NULL))
		exit(1);

	n->pd = ibv_alloc_pd(n->id->verbs);
	if (!n->pd)
		die("ibv_alloc_pd");
	n->cq = ibv_create_cq(n->id->verbs, 4 * count + 4, NULL, NULL, 0);
	if (!n->cq)
		die("ibv_create_cq");
	n->buf = calloc(2 * count + 1, BUF_SIZE);
	if (!n->buf)
		die("calloc");
	n->mr = ibv_reg_mr(n->pd, n->buf, (2 * count + 1) * BUF_SIZE,
			   IBV_ACCESS_LOCAL_WRITE);
	if (!n->mr)
		die("ibv_reg_mr");
	return 0;
}

static void post_recvs(struct node *n)
{
	struct ibv_recv_wr wr, *bad;
	struct ibv_sge sge;
	int i;

	for (i = 0; i < 2 * count; i++) {
		sge.addr = (uintptr_t)(n->buf + (i + 1) * BUF_SIZE);
		sge.length = BUF_SIZE;
		sge.lkey = n->mr->lkey;
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = i;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		if (ibv_post_recv(n->id->qp, &wr, &bad))
			die("ibv_post_recv");
	}
}

static void join(struct node *n, int send_only)
{
	struct rdma_cm_join_mc_attr_ex mc;
	struct rdma_ud_param ud;

	memset(&mc, 0, sizeof(mc));
	mc.comp_mask = RDMA_CM_JOIN_MC_ATTR_ADDRESS |
		       RDMA_CM_JOIN_MC_ATTR_JOIN_FLAGS;
	mc.addr = (struct sockaddr *)&group;
	mc.join_flags = send_only ? RDMA_MC_JOIN_FLAG_SENDONLY_FULLMEMBER :
				    RDMA_MC_JOIN_FLAG_FULLMEMBER;
	if (rdma_join_multicast_ex(n->id, &mc, n))
		die("rdma_join_multicast_ex");
	if (wait_event(n->id, RDMA_CM_EVENT_MULTICAST_JOIN, &ud))
		exit(1);
	n->remote_qpn = ud.qp_num;
	n->remote_qkey = ud.qkey;
	if (n->sender) {
		n->ah = ibv_create_ah(n->pd, &ud.ah_attr);
		if (!n->ah)
			die("ibv_create_ah");
	}
}

/* poll_node() - reap @n's completions, count receives */
static void poll_node(struct node *n, unsigned int sender_qpn)
{
	struct ibv_wc wc[16];
	int i, k;

	while ((k = ibv_poll_cq(n->cq, 16, wc)) > 0) {
		for (i = 0; i < k; i++) {
			if (wc[i].status != IBV_WC_SUCCESS) {
				fprintf(stderr, "mcast_lb: %s qpn %u: wc %s\n",
					n->ip, n->id->qp->qp_num,
					ibv_wc_status_str(wc[i].status));
				continue;
			}
			if (wc[i].opcode == IBV_WC_SEND) {
				n->sent++;
				continue;
			}
			if (!(wc[i].opcode & IBV_WC_RECV))
				continue;
			n->got++;
			if (wc[i].src_qp == sender_qpn &&
			    (wc[i].wc_flags & IBV_WC_WITH_IMM) &&
			    ntohl(wc[i].imm_data) == sender_qpn)
				n->from_sender++;
		}
	}
	if (k < 0)
		die("ibv_poll_cq");
}

static void send_all(struct node *s, struct node *nodes, int nn)
{
	unsigned int qpn = s->id->qp->qp_num;
	struct ibv_send_wr wr, *bad;
	struct ibv_sge sge;
	long long end;
	int i, j;

	for (i = 0; i < count; i++) {
		sge.addr = (uintptr_t)s->buf;
		sge.length = MSG_SIZE;
		sge.lkey = s->mr->lkey;
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = i;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		wr.opcode = IBV_WR_SEND_WITH_IMM;
		wr.send_flags = IBV_SEND_SIGNALED;
		wr.imm_data = htonl(qpn);
		wr.wr.ud.ah = s->ah;
		wr.wr.ud.remote_qpn = s->remote_qpn;
		wr.wr.ud.remote_qkey = s->remote_qkey;
		if (ibv_post_send(s->id->qp, &wr, &bad))
			die("ibv_post_send");
		/* one at a time: each send completes before the next */
		end = now_ms() + 2000;
		while (s->sent <= i && now_ms() < end) {
			for (j = 0; j < nn; j++)
				poll_node(&nodes[j], qpn);
			usleep(1000);
		}
	}
}

static int run_rc_check(const char *ip)
{
	struct node n;

	memset(&n, 0, sizeof(n));
	n.ip = ip;
	n.block = 1;
	setup(&n);
	if (create_qp(&n, IBV_QPT_RC))
		return 2;
	printf("create-qp ip=%s type=rc block=1 ok qpn=%u\n", ip,
	       n.id->qp->qp_num);
	return 0;
}

int main(int argc, char **argv)
{
	struct node nodes[MAX_NODES];
	int send_only = 0, block_rx = 0, match_qpn = 0, rc_check = 0;
	const char *grp = "239.1.1.1";
	unsigned int sqpn;
	long long end;
	int nn, i, opt, tries;

	memset(nodes, 0, sizeof(nodes));
	while ((opt = getopt(argc, argv, "bBoqrn:m:w:")) != -1) {
		switch (opt) {
		case 'b':
			nodes[0].block = 1;
			break;
		case 'B':
			block_rx = 1;
			break;
		case 'o':
			send_only = 1;
			break;
		case 'q':
			match_qpn = 1;
			break;
		case 'r':
			rc_check = 1;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'm':
			grp = optarg;
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-bBoqr] [-n N] [-m GROUP] [-w MS]",
				argv[0]);
			fprintf(stderr, " SENDER_IP [RECEIVER_IP...]\n");
			return 1;
		}
	}
	nn = argc - optind;
	if (nn < 1 || nn > MAX_NODES || count < 1) {
		fprintf(stderr, "mcast_lb: 1 to %d addresses, -n >= 1\n",
			MAX_NODES);
		return 1;
	}
	memset(&group, 0, sizeof(group));
	group.sin_family = AF_INET;
	if (inet_pton(AF_INET, grp, &group.sin_addr) != 1) {
		fprintf(stderr, "mcast_lb: bad group %s\n", grp);
		return 1;
	}
	channel = rdma_create_event_channel();
	if (!channel)
		die("rdma_create_event_channel");
	if (rc_check)
		return run_rc_check(argv[optind]);

	for (i = 0; i < nn; i++) {
		nodes[i].ip = argv[optind + i];
		nodes[i].sender = i == 0;
		if (i > 0)
			nodes[i].block = block_rx;
		setup(&nodes[i]);
		if (create_qp(&nodes[i], IBV_QPT_UD))
			return 2;
	}
	sqpn = nodes[0].id->qp->qp_num;

	if (match_qpn) {
		for (i = 1; i < nn; i++) {
			if (nodes[i].id->verbs == nodes[0].id->verbs)
				continue;
			for (tries = 0; tries < 100000 &&
			     nodes[i].id->qp->qp_num < sqpn; tries++) {
				rdma_destroy_qp(nodes[i].id);
				if (create_qp(&nodes[i], IBV_QPT_UD))
					return 2;
			}
		}
	}

	for (i = 0; i < nn; i++) {
		post_recvs(&nodes[i]);
		join(&nodes[i], i == 0 && send_only);
	}

	/* the attachments are made when the join events are read; settle */
	usleep(500 * 1000);
	send_all(&nodes[0], nodes, nn);

	end = now_ms() + wait_ms;
	while (now_ms() < end) {
		for (i = 0; i < nn; i++)
			poll_node(&nodes[i], sqpn);
		usleep(5000);
	}

	printf("sent=%d\n", nodes[0].sent);
	for (i = 0; i < nn; i++)
		printf("qp node=%d role=%s ip=%s dev=%s qpn=%u block=%d got=%d from_sender=%d\n",
		       i, nodes[i].sender ? "sender" : "receiver", nodes[i].ip,
		       ibv_get_device_name(nodes[i].id->verbs->device),
		       nodes[i].id->qp->qp_num, nodes[i].block, nodes[i].got,
		       nodes[i].from_sender);

	for (i = 0; i < nn; i++) {
		rdma_leave_multicast(nodes[i].id, (struct sockaddr *)&group);
		if (nodes[i].ah)
			ibv_destroy_ah(nodes[i].ah);
		rdma_destroy_qp(nodes[i].id);
		ibv_dereg_mr(nodes[i].mr);
		ibv_destroy_cq(nodes[i].cq);
		ibv_dealloc_pd(nodes[i].pd);
		rdma_destroy_id(nodes[i].id);
		free(nodes[i].buf);
	}
	rdma_destroy_event_channel(channel);
	return 0;
}
