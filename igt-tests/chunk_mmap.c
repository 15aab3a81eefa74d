// SPDX-License-Identifier: MIT
/*
 * chunk_mmap: vkms dumb buffers of awkward and large sizes, CPU mappings of
 * every page, coherency between mappings (same process, second file, dma-buf,
 * fork), zeroing of fresh objects, thousands of objects without growth in
 * memory use, mappings of vkms's fbdev device, the page tables a large
 * mapping costs and the runs a buffer is made of (these two on the driver
 * IGT_FORCE_DRIVER names, the display drivers too), mappings that start or
 * end inside an object or have holes, and concurrent first faults.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>

#include "wbtest.h"

#define PAGE 4096u
#define WPP (PAGE / 4)	/* u32 words per page */

static uint32_t tag(uint32_t page, uint32_t which)
{
	return 0x80000000u | (page << 2) | which;
}

/*
 * A buffer of exactly npages pages (1024 XRGB8888 pixels a row = one page a
 * row): every page reads zero, gets tags at its first, middle and last word
 * (and, for buffers up to 8 MiB, a full pattern), and a new mapping reads
 * back exactly that; partial mappings from the start see the same.
 */
static void size_once(int fd, uint32_t npages)
{
	uint64_t size, expect = (uint64_t)npages * PAGE;
	bool full = expect <= (8u << 20);
	uint32_t handle, pitch;
	uint32_t *m;
	long bad;

	handle = wb_dumb_create_ok(fd, 1024, npages, 32, &pitch, &size);
	wb_assert_eq(pitch, 4096);
	wb_assert_eq(size, expect);

	m = wb_dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
	bad = wb_check_zero(m, size);
	wb_assert_f(bad < 0, "fresh buffer: word %ld (page %ld) is 0x%08x, not zero", bad,
		    bad / WPP, m[bad]);
	if (full)
		wb_fill(m, size, npages);
	for (uint32_t p = 0; p < npages; p++) {
		m[p * WPP] = tag(p, 0);
		m[p * WPP + WPP / 2] = tag(p, 1);
		m[p * WPP + WPP - 1] = tag(p, 2);
	}
	wb_assert_eq(munmap(m, size), 0);

	m = wb_dumb_mmap(fd, handle, size, PROT_READ);
	for (uint32_t p = 0; p < npages; p++) {
		const uint32_t *pg = m + (size_t)p * WPP;

		for (uint32_t i = 0; i < WPP; i++) {
			uint32_t want;
			size_t w = (size_t)p * WPP + i;

			if (i == 0)
				want = tag(p, 0);
			else if (i == WPP / 2)
				want = tag(p, 1);
			else if (i == WPP - 1)
				want = tag(p, 2);
			else if (full)
				want = wb_pattern(npages, w & 0xffff, w >> 16) | ((w & 0xff) << 24);
			else
				want = 0;
			wb_assert_f(pg[i] == want, "page %u word %u: 0x%08x, expected 0x%08x", p,
				    i, pg[i], want);
		}
	}
	wb_assert_eq(munmap(m, size), 0);

	m = wb_dumb_mmap(fd, handle, PAGE, PROT_READ);
	wb_assert_eq(m[0], tag(0, 0));
	wb_assert_eq(m[WPP - 1], tag(0, 2));
	munmap(m, PAGE);
	if (npages > 1) {
		uint64_t half = (uint64_t)(npages / 2) * PAGE;

		m = wb_dumb_mmap(fd, handle, half, PROT_READ);
		wb_assert_eq(m[(npages / 2 - 1) * WPP + WPP / 2], tag(npages / 2 - 1, 1));
		munmap(m, half);
	}
	wb_close_ok(fd, handle);
}

/*
 * Large sizes run `rounds` times and check that memory use (free pages,
 * per-CPU lists included) comes back within 16 MiB: a leak of the buffers
 * (rounds x size >= 256 MiB) stands far above that.
 */
static void size_test(uint32_t npages, int rounds)
{
	int fd = wb_require_driver("vkms");
	uint64_t size = (uint64_t)npages * PAGE;
	long used0, used1, allowed = 16 * 1024;
	double t0;

	wb_settle();
	used0 = wb_mem_used_kb();
	t0 = wb_now();
	for (int r = 0; r < rounds; r++)
		size_once(fd, npages);
	close(fd);
	wb_settle();
	used1 = wb_mem_used_kb();
	wb_info("%u pages (%llu bytes) x %d: %.2fs; memory used %+ld kB after close\n", npages,
		(unsigned long long)size, rounds, wb_now() - t0, used1 - used0);
	if (rounds > 1) {
		wb_assert((uint64_t)rounds * size / 1024 > 2 * (uint64_t)allowed);
		wb_assert_f(used1 - used0 < allowed,
			    "memory use grew by %ld kB after %d x %llu kB buffers", used1 - used0,
			    rounds, (unsigned long long)size / 1024);
	}
}

