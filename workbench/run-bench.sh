#!/bin/sh
# run-bench.sh [BOOTS]: boot the unmodified kernel, the "huge" anchor (7.3
# with vkms on a huge tmpfs mount, see overlay.sh) and the project kernel in
# turn, BOOTS times each (default 3, or $WB_BENCH_BOOTS), run the benchmark
# (benchmark/chunk_bench) in each boot, then print the table of medians
# (bench-report.py). Results: $WB_BUILD/results/bench/KIND-N/ (bench.json,
# bench.log, console.log), the table, bench.csv, bench-summary.json and
# bench.png in $WB_BUILD/results/bench/. Build the kernels first (prepare.sh
# base, huge and project; "make bench" does). WB_BENCH_ARGS=-q runs a
# quarter of the repetitions. WB_BENCH_KINDS lists the kernels (default
# "base huge project"): another kernel KIND (build/out-KIND-vm) is compared
# with the project kernel in the report's last table.
set -eu
. "$(dirname "$0")/common.sh"

boots=${1:-${WB_BENCH_BOOTS:-3}}
out=$WB_BUILD/results/bench
[ -x "$WB_BUILD/benchmark/chunk_bench" ] ||
	die "no benchmark at $WB_BUILD/benchmark/chunk_bench: run prepare.sh first"
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
i=1
while [ "$i" -le "$boots" ]; do
	for kind in ${WB_BENCH_KINDS:-base huge project}; do
		# Never two VMs at once: the figures would measure each other.
		while pgrep -f qemu-system >/dev/null; do
			sleep 5
		done
		dir=$out/$kind-$i
		WB_VM_TIMEOUT=${WB_VM_TIMEOUT:-600} \
			"$WB_DIR/run-vm.sh" "$kind" bench "$dir" "${WB_BENCH_ARGS:-}"
		[ -s "$dir/bench.json" ] && grep -q '"seconds"' "$dir/bench.json" ||
			die "the benchmark did not finish on the $kind kernel (boot $i)" "$dir/bench.log"
	done
	i=$((i + 1))
done
step "benchmark: $boots boots each in $(($(date +%s) - start)) s"
# Debian's python3 has python3-matplotlib (host-deps.sh) for the chart.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" "$WB_DIR/bench-report.py" "$out" | tee "$out/table.txt"
