# SPDX-License-Identifier: GPL-2.0-only
# Thin front end over workbench/: each target is one script. See README.md.

WB := workbench

.PHONY: check check-long check-iommu check-debug check-debug-iommu check-debug-cursor check-mutants run bench shell igt kernels series series-check docs clean help

## check: the test command: both kernels, KUnit + curated IGT + igt-tests +
## the compositor scene
check:
	$(WB)/run-tests.sh

## check-long: upstream DRM CI's vkms list on both kernels (about an hour, not in CI)
check-long:
	$(WB)/run-long.sh

## check-iommu: virtio-gpu behind an emulated Intel IOMMU on both kernels
## (lists/iommu.txt, about 15 minutes, not in CI)
check-iommu:
	WB_DISPLAY=iommu $(WB)/run-long.sh workbench/lists/iommu.txt

## check-debug: the project kernel under KASAN, lockdep, kmemleak, DMA-API
## debugging and fault injection (not in CI, see README)
check-debug:
	$(WB)/run-debug.sh

## check-debug-iommu / check-debug-cursor: the debug kernel's IGT boot alone,
## on virtio-gpu behind the IOMMU (lists/iommu.txt) or on the vkms cursor
## tests (lists/cursor-debug.txt); not in CI
check-debug-iommu:
	WB_DISPLAY=iommu WB_DEBUG_PASSES=igt $(WB)/run-debug.sh workbench/lists/iommu.txt $(CURDIR)/build/results/debug-iommu
	python3 $(WB)/results.py debug build/results/debug-iommu

check-debug-cursor:
	WB_DEBUG_PASSES=igt WB_TEST_TIMEOUT=5400 WB_VM_TIMEOUT=10800 \
		$(WB)/run-debug.sh workbench/lists/cursor-debug.txt $(CURDIR)/build/results/debug-cursor
	python3 $(WB)/results.py debug build/results/debug-cursor

## check-mutants: plant each defect of workbench/mutants.txt in a copy of
## the helper and run the narrowest test that should catch it (not in CI)
check-mutants:
	$(WB)/mutants.sh

## run: the main job: weston on vkms scanning out dma-buf clients, captured
## as PNG (KEEP=1: leave it running, with a shell in the guest)
run:
	KEEP=$(KEEP) $(WB)/run-scene.sh

## bench: the benchmark: the unmodified kernel, 7.3 with vkms on a huge
## tmpfs mount and the project kernel booted in turn, table of ratios
bench:
	$(WB)/prepare.sh base
	$(WB)/prepare.sh huge
	$(WB)/prepare.sh project
	$(WB)/run-bench.sh

## shell: a root shell in the project kernel's guest (KIND=base for 7.3)
shell:
	$(WB)/prepare.sh $(or $(KIND),project)
	$(WB)/run-vm.sh $(or $(KIND),project) shell $(CURDIR)/build/results/shell

## igt T="vkms kms_atomic plane-overlay-legacy": one IGT test (KIND=base|project)
igt:
	$(WB)/prepare.sh $(or $(KIND),project)
	echo "$(T)" >build/one-test.txt
	$(WB)/run-vm.sh $(or $(KIND),project) igt $(CURDIR)/build/results/one build/one-test.txt
	cat build/results/one/*.out

## kernels: build both kernels only
kernels:
	$(WB)/prepare.sh base
	$(WB)/prepare.sh project

## series: the patch series a maintainer receives, in build/series/
series:
	$(WB)/series.sh

## series-check: the series as a maintainer's tools see it: git am on
## pristine 7.3, a W=1 build after every patch, checkpatch and
## get_maintainer on every mail (not in CI: about 40 minutes)
series-check:
	$(WB)/series-check.sh

## docs: render Documentation/gpu with the helper's kernel-doc (fails on a
## warning from the project's files), screenshot in doc/helper-doc.png
docs:
	$(WB)/docs.sh

clean:
	rm -rf build/out-* build/linux/out-* build/results build/src-*
	git -C build/linux worktree prune 2>/dev/null || true

help:
	@sed -n 's/^## //p' Makefile
