/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rdma-backports compat layer: one name per kernel API difference.
 *
 * Every decision here tests a HAVE_* feature macro produced by compiling a
 * probe against the target kernel (scripts/compat/probes/), never
 * LINUX_VERSION_CODE: distribution kernels backport APIs without changing it.
 * The generated rb_compat_autoconf.h lives in the build directory.
 */
#ifndef RB_COMPAT_H
#define RB_COMPAT_H

#include <rb_compat_autoconf.h>
#include <linux/ptrace.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_sa.h>

/* Port numbers in the verbs: u32 since 5.13, u8 before. */
#ifdef HAVE_IB_PORT_U32
typedef u32 rb_port_t;
#else
typedef u8 rb_port_t;
#endif

/**
 * rb_kprobe_arg() - the Nth integer argument of a function, at its entry
 * @regs: registers as a kprobe pre-handler (at offset 0) receives them
 * @n: argument index, 0-based; only register-passed arguments (n < 6 on
 *     x86-64, n < 8 on arm64)
 *
 * Return: the argument's raw value, or 0 when it is not in a register.
 */
static inline unsigned long rb_kprobe_arg(struct pt_regs *regs, unsigned int n)
{
#if defined(HAVE_REGS_GET_KERNEL_ARGUMENT)
	return regs_get_kernel_argument(regs, n);
#elif defined(CONFIG_X86_64)
	switch (n) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->cx;
	case 4: return regs->r8;
	case 5: return regs->r9;
	}
	return 0;
#elif defined(CONFIG_ARM64)
	return n < 8 ? regs->regs[n] : 0;
#else
#error "rb_kprobe_arg: no regs_get_kernel_argument() and no known calling convention"
#endif
}

/**
 * rb_dev_blocks_mcast_loopback() - can QPs of @dev block multicast loopback?
 * @dev: the RDMA device
 *
 * The capability moved from device_cap_flags (IB_DEVICE_*) to
 * kernel_cap_flags (IBK_*) in 6.0; probe for both.
 *
 * Return: true when the device honours IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK.
 */
static inline bool rb_dev_blocks_mcast_loopback(const struct ib_device *dev)
{
#if defined(HAVE_IBK_BLOCK_MULTICAST_LOOPBACK)
	return dev->attrs.kernel_cap_flags & IBK_BLOCK_MULTICAST_LOOPBACK;
#elif defined(HAVE_IB_DEVICE_BLOCK_MULTICAST_LOOPBACK)
	return dev->attrs.device_cap_flags & IB_DEVICE_BLOCK_MULTICAST_LOOPBACK;
#else
	return false;
#endif
}

/**
 * rb_attr_set_block_mcast_loopback() - advertise the loopback-blocking cap
 * @attr: device attributes a driver fills in
 */
static inline void rb_attr_set_block_mcast_loopback(struct ib_device_attr *attr)
{
#if defined(HAVE_IBK_BLOCK_MULTICAST_LOOPBACK)
	attr->kernel_cap_flags |= IBK_BLOCK_MULTICAST_LOOPBACK;
#elif defined(HAVE_IB_DEVICE_BLOCK_MULTICAST_LOOPBACK)
	attr->device_cap_flags |= IB_DEVICE_BLOCK_MULTICAST_LOOPBACK;
#endif
}

/*
 * ib_client.add() returns int since 5.8 (a device it declines gets no client
 * data, and remove() is not called for it); before, it returned nothing.
 * Write the callback returning int, then:
 *
 *	RB_IB_CLIENT_ADD_WRAPPER(my_add);
 *	static struct ib_client my_client = { .add = RB_IB_CLIENT_ADD(my_add), ... };
 *
 * On old kernels remove() is also called for declined devices, with NULL.
 */
#ifdef HAVE_IB_CLIENT_ADD_RETURNS_INT
#define RB_IB_CLIENT_ADD_WRAPPER(fn) struct rb_unused_##fn
#define RB_IB_CLIENT_ADD(fn) (fn)
#else
#define RB_IB_CLIENT_ADD_WRAPPER(fn)					\
	static void fn##_noret(struct ib_device *dev) { fn(dev); }	\
	struct rb_unused_##fn
#define RB_IB_CLIENT_ADD(fn) (fn##_noret)
#endif

/*
 * JoinState bits of an MCMemberRecord (IBA 15.2.5.17): rec->join_state is a
 * bit mask, bit i meaning membership type i. SendOnlyFullMember (bit 3) has
 * its enum name only since 4.9.
 */
#define RB_JOIN_FULL_MEMBER		BIT(0)
#define RB_JOIN_NON_MEMBER		BIT(1)
#define RB_JOIN_SENDONLY_NON_MEMBER	BIT(2)
#ifdef HAVE_SENDONLY_FULLMEMBER_JOIN
#define RB_JOIN_SENDONLY_FULL_MEMBER	BIT(SENDONLY_FULLMEMBER_JOIN)
#else
#define RB_JOIN_SENDONLY_FULL_MEMBER	BIT(3)
#endif

/* Module version text shown by modinfo: suite version and build's git state. */
#define RB_MODULE_VERSION RB_VERSION " (" RB_DESCRIBE ")"

/*
 * RB_MODULE_INFO() - the compat probe summary of the kernel a module was
 * built for, in modinfo ("rb_compat:"), next to MODULE_VERSION(RB_MODULE_VERSION):
 * the first things support staff ask for. Every module of the suite has both.
 */
#define RB_MODULE_INFO() MODULE_INFO(rb_compat, RB_COMPAT_SUMMARY)

#endif /* RB_COMPAT_H */