static void test_size_1_page(void) { size_test(1, 1); }
static void test_size_odd_pages(void)
{
	static const uint32_t odd[] = { 3, 5, 7, 17, 63, 255, 1023 };

	for (unsigned int i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		size_test(odd[i], 1);
}
static void test_size_2m(void) { size_test(512, 1); }
static void test_size_2m_minus_page(void) { size_test(511, 1); }
static void test_size_2m_plus_page(void) { size_test(513, 1); }
static void test_size_64m_plus_page(void) { size_test(16385, 4); }
static void test_size_256m(void) { size_test(65536, 2); }

/* Two mappings in one process, one through a second file, one of the dma-buf. */
static void test_coherency_mappings(void)
{
	int fd = wb_require_driver("vkms"), fd2 = wb_require_driver("vkms");
	uint32_t h, h2, pitch;
	uint64_t size;
	uint32_t *a, *b, *c, *d;
	int dfd;

	h = wb_dumb_create_ok(fd, 1024, 257, 32, &pitch, &size);
	a = wb_dumb_mmap(fd, h, size, PROT_READ | PROT_WRITE);
	b = wb_dumb_mmap(fd, h, size, PROT_READ | PROT_WRITE);
	wb_assert(a != b);
	dfd = wb_export_ok(fd, h);
	h2 = wb_import_ok(fd2, dfd);
	c = wb_dumb_mmap(fd2, h2, size, PROT_READ | PROT_WRITE);
	d = wb_dmabuf_mmap(dfd, size, PROT_READ | PROT_WRITE);

	uint32_t *maps[4] = { a, b, c, d };
	for (int w = 0; w < 4; w++) {
		wb_fill(maps[w], size, 100 + w);
		for (int r = 0; r < 4; r++) {
			long bad = wb_check(maps[r], size, 100 + w);

			wb_assert_f(bad < 0, "written through mapping %d, mapping %d word %ld differs",
				    w, r, bad);
		}
		/* single-word updates too, at page boundaries */
		for (uint32_t p = 0; p < size / PAGE; p += 64) {
			maps[w][p * WPP] = tag(p, w);
			for (int r = 0; r < 4; r++)
				wb_assert_eq(maps[r][p * WPP], tag(p, w));
		}
	}
	munmap(a, size);
	/* the other mappings stay valid after one is gone and after the handle
	 * and the dma-buf fd are closed */
	wb_close_ok(fd, h);
	close(dfd);
	b[7] = 0x13572468;
	wb_assert_eq(c[7], 0x13572468);
	wb_assert_eq(d[7], 0x13572468);
	munmap(b, size);
	munmap(c, size);
	munmap(d, size);
	wb_close_ok(fd2, h2);
	close(fd);
	close(fd2);
}

/* Across fork: the child writes (inherited mapping and a new one), the parent reads; and back. */
static void test_coherency_fork(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t h, pitch;
	uint64_t size;
	uint32_t *m;
	int status;
	pid_t pid;

	h = wb_dumb_create_ok(fd, 1024, 64, 32, &pitch, &size);
	m = wb_dumb_mmap(fd, h, size, PROT_READ | PROT_WRITE);
	m[0] = 1;

	pid = fork();
	wb_assert(pid >= 0);
	if (pid == 0) {
		uint32_t *n;

		/* the inherited mapping: first half */
		wb_fill(m, size / 2, 200);
		/* a new mapping through the inherited file: second half */
		n = wb_dumb_mmap(fd, h, size, PROT_READ | PROT_WRITE);
		wb_fill(n + size / 8, size / 2, 201);
		munmap(n, size);
		_exit(0);
	}
	wb_assert_eq(waitpid(pid, &status, 0), pid);
	wb_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
	wb_assert(wb_check(m, size / 2, 200) < 0);
	wb_assert(wb_check(m + size / 8, size / 2, 201) < 0);

	/* parent writes after the fork, child checks through its inherited mapping */
	wb_fill(m, size, 202);
	pid = fork();
	wb_assert(pid >= 0);
	if (pid == 0)
		_exit(wb_check(m, size, 202) < 0 ? 0 : 1);
	wb_assert_eq(waitpid(pid, &status, 0), pid);
	wb_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child did not see the parent's writes (status 0x%x)", status);

	/* the child closes the (shared) file's handle: the parent's mapping survives */
	pid = fork();
	wb_assert(pid >= 0);
	if (pid == 0)
		_exit(wb_gem_close(fd, h) == 0 ? 0 : 1);
	wb_assert_eq(waitpid(pid, &status, 0), pid);
	wb_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	wb_assert_ret(wb_gem_close(fd, h), -EINVAL);
	wb_assert(wb_check(m, size, 202) < 0);
	m[3] = 0;
	munmap(m, size);
	close(fd);
}

/* New objects never show what freed ones held. */
static void test_fresh_zeroed(void)
{
	int fd = wb_require_driver("vkms");

	for (int i = 0; i < 16; i++) {
		uint32_t pitch, h;
		uint64_t size;
		uint32_t *m;
		long bad;

		h = wb_dumb_create_ok(fd, 1024, 256 + i, 32, &pitch, &size);
		m = wb_dumb_mmap(fd, h, size, PROT_READ | PROT_WRITE);
		bad = wb_check_zero(m, size);
		wb_assert_f(bad < 0, "round %d: fresh buffer word %ld = 0x%08x", i, bad, m[bad]);
		memset(m, 0xa5, size);
		munmap(m, size);
		wb_close_ok(fd, h);
	}
	close(fd);
}

/*
 * Thousands of small objects, all alive at once, each mapped and every page
 * touched; freed; a warm-up round, then MANY_ROUNDS measured rounds. Memory
 * use after them must be within 16 MiB of after the warm-up: leaking one
 * page per object would be 62 MiB.
 */
#define MANY 4000
#define MANY_PAGES 4
#define MANY_ROUNDS 4
static void many_round(int fd, uint32_t *handles, uint32_t **maps)
{
	uint64_t size;
	uint32_t pitch;

	for (uint32_t i = 0; i < MANY; i++) {
		handles[i] = wb_dumb_create_ok(fd, 1024, MANY_PAGES, 32, &pitch, &size);
		maps[i] = wb_dumb_mmap(fd, handles[i], size, PROT_READ | PROT_WRITE);
		for (uint32_t p = 0; p < MANY_PAGES; p++) {
			wb_assert_eq(maps[i][p * WPP + 5], 0);
			maps[i][p * WPP + 5] = i * MANY_PAGES + p;
		}
	}
	for (uint32_t i = 0; i < MANY; i++) {
		for (uint32_t p = 0; p < MANY_PAGES; p++)
			wb_assert_f(maps[i][p * WPP + 5] == i * MANY_PAGES + p,
				    "object %u page %u holds 0x%x", i, p, maps[i][p * WPP + 5]);
		wb_assert_eq(munmap(maps[i], size), 0);
		wb_close_ok(fd, handles[i]);
	}
}

/* vkms's fbdev device: the /dev/fbN whose fix.id is "vkmsdrmfb". */
static int open_vkms_fbdev(struct fb_fix_screeninfo *fix)
{
	char path[16];

	for (int i = 0; i < 8; i++) {
		int fd;

		snprintf(path, sizeof(path), "/dev/fb%d", i);
		fd = open(path, O_RDWR);
		if (fd < 0)
			continue;
		if (!ioctl(fd, FBIOGET_FSCREENINFO, fix) && !strcmp(fix->id, "vkmsdrmfb"))
			return fd;
		close(fd);
	}
	return -1;
}

/*
 * fbdev emulation: a mapping of /dev/fbN goes through deferred I/O, which
 * finds the page behind each offset (in the chunk list, on the project
 * kernel); read() and write() go through the kernel's vmap of the buffer.
 * Both must reach the same memory, every page of it, both ways.
 */
static void test_fbdev_mmap(void)
{
	struct fb_fix_screeninfo fix;
	uint32_t *m, *half, *buf;
	size_t len, off;
	long bad;
	int fd;

	fd = open_vkms_fbdev(&fix);
	wb_require(fd >= 0, "no /dev/fbN of vkms (CONFIG_FB_DEVICE or fbdev emulation off)");
	len = fix.smem_len;
	wb_assert_f(len >= PAGE && len % PAGE == 0, "smem_len %zu", len);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	wb_assert(m != MAP_FAILED);
	buf = malloc(len);
	wb_assert(buf);

	wb_fill(m, len, 1);
	wb_assert_eq(pread(fd, buf, len, 0), len);
	bad = wb_check(buf, len, 1);
	wb_assert_f(bad < 0, "read(): word %ld (page %ld) is not what the mapping wrote", bad,
		    bad / WPP);

	wb_fill(buf, len, 2);
	wb_assert_eq(pwrite(fd, buf, len, 0), len);
	bad = wb_check(m, len, 2);
	wb_assert_f(bad < 0, "mapping: word %ld (page %ld) is not what write() wrote", bad,
		    bad / WPP);

	/* A mapping from the middle sees the same pages at their offsets. */
	off = len / PAGE / 2 * PAGE;
	half = mmap(NULL, len - off, PROT_READ, MAP_SHARED, fd, off);
	wb_assert(half != MAP_FAILED);
	wb_assert_eq(memcmp(half, (char *)m + off, len - off), 0);

	wb_assert_eq(munmap(half, len - off), 0);
	wb_assert_eq(munmap(m, len), 0);
	free(buf);
	close(fd);
}

static void test_many_objects(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t *handles = calloc(MANY, sizeof(*handles));
	uint32_t **maps = calloc(MANY, sizeof(*maps));
	long used0, used1;
	double t0;

	wb_assert(handles && maps);
	many_round(fd, handles, maps);
	wb_settle();
	used0 = wb_mem_used_kb();
	t0 = wb_now();
	for (int r = 0; r < MANY_ROUNDS; r++)
		many_round(fd, handles, maps);
	wb_settle();
	used1 = wb_mem_used_kb();
	wb_info("%d x %d objects of %d pages: %.2fs, memory used %+ld kB\n", MANY_ROUNDS, MANY,
		MANY_PAGES, wb_now() - t0, used1 - used0);
	/* one leaked page per object would be MANY_ROUNDS * MANY * 4 KiB = 62 MiB */
	wb_assert_f(used1 - used0 < 16 * 1024, "memory use grew by %ld kB over %d objects",
		    used1 - used0, MANY_ROUNDS * MANY);
	free(handles);
	free(maps);
	close(fd);
}

/*
 * A per-page pattern: word i of object page p holds pword(seed, p, i). It
 * can be inverted, so that a mapping showing the wrong page says which
 * page it shows.
 */
#define PKEY(seed) ((seed) * 0x9e3779b9u)

static uint32_t pword(uint32_t seed, uint32_t page, uint32_t i)
{
	return (page << 10 | i) ^ PKEY(seed);
}

/* m holds object pages first .. first + n - 1: write every step-th word of each. */
static void fill_pages(uint32_t *m, uint32_t first, uint32_t n, uint32_t seed, uint32_t step)
{
	for (uint32_t p = 0; p < n; p++)
		for (uint32_t i = 0; i < WPP; i += step)
			m[(size_t)p * WPP + i] = pword(seed, first + p, i);
}

/* Whether m shows object pages first .. first + n - 1; if not, says what it shows. */
static bool pages_ok(const char *what, const uint32_t *m, uint32_t first, uint32_t n,
		     uint32_t seed, uint32_t step)
{
	for (uint32_t p = 0; p < n; p++) {
		const uint32_t *pg = m + (size_t)p * WPP;

		for (uint32_t i = 0; i < WPP; i += step) {
			if (pg[i] == pword(seed, first + p, i))
				continue;
			wb_info("%s: object page %u word %u is 0x%08x, not 0x%08x (the page's first word 0x%08x is object page %u's)\n",
				what, first + p, i, pg[i], pword(seed, first + p, i), pg[0],
				(pg[0] ^ PKEY(seed)) >> 10);
			return false;
		}
	}
	return true;
}

/*
 * The driver IGT_FORCE_DRIVER names, vkms without one: the page table and
 * run tests also run on the display drivers (bochs, cirrus-qemu, simpledrm
 * in the display and vesa boots).
 */
static int open_driver(void)
{
	const char *driver = getenv("IGT_FORCE_DRIVER");

	return wb_require_driver(driver && *driver ? driver : "vkms");
}

/* The chunk helper's count of the pages or chunks it holds, -1 without it */
static long chunk_count(const char *what)
{
	char path[64];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/drm_chunk/%s", what);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/*
 * A touched 64 MiB dumb buffer of the driver under test must be at most 64
 * chunks, runs of 1 MiB on average (2 MiB blocks make it 32 in a fresh
 * guest), by the helper's own counts in debugfs (dri/drm_chunk/): its pages
 * go up by exactly the buffer's, its chunks by at most 64. The display
 * drivers never map their buffers for their device and keep the 32-bit
 * default DMA mask, which with memory above 4 GiB lets swiotlb cap a
 * device's runs at 256 KiB: 256 chunks. Skips on a kernel without the
 * chunk helper.
 */
#define RUNS_MIB 64
#define RUNS_MAX 64
static void test_runs_64m(void)
{
	int fd = open_driver();
	uint32_t npages = (RUNS_MIB << 20) / PAGE, handle, pitch;
	long pages0 = chunk_count("pages"), chunks0 = chunk_count("chunks"), pages, chunks;
	uint64_t size;
	uint32_t *m;

	wb_require(pages0 >= 0 && chunks0 >= 0,
		   "no /sys/kernel/debug/dri/drm_chunk/{pages,chunks}: no chunk helper");
	handle = wb_dumb_create_ok(fd, 1024, npages, 32, &pitch, &size);
	m = wb_dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
	m[0] = tag(0, 0);
	pages = chunk_count("pages") - pages0;
	chunks = chunk_count("chunks") - chunks0;
	wb_info("%d MiB dumb buffer: %ld pages in %ld chunks (%ld KiB a run on average)\n",
		RUNS_MIB, pages, chunks, chunks > 0 ? pages * 4 / chunks : 0);
	wb_assert_f(pages == npages, "the helper's pages went up by %ld, not the buffer's %u: "
		    "something else allocated meanwhile", pages, npages);
	wb_assert_f(chunks <= RUNS_MAX, "%ld chunks for %d MiB, more than %d", chunks,
		    RUNS_MIB, RUNS_MAX);
	wb_assert_eq(munmap(m, size), 0);
	wb_close_ok(fd, handle);
	close(fd);
}

/*
 * Page tables in kB: this process's own (VmPTE: of /proc/self/status, its
 * PTE, PMD and PUD pages) and the system's (PageTables: of /proc/meminfo,
 * per-CPU counter deltas folded in first where root may).
 */
struct pt_kb {
	long own, sys;
};

static struct pt_kb pagetables_kb(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	struct pt_kb kb;

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			wb_info("stat_refresh: %s\n", strerror(errno));
		close(fd);
	}
	kb.own = wb_proc_kb("/proc/self/status", "VmPTE");
	kb.sys = wb_meminfo_kb("PageTables");
	wb_assert_f(kb.own >= 0 && kb.sys >= 0,
		    "no VmPTE in /proc/self/status or no PageTables in /proc/meminfo");
	return kb;
}

/*
 * Touching every page of a 256 MiB mapping must cost little page table:
 * 4 KiB PTEs for it take 512 KiB (128 PTE pages), PMD entries about 1 KiB.
 * Readings right before the mmap (the object exists already) and right
 * after the last touch. The system-wide PageTables delta is printed, but
 * it is not what is asserted: the guest is not quiet enough for it (the
 * test runner polls with a new "sleep 0.5" process every half second), and
 * a process more or less in the window moves it by tens of kB (seen:
 * 456-520 kB for 512-516 kB of PTEs). This process's own page tables are
 * exactly the mapping's. Every page is written (first and last word) and
 * read back.
 */
#define PT_MIB 256
#define PT_LIMIT_KB 64
static void pagetables_test(bool dmabuf)
{
	int fd = open_driver(), dfd = -1;
	uint32_t npages = (PT_MIB << 20) / PAGE, handle, pitch;
	struct pt_kb before, after;
	long own;
	uint64_t size;
	uint32_t *m;
	bool ok;

	handle = wb_dumb_create_ok(fd, 1024, npages, 32, &pitch, &size);
	wb_assert_eq(size, (uint64_t)npages * PAGE);
	if (dmabuf)
		dfd = wb_export_ok(fd, handle);

	before = pagetables_kb();
	m = dmabuf ? wb_dmabuf_mmap(dfd, size, PROT_READ | PROT_WRITE) :
		     wb_dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
	fill_pages(m, 0, npages, 1, WPP - 1);
	after = pagetables_kb();

	own = after.own - before.own;
	ok = pages_ok("after touching every page", m, 0, npages, 1, WPP - 1);
	wb_info("%s mapping of %d MiB at %p (%s2 MiB aligned), every page touched: page tables %+ld kB (VmPTE), system-wide %+ld kB (PageTables)\n",
		dmabuf ? "dma-buf" : "GEM", PT_MIB, (void *)m,
		(uintptr_t)m % (2u << 20) ? "not " : "", own, after.sys - before.sys);
	wb_assert(ok);
	wb_assert_f(own < PT_LIMIT_KB,
		    "page tables grew by %ld kB for %d MiB (4 KiB PTEs: %d kB), limit %d kB",
		    own, PT_MIB, PT_MIB * 2, PT_LIMIT_KB);
	wb_assert_eq(munmap(m, size), 0);
	if (dmabuf)
		close(dfd);
	wb_close_ok(fd, handle);
	close(fd);
}

static void test_pagetables_gem(void) { pagetables_test(false); }
static void test_pagetables_dmabuf(void) { pagetables_test(true); }

/*
 * One fault maps at most the 2 MiB-aligned window around it: reading one
 * word in the middle of an untouched 64 MiB object may cost the process one
 * page of PTEs (none with a PMD entry), plus the PMD and PUD table pages a
 * new region of the address space can need: 12 kB at most. A fault that
 * maps a whole run of the object costs a PTE page per 2 MiB of it (64 kB
 * for a 32 MiB run). Through the GEM offset, through a dma-buf mapping
 * that starts a page into the object, and through a GEM mapping placed a
 * page past a 2 MiB boundary, where no PMD entry can line up and the fault
 * maps PTEs.
 */
#define FW_MIB 64
#define FW_LIMIT_KB 12

/* A GEM mapping at a 2 MiB boundary + 4 KiB, in a reserved range */
static void *map_unaligned(int fd, uint32_t handle, uint64_t size)
{
	struct drm_mode_map_dumb arg = { .handle = handle };
	uintptr_t base;
	void *r, *m;

	r = mmap(NULL, size + (4u << 20), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	wb_assert_f(r != MAP_FAILED, "reserving address space: %s", strerror(errno));
	base = ((uintptr_t)r + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1);
	wb_assert_eq(drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg), 0);
	m = mmap((void *)(base + PAGE), size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, arg.offset);
	wb_assert_f(m == (void *)(base + PAGE), "mmap at %#lx: %s", (unsigned long)(base + PAGE),
		    strerror(errno));
	return m;
}

static void fault_window_once(int fd, uint32_t handle, int dfd, bool unaligned, uint64_t size)
{
	uint64_t off = dfd >= 0 ? PAGE : 0;
	volatile uint32_t *m;
	struct pt_kb before, after;
	long own;

	if (unaligned)
		m = map_unaligned(fd, handle, size);
	else
		m = dfd >= 0 ? mmap(NULL, size - off, PROT_READ, MAP_SHARED, dfd, off) :
			       wb_dumb_mmap(fd, handle, size, PROT_READ);
	wb_assert_f(m != MAP_FAILED, "mmap: %s", strerror(errno));

	before = pagetables_kb();
	wb_assert_eq(m[(size / 2 - off) / 4], 0);
	after = pagetables_kb();
	own = after.own - before.own;
	wb_info("%s mapping of %d MiB at %p, one word read in the middle: page tables %+ld kB (VmPTE)\n",
		dfd >= 0 ? "dma-buf (from page 1)" : unaligned ? "GEM (unaligned)" : "GEM",
		FW_MIB, (void *)m, own);
	wb_assert_f(own <= FW_LIMIT_KB,
		    "one fault grew the page tables by %ld kB: it mapped more than its 2 MiB window",
		    own);
	wb_assert_eq(munmap((void *)m, size - off), 0);
}

static void test_fault_window(void)
{
	int fd = wb_require_driver("vkms"), dfd;
	uint32_t npages = (FW_MIB << 20) / PAGE, handle, pitch;
	uint64_t size;

	handle = wb_dumb_create_ok(fd, 1024, npages, 32, &pitch, &size);
	dfd = wb_export_ok(fd, handle);
	fault_window_once(fd, handle, -1, false, size);
	fault_window_once(fd, handle, dfd, false, size);
	fault_window_once(fd, handle, -1, true, size);
	close(dfd);
	wb_close_ok(fd, handle);
	close(fd);
}

/*
 * A view of object pages first .. first + n - 1. Through the dma-buf: an
 * mmap of the dma-buf fd at that offset. Through GEM: the core maps only
 * at an object's own offset (drm_gem_mmap() looks the offset up exactly:
 * the offset plus k pages is EINVAL, see chunk_robust@mmap-bad-offset), so
 * the view is what is left of a new, untouched mapping of the whole object
 * once the pages around the view are unmapped: a VMA that starts inside
 * the object, as a mapping at offset + k pages would.
 */
static uint32_t *map_view(int fd, uint32_t handle, int dfd, uint32_t npages, uint32_t first,
			  uint32_t n)
{
	uint32_t *m;

	if (dfd >= 0) {
		m = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, dfd,
			 (off_t)first * PAGE);
		wb_assert_f(m != MAP_FAILED, "mmap of the dma-buf at page %u, %u pages: %s",
			    first, n, strerror(errno));
		return m;
	}
	m = wb_dumb_mmap(fd, handle, (uint64_t)npages * PAGE, PROT_READ | PROT_WRITE);
	if (first)
		wb_assert_eq(munmap(m, (size_t)first * PAGE), 0);
	if (first + n < npages)
		wb_assert_eq(munmap(m + (size_t)(first + n) * WPP,
				    (size_t)(npages - first - n) * PAGE), 0);
	return m + (size_t)first * WPP;
}

