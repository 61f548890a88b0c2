// SPDX-License-Identifier: GPL-2.0-only
/*
 * rxe_flags_shim.so - let IBV_QP_CREATE_BLOCK_SELF_MCAST_LB reach the kernel
 * through rdma-core's rxe provider (LD_PRELOAD).
 *
 * rdma-core's rxe provider (librxe, 44.0 in Debian 12) refuses every QP
 * create flag itself, with EOPNOTSUPP, before the kernel is asked
 * (RXE_QP_CREATE_FLAGS_SUP is 0). So on soft-RoCE the kernel's answer to
 * the flag cannot be seen from user space, stock or patched: the provider
 * needs the companion change of adding the flag to its supported set. This
 * shim stands in for that change: it takes the flag out of the request
 * rdma_create_qp_ex() hands to the provider, and puts it back into the one
 * the provider hands to ibv_cmd_create_qp_ex2(), the libibverbs call that
 * talks to the kernel. Both are called across library boundaries, so a
 * preloaded definition takes their place. Nothing else changes: the flag
 * means nothing to the provider's own code.
 *
 *   LD_PRELOAD=bin/rxe_flags_shim.so mckey -l ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

/* libibverbs' private driver interface, infiniband/driver.h, not installed */
struct verbs_qp;
struct ibv_create_qp_ex;
struct ib_uverbs_ex_create_qp_resp;

typedef int (*create_qp_ex_fn)(struct rdma_cm_id *id,
			       struct ibv_qp_init_attr_ex *attr);
typedef int (*cmd_create_qp_ex2_fn)(struct ibv_context *context,
				    struct verbs_qp *qp,
				    struct ibv_qp_init_attr_ex *attr,
				    struct ibv_create_qp_ex *cmd,
				    size_t cmd_size,
				    struct ib_uverbs_ex_create_qp_resp *resp,
				    size_t resp_size);

static __thread unsigned int held_flags;

static void *next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "rxe_flags_shim: no %s\n", name);
		abort();
	}
	return f;
}

int rdma_create_qp_ex(struct rdma_cm_id *id, struct ibv_qp_init_attr_ex *attr)
{
	static create_qp_ex_fn real;
	unsigned int flags = 0;
	int ret;

	if (!real)
		real = (create_qp_ex_fn)next("rdma_create_qp_ex");
	if (attr->comp_mask & IBV_QP_INIT_ATTR_CREATE_FLAGS) {
		flags = attr->create_flags & IBV_QP_CREATE_BLOCK_SELF_MCAST_LB;
		attr->create_flags &= ~flags;
	}
	held_flags = flags;
	ret = real(id, attr);
	held_flags = 0;
	attr->create_flags |= flags;
	return ret;
}

int ibv_cmd_create_qp_ex2(struct ibv_context *context, struct verbs_qp *qp,
			  struct ibv_qp_init_attr_ex *attr,
			  struct ibv_create_qp_ex *cmd, size_t cmd_size,
			  struct ib_uverbs_ex_create_qp_resp *resp,
			  size_t resp_size)
{
	static cmd_create_qp_ex2_fn real;

	if (!real)
		real = (cmd_create_qp_ex2_fn)next("ibv_cmd_create_qp_ex2");
	if (held_flags) {
		attr->comp_mask |= IBV_QP_INIT_ATTR_CREATE_FLAGS;
		attr->create_flags |= held_flags;
	}
	return real(context, qp, attr, cmd, cmd_size, resp, resp_size);
}
