// SPDX-License-Identifier: MIT
/*
 * chunk_prime: PRIME between vkms (drm_gem_chunk_helper in the project,
 * drm_gem_shmem_helper in 7.3) and vgem, both ways, plus PRIME scanout of a
 * vgem buffer on vkms checked pixel-exact through the writeback connector.
 *
 * Neither driver lets MODE_MAP_DUMB map an imported object
 * (drm_gem_dumb_map_offset() returns -EINVAL for imports in 7.3); CPU access
 * to an import goes through the exporter, i.e. mmap of the dma-buf fd. The
 * importer's own access is its device access: vkms reads an imported vgem
 * buffer when it composes a plane and writes one when it is the writeback
 * target, which is what the scanout/writeback subtests check.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>
#include <drm/vgem_drm.h>

#include "wbtest.h"

#define BPP 32

/* ---------- buffer-to-buffer PRIME ---------- */

struct bo {
	int fd;
	uint32_t handle, pitch;
	uint64_t size;
};

static struct bo bo_new(int fd, uint32_t w, uint32_t h)
{
	struct bo b = { .fd = fd };

	b.handle = wb_dumb_create_ok(fd, w, h, BPP, &b.pitch, &b.size);
	return b;
}

/*
 * exporter: dumb buffer written through its own mmap, exported; importer:
 * imports, re-exports (must be the same dma-buf), reads it through the
 * dma-buf mapping; then writes through the dma-buf mapping and the exporter
 * reads through its own mmap.
 */
static void prime_one_way(const char *exp_drv, const char *imp_drv)
{
	int efd = wb_require_driver(exp_drv), ifd = wb_require_driver(imp_drv);
	int base = wb_dmabuf_count();
	/* odd number of pages, not a power of two: 37 pages */
	struct bo b = bo_new(efd, 1024, 37);
	uint32_t ih, ih2;
	uint64_t off;
	int dfd, rfd;
	void *emap, *dmap;
	long bad;

	emap = wb_dumb_mmap(efd, b.handle, b.size, PROT_READ | PROT_WRITE);
	wb_assert_f(wb_check_zero(emap, b.size) < 0, "new %s buffer not zeroed", exp_drv);
	wb_fill(emap, b.size, 0x1111);

	dfd = wb_export_ok(efd, b.handle);
	wb_assert_eq(lseek(dfd, 0, SEEK_END), (off_t)b.size);
	ih = wb_import_ok(ifd, dfd);

	/* 7.3: imports cannot be mapped through MODE_MAP_DUMB. */
	wb_assert_ret(wb_dumb_map_offset(ifd, ih, &off), -EINVAL);

	/* importing the same dma-buf again gives the same handle */
	wb_assert_ret(wb_prime_import(ifd, dfd, &ih2), 0);
	wb_assert_eq(ih2, ih);

	/* re-export from the importer: the same dma-buf */
	rfd = wb_export_ok(ifd, ih);
	wb_assert_eq(wb_fd_ino(rfd), wb_fd_ino(dfd));

	dmap = wb_dmabuf_mmap(rfd, b.size, PROT_READ | PROT_WRITE);
	wb_assert_ret(wb_dmabuf_sync(rfd, true, false), 0);
	bad = wb_check(dmap, b.size, 0x1111);
	wb_assert_f(bad < 0, "%s->%s: word %ld differs: 0x%08x", exp_drv, imp_drv, bad,
		    ((uint32_t *)dmap)[bad]);
	wb_assert_ret(wb_dmabuf_sync(rfd, false, false), 0);

	/* and back: written through the dma-buf, read by the exporter */
	wb_assert_ret(wb_dmabuf_sync(rfd, true, true), 0);
	wb_fill(dmap, b.size, 0x2222);
	wb_assert_ret(wb_dmabuf_sync(rfd, false, true), 0);
	bad = wb_check(emap, b.size, 0x2222);
	wb_assert_f(bad < 0, "%s<-%s: word %ld differs: 0x%08x", exp_drv, imp_drv, bad,
		    ((uint32_t *)emap)[bad]);

	/* the exporter still sees one object: its own mmap and the dma-buf agree */
	((uint32_t *)emap)[12345] = 0xabcdef01;
	wb_assert_eq(((uint32_t *)dmap)[12345], 0xabcdef01);

	munmap(dmap, b.size);
	munmap(emap, b.size);
	close(rfd);
	close(dfd);
	wb_close_ok(ifd, ih);
	wb_close_ok(efd, b.handle);
	if (base >= 0)
		wb_assert_eq(wb_dmabuf_count(), base);
	close(ifd);
	close(efd);
}

