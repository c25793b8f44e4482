# Unit tests of the seccomp filters as built: each kind's allowed and forbidden syscalls in a forked child.
test_seccomp_SRCS := vmm/sandbox/seccomp.c vmm/log.c $(SECCOMP_POLICIES) $(SECCOMP_FILTERS)
UNIT_TESTS += test_seccomp
$(OUT)/tests/test_seccomp: seccomp/policy.h seccomp/kinds.h $(SECCOMP_COMPILER)