#define MID_PAGES (3 * 512 + 5)	/* 6 MiB and 5 pages */

struct range {
	uint32_t first, n;
};

static const struct range mid_views[] = {
	{ 1, MID_PAGES - 1 },	/* from the second page to the end */
	{ 511, 2 },		/* across a 2 MiB boundary */
	{ 512, 515 },		/* 2 MiB aligned, ends 3 pages into a 2 MiB block */
	{ 700, 600 },		/* neither end 2 MiB aligned */
	{ MID_PAGES - 1, 1 },	/* the last page */
};

/*
 * The view reads object pages first .. first + n - 1 (pattern 1, first
 * touch through the view), and what it writes (pattern 2) the full mapping
 * sees there and nowhere else. The full mapping gets pattern 1 back.
 */
static bool view_ok(const char *path, uint32_t *full, uint32_t npages, uint32_t *view,
		    uint32_t first, uint32_t n)
{
	uint32_t end = first + n;
	char what[128];
	bool ok;

	snprintf(what, sizeof(what), "%s view of pages %u-%u", path, first, end - 1);
	if (!pages_ok(what, view, first, n, 1, 1))
		return false;
	fill_pages(view, first, n, 2, 1);
	snprintf(what, sizeof(what), "full mapping after writes through the %s view of pages %u-%u",
		 path, first, end - 1);
	ok = pages_ok(what, full, 0, first, 1, 1) &&
	     pages_ok(what, full + (size_t)first * WPP, first, n, 2, 1) &&
	     pages_ok(what, full + (size_t)end * WPP, end, npages - end, 1, 1);
	fill_pages(full, 0, npages, 1, 1);
	return ok;
}

