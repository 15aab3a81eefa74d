#!/bin/sh
# Guest side of a workbench run (PID 1, started by /sbin/wb-init).
# wb.mode= on the kernel command line says what to do:
#   kunit  the built-in KUnit suites ran during boot: save their log
#   igt    run the test list named by wb.list= (run-igt.sh)
#   faults the same with systematic fault injection (run-igt.sh)
#   scene  the compositor scene: weston and its clients (wayland/scene.sh)
#   scene-shell  the same, left running, and a shell on the serial console
#   bench  the benchmark: /wb/build/benchmark/chunk_bench > /results/bench.json
#   shell  a root shell on the serial console
# Results go to the writable 9p share mounted on /results; the file "done"
# tells the host the guest finished its job (no "done": it crashed or hung).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
HOME=/tmp
export PATH HOME

mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/tmp 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
mount -t configfs configfs /sys/kernel/config
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /results
# Debug kernels: every DMA-API error gets a WARN, not only the first.
[ ! -w /sys/kernel/debug/dma-api/all_errors ] || echo 1 >/sys/kernel/debug/dma-api/all_errors

arg() {
	sed -n "s/.*\bwb\.$1=\([^ ]*\).*/\1/p" /proc/cmdline
}

shell() {
	echo "wb: shell in the guest; the project is on /wb, results on /results; 'exit' stops the guest"
	setsid sh -c 'exec sh -l <>/dev/ttyS0 >&0 2>&1'
}

mode=$(arg mode)
echo "wb: guest up ($(uname -r)), mode $mode" >/dev/kmsg
# The swap disk the host made (run-vm.sh WB_SWAP).
swap=$(arg swap)
if [ -n "$swap" ]; then
	if mkswap "$swap" >/dev/null && swapon "$swap"; then
		echo "wb: swap on $swap: $(awk '/^SwapTotal:/ { print int($2 / 1024) }' /proc/meminfo) MiB" >/dev/kmsg
	else
		echo "wb: mkswap or swapon $swap failed" >/dev/kmsg
	fi
fi
case $mode in
kunit)
	dmesg -t >/results/kunit.log
	;;
igt)
	/wb/workbench/guest/run-igt.sh "/wb/$(arg list)" /results
	;;
faults)
	/wb/workbench/guest/run-igt.sh "/wb/$(arg list)" /results faults
	;;
scene)
	/wb/wayland/scene.sh /results/scene >/results/scene.log 2>&1
	;;
scene-shell)
	# Not through a pipe: weston and the clients keep their output open.
	/wb/wayland/scene.sh /results/scene keep >/results/scene.log 2>&1
	cat /results/scene.log
	echo "wb: weston is running: WAYLAND_DISPLAY=wl-chunk XDG_RUNTIME_DIR=/tmp/scene-xdg"
	shell
	;;
bench)
	/wb/build/benchmark/chunk_bench $(arg list) >/results/bench.json 2>/results/bench.log ||
		echo "wb: chunk_bench failed: $(tail -n 1 /results/bench.log)" >/dev/kmsg
	;;
shell)
	shell
	;;
*)
	echo "wb: unknown wb.mode '$mode'" >/dev/kmsg
	;;
esac
# Debug kernels: a last kmemleak scan over what the tests left behind.
# Objects younger than 5 s are not reported, hence the second scan.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/results/kmemleak.txt
fi
# swiotlb=force boots: the most swiotlb slots in use at once, of how many;
# 0 means no DMA mapping bounced (results.py reports it). swiotlb counts
# only with swiotlb=...,track_hiwater on the command line.
tlb=/sys/kernel/debug/swiotlb
[ ! -r $tlb/io_tlb_used_hiwater ] ||
	echo "$(cat $tlb/io_tlb_used_hiwater) $(cat $tlb/io_tlb_nslabs)" >/results/swiotlb
# The host checks the kernel's taint flags against what the boot may have.
taint=$(cat /proc/sys/kernel/tainted)
echo "$taint" >/results/taint
echo "$mode" >/results/done
sync
echo "wb: guest done, taint $taint" >/dev/kmsg
# No init system in the guest: reboot through sysrq; QEMU runs -no-reboot.
echo b >/proc/sysrq-trigger
