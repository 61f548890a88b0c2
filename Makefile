# SPDX-License-Identifier: GPL-2.0-only
#
# rdma-backports: what can be built and tested.
#
#   make [modules]        build every module (KDIR= tree or KVER= release)
#   make probes           table of the compat feature probes for that kernel
#   make feeder           rdma_sniffer's user-space feeder (tools/, libibverbs)
#                         in build/tools/
#   make check            W=1 + sparse build and checkpatch --strict, no warnings
#   make matrix           build against every installed headers tree
#   make dkms-install     dkms add/build/install (KVER=, default all kernels)
#   make dkms-remove      dkms remove the suite
#   make deb              rdma-backports-dkms .deb in build/pkg/ (lintian clean)
#   make rpm              rdma-backports-dkms noarch .rpm in build/pkg/rpm/
#   make selftests        VM tests (TESTS="dir ..." for a subset)
#   make selftests-debian13  the same on Debian 13's kernel, modules built in
#                         a cached Debian 13 root (scripts/debian13/)
#   make selftests-debug  VM tests on a KASAN/lockdep/kmemleak kernel built
#                         once per machine (TESTS=, default modload)
#   make kselftest-install  the tests in the kernel's kselftest layout
#                         (INSTALL_PATH=, default build/kselftest)
#   make vm               interactive shell in the test VM
#   make bench            every benchmark of scripts/bench/, figures printed
#   make patches-check    the patch queue applies, builds and is checkpatch clean
#   make patches-status   table of the patch queue
#   make patches-export   the patch files written again from the scratch tree
#   make run              install deps, build, DKMS-install, show it in a VM
#   make test             everything above that asserts, one final tally
#   make deps | clean

KDIR_SEL := $(shell KDIR=$(KDIR) KVER=$(KVER) scripts/kdir.sh)
KVER_SEL := $(shell scripts/kver.sh $(KDIR_SEL) 2>/dev/null)
BUILD := $(CURDIR)/build
# The VM tests need the test-only modules of selftests/kmod; DKMS sets 0.
RB_WITH_TESTS ?= 1
export KDIR_SEL KVER_SEL RB_WITH_TESTS

.PHONY: all modules probes feeder check matrix dkms-install dkms-remove selftests vm \
	selftests-debian13 selftests-debug kselftest-install \
	patches-check patches-status patches-export bench run test deps clean

all: modules

modules:
	@scripts/build.sh $(KDIR_SEL) $(BUILD)/$(KVER_SEL)

probes:
	@scripts/compat/probe.sh --table $(KDIR_SEL) $(BUILD)/compat

feeder:
	@mkdir -p $(BUILD)/tools
	@$(MAKE) -s -C tools/rdma_sniffer_feed OUT=$(BUILD)/tools

check:
	@scripts/check.sh $(KDIR_SEL)

matrix:
	@scripts/matrix.sh

dkms-install:
	@scripts/dkms.sh install $(KVER)

dkms-remove:
	@scripts/dkms.sh remove

.PHONY: deb rpm

deb:
	@scripts/pkg/deb.sh

rpm:
	@scripts/pkg/rpm.sh

selftests: modules
	@scripts/vm/selftests.sh $(TESTS)

# Needs no host build: the modules are built inside the Debian 13 root.
selftests-debian13:
	@scripts/debian13/selftests.sh $(TESTS)

# Builds its own kernel (cached) and the modules against it.
selftests-debug:
	@scripts/vm/debug-lane.sh $(TESTS)

# kselftest layout in INSTALL_PATH (default build/kselftest), no build.
kselftest-install:
	@scripts/kselftest-install.sh $(or $(INSTALL_PATH),$(BUILD)/kselftest)

vm: modules
	@scripts/vm/selftests.sh --shell

patches-check:
	@scripts/patches/check.sh

patches-status:
	@scripts/patches/status.sh

# BASE=6.1 NAMES="file.patch ..." for the backport files (scripts/patches/export.sh).
patches-export:
	@scripts/patches/export.sh $(BASE) $(NAMES)

bench: modules
	@scripts/bench/run.sh

run: deps
	@scripts/run-demo.sh

test: deps
	@scripts/test.sh

deps:
	@scripts/install-deps.sh

clean:
	rm -rf $(BUILD)
