// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkt_hold IFNAME RCVBUF: a packet socket without a ring on IFNAME (a
 * monitor) that holds what it receives, unread, until SIGUSR1, and then
 * reads it all and checks each frame. The kernel keeps the frames in the
 * socket's queue (as many as RCVBUF bytes of their truesize allow), so
 * rdma_sniffer must not take their buffers back into its pool while they
 * wait there: any frame whose IPv4 ICMP message no longer checks out, or
 * an echo request seen twice, shows a buffer reused under a reader.
 *
 * Prints "listening" once bound, then one line:
 *   frames N icmp N bad N dup N first-seq S last-seq S
 * (sequence numbers of the echo requests of the first identifier seen).
 * Exit 0 when it could run, 1 on a usage or socket error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Frame layout of rdma_sniffer's IB frames (Documentation/rdma_sniffer.rst). */
#define ETH_LEN		14
#define GRH_LEN		40
#define BTH_LEN		12
#define DETH_LEN	8
#define IPOIB_LEN	4
#define IB_ETHERTYPE	0x8915
#define IP_OFF		(ETH_LEN + GRH_LEN + BTH_LEN + DETH_LEN + IPOIB_LEN)

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int main(int argc, char **argv)
{
	static uint8_t seen[65536], buf[65536];
	long frames = 0, icmp = 0, bad = 0, dup = 0, first = -1, last = -1;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, rcvbuf, id = -1;
	struct sigaction sa;
	sigset_t mask, old;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IFNAME RCVBUF\n", argv[0]);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, &old);

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	rcvbuf = atoi(argv[2]);
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (fd < 0 || !sll.sll_ifindex ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror(argv[1]);
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	while (!go)
		sigsuspend(&old);

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		const uint8_t *ip = buf + IP_OFF, *ic;
		unsigned int ihl, tot, seq;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		frames++;
		if (n < IP_OFF + 28 || (buf[12] << 8 | buf[13]) != IB_ETHERTYPE ||
		    (ip[-4] << 8 | ip[-3]) != ETH_P_IP || (ip[0] >> 4) != 4 ||
		    ip[9] != 1)
			continue;
		ihl = (ip[0] & 15) * 4;
		tot = ip[2] << 8 | ip[3];
		if (ihl < 20 || tot < ihl + 8 || IP_OFF + tot > (size_t)n) {
			bad++;
			continue;
		}
		icmp++;
		ic = ip + ihl;
		if (csum(ip, ihl) || csum(ic, tot - ihl)) {
			bad++;
			continue;
		}
		if (ic[0] != 8)
			continue;
		if (id < 0)
			id = ic[4] << 8 | ic[5];
		if ((ic[4] << 8 | ic[5]) != id)
			continue;
		seq = ic[6] << 8 | ic[7];
		if (seen[seq]++)
			dup++;
		if (first < 0)
			first = seq;
		last = seq;
	}
	printf("frames %ld icmp %ld bad %ld dup %ld first-seq %ld last-seq %ld\n",
	       frames, icmp, bad, dup, first, last);
	return 0;
}