static void test_vkms_to_vgem(void)
{
	prime_one_way("vkms", "vgem");
}

static void test_vgem_to_vkms(void)
{
	prime_one_way("vgem", "vkms");
}

static void self_import(const char *drv)
{
	int fd = wb_require_driver(drv), fd2 = wb_require_driver(drv);
	struct bo b = bo_new(fd, 1024, 5);
	uint32_t h, h2, h3;
	uint32_t *m1, *m2;
	int dfd, dfd2, dfd3;

	dfd = wb_export_ok(fd, b.handle);
	/* same file: the same handle */
	h = wb_import_ok(fd, dfd);
	wb_assert_eq(h, b.handle);
	/* exporting again: same dma-buf */
	dfd2 = wb_export_ok(fd, b.handle);
	wb_assert_eq(wb_fd_ino(dfd2), wb_fd_ino(dfd));

	/* another file on the same device: a handle to the same object */
	h2 = wb_import_ok(fd2, dfd);
	wb_assert_ret(wb_prime_import(fd2, dfd2, &h3), 0);
	wb_assert_eq(h3, h2);
	dfd3 = wb_export_ok(fd2, h2);
	wb_assert_eq(wb_fd_ino(dfd3), wb_fd_ino(dfd));

	/* same object: a write through one file's mapping shows in the other's.
	 * (self-import is not an import: MAP_DUMB works on it.) */
	m1 = wb_dumb_mmap(fd, b.handle, b.size, PROT_READ | PROT_WRITE);
	m2 = wb_dumb_mmap(fd2, h2, b.size, PROT_READ | PROT_WRITE);
	wb_fill(m1, b.size, 77);
	wb_assert(wb_check(m2, b.size, 77) < 0);
	m2[b.size / 4 - 1] = 0x5a5a5a5a;
	wb_assert_eq(m1[b.size / 4 - 1], 0x5a5a5a5a);

	munmap(m1, b.size);
	munmap(m2, b.size);
	close(dfd);
	close(dfd2);
	close(dfd3);
	wb_close_ok(fd, b.handle);
	/* the handle returned by self-import was the same one: now gone */
	wb_assert_ret(wb_gem_close(fd, h), -EINVAL);
	wb_close_ok(fd2, h2);
	close(fd);
	close(fd2);
}

static void test_self_import_vkms(void)
{
	self_import("vkms");
}

static void test_self_import_vgem(void)
{
	self_import("vgem");
}

