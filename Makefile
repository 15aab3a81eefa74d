# SPDX-License-Identifier: GPL-2.0-only
# Thin front end over workbench/: each target is one script. See README.md
# and doc/workbench.md. Each target's "## " line is what make help prints:
# what it does and how long it takes on 2 cores (TCG), as last measured.

WB := workbench

.PHONY: check check-long check-iommu check-debug check-debug-iommu check-debug-cursor check-mutants run bench shell igt kernels series series-check docs clean help

## check               the tests, both kernels compared, as CI runs them (59 min from a fresh clone, 32 with the kernels built)
check:
	$(WB)/run-tests.sh

## check-long          upstream DRM CI's vkms list on both kernels, not in CI (1 h 7 min)
check-long:
	$(WB)/run-long.sh

## check-iommu         virtio-gpu behind an emulated Intel IOMMU on both kernels, not in CI (4.5 min)
check-iommu:
	WB_DISPLAY=iommu $(WB)/run-long.sh workbench/lists/iommu.txt

## check-debug         the curated list and fault injection on the debug kernel, not in CI (about 40 min)
check-debug:
	$(WB)/run-debug.sh

## check-debug-iommu   lists/iommu.txt on the debug kernel behind the IOMMU, not in CI (11.5 to 20 min)
check-debug-iommu:
	WB_DISPLAY=iommu WB_DEBUG_PASSES=igt $(WB)/run-debug.sh workbench/lists/iommu.txt $(CURDIR)/build/results/debug-iommu
	python3 $(WB)/results.py debug build/results/debug-iommu

## check-debug-cursor  vkms's cursor tests (lists/cursor-debug.txt) on the debug kernel, not in CI (15 min)
check-debug-cursor:
	WB_DEBUG_PASSES=igt WB_TEST_TIMEOUT=5400 WB_VM_TIMEOUT=10800 \
		$(WB)/run-debug.sh workbench/lists/cursor-debug.txt $(CURDIR)/build/results/debug-cursor
	python3 $(WB)/results.py debug build/results/debug-cursor

## check-mutants       each defect of workbench/mutants.txt planted in a copy of the helper, the narrowest test run on it (not in CI; about 2 min a defect)
check-mutants:
	$(WB)/mutants.sh

## run                 weston on vkms scanning out dma-buf clients, as PNG; KEEP=1 gives a shell (17 min from nothing, 1 min built)
run:
	KEEP=$(KEEP) $(WB)/run-scene.sh

## bench               the benchmark: 7.3, 7.3 with a huge mount and the project kernel, 3 boots each (18 min built)
bench:
	$(WB)/prepare.sh base
	$(WB)/prepare.sh huge
	$(WB)/prepare.sh project
	$(WB)/run-bench.sh

## shell               a root shell in the project kernel's guest, KIND=base for 7.3 (a boot: seconds once built)
shell:
	$(WB)/prepare.sh $(or $(KIND),project)
	$(WB)/run-vm.sh $(or $(KIND),project) shell $(CURDIR)/build/results/shell

## igt                 T="vkms kms_atomic plane-overlay-legacy": one IGT test, KIND=base|project (a boot and the test)
igt:
	$(WB)/prepare.sh $(or $(KIND),project)
	echo "$(T)" >build/one-test.txt
	$(WB)/run-vm.sh $(or $(KIND),project) igt $(CURDIR)/build/results/one build/one-test.txt
	cat build/results/one/*.out

## kernels             build both kernels only (about 17 min from nothing)
kernels:
	$(WB)/prepare.sh base
	$(WB)/prepare.sh project

## series              the patch series a maintainer receives, in build/series/ (not measured)
series:
	$(WB)/series.sh

## series-check        git am, a W=1 build, checkpatch and get_maintainer for every patch, not in CI (16 min, 48 the first time)
series-check:
	$(WB)/series-check.sh

## docs                Documentation/gpu as HTML, failing on the project's warnings; doc/helper-doc.png (3 to 5 min)
docs:
	$(WB)/docs.sh

## clean               remove kernel build output, results and the project trees (seconds)
clean:
	rm -rf build/out-* build/linux/out-* build/results build/src-*
	git -C build/linux worktree prune 2>/dev/null || true

## help                this list
help:
	@sed -n 's/^## //p' Makefile
