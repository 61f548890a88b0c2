#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make run: ipoib_sendonly's state on the stock stack.
modinfo ipoib_sendonly > /dev/null 2>&1 || exit 0
echo "=== ipoib_sendonly: IPoIB send-only joins every SM accepts"
modprobe ib_ipoib
modprobe ipoib_sendonly
echo "\$ cat /sys/kernel/debug/ipoib_sendonly/status"
cat /sys/kernel/debug/ipoib_sendonly/status
echo "\$ ls /sys/kernel/debug/ipoib_sendonly/       (ports/<device>/<port>/: a file per value, per IB port)"
ls /sys/kernel/debug/ipoib_sendonly/
echo "\$ grep ib_sa_join_multicast /sys/kernel/debug/kprobes/list"
grep ib_sa_join_multicast /sys/kernel/debug/kprobes/list
echo "\$ echo bogus > /sys/module/ipoib_sendonly/parameters/policy"
echo bogus > /sys/module/ipoib_sendonly/parameters/policy
dmesg | grep "policy:" | tail -n 1
rmmod ipoib_sendonly