static void test_reexport(void)
{
	int vk = wb_require_driver("vkms"), vg = wb_require_driver("vgem");
	int vk2 = wb_require_driver("vkms");
	struct bo a = bo_new(vk, 256, 3), b = bo_new(vg, 256, 3);
	int fa, fb, ra, rb, ra2;
	uint32_t ia, ib, ia2, back;

	fa = wb_export_ok(vk, a.handle);
	fb = wb_export_ok(vg, b.handle);
	ia = wb_import_ok(vg, fa);
	ib = wb_import_ok(vk, fb);
	ra = wb_export_ok(vg, ia);
	rb = wb_export_ok(vk, ib);
	wb_assert_eq(wb_fd_ino(ra), wb_fd_ino(fa));
	wb_assert_eq(wb_fd_ino(rb), wb_fd_ino(fb));

	/* importing the re-exported fd back into the original exporter gives
	 * back the original handle; into another vkms file, a new handle that
	 * re-exports to the same dma-buf again */
	back = wb_import_ok(vk, ra);
	wb_assert_eq(back, a.handle);
	back = wb_import_ok(vg, rb);
	wb_assert_eq(back, b.handle);
	ia2 = wb_import_ok(vk2, ra);
	ra2 = wb_export_ok(vk2, ia2);
	wb_assert_eq(wb_fd_ino(ra2), wb_fd_ino(fa));

	/* after the original exporter handle is gone, re-export still works
	 * and is still the same dma-buf */
	close(fa);
	close(ra);
	close(ra2);
	wb_close_ok(vk, a.handle);
	ra = wb_export_ok(vg, ia);
	ra2 = wb_export_ok(vk2, ia2);
	wb_assert_eq(wb_fd_ino(ra), wb_fd_ino(ra2));
	close(ra);
	close(ra2);

	wb_close_ok(vg, ia);
	wb_close_ok(vk2, ia2);
	wb_close_ok(vk, ib);
	wb_close_ok(vg, b.handle);
	close(fb);
	close(rb);
	close(vk);
	close(vk2);
	close(vg);
}

/*
 * Close the four references to a shared buffer (exporter handle, dma-buf fd,
 * importer handle, a CPU mapping of the dma-buf) in all 24 orders; after each
 * order the dma-buf must be gone (debugfs bufinfo count back to its start),
 * the exporter's object must hold no extra reference while it is the last
 * thing left (debugfs gem_names refcount of its flink name), and over all
 * orders memory use must not grow by the size of the buffers.
 */
static void close_orders(const char *exp_drv, const char *imp_drv)
{
	int efd = wb_require_driver(exp_drv), ifd = wb_require_driver(imp_drv);
	const uint32_t w = 1024, h = 2048;	/* 8 MiB */
	int perm[4] = { 0, 1, 2, 3 };
	long used0, used1;
	int base, orders = 0;

	base = wb_dmabuf_count();
	wb_require(base >= 0, "no /sys/kernel/debug/dma_buf/bufinfo (debugfs not mounted?)");
	wb_settle();
	used0 = wb_mem_used_kb();

	for (int p = 0; p < 24; p++) {
		/* p-th permutation (factorial number system) */
		int pool[4] = { 0, 1, 2, 3 }, n = 4, k = p;

		for (int i = 0; i < 4; i++) {
			int f = 1, idx;

			for (int j = 2; j < n; j++)
				f *= j;
			idx = k / f;
			k %= f;
			perm[i] = pool[idx];
			memmove(&pool[idx], &pool[idx + 1], (n - idx - 1) * sizeof(int));
			n--;
		}

		struct bo b = bo_new(efd, w, h);
		uint32_t ih, name = 0;
		void *m, *dm;
		int dfd, rc, hc = 0;
		unsigned long ino;

		m = wb_dumb_mmap(efd, b.handle, b.size, PROT_READ | PROT_WRITE);
		wb_fill(m, b.size, p);
		munmap(m, b.size);
		wb_assert_ret(wb_gem_flink(efd, b.handle, &name), 0);
		dfd = wb_export_ok(efd, b.handle);
		ino = wb_fd_ino(dfd);
		ih = wb_import_ok(ifd, dfd);
		dm = wb_dmabuf_mmap(dfd, b.size, PROT_READ);
		wb_assert_eq(wb_dmabuf_count(), base + 1);
		rc = wb_gem_name_refcount(efd, name, &hc);
		wb_assert_f(rc >= 2 && hc == 1, "refcount %d handles %d", rc, hc);

		for (int i = 0; i < 4; i++) {
			switch (perm[i]) {
			case 0:
				if (i == 3) {
					/*
					 * Only the exporter's handle is left. The
					 * exporter caches its dma-buf (obj->dma_buf)
					 * while it has handles, and that dma-buf holds
					 * the object: refcount 2. The dma-buf file is
					 * held by that cache and by the file's PRIME
					 * handle cache (drm_prime_add_buf_handle): 2.
					 * Any more is a reference an importer, a
					 * closed fd or an unmapped mapping leaked.
					 */
					long fc = wb_dmabuf_file_count(ino);

					rc = wb_gem_name_refcount(efd, name, &hc);
					wb_assert_f(rc == 2 && hc == 1,
						    "order %d: exporter object refcount %d handles %d with nothing else holding it",
						    p, rc, hc);
					wb_assert_f(fc == 2,
						    "order %d: dma-buf file count %ld with no fd, mapping or import left",
						    p, fc);
				}
				wb_close_ok(efd, b.handle);
				break;
			case 1:
				wb_assert_eq(close(dfd), 0);
				break;
			case 2:
				wb_close_ok(ifd, ih);
				break;
			case 3:
				wb_assert(wb_check(dm, b.size, p) < 0);
				wb_assert_eq(munmap(dm, b.size), 0);
				break;
			}
		}
		wb_assert_f(wb_dmabuf_count() == base,
			    "order %d%d%d%d: %d dma-bufs left, %d at start", perm[0], perm[1],
			    perm[2], perm[3], wb_dmabuf_count(), base);
		orders++;
	}
	wb_settle();
	used1 = wb_mem_used_kb();
	wb_info("%d close orders; memory used %ld kB before, %ld kB after (%+ld kB)\n",
		orders, used0, used1, used1 - used0);
	/* 24 x 8 MiB = 192 MiB would leak if buffers stayed; allow 48 MiB noise */
	wb_assert_f(used1 - used0 < 48 * 1024, "memory use grew by %ld kB", used1 - used0);
	close(ifd);
	close(efd);
}

