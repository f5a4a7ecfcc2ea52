# SPDX-License-Identifier: GPL-2.0
#
# hvmem top-level Makefile.
#
#   make              modules (W=1) + hvmemctl (tests are built by make check)
#   make check        every test: host unit tests, build, VM selftests, KUnit, packages
#   make demo         boot a VM, load hvmem, bind a tiny KVM VM, show status
#   make unit         host unit tests of the pure cores, hvmemd against fake QMP
#   make selftests    the VM selftests (needs linux-source-6.12: scripts/setup)
#   make man          man pages from docs/man/*.rst into build/man (rst2man)
#   make install      modules, hvmemctl, man pages, completion, udev rule, examples
#   make uninstall    remove what make install installed
#   make deb          Debian packages hvmem-dkms and hvmem-tools into build/deb
#   make checkpatch   checkpatch.pl --strict over the kernel sources
#   make KDIR=...     build the modules against another kernel tree
#
# install/uninstall take DESTDIR and PREFIX (default /usr/local); the modules
# go to $(DESTDIR)/lib/modules/$(KVER)/updates, KVER being KDIR's kernel
# release (else uname -r), then depmod runs (not with a DESTDIR, which is a
# staging tree: run depmod on the target; DEPMOD=: skips it). Other directories: SBINDIR, MANDIR, DOCDIR,
# BASHCOMPDIR, SYSCONFDIR (/etc), UDEVRULESDIR, SYSTEMDUNITDIR.

TOP	:= $(CURDIR)
KDIR	?= $(shell bash -c '. $(TOP)/scripts/lib.sh && hvmem_default_kdir')
W	?= 1
BUILD	:= $(TOP)/build
JOBS	?= $(shell nproc)
VERSION	:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)

# "DIR MODULE" pairs from the top-level Kbuild's component list
MODULES	:= $(shell $(TOP)/scripts/module-list $(TOP) | tr ' ' :)
MODDIRS	:= $(sort $(foreach m,$(MODULES),$(firstword $(subst :, ,$(m)))))

