// SPDX-License-Identifier: MIT
/*
 * chunk_virtio: virtio-gpu resources of 8 MiB to 256 MiB (up to the
 * driver's 8192x8192 mode limit), created as dumb XRGB8888 framebuffers,
 * added with ADDFB2, scanned out and compared with what the host shows (a
 * QMP screendump, wb_screendump()), with the number of memory entries
 * (struct virtio_gpu_mem_entry, one per contiguous range) each needs.
 *
 * QEMU refuses a resource of more than 16384 entries ("nr_entries is too
 * big"), and the guest only logs "*ERROR* response 0x1200": the ioctls
 * return 0 and the framebuffer shows nothing. The big-resource-* subtests
 * first fragment the memory GEM pages come from (unmovable memory: single
 * pages, every other one freed, see wb_fragment()) and then
 * scan out a window at the end of the big framebuffer, so that its last
 * pages are checked. They pass when the display shows the window, or when
 * the driver refuses the big resource with E2BIG (more memory entries than
 * the host takes), the one refusal a driver cannot avoid; any other errno
 * fails, and so does a silent success without backing (the window missing
 * from the display, or the host's refusal in the kernel log). The 8 and 64
 * MiB resources before it (at most 16384 pages, so never more entries
 * than the host takes) must show.
 * too-many-entries fragments all the free memory and requires the driver
 * to refuse a 256 MiB resource with E2BIG.
 *
 * The entry count comes from the driver's debugfs (framebuffer, the
 * object's "mem_entries=" line). The unmodified driver keeps no count, and
 * its mappings are VM_PFNMAP (no page frames in /proc/self/pagemap): there
 * the count is known only when QEMU refuses the resource and says so
 * ("nr_entries is too big (N > 16384)" with -d guest_errors).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "wbtest.h"

#define MAX_ENTRIES	16384	/* QEMU's limit */
#define HOST_REFUSED	"response 0x1200"	/* VIRTIO_GPU_RESP_ERR_UNSPEC */

static bool iommu_present(void)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *e;
	bool found = false;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			found = true;
	if (d)
		closedir(d);
	return found;
}

/* Whether the boot asked for an IOMMU (run-vm.sh's WB_DISPLAY=iommu). */
static bool iommu_requested(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	return strstr(line, "intel_iommu=on");
}