static void test_close_orders_vkms_vgem(void)
{
	close_orders("vkms", "vgem");
}

static void test_close_orders_vgem_vkms(void)
{
	close_orders("vgem", "vkms");
}

/* ---------- KMS: scanout + writeback ---------- */

static void draw(void *map, uint32_t pitch, uint32_t w, uint32_t h, uint32_t seed)
{
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)((char *)map + (size_t)y * pitch);

		/* the X byte is junk on purpose: XRGB8888 ignores it */
		for (uint32_t x = 0; x < w; x++)
			row[x] = wb_pattern(seed, x, y) | ((x * 7u) & 0xff) << 24;
	}
}

static void compare(const char *what, const void *map, uint32_t pitch, uint32_t w, uint32_t h,
		    uint32_t seed)
{
	long bad = 0;
	uint32_t fx = 0, fy = 0, got = 0;

	for (uint32_t y = 0; y < h; y++) {
		const uint32_t *row = (const uint32_t *)((const char *)map + (size_t)y * pitch);

		for (uint32_t x = 0; x < w; x++)
			if ((row[x] & 0xffffff) != wb_pattern(seed, x, y)) {
				if (!bad++) {
					fx = x;
					fy = y;
					got = row[x];
				}
			}
	}
	wb_assert_f(bad == 0,
		    "%s: %ld of %u pixels differ; first at (%u,%u): 0x%08x, expected 0x%06x",
		    what, bad, w * h, fx, fy, got, wb_pattern(seed, fx, fy));
	wb_info("%s: %ux%u pixels match\n", what, w, h);
}

/*
 * PRIME scanout: a vgem buffer, exported, imported into vkms and scanned out, is
 * captured through writeback and must equal the pattern pixel-exact, as must
 * the same pattern in a vkms-native buffer. A second pattern written through
 * vgem afterwards must show in the next capture (vkms reads the live buffer).
 */