KVER	?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null || uname -r)
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/hvmem
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
# udev reads /etc and /lib (/usr/lib), not /usr/local: a local install's
# rule goes to /etc, a package's to /lib/udev/rules.d (debian/rules)
UDEVRULESDIR ?= $(SYSCONFDIR)/udev/rules.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
MODINSTDIR = /lib/modules/$(KVER)/updates
DEPMOD	?= $(shell PATH=$$PATH:/sbin:/usr/sbin command -v depmod || echo depmod)
RST2MAN	?= rst2man
MANPAGES := $(patsubst docs/man/%.rst,$(BUILD)/man/%,$(wildcard docs/man/*.rst))
# hvmemd, once tools/hvmemd exists (its Makefile builds $(O)/hvmemd)
HVMEMD	:= $(wildcard tools/hvmemd/Makefile)

.PHONY: all modules tools selftests ksft-headers unit check demo checkpatch clean \
	man install install-modules install-tools install-dkms-src uninstall deb

all: modules tools

modules:
	@test -n "$(KDIR)" || { echo "no kernel headers: run scripts/setup or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) W=$(W) -j$(JOBS) modules

tools:
	$(MAKE) -C tools/hvmemctl O=$(BUILD)/tools
	$(MAKE) -C tools/hvmemd O=$(BUILD)/tools
	@mkdir -p $(BUILD)/tools
	$(CC) -O2 -Wall -Wextra -o $(BUILD)/tools/kvm-tiny-vmm tools/kvm-tiny/kvm_tiny_vmm.c
	$(CC) -static -O2 -Wall -Wextra -o $(BUILD)/tools/hvmem-workload \
		tools/guest-workload/hvmem_workload.c tools/guest-workload/workload_core.c

ksft-headers:
	@scripts/ksft-headers $(BUILD)/ksft

selftests: ksft-headers
	$(MAKE) -C selftests O=$(BUILD)/selftests KSFT=$(BUILD)/ksft
	@scripts/build-kernel-ksm-tests $(BUILD)/kernel-ksm-tests

unit: ksft-headers
	$(MAKE) -C selftests/unit O=$(BUILD)/unit KSFT=$(BUILD)/ksft run
	$(MAKE) -C tools/hvmemd O=$(BUILD)/unit KSFT=$(BUILD)/ksft unit

check:
	scripts/check

demo:
	scripts/demo

checkpatch:
	scripts/checkpatch

# The pages name where the ABI docs are installed (DOCDIR): always rebuilt.
man:
	@command -v $(RST2MAN) >/dev/null || { echo "rst2man missing: apt install python3-docutils" >&2; exit 1; }
	@mkdir -p $(BUILD)/man
	@set -e; for f in docs/man/*.rst; do \
		out=$(BUILD)/man/$$(basename $$f .rst); \
		sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' $$f | \
			$(RST2MAN) --halt=warning - $$out.tmp || { echo "in $$f" >&2; exit 1; }; \
		mv $$out.tmp $$out; \
	done
	@echo "man pages in $(BUILD)/man: $(notdir $(MANPAGES))"

install: install-modules install-tools

install-modules:
	@set -e; for m in $(MODULES); do \
		d=$${m%%:*}; n=$${m#*:}; \
		test -f $$d/$$n.ko || { echo "$$d/$$n.ko not built: run make first" >&2; exit 1; }; \
		install -D -m 644 $$d/$$n.ko $(DESTDIR)$(MODINSTDIR)/$$n.ko; \
		echo "  $(DESTDIR)$(MODINSTDIR)/$$n.ko"; \
	done
	$(if $(DESTDIR),@echo "DESTDIR is a staging tree: depmod skipped (run depmod $(KVER) on the target)",$(DEPMOD) -a $(KVER))

install-tools: man
	@test -x $(BUILD)/tools/hvmemctl || { echo "hvmemctl not built: run make first" >&2; exit 1; }
	install -D -m 755 $(BUILD)/tools/hvmemctl $(DESTDIR)$(SBINDIR)/hvmemctl
	$(if $(HVMEMD),install -D -m 755 $(BUILD)/tools/hvmemd $(DESTDIR)$(SBINDIR)/hvmemd)
	@set -e; for u in $(wildcard tools/hvmemd/*.service); do \
		install -d $(DESTDIR)$(SYSTEMDUNITDIR); \
		sed 's|/usr/sbin/|$(SBINDIR)/|g' $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/}; \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/}; \
	done
	$(if $(wildcard tools/hvmemd/hvmemd.conf.example),install -D -m 644 tools/hvmemd/hvmemd.conf.example $(DESTDIR)$(DOCDIR)/hvmemd.conf.example)
	$(if $(wildcard tools/hvmemd/README.md),install -D -m 644 tools/hvmemd/README.md $(DESTDIR)$(DOCDIR)/hvmemd-README.md)
	@set -e; for p in $(MANPAGES); do \
		s=$${p##*.}; install -D -m 644 $$p $(DESTDIR)$(MANDIR)/man$$s/$${p##*/}; \
	done
	install -D -m 644 tools/hvmemctl/hvmemctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/hvmemctl
	install -D -m 644 packaging/60-hvmem.rules $(DESTDIR)$(UDEVRULESDIR)/60-hvmem.rules
	install -D -m 644 packaging/modules-load.d-hvmem.conf $(DESTDIR)$(SYSCONFDIR)/modules-load.d/hvmem.conf
	install -D -m 644 packaging/modprobe.d-hvmem.conf $(DESTDIR)$(SYSCONFDIR)/modprobe.d/hvmem.conf
	install -D -m 644 uapi/hvmem.h $(DESTDIR)$(DOCDIR)/hvmem.h
	@set -e; for d in $(MODDIRS); do \
		for f in $$d/ABI/*; do test -f $$f && install -D -m 644 $$f $(DESTDIR)$(DOCDIR)/ABI/$${f##*/}; done; \
		for f in $$d/README.*; do test -f $$f && install -D -m 644 $$f $(DESTDIR)$(DOCDIR)/$$d-$${f##*/}; done; \
	done; true

# The sources DKMS builds, in /usr/src/hvmem-$(VERSION): what the top-level
# Kbuild builds, nothing else (then: dkms add hvmem/$(VERSION); hvmem-dkms
# ships the same files).
DKMSSRCDIR ?= /usr/src/hvmem-$(VERSION)
install-dkms-src:
	install -D -m 644 Kbuild $(DESTDIR)$(DKMSSRCDIR)/Kbuild
	install -D -m 644 dkms.conf $(DESTDIR)$(DKMSSRCDIR)/dkms.conf
	install -D -m 755 scripts/module-list $(DESTDIR)$(DKMSSRCDIR)/scripts/module-list
	install -D -m 644 -t $(DESTDIR)$(DKMSSRCDIR)/include/hvmem include/hvmem/*.h
	install -D -m 644 -t $(DESTDIR)$(DKMSSRCDIR)/uapi uapi/*.h
	@set -e; for d in $(MODDIRS); do \
		install -D -m 644 -t $(DESTDIR)$(DKMSSRCDIR)/$$d $$d/Kbuild $$(ls $$d/*.[ch]); \
	done

uninstall:
	@set -e; for m in $(MODULES); do \
		rm -fv $(DESTDIR)$(MODINSTDIR)/$${m#*:}.ko; \
	done
	$(if $(DESTDIR),,$(DEPMOD) -a $(KVER))
	rm -fv $(DESTDIR)$(SBINDIR)/hvmemctl $(DESTDIR)$(SBINDIR)/hvmemd
	rm -fv $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(wildcard tools/hvmemd/*.service)))
	rm -fv $(foreach p,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p)))
	rm -fv $(DESTDIR)$(BASHCOMPDIR)/hvmemctl $(DESTDIR)$(UDEVRULESDIR)/60-hvmem.rules
	rm -fv $(DESTDIR)$(SYSCONFDIR)/modules-load.d/hvmem.conf $(DESTDIR)$(SYSCONFDIR)/modprobe.d/hvmem.conf
	rm -fv $(DESTDIR)$(DOCDIR)/hvmem.h $(DESTDIR)$(DOCDIR)/hvmemd.conf.example $(DESTDIR)$(DOCDIR)/hvmemd-README.md
	@set -e; for d in $(MODDIRS); do \
		for f in $$d/ABI/*; do rm -fv $(DESTDIR)$(DOCDIR)/ABI/$${f##*/}; done; \
		for f in $$d/README.*; do rm -fv $(DESTDIR)$(DOCDIR)/$$d-$${f##*/}; done; \
	done
	-rmdir $(DESTDIR)$(DOCDIR)/ABI $(DESTDIR)$(DOCDIR) 2>/dev/null

deb:
	scripts/build-deb $(BUILD)/deb

clean:
	$(if $(KDIR),$(MAKE) -C $(KDIR) M=$(TOP) clean)
	rm -rf $(BUILD)
