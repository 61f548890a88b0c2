// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb_test_fault - make one kernel function fail for one module, so the
 * suite's tests can drive the error paths of its modules' init functions.
 * Never shipped (built only with RB_WITH_TESTS=1).
 *
 * The kernels we test on are built without CONFIG_FAULT_INJECTION and
 * CONFIG_FUNCTION_ERROR_INJECTION (Debian's among them), so neither
 * failslab nor bpf_override_return() is there. This does what the latter
 * does, with a kprobe at the function's entry: from the nth call made by
 * module @module's init on, for @times calls, the probe sends the
 * call to rbtf_fail() instead, which returns @err to the caller as if the
 * function had (the function itself does not run, so it leaves nothing to
 * undo). Only functions whose callers must handle an error are sensible
 * targets: ib_register_device(), ib_register_client(), register_kprobe(),
 * kobject_create_and_add() (a NULL-or-pointer function fails with err=0).
 *
 *   insmod rb_test_fault.ko func=ib_register_device module=rdma_sib nth=2
 *
 * To widen a race window, every call of @delay_func from @module can also
 * be made to spin for @delay_ms milliseconds first (in the probe handler,
 * where sleeping is not allowed).
 *
 * Calls are counted per load attempt: busybox's modprobe, which the VM
 * uses, loads a module a second time (with init_module()) when
 * finit_module() fails, and that attempt fails the same way.
 *
 * The parameters are read at load; "calls" (calls seen from @module's
 * last load attempt) and
 * "hits" (calls failed) can be read under /sys/module/rb_test_fault/
 * parameters/. Unloading restores the function.
 *
 * The caller is the return address on the stack at the function's entry,
 * where the probe sits (a symbol with offset 0: past the ENDBR on IBT
 * kernels, still before the function touched its stack), so a jump to
 * rbtf_fail() is a tail call. Only modules loaded after this one are seen.
 * x86-64 only, as the VM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>

#include "compat/rbp_compat.h"

#ifndef CONFIG_X86_64
#error "rb_test_fault reads the return address as x86-64 leaves it"
#endif

static char *func;
module_param(func, charp, 0444);
MODULE_PARM_DESC(func, "function to fail (a kprobe-able symbol)");

static char *target_name;
module_param_named(module, target_name, charp, 0444);
MODULE_PARM_DESC(module, "only calls this module's init makes are counted");

static unsigned int nth = 1;
module_param(nth, uint, 0444);
MODULE_PARM_DESC(nth, "the first call to fail, counting from 1 (default 1)");

static unsigned int times = 1;
module_param(times, uint, 0444);
MODULE_PARM_DESC(times, "how many calls of an attempt fail from the nth on (default 1)");

static int err = -ENOMEM;
module_param(err, int, 0444);
MODULE_PARM_DESC(err, "value returned instead: -4095..-1, or 0 (default -ENOMEM)");

static char *delay_func;
module_param(delay_func, charp, 0444);
MODULE_PARM_DESC(delay_func, "function whose calls from module spin first (optional)");

static unsigned int delay_ms = 10;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "how long they spin: 1..1000 ms (default 10)");

static atomic_t calls = ATOMIC_INIT(0);
static atomic_t hits = ATOMIC_INIT(0);

static int rbtf_get_atomic(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%d\n", atomic_read(kp->arg));
}

static const struct kernel_param_ops rbtf_counter_ops = {
	.get = rbtf_get_atomic,
};

module_param_cb(calls, &rbtf_counter_ops, &calls, 0444);
MODULE_PARM_DESC(calls, "calls to func by the last load attempt of module");
module_param_cb(hits, &rbtf_counter_ops, &hits, 0444);
MODULE_PARM_DESC(hits, "calls made to fail");

/*
 * The module whose calls count and the task loading it, from its
 * MODULE_STATE_COMING notification (in that task, before the module's init
 * runs) to its LIVE or GOING one: only calls its init makes, in the loading
 * task, count, not those of other tasks using the half-loaded module (a
 * write to its control file, say). Read in the probe handlers with
 * preemption disabled; a module's memory is freed only after an RCU grace
 * period following GOING.
 */
static struct module *rbtf_target;
static struct task_struct *rbtf_loader;

/* Is this call, returning to @caller, one of the target's init? */
static bool rbtf_counts(unsigned long caller)
{
	struct module *mod = READ_ONCE(rbtf_target);

	return mod && current == READ_ONCE(rbtf_loader) &&
	       within_module(caller, mod);
}