static void test_mmap_middle(void)
{
	int fd = wb_require_driver("vkms"), dfd, bad = 0;
	const unsigned int nviews = sizeof(mid_views) / sizeof(mid_views[0]);
	uint32_t handle, pitch;
	uint64_t size;
	uint32_t *full;

	handle = wb_dumb_create_ok(fd, 1024, MID_PAGES, 32, &pitch, &size);
	full = wb_dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
	fill_pages(full, 0, MID_PAGES, 1, 1);
	dfd = wb_export_ok(fd, handle);

	for (int dmabuf = 0; dmabuf < 2; dmabuf++)
		for (unsigned int v = 0; v < nviews; v++) {
			const struct range *r = &mid_views[v];
			uint32_t *view = map_view(fd, handle, dmabuf ? dfd : -1, MID_PAGES,
						  r->first, r->n);

			if (!view_ok(dmabuf ? "dma-buf" : "GEM", full, MID_PAGES, view, r->first,
				     r->n))
				bad++;
			wb_assert_eq(munmap(view, (size_t)r->n * PAGE), 0);
		}
	wb_assert_f(bad == 0, "%d of %u views show wrong pages (above)", bad, 2 * nviews);
	wb_assert_eq(munmap(full, size), 0);
	close(dfd);
	wb_close_ok(fd, handle);
	close(fd);
}

