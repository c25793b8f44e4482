# The seccomp filters: seccomp/compile (a host tool linking libseccomp) turns the
# policies into BPF in $(OUT)/seccomp/filters.c, which capsule embeds. Included
# by the top-level Makefile.

SECCOMP_POLICIES := $(wildcard seccomp/policy_*.c)
SECCOMP_COMPILER := $(OUT)/seccomp/compile
SECCOMP_FILTERS := $(OUT)/seccomp/filters.c

$(SECCOMP_COMPILER): seccomp/compile.c seccomp/policy.h seccomp/kinds.h $(SECCOMP_POLICIES) | $(OUT)/deps.mk
	@mkdir -p $(dir $@)
	gcc $(CFLAGS_COMMON) -Iseccomp -o $@ seccomp/compile.c $(SECCOMP_POLICIES) -lseccomp

$(SECCOMP_FILTERS): $(SECCOMP_COMPILER)
	$< >$@.tmp && mv $@.tmp $@

$(OUT)/seccomp/filters.o: $(SECCOMP_FILTERS) vmm/sandbox/seccomp_filters.h seccomp/kinds.h $(KHDR)/.stamp
	$(CC_MUSL) $(VMM_CFLAGS) -c $< -o $@