static void test_scanout_vgem(void)
{
	int vk = wb_require_driver("vkms"), vg = wb_require_driver("vgem");
	struct wb_kms k;
	uint32_t w, h, vfb, nfb, wfb, ih;
	struct bo vb, nb, wb;
	void *vmap, *nmap, *wmap;
	int dfd;

	wb_kms_init(&k, vk);
	w = k.mode.hdisplay;
	h = k.mode.vdisplay;

	vb = bo_new(vg, w, h);
	vmap = wb_dumb_mmap(vg, vb.handle, vb.size, PROT_READ | PROT_WRITE);
	draw(vmap, vb.pitch, w, h, 1);
	dfd = wb_export_ok(vg, vb.handle);
	ih = wb_import_ok(vk, dfd);
	vfb = wb_add_fb(vk, ih, w, h, vb.pitch);

	nb = bo_new(vk, w, h);
	nmap = wb_dumb_mmap(vk, nb.handle, nb.size, PROT_READ | PROT_WRITE);
	draw(nmap, nb.pitch, w, h, 1);
	nfb = wb_add_fb(vk, nb.handle, w, h, nb.pitch);

	wb = bo_new(vk, w, h);
	wmap = wb_dumb_mmap(vk, wb.handle, wb.size, PROT_READ | PROT_WRITE);
	wfb = wb_add_fb(vk, wb.handle, w, h, wb.pitch);

	memset(wmap, 0x5c, wb.size);
	wb_kms_capture(&k, vfb, wfb);
	compare("vgem buffer scanned out by vkms", wmap, wb.pitch, w, h, 1);

	memset(wmap, 0x5c, wb.size);
	wb_kms_capture(&k, nfb, wfb);
	compare("vkms buffer scanned out by vkms", wmap, wb.pitch, w, h, 1);

	draw(vmap, vb.pitch, w, h, 2);
	memset(wmap, 0x5c, wb.size);
	wb_kms_capture(&k, vfb, wfb);
	compare("vgem buffer rewritten, scanned out again", wmap, wb.pitch, w, h, 2);

	wb_kms_off(&k);
	drmModeRmFB(vk, vfb);
	drmModeRmFB(vk, nfb);
	drmModeRmFB(vk, wfb);
	munmap(vmap, vb.size);
	munmap(nmap, nb.size);
	munmap(wmap, wb.size);
	wb_close_ok(vk, ih);
	close(dfd);
	wb_close_ok(vg, vb.handle);
	wb_close_ok(vk, nb.handle);
	wb_close_ok(vk, wb.handle);
	close(vk);
	close(vg);
}

/*
 * The other way: vkms writes (as writeback target) into a vgem buffer it
 * imported; the result is read through vgem's own mmap.
 */
static void test_writeback_vgem(void)
{
	int vk = wb_require_driver("vkms"), vg = wb_require_driver("vgem");
	struct wb_kms k;
	uint32_t w, h, nfb, wfb, ih;
	struct bo nb, wb;
	void *nmap, *wmap;
	int dfd;

	wb_kms_init(&k, vk);
	w = k.mode.hdisplay;
	h = k.mode.vdisplay;

	nb = bo_new(vk, w, h);
	nmap = wb_dumb_mmap(vk, nb.handle, nb.size, PROT_READ | PROT_WRITE);
	draw(nmap, nb.pitch, w, h, 3);
	nfb = wb_add_fb(vk, nb.handle, w, h, nb.pitch);

	wb = bo_new(vg, w, h);
	wmap = wb_dumb_mmap(vg, wb.handle, wb.size, PROT_READ | PROT_WRITE);
	memset(wmap, 0x5c, wb.size);
	dfd = wb_export_ok(vg, wb.handle);
	ih = wb_import_ok(vk, dfd);
	wfb = wb_add_fb(vk, ih, w, h, wb.pitch);

	wb_kms_capture(&k, nfb, wfb);
	compare("vkms writeback into imported vgem buffer", wmap, wb.pitch, w, h, 3);

	draw(nmap, nb.pitch, w, h, 4);
	memset(wmap, 0x5c, wb.size);
	wb_kms_capture(&k, nfb, wfb);
	compare("second writeback into imported vgem buffer", wmap, wb.pitch, w, h, 4);

	wb_kms_off(&k);
	drmModeRmFB(vk, nfb);
	drmModeRmFB(vk, wfb);
	munmap(nmap, nb.size);
	munmap(wmap, wb.size);
	wb_close_ok(vk, ih);
	close(dfd);
	wb_close_ok(vg, wb.handle);
	wb_close_ok(vk, nb.handle);
	close(vk);
	close(vg);
}

