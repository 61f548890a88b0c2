/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rdma-backports compat: look up a kernel or module symbol by name.
 *
 * kallsyms_lookup_name() is not exported to modules since 5.7. Where it is
 * not (HAVE_KALLSYMS_LOOKUP_NAME_EXPORT unset), its address is learned by
 * registering a kprobe on it: registration resolves the symbol and records
 * the address, and the probe is removed at once without ever firing.
 * "module:symbol" names a symbol of one module, which disambiguates names
 * that several modules define. Data symbols need CONFIG_KALLSYMS_ALL.
 *
 * Only compare or call what this returns after checking it is non-zero; a
 * module's symbols move when it is reloaded (use a module notifier).
 */
#ifndef RB_KALLSYMS_H
#define RB_KALLSYMS_H

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#ifdef CONFIG_X86_KERNEL_IBT
#include <asm/ibt.h>
#endif

/**
 * rb_kallsyms_lookup_name() - address of a symbol, or 0
 * @name: "symbol" or "module:symbol"
 *
 * Context: process context (may sleep: kprobe registration).
 * Return: the address, or 0 when it is unknown or cannot be looked up.
 */
static inline unsigned long rb_kallsyms_lookup_name(const char *name)
{
#ifdef HAVE_KALLSYMS_LOOKUP_NAME_EXPORT
	return kallsyms_lookup_name(name);
#elif IS_ENABLED(CONFIG_KPROBES)
	typedef unsigned long (*lookup_fn)(const char *name);
	static lookup_fn lookup;
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr;

	if (!lookup) {
		if (register_kprobe(&kp) < 0)
			return 0;
		addr = (unsigned long)kp.addr;
		unregister_kprobe(&kp);
#ifdef CONFIG_X86_KERNEL_IBT
		/* With IBT the probe sits after the ENDBR; calls must not. */
		if (is_endbr(*(u32 *)(addr - ENDBR_INSN_SIZE)))
			addr -= ENDBR_INSN_SIZE;
#endif
		lookup = (lookup_fn)addr;
	}
	return lookup ? lookup(name) : 0;
#else
	return 0;
#endif
}

#endif /* RB_KALLSYMS_H */
