# xvs: top-level build.  `make demo` and `make test` are the two user
# commands (see README.md); both install what they need first.
SHELL := /bin/bash
ROOT := $(CURDIR)
BUILD := $(ROOT)/build

# The kernel to build against and to boot.  Defaults to the newest Debian 6.1
# kernel installed; override KVER/KDIR/KIMAGE/KMODDIR for another one.
KVER ?= $(shell ls /lib/modules 2>/dev/null | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$$' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
KIMAGE ?= /boot/vmlinuz-$(KVER)
KMODDIR ?= /lib/modules/$(KVER)
JOBS ?= $(shell nproc)
export KVER KDIR KIMAGE KMODDIR BUILD ROOT

.PHONY: all deps kmod kernel userspace install install-kmod test test-run \
	test-reference demo demo-run clean bench bench-run deb deb-run

all: kmod userspace

deps:
	@$(ROOT)/scripts/install-deps.sh

# Kbuild writes objects next to the sources, so build from a tree of
# symlinks under build/ to keep the source tree clean.
kmod:
	@test -d "$(KDIR)" || { echo "no kernel build tree at $(KDIR) (make deps?)"; exit 1; }
	@mkdir -p $(BUILD)/kmod-src $(BUILD)/kmod
	@find $(BUILD)/kmod-src -type l -delete
	@cp -rs $(ROOT)/kmod/. $(BUILD)/kmod-src/
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod-src modules
	@# (replaced whole and only when it changed: a VM image may be
	@# copying it while another build of the same tree runs)
	@cmp -s $(BUILD)/kmod-src/xvs.ko $(BUILD)/kmod/xvs.ko || \
		{ cp $(BUILD)/kmod-src/xvs.ko $(BUILD)/kmod/xvs.ko.tmp && \
		  mv $(BUILD)/kmod/xvs.ko.tmp $(BUILD)/kmod/xvs.ko; }

# The test kernel, built from Debian's linux-source-6.1 with patches/linux-6.1
# and the kconfig/ fragments (scripts/build-kernel.sh).  FLAVOUR=release or
# debug; the result is cached in $(KERNEL_CACHE)/<flavour> (an env file
# there gives KVER KIMAGE KMODDIR KDIR); unchanged inputs build nothing.
FLAVOUR ?= release
KERNEL_CACHE ?= $(ROOT)/build/kernel
kernel:
	@KERNEL_CACHE=$(KERNEL_CACHE) $(ROOT)/scripts/build-kernel.sh $(FLAVOUR)

userspace:
	@cmake -S $(ROOT) -B $(BUILD)/cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)/cmake -j $(JOBS)

# Installs the userspace programs with their man pages and bash completion
# (PREFIX defaults to /usr/local; DESTDIR is honoured), and xvs.ko.
PREFIX ?= /usr/local
install: userspace install-kmod
	@DESTDIR=$(DESTDIR) cmake --install $(BUILD)/cmake --prefix $(PREFIX)

# xvs.ko into $(DESTDIR)/lib/modules/$(KVER)/updates/ by the kernel's
# modules_install, and the modprobe.d note on xvs and ip_vs; depmod only for
# the running system (with DESTDIR the packager runs it).
install-kmod: kmod
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod-src INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	@install -D -m 644 $(ROOT)/kmod/modprobe.d/xvs.conf $(DESTDIR)/etc/modprobe.d/xvs.conf
	$(if $(DESTDIR),,depmod -a $(KVER))

# Debian packages (debian/): xvs-dkms, xvsadm, xvsd in build/deb/.  The
# working tree is copied to build/deb/src and built there with a snapshot
# version, 0.1.0+git<commits>.<hash> from debian/changelog and git.
# DEB_BUILD=-A builds xvs-dkms alone (nothing to compile).
DEB_BUILD ?= -b
DEB_DIR := $(BUILD)/deb
deb:
	@$(ROOT)/scripts/install-deps.sh deb
	@$(MAKE) --no-print-directory deb-run

deb-run:
	@rm -rf $(DEB_DIR)/src && mkdir -p $(DEB_DIR)/src
	@rm -f $(DEB_DIR)/*.deb $(DEB_DIR)/*.changes $(DEB_DIR)/*.buildinfo
	@rsync -a --exclude=/build --exclude=/.git $(ROOT)/ $(DEB_DIR)/src/
	@set -e; cd $(ROOT); \
		base=$$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog); \
		ver=$$base+git$$(git rev-list --count HEAD).$$(git rev-parse --short=7 HEAD); \
		date=$$(date -u -R -d @$$(git log -1 --format=%ct)); \
		{ echo "xvs ($$ver) UNRELEASED; urgency=medium"; echo; \
		  echo "  * Snapshot of $$(git rev-parse HEAD)."; echo; \
		  echo " -- $$(sed -n 's/^Maintainer: //p' debian/control)  $$date"; echo; \
		  cat debian/changelog; } > $(DEB_DIR)/src/debian/changelog; \
		echo "deb: xvs $$ver"
	cd $(DEB_DIR)/src && dpkg-buildpackage $(DEB_BUILD) -us -uc -j$(JOBS)

# The seconds the packages and the build took reach run-all.sh's timing
# table (XVS_DEPS_SECS, XVS_BUILD_SECS).  The debug kernel, the longest
# part, starts building (at idle priority) as soon as its own tools are
# installed, while apt installs the rest and `make all` runs; run-all.sh
# then waits for it (build-kernel.sh's lock) where it needs it.
KDEBUG_LOG := $(BUILD)/test-results/kernel-debug.log
test:
	@t0=$$(date +%s); \
		if [ "$${XVS_SKIP_KDEBUG:-0}" != 1 ]; then \
			$(ROOT)/scripts/install-deps.sh kernel || exit 1; \
			mkdir -p $(dir $(KDEBUG_LOG)); \
			echo "== debug kernel: building from now on at idle priority (log: $(KDEBUG_LOG))"; \
			KERNEL_CACHE=$(KERNEL_CACHE) chrt --idle 0 $(ROOT)/scripts/build-kernel.sh debug \
				> $(KDEBUG_LOG) 2>&1 & \
			export XVS_KDEBUG_T0=$$(date +%s); \
		fi; \
		$(ROOT)/scripts/install-deps.sh deb || exit 1; \
		XVS_DEPS_SECS=$$(( $$(date +%s) - t0 )) \
		$(MAKE) --no-print-directory test-run

# A failed build does not stop the test run: what could not be built is
# counted as failed tests (run-all.sh prints the final "N passed, N failed").
test-run:
	@t0=$$(date +%s); build_ok=1; \
		$(MAKE) --no-print-directory all || build_ok=0; \
		XVS_BUILD_SECS=$$(( $$(date +%s) - t0 )) \
		XVS_BUILD_OK=$$build_ok $(ROOT)/tests/run-all.sh

# The reference runs: every scenario's checks against the kernel's own
# ip_vs, which prove the checks.  `make test` repeats one only when what it
# depends on changed; this runs them all and lists those that passed in
# tests/qemu/reference.txt (commit it with the scenario change).
test-reference: deps
	@$(MAKE) --no-print-directory all
	@XVS_REFERENCE=only $(ROOT)/qemu/run-scenarios.sh

demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	@$(ROOT)/qemu/demo.sh

# Performance: xvs against the kernel's IPVS in one VM, plus host
# microbenchmarks (scripts/bench.sh, README "Performance"); not part of
# `make test`.  Results under build/bench/.
bench:
	@$(ROOT)/scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory bench-run

bench-run: all
	@$(ROOT)/scripts/bench.sh

clean:
	rm -rf $(BUILD)
