/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rdma-backports compat layer: one name per kernel API difference.
 *
 * Every decision here tests a HAVE_* feature macro produced by compiling a
 * probe against the target kernel (scripts/compat/probes/), never
 * LINUX_VERSION_CODE: distribution kernels backport APIs without changing it.
 * The generated rbp_compat_autoconf.h lives in the build directory.
 */
#ifndef RBP_COMPAT_H
#define RBP_COMPAT_H

#include <rbp_compat_autoconf.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/rculist.h>
#include <linux/sysfs.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_sa.h>

/* kstrto*(): their own header since 5.14, <linux/kernel.h> before. */
#ifdef HAVE_KSTRTOX_H
#include <linux/kstrtox.h>
#endif

/* Port numbers in the verbs: u32 since 5.13, u8 before. */
#ifdef HAVE_IB_PORT_U32
typedef u32 rbp_port_t;
#else
typedef u8 rbp_port_t;
#endif

/**
 * rbp_kprobe_arg() - the Nth integer argument of a function, at its entry
 * @regs: registers as a kprobe pre-handler (at offset 0) receives them
 * @n: argument index, 0-based; only register-passed arguments (n < 6 on
 *     x86-64, n < 8 on arm64)
 *
 * Return: the argument's raw value, or 0 when it is not in a register.
 */
static inline unsigned long rbp_kprobe_arg(struct pt_regs *regs, unsigned int n)
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
#error "rbp_kprobe_arg: no regs_get_kernel_argument() and no known calling convention"
#endif
}

/**
 * rbp_dev_blocks_mcast_loopback() - can QPs of @dev block multicast loopback?
 * @dev: the RDMA device
 *
 * The capability moved from device_cap_flags (IB_DEVICE_*) to
 * kernel_cap_flags (IBK_*) in 6.0; probe for both.
 *
 * Return: true when the device honours IB_QP_CREATE_BLOCK_MULTICAST_LOOPBACK.
 */
static inline bool rbp_dev_blocks_mcast_loopback(const struct ib_device *dev)
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
 * rbp_attr_set_block_mcast_loopback() - advertise the loopback-blocking cap
 * @attr: device attributes a driver fills in
 */
static inline void rbp_attr_set_block_mcast_loopback(struct ib_device_attr *attr)
{
#if defined(HAVE_IBK_BLOCK_MULTICAST_LOOPBACK)
	attr->kernel_cap_flags |= IBK_BLOCK_MULTICAST_LOOPBACK;
#elif defined(HAVE_IB_DEVICE_BLOCK_MULTICAST_LOOPBACK)
	attr->device_cap_flags |= IB_DEVICE_BLOCK_MULTICAST_LOOPBACK;
#endif
}

/**
 * rbp_attr_set_ud_tso() - advertise TCP segmentation offload on UD QPs
 * @attr: device attributes a driver fills in
 *
 * IB_DEVICE_UD_TSO became IBK_UD_TSO in the same 6.0 commit as the
 * loopback-blocking flag above, so the same probes tell which.
 */
static inline void rbp_attr_set_ud_tso(struct ib_device_attr *attr)
{
#if defined(HAVE_IBK_BLOCK_MULTICAST_LOOPBACK)
	attr->kernel_cap_flags |= IBK_UD_TSO;
#elif defined(HAVE_IB_DEVICE_BLOCK_MULTICAST_LOOPBACK)
	attr->device_cap_flags |= IB_DEVICE_UD_TSO;
#endif
}

/*
 * rbp_list_for_each_entry_rcu() - list_for_each_entry_rcu() with the lockdep
 * condition of lists read under RCU or under the writers' lock (5.4+); older
 * kernels take no condition (and check none).
 */
#ifdef HAVE_LIST_FOR_EACH_ENTRY_RCU_COND
#define rbp_list_for_each_entry_rcu(pos, head, member, cond)	\
	list_for_each_entry_rcu(pos, head, member, cond)
#else
#define rbp_list_for_each_entry_rcu(pos, head, member, cond)	\
	list_for_each_entry_rcu(pos, head, member)
#endif

/*
 * rbp_kernel_param_lock() - hold off writers of @mod's parameters: a lock per
 * module since 4.2, one lock for all before.
 */
#ifdef HAVE_KERNEL_PARAM_LOCK
#define rbp_kernel_param_lock(mod)	kernel_param_lock(mod)
#define rbp_kernel_param_unlock(mod)	kernel_param_unlock(mod)
#else
#define rbp_kernel_param_lock(mod)	__kernel_param_lock()
#define rbp_kernel_param_unlock(mod)	__kernel_param_unlock()
#endif

/*
 * rbp_sysfs_emit() - format a sysfs (or kernel_param get) page: sysfs_emit()
 * where it exists (5.10+, widely backported), the same bound by hand before.
 */
