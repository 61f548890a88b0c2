# SPDX-License-Identifier: GPL-2.0-only
#
# The kselftest side of a test directory of selftests/ (included by its
# Makefile, as the kernel's tools/testing/selftests/*/Makefile include
# ../lib.mk). A directory names what it installs:
#
#   TEST_PROGS  the tests: executables, each one kselftest test
#               (exit 0 pass, 4 skip, anything else fail)
#   TEST_FILES  what the tests need next to them and do not run
#
# and gets these targets:
#
#   make install INSTALL_PATH=DIR   the tests, TEST_FILES, config, settings
#   make emit_tests                 "collection:test" lines for
#                                   kselftest-list.txt
#   make run_tests                  the directory's tests in place, through
#                                   ../run_kselftest.sh (KTAP)
#   make all | clean                nothing to build (see below)
#
# scripts/kselftest-install.sh installs every directory this way, with
# selftests/lib/ (which the tests source as ../lib/) and the runner.
# Not supported here: TEST_GEN_PROGS and TEST_GEN_FILES. What a directory
# builds on the host before the VM boots (its host-prepare: programs,
# patched modules, into bin/) is made by the VM harness only; its tests skip
# with "host-prepare did not run" without it.

COLLECTION := $(notdir $(patsubst %/,%,$(CURDIR)))
SELFTESTS := $(patsubst %/,%,$(dir $(patsubst %/,%,$(CURDIR))))

.PHONY: all clean install emit_tests run_tests

all:

clean:

install:
ifndef INSTALL_PATH
	$(error set INSTALL_PATH to install)
endif
	@mkdir -p $(INSTALL_PATH)
	@for f in $(TEST_PROGS) $(TEST_FILES) $(wildcard config settings); do \
		[ -e "$$f" ] || { echo "$(COLLECTION): no $$f" >&2; exit 1; }; \
		mkdir -p "$(INSTALL_PATH)/$$(dirname "$$f")" && \
		cp -pR "$$f" "$(INSTALL_PATH)/$$f" || exit 1; \
	done

emit_tests:
	@for t in $(TEST_PROGS); do echo "$(COLLECTION):$$t"; done

run_tests:
	@$(SELFTESTS)/run_kselftest.sh --collection $(COLLECTION)