/**
 * rbtf_fail() - what a failed call runs instead of the function
 *
 * Entered by the probe's change of the instruction pointer at the
 * function's entry, with the caller's return address on top of the stack:
 * it returns straight to the caller.
 *
 * Return: @err, as a long (an int or a pointer for the caller).
 */
static noinline long rbtf_fail(void)
{
	return READ_ONCE(err);
}

static int rbtf_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long caller = *(unsigned long *)kernel_stack_pointer(regs);
	unsigned int n;

	if (!rbtf_counts(caller))
		return 0;
	n = atomic_inc_return(&calls);
	if (n < nth || n - nth >= times)
		return 0;
	atomic_inc(&hits);
	instruction_pointer_set(regs, (unsigned long)rbtf_fail);
	/* Nonzero: resume at the new instruction pointer, not in func. */
	return 1;
}

/*
 * Does nothing; its presence keeps the probe from being optimised into a
 * jump (kprobes with a post handler are not), as it would be where the
 * function is no ftrace site, and an optimised probe ignores a new
 * instruction pointer.
 */
static void rbtf_post(struct kprobe *p, struct pt_regs *regs,
		      unsigned long flags)
{
}

static struct kprobe rbtf_kp = {
	.pre_handler = rbtf_pre,
	.post_handler = rbtf_post,
};

/* A call of delay_func from the target: spin, then let it run. */
static int rbtf_delay_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long caller = *(unsigned long *)kernel_stack_pointer(regs);

	if (rbtf_counts(caller))
		mdelay(delay_ms);
	return 0;
}

static struct kprobe rbtf_delay_kp = {
	.pre_handler = rbtf_delay_pre,
};

static int rbtf_module_event(struct notifier_block *nb, unsigned long event,
			     void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, target_name))
		return NOTIFY_DONE;
	if (event == MODULE_STATE_COMING) {
		atomic_set(&calls, 0);
		WRITE_ONCE(rbtf_loader, current);
		WRITE_ONCE(rbtf_target, mod);
	} else if (event == MODULE_STATE_LIVE || event == MODULE_STATE_GOING) {
		WRITE_ONCE(rbtf_target, NULL);
		WRITE_ONCE(rbtf_loader, NULL);
	}
	return NOTIFY_DONE;
}

static struct notifier_block rbtf_module_nb = {
	.notifier_call = rbtf_module_event,
};

static int __init rbtf_init(void)
{
	int ret;

	if (!func || !*func || !target_name || !*target_name) {
		pr_err("func= and module= are both needed\n");
		return -EINVAL;
	}
	if (!nth || !times) {
		pr_err("nth=%u times=%u: both must be at least 1\n", nth, times);
		return -EINVAL;
	}
	if (err > 0 || err < -MAX_ERRNO) {
		pr_err("err=%d: must be -%d..-1 or 0\n", err, MAX_ERRNO);
		return -EINVAL;
	}
	if (delay_func && (!delay_ms || delay_ms > 1000)) {
		pr_err("delay_ms=%u: must be 1..1000\n", delay_ms);
		return -EINVAL;
	}
	ret = register_module_notifier(&rbtf_module_nb);
	if (ret)
		return ret;
	rbtf_kp.symbol_name = func;
	ret = register_kprobe(&rbtf_kp);
	if (ret) {
		pr_err("func=%s: cannot probe it: %d\n", func, ret);
		goto err_notifier;
	}
	if (delay_func) {
		rbtf_delay_kp.symbol_name = delay_func;
		ret = register_kprobe(&rbtf_delay_kp);
		if (ret) {
			pr_err("delay_func=%s: cannot probe it: %d\n", delay_func, ret);
			goto err_kprobe;
		}
	}
	pr_info("%s fails (%d) from call %u from %s on, %u time(s)\n",
		func, err, nth, target_name, times);
	return 0;

err_kprobe:
	unregister_kprobe(&rbtf_kp);
err_notifier:
	unregister_module_notifier(&rbtf_module_nb);
	return ret;
}

static void __exit rbtf_exit(void)
{
	if (delay_func)
		unregister_kprobe(&rbtf_delay_kp);
	unregister_kprobe(&rbtf_kp);
	unregister_module_notifier(&rbtf_module_nb);
	pr_info("%s restored: %d call(s) failed\n", func, atomic_read(&hits));
}

module_init(rbtf_init);
module_exit(rbtf_exit);

MODULE_DESCRIPTION("rdma-backports test helper: one function fails for one module");
MODULE_LICENSE("GPL");
MODULE_VERSION(RBP_MODULE_VERSION);
RBP_MODULE_INFO();
