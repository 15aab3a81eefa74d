#!/bin/sh
# run-vm.sh KIND MODE OUTDIR [LIST]: boot the KIND kernel (base or project,
# config $WB_CONFIG, default vm) in QEMU with the guest root filesystem over
# read-only 9p and OUTDIR as the writable results share; the guest runs MODE
# (see guest/init.sh). The console goes to OUTDIR/console.log. Fails, naming
# the cause, when the run hangs past $WB_VM_TIMEOUT seconds, when the guest
# did not finish its job, or when the console shows a kernel crash report.
# WB_KVM=1 uses KVM instead of TCG; WB_TEST_TIMEOUT bounds each test (s).
# WB_MACHINE is QEMU's machine type (default pc; the IOMMU boot is q35).
# WB_DISPLAY adds display devices (default: none, not even QEMU's VGA) and
# a QMP socket whose screendumps guest tests ask for (screendump.py):
#   qemu   virtio-gpu-pci, bochs-display and cirrus-vga; vkms not started
#   iommu  virtio-gpu-pci behind an Intel IOMMU (q35), vkms not started
#   vesa   QEMU's standard VGA with a VESA mode set by the kernel's real-mode
#          setup (vga=), which simpledrm drives; bochs and vkms not started
# QEMU logs what the guest asked of a device and it refused (OUTDIR/qemu.log).
# WB_MEM is the guest's RAM (QEMU -m, default 4G). WB_SWAP=SIZE gives the
# guest a swap disk of SIZE on virtio-blk (a sparse raw file, OUTDIR/swap.img,
# deleted after the run), which guest/init.sh formats and enables; a boot
# whose guest did not enable it fails.
# WB_PAGESCAN=1 also starts pagescan.py, which finds a guest test's tagged
# buffer in the guest's RAM (chunk_virtio: the unmodified kernel's memory
# entries, which its driver does not count).
set -eu
. "$(dirname "$0")/common.sh"

kind=$1
mode=$2
out=$3
list=${4:-}
cfg=${WB_CONFIG:-vm}
kernel=$WB_BUILD/out-$kind-$cfg/arch/x86/boot/bzImage
timeout=${WB_VM_TIMEOUT:-1800}
[ -f "$kernel" ] || die "no $kind kernel at $kernel: build it first"
[ -d "$WB_BUILD/rootfs" ] || die "no guest root filesystem: run rootfs.sh first"

rm -rf "$out"
mkdir -p "$out"
accel="-accel tcg,thread=multi -cpu max"
[ "${WB_KVM:-0}" = 1 ] && accel="-accel kvm -cpu host"
# KUnit runs only in its own boot: its suites provoke WARNs on purpose.
kunit=0
[ "$mode" = kunit ] && kunit=1
cmdline="console=ttyS0 root=rootfs rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144 ro"
# An oops ends the boot at once (oops=panic, panic=-1: QEMU exits, as it
# does not reboot): what runs after an oops hangs or fails for its sake, and
# an oops in a worker can wedge the guest until the timeout.
cmdline="$cmdline init=/sbin/wb-init oops=panic panic=-1 log_buf_len=16M kunit.enable=$kunit"
cmdline="$cmdline wb.mode=$mode wb.list=$list wb.timeout=${WB_TEST_TIMEOUT:-240} ${WB_CMDLINE:-}"

# The display devices. Each has the id screendump.py names it by. Big
# framebuffers need more host memory for virtio-gpu's resources than the
# 256 MiB QEMU allows by default.
machine="-machine ${WB_MACHINE:-pc}"
vga=none
vgpu=virtio-gpu-pci,id=vgpu,max_hostmem=2G
case ${WB_DISPLAY:-} in
'')	;;
qemu)	machine="$machine -device $vgpu -device bochs-display,id=bochs -device cirrus-vga,id=cirrus"
	cmdline="$cmdline initcall_blacklist=vkms_init" ;;
iommu)	machine="-machine q35 -device intel-iommu,intremap=off -device $vgpu,iommu_platform=on"
	cmdline="$cmdline intel_iommu=on initcall_blacklist=vkms_init" ;;
vesa)	vga=std
	cmdline="$cmdline vga=0x318 initcall_blacklist=bochs_pci_driver_init,vkms_init" ;;