/* ---------- CPU access while a device still holds the buffer ---------- */

struct fence_signaller {
	int vgem;
	uint32_t fence;
	double at;	/* when the fence was signalled */
};

static void *signal_later(void *arg)
{
	struct fence_signaller *s = arg;
	struct drm_vgem_fence_signal sig = { .fence = s->fence };

	usleep(300 * 1000);
	s->at = wb_now();
	wb_assert_eq(drmIoctl(s->vgem, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig), 0);
	return NULL;
}

/*
 * A buffer exported by exp_drv (a vgem or vkms chunk object in the project)
 * with a vgem write fence pending, as a device that still writes it leaves
 * it, signalled 300 ms later by another thread. DMA_BUF_IOCTL_SYNC must wait
 * for the fence both to start and to end a CPU access: only then may the
 * exporter hand the memory between the devices and the CPU (copy bounce
 * buffers back or fill them, flush caches). dma-buf waits after the
 * exporter's begin_cpu_access and not at all at the end, so the end is the
 * exporter's own wait. Passes when each SYNC returns after the signal.
 */
static void sync_fenced(const char *exp_drv)
{
	int vg = wb_require_driver("vgem");
	int efd = strcmp(exp_drv, "vgem") ? wb_require_driver(exp_drv) : vg;
	struct bo b = bo_new(efd, 1024, 16);
	int dfd = wb_export_ok(efd, b.handle);
	uint32_t vh = efd == vg ? b.handle : wb_import_ok(vg, dfd);

	for (int start = 1; start >= 0; start--) {
		struct drm_vgem_fence_attach fa = { .handle = vh, .flags = VGEM_FENCE_WRITE };
		struct fence_signaller s = { .vgem = vg };
		pthread_t t;
		double ret;

		wb_assert_eq(drmIoctl(vg, DRM_IOCTL_VGEM_FENCE_ATTACH, &fa), 0);
		s.fence = fa.out_fence;
		wb_assert_eq(pthread_create(&t, NULL, signal_later, &s), 0);
		wb_assert_ret(wb_dmabuf_sync(dfd, start, true), 0);
		ret = wb_now();
		wb_assert_eq(pthread_join(t, NULL), 0);
		wb_info("%s buffer: SYNC_%s returned %+.0f ms from the fence's signal\n", exp_drv,
			start ? "START" : "END", (ret - s.at) * 1000);
		wb_assert_f(ret >= s.at, "SYNC_%s returned %.0f ms before the fence signalled",
			    start ? "START" : "END", (s.at - ret) * 1000);
	}

	close(dfd);
	if (efd != vg) {
		wb_close_ok(vg, vh);
		wb_close_ok(efd, b.handle);
		close(efd);
	} else {
		wb_close_ok(vg, b.handle);
	}
	close(vg);
}

static void test_sync_fenced_vgem(void)
{
	sync_fenced("vgem");
}

static void test_sync_fenced_vkms(void)
{
	sync_fenced("vkms");
}

static const struct wb_subtest tests[] = {
	{ "vkms-to-vgem", test_vkms_to_vgem, 60 },
	{ "vgem-to-vkms", test_vgem_to_vkms, 60 },
	{ "self-import-vkms", test_self_import_vkms, 60 },
	{ "self-import-vgem", test_self_import_vgem, 60 },
	{ "reexport-same-dmabuf", test_reexport, 60 },
	{ "close-orders-vkms-vgem", test_close_orders_vkms_vgem, 120 },
	{ "close-orders-vgem-vkms", test_close_orders_vgem_vkms, 120 },
	{ "scanout-vgem-writeback", test_scanout_vgem, 90 },
	{ "writeback-into-vgem", test_writeback_vgem, 90 },
	{ "sync-fenced-vgem", test_sync_fenced_vgem, 60 },
	{ "sync-fenced-vkms", test_sync_fenced_vkms, 60 },
};

int main(int argc, char **argv)
{
	return wb_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