/* Touching addr kills a child with SIGSEGV: nothing is mapped there. */
static bool segv_at(volatile uint32_t *addr)
{
	int status;
	pid_t pid = fork();

	wb_assert(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		*addr = *addr + 1;
		_exit(0);
	}
	wb_assert_eq(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		return true;
	wb_info("touching %p (unmapped): %s %d, not SIGSEGV\n", (void *)addr,
		WIFSIGNALED(status) ? "signal" : "exit", WIFSIGNALED(status) ?
		WTERMSIG(status) : WEXITSTATUS(status));
	return false;
}

#define HOLE_OBJ_PAGES (3 * 512)	/* 6 MiB */

static const struct range holes[] = {
	{ 300, 1 },	/* a page in the first 2 MiB */
	{ 1000, 100 },	/* across the second 2 MiB boundary, ends unaligned */
};

/*
 * Punch the holes in a mapping m of the object: touching them faults, and
 * the pieces left read the object's pages at their places.
 */
static int punch_and_check(const char *what, uint32_t *m)
{
	uint32_t start = 0;
	int bad = 0;

	for (unsigned int h = 0; h < sizeof(holes) / sizeof(holes[0]); h++)
		wb_assert_eq(munmap(m + (size_t)holes[h].first * WPP,
				    (size_t)holes[h].n * PAGE), 0);
	for (unsigned int h = 0; h < sizeof(holes) / sizeof(holes[0]); h++) {
		const struct range *r = &holes[h];

		bad += !segv_at(m + (size_t)r->first * WPP);
		bad += !segv_at(m + (size_t)(r->first + r->n) * WPP - 1);
		bad += !pages_ok(what, m + (size_t)start * WPP, start, r->first - start, 1, 1);
		start = r->first + r->n;
	}
	bad += !pages_ok(what, m + (size_t)start * WPP, start, HOLE_OBJ_PAGES - start, 1, 1);
	return bad;
}

/*
 * Holes in a mapping, each splitting a potential 2 MiB mapping: once in a
 * mapping whose pages were all touched before (what was mapped stays
 * right), once in a new mapping touched only after the holes (the pieces'
 * first faults find the object page from a VMA that starts inside it).
 */
static void test_munmap_middle(void)
{
	int fd = wb_require_driver("vkms"), bad;
	uint32_t handle, pitch;
	uint32_t *m;
	uint64_t size;

	handle = wb_dumb_create_ok(fd, 1024, HOLE_OBJ_PAGES, 32, &pitch, &size);
	m = wb_dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
	fill_pages(m, 0, HOLE_OBJ_PAGES, 1, 1);
	bad = punch_and_check("touched mapping with holes", m);
	wb_assert_eq(munmap(m, size), 0);

	m = wb_dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
	bad += punch_and_check("untouched mapping with holes", m);
	wb_assert_eq(munmap(m, size), 0);
	wb_assert_f(bad == 0, "%d wrong pieces or holes (above)", bad);
	wb_close_ok(fd, handle);
	close(fd);
}

/*
 * Concurrent first faults on one never-touched object: THREADS threads
 * started together by a barrier.
 */
#define THREADS 4
#define THREAD_PAGES (4096 + 3)	/* 16 MiB and 3 pages */
#define THREAD_ROUNDS 3

struct thread_arg {
	pthread_t id;
	pthread_barrier_t *start;
	int fd;
	uint32_t handle, t;
	uint32_t *m;	/* the shared mapping */
};

/*
 * Every thread walks every page of the shared mapping, from its own quarter
 * on: it writes the pages p with p % THREADS == t and reads a word of the
 * others, which is zero or what their writer wrote.
 */
static void *interleaved_thread(void *data)
{
	struct thread_arg *a = data;

	pthread_barrier_wait(a->start);
	for (uint32_t j = 0; j < THREAD_PAGES; j++) {
		uint32_t p = (j + a->t * THREAD_PAGES / THREADS) % THREAD_PAGES;
		uint32_t *pg = a->m + (size_t)p * WPP, w;

		if (p % THREADS == a->t) {
			fill_pages(pg, p, 1, 3, 1);
			continue;
		}
		w = pg[WPP / 2];
		wb_assert_f(w == 0 || w == pword(3, p, WPP / 2),
			    "thread %u: object page %u word %u is 0x%08x: neither zero nor 0x%08x",
			    a->t, p, WPP / 2, w, pword(3, p, WPP / 2));
	}
	return NULL;
}

/* Each thread maps the object itself and writes its contiguous stripe. */
static void *stripe_thread(void *data)
{
	struct thread_arg *a = data;
	uint32_t first = a->t * THREAD_PAGES / THREADS, end = (a->t + 1) * THREAD_PAGES / THREADS;
	uint64_t size = (uint64_t)THREAD_PAGES * PAGE;
	uint32_t *m;

	pthread_barrier_wait(a->start);
	m = wb_dumb_mmap(a->fd, a->handle, size, PROT_READ | PROT_WRITE);
	fill_pages(m + (size_t)first * WPP, first, end - first, 4, 1);
	wb_assert_eq(munmap(m, size), 0);
	return NULL;
}

static void run_threads(void *(*fn)(void *), int fd, uint32_t handle, uint32_t *m)
{
	struct thread_arg args[THREADS];
	pthread_barrier_t start;

	wb_assert_eq(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (uint32_t t = 0; t < THREADS; t++) {
		args[t] = (struct thread_arg){ .start = &start, .fd = fd, .handle = handle,
					       .t = t, .m = m };
		wb_assert_eq(pthread_create(&args[t].id, NULL, fn, &args[t]), 0);
	}
	for (uint32_t t = 0; t < THREADS; t++)
		wb_assert_eq(pthread_join(args[t].id, NULL), 0);
	pthread_barrier_destroy(&start);
}

static void test_threads(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t handle, pitch;
	uint64_t size;
	uint32_t *m;

	for (int round = 0; round < THREAD_ROUNDS; round++) {
		handle = wb_dumb_create_ok(fd, 1024, THREAD_PAGES, 32, &pitch, &size);
		m = wb_dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
		run_threads(interleaved_thread, fd, handle, m);
		wb_assert(pages_ok("after the interleaved threads", m, 0, THREAD_PAGES, 3, 1));
		wb_assert_eq(munmap(m, size), 0);
		wb_close_ok(fd, handle);

		handle = wb_dumb_create_ok(fd, 1024, THREAD_PAGES, 32, &pitch, &size);
		run_threads(stripe_thread, fd, handle, NULL);
		m = wb_dumb_mmap(fd, handle, size, PROT_READ);
		wb_assert(pages_ok("after the stripe threads", m, 0, THREAD_PAGES, 4, 1));
		wb_assert_eq(munmap(m, size), 0);
		wb_close_ok(fd, handle);
	}
	close(fd);
}

static const struct wb_subtest tests[] = {
	{ "size-1-page", test_size_1_page, 60 },
	{ "size-odd-pages", test_size_odd_pages, 60 },
	{ "size-2m", test_size_2m, 60 },
	{ "size-2m-minus-page", test_size_2m_minus_page, 60 },
	{ "size-2m-plus-page", test_size_2m_plus_page, 60 },
	{ "size-64m-plus-page", test_size_64m_plus_page, 120 },
	{ "size-256m", test_size_256m, 180 },
	{ "coherency-mappings", test_coherency_mappings, 60 },
	{ "coherency-fork", test_coherency_fork, 60 },
	{ "fresh-zeroed", test_fresh_zeroed, 60 },
	/* 73 s on the debug kernel (KASAN) under TCG, unloaded. */
	{ "many-objects", test_many_objects, 360 },
	{ "fbdev-mmap", test_fbdev_mmap, 60 },
	{ "pagetables-256m-gem", test_pagetables_gem, 120 },
	{ "pagetables-256m-dmabuf", test_pagetables_dmabuf, 120 },
	{ "runs-64m", test_runs_64m, 60 },
	{ "fault-window", test_fault_window, 60 },
	{ "mmap-middle", test_mmap_middle, 60 },
	{ "munmap-middle", test_munmap_middle, 60 },
	{ "threads", test_threads, 120 },
};

int main(int argc, char **argv)
{
	return wb_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