*)	die "WB_DISPLAY is qemu, iommu or vesa, not '$WB_DISPLAY'" ;;
esac
machine="$machine -vga $vga"
if [ -n "${WB_SWAP:-}" ]; then
	# Nothing on the disk outlives the guest: the host need not flush it.
	truncate -s "$WB_SWAP" "$out/swap.img" || die "cannot make a $WB_SWAP swap disk in $out"
	machine="$machine -drive file=$out/swap.img,if=virtio,format=raw,cache=unsafe"
	cmdline="$cmdline wb.swap=/dev/vda"
fi

serial="file:$out/console.log"
case $mode in *shell) serial=mon:stdio ;; esac
step "booting the $kind kernel ($cfg): $mode${list:+ $list}; console: $out/console.log"
rc=0
if [ -n "${WB_DISPLAY:-}" ]; then
	# A unix socket's path must be short: not under $out.
	qmp=$(mktemp -u /tmp/wb-qmp.XXXXXX)
	machine="$machine -qmp unix:$qmp,server=on,wait=off -d guest_errors -D $out/qemu.log"
	mkdir -p "$out/screendump"
	python3 "$WB_DIR/screendump.py" "$qmp" "$out/screendump" >"$out/screendump.log" 2>&1 &
	screendump=$!
	[ "${WB_PAGESCAN:-0}" != 1 ] ||
		(sleep 5; pid=$(pgrep -f "^qemu-system-x86_64 .*results,path=$out,")
		 exec python3 "$WB_DIR/pagescan.py" "$pid" "$out/screendump") \
			>"$out/pagescan.log" 2>&1 &
fi
# A guest that has not reached userspace after $WB_BOOT_TIMEOUT s never will.
if [ "$serial" != mon:stdio ]; then
	(sleep "${WB_BOOT_TIMEOUT:-180}"
	 grep -qs 'wb: guest up' "$out/console.log" || {
		touch "$out/no-userspace"; pkill -f "results,path=$out,"; }) >/dev/null 2>&1 &
	watchdog=$!
fi
# shellcheck disable=SC2086
timeout --foreground -k 10 "$timeout" qemu-system-x86_64 $accel $machine -smp 2 -m "${WB_MEM:-4G}" \
	-nographic -no-reboot -kernel "$kernel" -append "$cmdline" \
	-fsdev local,id=root,path="$WB_BUILD/rootfs",security_model=none,readonly=on \
	-device virtio-9p-pci,fsdev=root,mount_tag=rootfs \
	-fsdev local,id=wb,path="$WB_TOP",security_model=none,readonly=on \
	-device virtio-9p-pci,fsdev=wb,mount_tag=wb \
	-fsdev local,id=results,path="$out",security_model=none \
	-device virtio-9p-pci,fsdev=results,mount_tag=results \
	-serial "$serial" -monitor none -display none || rc=$?
# The watchdog and its sleep, which would otherwise outlive the run (holding
# the caller's files, a build lock for one).
if [ -n "${watchdog:-}" ]; then
	sleeper=$(pgrep -P "$watchdog" || true)
	# shellcheck disable=SC2086
	kill "$watchdog" $sleeper 2>/dev/null || true
fi
[ -z "${qmp:-}" ] || { kill "$screendump" 2>/dev/null; rm -f "$qmp"; }
rm -f "$out/swap.img"

[ "$serial" != mon:stdio ] || exit 0
crash=$(grep -m 1 -n -E "$(grep -v '^#' "$WB_DIR/crash-patterns" | paste -sd '|')" \
	"$out/console.log" 2>/dev/null || true)
if [ -f "$out/no-userspace" ]; then
	die "the $kind guest never reached userspace within ${WB_BOOT_TIMEOUT:-180}s" "$out/console.log"
elif [ "$rc" = 124 ]; then
	die "the $kind kernel hung: no end after ${timeout}s ($mode)" "$out/console.log"
elif [ ! -f "$out/done" ]; then
	die "the $kind guest stopped before finishing ($mode)${crash:+: $crash}" "$out/console.log"
elif [ "$rc" != 0 ]; then
	die "qemu exited with $rc ($mode)" "$out/console.log"
elif [ -n "${WB_SWAP:-}" ] && ! grep -q 'wb: swap on ' "$out/console.log"; then
	die "the $kind guest did not enable its swap disk ($mode)" "$out/console.log"
fi
exit 0