#ifdef HAVE_SYSFS_EMIT
#define rbp_sysfs_emit(buf, fmt, ...)	sysfs_emit(buf, fmt, ##__VA_ARGS__)
#else
#define rbp_sysfs_emit(buf, fmt, ...)	scnprintf(buf, PAGE_SIZE, fmt, ##__VA_ARGS__)
#endif

/* Wall-clock seconds: ktime_get_real_seconds() since 3.19. */
static inline time64_t rbp_real_seconds(void)
{
#ifdef HAVE_KTIME_GET_REAL_SECONDS
	return ktime_get_real_seconds();
#else
	return get_seconds();
#endif
}

/*
 * Address handles that may sleep: rdma_create_ah()/rdma_destroy_ah() say so
 * with a flag since 5.0; before, they always could.
 */
static inline struct ib_ah *rbp_rdma_create_ah(struct ib_pd *pd,
					       struct rdma_ah_attr *attr)
{
#ifdef HAVE_RDMA_CREATE_AH_FLAGS
	return rdma_create_ah(pd, attr, RDMA_CREATE_AH_SLEEPABLE);
#else
	return rdma_create_ah(pd, attr);
#endif
}

static inline void rbp_rdma_destroy_ah(struct ib_ah *ah)
{
#ifdef HAVE_RDMA_CREATE_AH_FLAGS
	rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
#else
	rdma_destroy_ah(ah);
#endif
}

/**
 * rbp_ib_driver_id() - which driver a device belongs to
 * @dev: the RDMA device
 *
 * In struct ib_device_ops since 5.0; in struct ib_device itself before (and
 * in RHEL 7's backport).
 *
 * Return: the driver's RDMA_DRIVER_* id.
 */
static inline enum rdma_driver_id rbp_ib_driver_id(const struct ib_device *dev)
{
#ifdef HAVE_IB_DEVICE_OPS
	return dev->ops.driver_id;
#else
	return dev->driver_id;
#endif
}

/*
 * ib_client.add() returns int since 5.8 (a device it declines gets no client
 * data, and remove() is not called for it); before, it returned nothing.
 * Write the callback returning int, then:
 *
 *	RBP_IB_CLIENT_ADD_WRAPPER(my_add);
 *	static struct ib_client my_client = { .add = RBP_IB_CLIENT_ADD(my_add), ... };
 *
 * On old kernels remove() is also called for declined devices, with NULL.
 */
#ifdef HAVE_IB_CLIENT_ADD_RETURNS_INT
#define RBP_IB_CLIENT_ADD_WRAPPER(fn) struct rbp_unused_##fn
#define RBP_IB_CLIENT_ADD(fn) (fn)
#else
#define RBP_IB_CLIENT_ADD_WRAPPER(fn)					\
	static void fn##_noret(struct ib_device *dev) { fn(dev); }	\
	struct rbp_unused_##fn
#define RBP_IB_CLIENT_ADD(fn) (fn##_noret)
#endif

/*
 * ib_client.rename() is called after a device got a new name (under the RDMA
 * core's device lock: the callback must not register or unregister clients).
 * Kernels without it (RHEL 7.9 of our matrix) tell a client nothing of a
 * rename; there, state named after a device keeps the name the device had
 * when the client was added. Write the callback, then:
 *
 *	static struct ib_client my_client = { ... RBP_IB_CLIENT_RENAME(my_rename) };
 */
#ifdef HAVE_IB_CLIENT_RENAME
#define RBP_IB_CLIENT_RENAME(fn) .rename = (fn),
#else
#define RBP_IB_CLIENT_RENAME(fn)
#endif

/*
 * JoinState bits of an MCMemberRecord (IBA 15.2.5.17): rec->join_state is a
 * bit mask, bit i meaning membership type i. SendOnlyFullMember (bit 3) has
 * its enum name only since 4.9.
 */
#define RBP_JOIN_FULL_MEMBER		BIT(0)
#define RBP_JOIN_NON_MEMBER		BIT(1)
#define RBP_JOIN_SENDONLY_NON_MEMBER	BIT(2)
#ifdef HAVE_SENDONLY_FULLMEMBER_JOIN
#define RBP_JOIN_SENDONLY_FULL_MEMBER	BIT(SENDONLY_FULLMEMBER_JOIN)
#else
#define RBP_JOIN_SENDONLY_FULL_MEMBER	BIT(3)
#endif

/* Module version text shown by modinfo: suite version and build's git state. */
#define RBP_MODULE_VERSION RBP_VERSION " (" RBP_DESCRIBE ")"

/*
 * RBP_MODULE_INFO() - the compat probe summary of the kernel a module was
 * built for, in modinfo ("rbp_compat:"), next to MODULE_VERSION(RBP_MODULE_VERSION):
 * the first things support staff ask for. Every module of the suite has both.
 */
#define RBP_MODULE_INFO() MODULE_INFO(rbp_compat, RBP_COMPAT_SUMMARY)

#endif /* RBP_COMPAT_H */