/* Occurrences of @what in the kernel log. */
static int klog_count(const char *what)
{
	static char buf[1 << 20];
	int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	int n = 0;

	if (len < 0)
		return -1;
	buf[len] = '\0';
	for (char *p = buf; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* The driver's count: "mem_entries=N" in framebuffer @fb's debugfs block. */
static long driver_entries(int fd, uint32_t fb)
{
	char dir[128], path[160], line[256], head[48];
	bool in = false;
	long n = -1;
	FILE *f;

	if (wb_debugfs_dir(fd, dir, sizeof(dir)))
		return -1;
	snprintf(path, sizeof(path), "%s/framebuffer", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	snprintf(head, sizeof(head), "framebuffer[%u]:", fb);
	while (fgets(line, sizeof(line), f)) {
		char *s;

		if (strstr(line, "framebuffer["))
			in = strstr(line, head);
		if (in && (s = strstr(line, "mem_entries=")))
			n = strtol(s + strlen("mem_entries="), NULL, 10);
	}
	fclose(f);
	return n;
}

/*
 * Where the buffer is in guest memory, from the host (workbench/pagescan.py,
 * next to the screendumps): tags every page of @map, asks, and returns the
 * physically contiguous runs and what iommu_dma_map_sg() makes of them in
 * @iommu, or -1 where no host answers (the tags are then left behind).
 */
static long host_runs(const void *map, uint64_t size, long *iommu)
{
	const char *dir = getenv("WB_SCREENDUMP");
	static unsigned int seq;
	uint64_t magic = 0x57427363616e0000ull ^ ((uint64_t)getpid() << 16 | seq);
	char name[384], path[512], req[512], result[256] = "";
	double end;
	long runs;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pagescan-ready", dir ?: "");
	if (!dir || access(path, R_OK))
		return -1;
	for (uint64_t off = 0; off < size; off += 4096) {
		uint64_t *tag = (uint64_t *)((char *)map + off);

		tag[0] = magic;
		tag[1] = off / 4096;
	}
	snprintf(name, sizeof(name), "%s/chunk_virtio-%d-%u", dir, getpid(), seq++);
	snprintf(path, sizeof(path), "%s.tmp", name);
	f = fopen(path, "w");
	wb_assert(f);
	fprintf(f, "%" PRIx64 " %" PRIu64 "\n", magic, size / 4096);
	fclose(f);
	snprintf(req, sizeof(req), "%s.scan", name);
	wb_assert(!rename(path, req));
	snprintf(path, sizeof(path), "%s.scanned", name);
	for (end = wb_now() + 120; access(path, R_OK); usleep(100 * 1000))
		wb_assert_f(wb_now() < end, "no page scan from the host after 120 s");
	f = fopen(path, "r");
	wb_assert(f);
	if (!fgets(result, sizeof(result), f))
		result[0] = '\0';
	fclose(f);
	wb_assert_f(sscanf(result, "runs %ld iommu %ld", &runs, iommu) == 2,
		    "page scan: %s", result);
	return runs;
}

/*
 * Creates a w x h XRGB8888 dumb framebuffer, draws the pattern into the
 * mode-sized window at its bottom right, scans that window out and compares
 * the display with it. Returns the number of memory entries, or 0 when the
 * driver refused the resource with an errno, which it stores in @refused
 * (a refusal fails the subtest unless @refused is given).
 */
static long scanout(uint32_t w, uint32_t h, int *refused)
{
	const uint32_t seed = 0x7e57;
	uint32_t handle, pitch, fb, handles[4] = {}, pitches[4] = {}, offsets[4] = {};
	uint32_t x, y;
	int refused_before, refused_after, ret;
	bool iommu = iommu_present();
	long entries, runs, runs_iommu = -1;
	struct wb_output o;
	uint64_t size;
	uint32_t *map;
	long bad = 0;

	/* A boot whose IOMMU failed to come up would test the path without. */
	wb_assert_f(iommu || !iommu_requested(),
		    "the boot asked for an IOMMU (intel_iommu=on) and there is none in /sys/class/iommu");
	wb_output_find("virtio_gpu", &o);
	x = w - o.mode.hdisplay;
	y = h - o.mode.vdisplay;
	refused_before = klog_count(HOST_REFUSED);

	if (refused)
		*refused = 0;
	ret = wb_dumb_create(o.fd, w, h, 32, &handle, &pitch, &size);
	if (ret && refused) {
		wb_info("%ux%u (%" PRIu64 " MiB): refused by the driver at create: %d (%s)\n",
			w, h, (uint64_t)w * h * 4 >> 20, ret, strerror(-ret));
		close(o.fd);
		*refused = ret;
		return 0;
	}
	wb_assert_ret(ret, 0);
	map = wb_dumb_mmap(o.fd, handle, size, PROT_READ | PROT_WRITE);
	runs = host_runs(map, size, &runs_iommu);
	for (uint32_t j = 0; j < o.mode.vdisplay; j++)
		for (uint32_t i = 0; i < o.mode.hdisplay; i++)
			map[(size_t)(y + j) * (pitch / 4) + x + i] = wb_pattern(seed, i, j);

	handles[0] = handle;
	pitches[0] = pitch;
	ret = drmModeAddFB2(o.fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &fb, 0);
	if (ret && refused) {
		wb_info("%ux%u: refused by the driver at ADDFB2: %d (%s)\n", w, h, -errno,
			strerror(errno));
		*refused = -errno;
		munmap(map, size);
		close(o.fd);
		return 0;
	}
	wb_assert_eq(ret, 0);

	entries = driver_entries(o.fd, fb);
	if (entries >= 0)
		wb_info("%ux%u XRGB8888, %" PRIu64 " MiB%s: %ld memory entr%s%s\n",
			w, h, size >> 20, iommu ? " behind an IOMMU" : "", entries,
			entries == 1 ? "y" : "ies", entries > MAX_ENTRIES ? " (more than QEMU takes)" : "");
	else
		wb_info("%ux%u XRGB8888, %" PRIu64 " MiB%s: memory entries not known (no count in debugfs)\n",
			w, h, size >> 20, iommu ? " behind an IOMMU" : "");
	/* The chunk helper maps a resource behind an IOMMU as one range. */
	wb_assert_f(!iommu || entries < 0 || entries == 1,
		    "%ld memory entries behind an IOMMU, not 1", entries);
	if (runs >= 0)
		wb_info("host page scan: %ld physically contiguous runs; %ld segments as iommu_dma_map_sg() merges them\n",
			runs, runs_iommu);

	wb_assert_eq(drmModeSetCrtc(o.fd, o.crtc, fb, x, y, &o.connector, 1, &o.mode), 0);
	bad = wb_display_differs(&o, "chunk_virtio", seed, 0, 0);
	refused_after = klog_count(HOST_REFUSED);
	wb_assert_f(refused_after == refused_before,
		    "the host refused the resource (%d new \"%s\" in the kernel log) and the ioctls returned 0",
		    refused_after - refused_before, HOST_REFUSED);
	wb_assert_f(!bad, "%ld pixels of the window at (%u, %u) differ from the pattern (see above)",
		    bad, x, y);
	wb_info("window at (%u, %u) of the %ux%u framebuffer on the display as drawn\n", x, y, w, h);

	wb_assert_eq(drmModeSetCrtc(o.fd, o.crtc, 0, 0, 0, NULL, 0, NULL), 0);
	drmModeRmFB(o.fd, fb);
	munmap(map, size);
	wb_close_ok(o.fd, handle);
	close(o.fd);
	return entries;
}

static void test_scanout_8m(void)   { scanout(2048, 1024, NULL); }
static void test_scanout_64m(void)  { scanout(4096, 4096, NULL); }
static void test_scanout_128m(void) { scanout(8192, 4096, NULL); }
static void test_scanout_256m(void) { scanout(8192, 8192, NULL); }

/*
 * In a fragmented guest: the 8 and 64 MiB resources for the entry counts,
 * then the big one, which the driver may refuse only with E2BIG.
 */
static void big_resource(uint32_t w, uint32_t h)
{
	char summary[640];
	int refused;

	wb_fragment(summary, sizeof(summary));
	wb_info("fragmenter: %s\n", summary);
	scanout(2048, 1024, NULL);
	scanout(4096, 4096, NULL);
	scanout(w, h, &refused);
	wb_assert_f(!refused || refused == -E2BIG,
		    "the %ux%u resource was refused with %d (%s): only E2BIG (more memory entries than the host takes) may refuse it",
		    w, h, refused, strerror(-refused));
}

static void test_big_resource_128m(void) { big_resource(8192, 4096); }
static void test_big_resource_256m(void) { big_resource(8192, 8192); }

/* Free memory in blocks of two pages or more (/proc/buddyinfo), in KiB. */
static long free_blocks_kb(void)
{
	char line[512];
	long kb = 0;
	FILE *f = fopen("/proc/buddyinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *s = strstr(line, "zone");
		long count;
		int n;

		if (!s)
			continue;
		s += strlen("zone");
		s += strspn(s, " ");
		s += strcspn(s, " ");
		for (int order = 0; sscanf(s, "%ld%n", &count, &n) == 1; order++, s += n)
			if (order)
				kb += count << order << 2;
	}
	if (f)
		fclose(f);
	return kb;
}

/*
 * Every free page a single one, so that a 256 MiB resource needs far more
 * than QEMU's 16384 entries without an IOMMU: all the free memory
 * fragmented (wb_fragment_all()), then what the kernel kept free in blocks
 * of two pages or more (about 200 MiB of 4 GiB: its watermarks and lowmem
 * reserves) taken by ballast resources of 16 MiB, which the
 * chunk helper fills from its largest blocks first. Then the driver must
 * refuse the 256 MiB resource at creation with -E2BIG. A driver that keeps
 * no count (the unmodified one: big-resource-256m shows the host refusing
 * it) skips, and so does a boot with an IOMMU, where any resource is one
 * entry.
 */
#define FRAG_FLOOR_KB	(32 << 10)
#define BALLAST_KB	(16 << 10)

static void test_too_many_entries(void)
{
	uint32_t handle, pitch;
	struct wb_output o;
	char summary[640];
	long ballast_kb, entries;
	uint64_t size;
	int refused;

	if (iommu_present())
		wb_skip("behind an IOMMU a resource is one memory entry");
	if (scanout(2048, 1024, NULL) < 0)
		wb_skip("the driver keeps no count of memory entries");
	wb_fragment_all(FRAG_FLOOR_KB, summary, sizeof(summary));
	wb_info("fragmenter: %s\n", summary);

	/* Not the master: scanout() opens the device again to set the CRTC. */
	wb_output_find("virtio_gpu", &o);
	drmDropMaster(o.fd);
	ballast_kb = free_blocks_kb() + BALLAST_KB;
	for (long left = ballast_kb; left > 0; left -= BALLAST_KB)
		wb_assert_ret(wb_dumb_create(o.fd, 4096, BALLAST_KB / 16, 32, &handle, &pitch,
					     &size), 0);
	wb_info("ballast: %ld MiB; %ld MiB left free in blocks of two pages or more\n",
		ballast_kb >> 10, free_blocks_kb() >> 10);

	entries = scanout(8192, 8192, &refused);
	wb_assert_f(refused, "the 256 MiB resource was created, with %ld memory entries", entries);
	wb_assert_f(refused == -E2BIG, "the 256 MiB resource was refused with %d (%s), not E2BIG",
		    refused, strerror(-refused));
	close(o.fd);
}

static const struct wb_subtest tests[] = {
	{ "scanout-8m", test_scanout_8m, 120 },
	{ "scanout-64m", test_scanout_64m, 120 },
	{ "scanout-128m", test_scanout_128m, 120 },
	{ "scanout-256m", test_scanout_256m, 150 },
	{ "big-resource-128m", test_big_resource_128m, 230 },
	{ "big-resource-256m", test_big_resource_256m, 230 },
	{ "too-many-entries", test_too_many_entries, 230 },
};

int main(int argc, char **argv)
{
	return wb_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
