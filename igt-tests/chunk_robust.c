// SPDX-License-Identifier: MIT
/*
 * chunk_robust: bad input to the vkms GEM/dumb/PRIME uAPI gets the errno the
 * 7.3 core gives (drm_dumb_buffers.c, drm_gem.c, drm_prime.c, dma-buf.c),
 * nothing leaks, thousands of PRIME round trips leave nothing behind, and
 * threads racing map/export/close on the same objects see only the errnos
 * those races can legitimately produce.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "wbtest.h"

#define PAGE 4096u

/* Raw create: garbage in the output fields, which must come back zeroed on error. */
static int create_raw(int fd, uint32_t w, uint32_t h, uint32_t bpp,
		      struct drm_mode_create_dumb *out)
{
	struct drm_mode_create_dumb arg = {
		.width = w, .height = h, .bpp = bpp,
		.handle = 0xdeadbeef, .pitch = 0xdeadbeef, .size = 0xdeadbeefdeadbeefull,
	};
	int ret = drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg) ? -errno : 0;

	*out = arg;
	return ret;
}

static void expect_create_einval(int fd, uint32_t w, uint32_t h, uint32_t bpp)
{
	struct drm_mode_create_dumb a;
	int ret = create_raw(fd, w, h, bpp, &a);

	wb_assert_f(ret == -EINVAL, "create_dumb(%u, %u, %u) = %d (%s), want -EINVAL", w, h, bpp,
		    ret, ret ? strerror(-ret) : "success");
	wb_assert_f(a.handle == 0 && a.pitch == 0 && a.size == 0,
		    "create_dumb(%u, %u, %u) failed but left handle %u pitch %u size %llu", w, h,
		    bpp, a.handle, a.pitch, (unsigned long long)a.size);
}

static void test_create_zero(void)
{
	int fd = wb_require_driver("vkms");

	expect_create_einval(fd, 0, 768, 32);
	expect_create_einval(fd, 1024, 0, 32);
	expect_create_einval(fd, 1024, 768, 0);
	expect_create_einval(fd, 0, 0, 0);
	close(fd);
}

static void test_create_overflow(void)
{
	int fd = wb_require_driver("vkms");

	expect_create_einval(fd, 1, 1, UINT32_MAX);		/* bpp > U32_MAX - 8 */
	expect_create_einval(fd, 1, 1, UINT32_MAX - 7);
	expect_create_einval(fd, 2, 9, UINT32_MAX - 8);	/* cpp * width overflows */
	expect_create_einval(fd, UINT32_MAX, 1, 32);		/* cpp * width overflows */
	expect_create_einval(fd, 1u << 30, 1, 32);
	expect_create_einval(fd, 65536, 65536, 8);		/* height * stride overflows */
	expect_create_einval(fd, 32768, 32768, 32);
	expect_create_einval(fd, 1, UINT32_MAX, 32);
	expect_create_einval(fd, UINT32_MAX, UINT32_MAX, UINT32_MAX);
	expect_create_einval(fd, UINT32_MAX, 1, 8);		/* size U32_MAX: page align wraps */
	expect_create_einval(fd, 1, UINT32_MAX - 100, 8);	/* idem */
	close(fd);
}

/* Exact pitch and size for the legal bpp values (what the 7.3 core computes). */
static void test_create_bpp(void)
{
	static const struct { uint32_t w, h, bpp, pitch; uint64_t size; } c[] = {
		{ 1000, 3, 8, 1000, 4096 },
		{ 1000, 5, 16, 2000, 12288 },
		{ 1000, 7, 24, 3000, 24576 },
		{ 1000, 9, 32, 4000, 36864 },
		{ 1, 1, 32, 4, 4096 },
		{ 4097, 1, 8, 4097, 8192 },
	};
	int fd = wb_require_driver("vkms");

	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint32_t h, pitch;
		uint64_t size;
		void *m;

		wb_assert_ret(wb_dumb_create(fd, c[i].w, c[i].h, c[i].bpp, &h, &pitch, &size), 0);
		wb_assert_f(pitch == c[i].pitch && size == c[i].size,
			    "%ux%u bpp %u: pitch %u size %llu, want %u %llu", c[i].w, c[i].h,
			    c[i].bpp, pitch, (unsigned long long)size, c[i].pitch,
			    (unsigned long long)c[i].size);
		m = wb_dumb_mmap(fd, h, size, PROT_READ | PROT_WRITE);
		memset(m, 0x3c, size);
		munmap(m, size);
		wb_close_ok(fd, h);
	}
	close(fd);
}

/*
 * Huge but legal sizes (the dumb ioctl's size is a u32): 7.3 (shmem)
 * creates them lazily and succeeds; a helper that allocates up front may
 * answer -ENOMEM for what exceeds guest memory. Nothing else is acceptable.
 * They are not mapped: in 7.3 the first mmap pins every page (the 4 GiB one
 * would not fit in the guest). They can be given a mmap offset and exported,
 * and memory use comes back after the close.
 */
static void test_create_huge(void)
{
	static const struct { uint32_t w, h, bpp; } c[] = {
		{ 16384, 16384, 32 },		/* 1 GiB */
		{ 32768, 16384, 32 },		/* 2 GiB */
		{ 1, 0xfffff000u, 8 },		/* 4 GiB - 4 KiB, the largest dumb buffer */
	};
	int fd = wb_require_driver("vkms");
	int base = wb_dmabuf_count();
	long used0, used1;

	wb_settle();
	used0 = wb_mem_used_kb();
	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint32_t h = 0, pitch;
		uint64_t size, off, want = (uint64_t)c[i].w * c[i].h * (c[i].bpp / 8);
		int ret = wb_dumb_create(fd, c[i].w, c[i].h, c[i].bpp, &h, &pitch, &size);
		int dfd;

		wb_assert_f(ret == 0 || ret == -ENOMEM, "create_dumb(%u, %u, %u) = %d (%s)",
			    c[i].w, c[i].h, c[i].bpp, ret, strerror(-ret));
		wb_info("%llu MiB dumb buffer: %s\n", (unsigned long long)(want >> 20),
			ret ? "ENOMEM" : "created");
		if (ret)
			continue;
		wb_assert_eq(size, want);
		wb_assert_eq(pitch, c[i].w * (c[i].bpp / 8));
		wb_assert_ret(wb_dumb_map_offset(fd, h, &off), 0);
		wb_assert(off != 0);
		dfd = wb_export_ok(fd, h);
		wb_assert_eq(lseek(dfd, 0, SEEK_END), (off_t)size);
		close(dfd);
		wb_close_ok(fd, h);
	}
	close(fd);
	wb_settle();
	used1 = wb_mem_used_kb();
	wb_info("memory used %+ld kB\n", used1 - used0);
	wb_assert_f(used1 - used0 < 64 * 1024, "memory use grew by %ld kB", used1 - used0);
	if (base >= 0)
		wb_assert_eq(wb_dmabuf_count(), base);
}

static int mmap_errno(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

static void test_mmap_bad_offset(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t h, pitch;
	uint64_t size, off;

	h = wb_dumb_create_ok(fd, 1024, 4, 32, &pitch, &size);
	wb_assert_ret(wb_dumb_map_offset(fd, h, &off), 0);
	wb_assert(off != 0 && off % PAGE == 0);

	wb_assert_ret(mmap_errno(fd, size, off), 0);
	wb_assert_ret(mmap_errno(fd, PAGE, 0), -EINVAL);		/* no object at 0 */
	wb_assert_ret(mmap_errno(fd, PAGE, 0x7654321000ll), -EINVAL);	/* nowhere */
	wb_assert_ret(mmap_errno(fd, PAGE, off + PAGE), -EINVAL);	/* inside, not the start */
	wb_assert_ret(mmap_errno(fd, size + PAGE, off), -EINVAL);	/* longer than the object */
	wb_assert_ret(mmap_errno(fd, 64 * size, off), -EINVAL);
	wb_assert_ret(mmap_errno(fd, size, off + 1), -EINVAL);		/* unaligned */
	wb_assert_ret(mmap_errno(fd, 0, off), -EINVAL);			/* empty */
	wb_assert_ret(mmap_errno(fd, size, off - PAGE), -EINVAL);	/* just before */
	wb_assert_ret(mmap_errno(fd, size, off), 0);			/* still fine */
	wb_close_ok(fd, h);
	close(fd);
}

static void test_mmap_closed_handle(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t h, pitch;
	uint64_t size, off;
	uint32_t *m;

	/* object freed with its handle: the offset is gone */
	h = wb_dumb_create_ok(fd, 1024, 8, 32, &pitch, &size);
	wb_assert_ret(wb_dumb_map_offset(fd, h, &off), 0);
	wb_close_ok(fd, h);
	wb_assert_ret(mmap_errno(fd, size, off), -EINVAL);
	wb_assert_ret(wb_dumb_map_offset(fd, h, &off), -ENOENT);

	/* object kept alive by a mapping: the offset exists, but this file lost
	 * its right to map it with the handle */
	h = wb_dumb_create_ok(fd, 1024, 8, 32, &pitch, &size);
	m = wb_dumb_mmap(fd, h, size, PROT_READ | PROT_WRITE);
	wb_assert_ret(wb_dumb_map_offset(fd, h, &off), 0);
	m[100] = 42;
	wb_close_ok(fd, h);
	wb_assert_ret(mmap_errno(fd, size, off), -EACCES);
	wb_assert_eq(m[100], 42);	/* the existing mapping still works */
	m[101] = 43;
	munmap(m, size);
	wb_assert_ret(mmap_errno(fd, size, off), -EINVAL);	/* now freed */
	close(fd);
}

static void test_mmap_other_file(void)
{
	int fd = wb_require_driver("vkms"), fd2 = wb_require_driver("vkms");
	uint32_t h, h2, pitch;
	uint64_t size, off, off2;
	int dfd;

	h = wb_dumb_create_ok(fd, 1024, 2, 32, &pitch, &size);
	wb_assert_ret(wb_dumb_map_offset(fd, h, &off), 0);
	/* another client cannot map it without a handle of its own */
	wb_assert_ret(mmap_errno(fd2, size, off), -EACCES);
	dfd = wb_export_ok(fd, h);
	h2 = wb_import_ok(fd2, dfd);
	wb_assert_ret(wb_dumb_map_offset(fd2, h2, &off2), 0);
	wb_assert_eq(off2, off);
	wb_assert_ret(mmap_errno(fd2, size, off), 0);
	wb_close_ok(fd2, h2);
	wb_assert_ret(mmap_errno(fd2, size, off), -EACCES);
	wb_assert_ret(mmap_errno(fd, size, off), 0);
	close(dfd);
	wb_close_ok(fd, h);
	close(fd);
	close(fd2);
}

static void test_map_dumb_bad_handle(void)
{
	int fd = wb_require_driver("vkms");
	uint64_t off;

	wb_assert_ret(wb_dumb_map_offset(fd, 0, &off), -ENOENT);
	wb_assert_ret(wb_dumb_map_offset(fd, 12345, &off), -ENOENT);
	wb_assert_ret(wb_dumb_map_offset(fd, UINT32_MAX, &off), -ENOENT);
	close(fd);
}

static void import_not_dmabuf(const char *drv)
{
	int fd = wb_require_driver(drv);
	int mfd = memfd_create("not-a-dma-buf", MFD_CLOEXEC);
	int nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int efd = eventfd(0, EFD_CLOEXEC);
	int pfd[2];
	uint32_t h = 0;

	wb_assert(mfd >= 0 && nfd >= 0 && efd >= 0 && pipe(pfd) == 0);
	wb_assert_eq(ftruncate(mfd, 1 << 20), 0);
	wb_assert_ret(wb_prime_import(fd, mfd, &h), -EINVAL);
	wb_assert_ret(wb_prime_import(fd, nfd, &h), -EINVAL);
	wb_assert_ret(wb_prime_import(fd, efd, &h), -EINVAL);
	wb_assert_ret(wb_prime_import(fd, pfd[0], &h), -EINVAL);
	wb_assert_ret(wb_prime_import(fd, fd, &h), -EINVAL);	/* a DRM fd */
	close(mfd);
	close(nfd);
	close(efd);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
}

static void test_import_not_dmabuf_vkms(void) { import_not_dmabuf("vkms"); }
static void test_import_not_dmabuf_vgem(void) { import_not_dmabuf("vgem"); }

static void test_import_closed_fd(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t h, h2, pitch;
	uint64_t size;
	int dfd;

	h = wb_dumb_create_ok(fd, 1024, 1, 32, &pitch, &size);
	dfd = wb_export_ok(fd, h);
	wb_assert_eq(close(dfd), 0);
	wb_assert_ret(wb_prime_import(fd, dfd, &h2), -EBADF);
	wb_assert_ret(wb_prime_import(fd, -1, &h2), -EBADF);
	wb_assert_ret(wb_prime_import(fd, 1000000, &h2), -EBADF);
	wb_assert_ret(wb_prime_import(fd, INT32_MAX, &h2), -EBADF);
	wb_close_ok(fd, h);
	close(fd);
}

static void test_export_bad(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t h, pitch;
	uint64_t size;
	int dfd = -1;

	wb_assert_ret(wb_prime_export(fd, 0, DRM_CLOEXEC, &dfd), -ENOENT);
	wb_assert_ret(wb_prime_export(fd, 4321, DRM_CLOEXEC, &dfd), -ENOENT);
	h = wb_dumb_create_ok(fd, 1024, 1, 32, &pitch, &size);
	wb_assert_ret(wb_prime_export(fd, h, 0x1234, &dfd), -EINVAL);	/* unknown flags */
	wb_assert_ret(wb_prime_export(fd, h, DRM_CLOEXEC | 0x100, &dfd), -EINVAL);
	wb_close_ok(fd, h);
	wb_assert_ret(wb_prime_export(fd, h, DRM_CLOEXEC, &dfd), -ENOENT);
	close(fd);
}

static void test_double_close(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t h, pitch;
	uint64_t size;

	h = wb_dumb_create_ok(fd, 1024, 1, 32, &pitch, &size);
	wb_assert_ret(wb_gem_close(fd, h), 0);
	wb_assert_ret(wb_gem_close(fd, h), -EINVAL);
	wb_assert_ret(wb_gem_close(fd, 0), -EINVAL);
	wb_assert_ret(wb_gem_close(fd, 0x7fffffff), -EINVAL);
	h = wb_dumb_create_ok(fd, 1024, 1, 32, &pitch, &size);
	wb_assert_ret(wb_dumb_destroy(fd, h), 0);
	wb_assert_ret(wb_dumb_destroy(fd, h), -EINVAL);
	wb_assert_ret(wb_gem_close(fd, h), -EINVAL);
	close(fd);
}

/*
 * Every handle-taking ioctl on a closed handle fails cleanly, while the
 * object lives on through its dma-buf with its content.
 */
static void test_use_after_close(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t h, h2, pitch, name, fb;
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t size, off;
	uint32_t *m;
	int dfd, dfd2;

	h = wb_dumb_create_ok(fd, 256, 256, 32, &pitch, &size);
	m = wb_dumb_mmap(fd, h, size, PROT_READ | PROT_WRITE);
	wb_fill(m, size, 9);
	munmap(m, size);
	dfd = wb_export_ok(fd, h);
	wb_close_ok(fd, h);

	wb_assert_ret(wb_dumb_map_offset(fd, h, &off), -ENOENT);
	wb_assert_ret(wb_prime_export(fd, h, DRM_CLOEXEC, &dfd2), -ENOENT);
	wb_assert_ret(wb_gem_flink(fd, h, &name), -ENOENT);
	wb_assert_ret(wb_gem_close(fd, h), -EINVAL);
	wb_assert_ret(wb_dumb_destroy(fd, h), -EINVAL);
	handles[0] = h;
	pitches[0] = pitch;
	wb_assert_eq(drmModeAddFB2(fd, 256, 256, DRM_FORMAT_XRGB8888, handles, pitches, offsets,
				   &fb, 0), -ENOENT);

	/* the dma-buf still holds the object: import gives a (new) handle to it */
	h2 = wb_import_ok(fd, dfd);
	m = wb_dumb_mmap(fd, h2, size, PROT_READ);
	wb_assert(wb_check(m, size, 9) < 0);
	munmap(m, size);
	handles[0] = h2;
	wb_assert_eq(drmModeAddFB2(fd, 256, 256, DRM_FORMAT_XRGB8888, handles, pitches, offsets,
				   &fb, 0), 0);
	wb_assert_eq(drmModeRmFB(fd, fb), 0);
	wb_assert_eq(drmModeRmFB(fd, fb), -ENOENT);
	wb_close_ok(fd, h2);
	close(dfd);
	close(fd);
}

/* All of the above, many times, on touched 1 MiB objects: nothing accumulates. */
static void test_bad_input_no_leak(void)
{
	int fd = wb_require_driver("vkms"), fd2 = wb_require_driver("vkms");
	int base = wb_dmabuf_count();
	long used0, used1;
	int mfd = memfd_create("x", MFD_CLOEXEC);

	wb_assert(mfd >= 0);
	wb_settle();
	used0 = wb_mem_used_kb();
	for (int i = 0; i < 300; i++) {
		struct drm_mode_create_dumb a;
		uint32_t h, h2, pitch;
		uint64_t size, off;
		uint32_t *m;
		int dfd;

		wb_assert_ret(create_raw(fd, 1 << 30, 1, 32, &a), -EINVAL);
		wb_assert_ret(create_raw(fd, 0, 1, 32, &a), -EINVAL);
		h = wb_dumb_create_ok(fd, 1024, 256, 32, &pitch, &size);
		m = wb_dumb_mmap(fd, h, size, PROT_READ | PROT_WRITE);
		memset(m, i, size);
		wb_assert_ret(wb_dumb_map_offset(fd, h, &off), 0);
		wb_assert_ret(mmap_errno(fd, size + PAGE, off), -EINVAL);
		wb_assert_ret(mmap_errno(fd2, size, off), -EACCES);
		dfd = wb_export_ok(fd, h);
		wb_assert_ret(wb_prime_import(fd, mfd, &h2), -EINVAL);
		h2 = wb_import_ok(fd2, dfd);
		wb_close_ok(fd, h);
		wb_assert_ret(wb_gem_close(fd, h), -EINVAL);
		wb_assert_ret(mmap_errno(fd, size, off), -EACCES);
		close(dfd);
		wb_assert_ret(wb_prime_import(fd, dfd, &h), -EBADF);
		wb_close_ok(fd2, h2);
		munmap(m, size);
		wb_assert_ret(mmap_errno(fd, size, off), -EINVAL);
	}
	wb_settle();
	used1 = wb_mem_used_kb();
	wb_info("300 rounds: memory used %+ld kB\n", used1 - used0);
	/* 300 leaked 1 MiB buffers would be 300 MiB */
	wb_assert_f(used1 - used0 < 64 * 1024, "memory use grew by %ld kB", used1 - used0);
	if (base >= 0)
		wb_assert_eq(wb_dmabuf_count(), base);
	close(mfd);
	close(fd);
	close(fd2);
}

/*
 * PRIME round trips vkms -> vgem -> vkms, thousands of times: the dma-buf
 * count and memory use come back.
 */
static void prime_round(int vk, int vg, int i)
{
	uint32_t h, ih, back, pitch;
	uint64_t size;
	uint32_t *m;
	int dfd, rfd;

	h = wb_dumb_create_ok(vk, 1024, 16, 32, &pitch, &size);
	m = wb_dumb_mmap(vk, h, size, PROT_READ | PROT_WRITE);
	for (uint32_t p = 0; p < 16; p++)
		m[p * 1024] = i;
	munmap(m, size);
	dfd = wb_export_ok(vk, h);
	ih = wb_import_ok(vg, dfd);
	close(dfd);
	rfd = wb_export_ok(vg, ih);
	back = wb_import_ok(vk, rfd);
	wb_assert_eq(back, h);
	close(rfd);
	if (i & 1) {
		wb_close_ok(vk, h);
		wb_close_ok(vg, ih);
	} else {
		wb_close_ok(vg, ih);
		wb_close_ok(vk, h);
	}
}

static void test_many_prime(void)
{
	int vk = wb_require_driver("vkms"), vg = wb_require_driver("vgem");
	int base = wb_dmabuf_count();
	long used0, used1;
	double t0;

	for (int i = 0; i < 200; i++)
		prime_round(vk, vg, i);
	wb_settle();
	used0 = wb_mem_used_kb();
	t0 = wb_now();
	for (int i = 0; i < 2000; i++)
		prime_round(vk, vg, i);
	wb_settle();
	used1 = wb_mem_used_kb();
	wb_info("2000 PRIME round trips: %.2fs, memory used %+ld kB\n", wb_now() - t0,
		used1 - used0);
	/* 2000 leaked 64 KiB buffers would be 125 MiB */
	wb_assert_f(used1 - used0 < 48 * 1024, "memory use grew by %ld kB", used1 - used0);
	if (base >= 0)
		wb_assert_eq(wb_dmabuf_count(), base);
	close(vk);
	close(vg);
}

/* ---------- concurrency ---------- */

#define SLOTS 32
#define RACE_SECONDS 2.0

struct race {
	int vk, vg;
	_Atomic uint32_t slot[SLOTS];
	atomic_bool stop;
	atomic_long ops[8];
	uint64_t size;
};

#define ALLOWED(ret, ...) do { int __r = (ret), __ok = 0; \
	int __allowed[] = { 0, __VA_ARGS__ }; \
	for (unsigned int __i = 0; __i < sizeof(__allowed) / sizeof(int); __i++) \
		__ok |= __r == -__allowed[__i] || (__r == 0 && __allowed[__i] == 0); \
	wb_assert_f(__ok, "%s: unexpected %d (%s)", #ret, __r, strerror(-__r)); } while (0)

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* create and close objects in random slots (two of these race on the same slots) */
static void *race_closer(void *arg)
{
	struct race *r = arg;
	unsigned int s = (unsigned int)(uintptr_t)pthread_self();

	while (!atomic_load(&r->stop)) {
		unsigned int i = rnd(&s) % SLOTS;
		uint32_t old = atomic_exchange(&r->slot[i], 0), h;

		if (old)
			ALLOWED(wb_gem_close(r->vk, old), EINVAL);
		wb_assert_ret(wb_dumb_create(r->vk, 1024, 4, 32, &h, NULL, NULL), 0);
		old = atomic_exchange(&r->slot[i], h);
		if (old)
			ALLOWED(wb_gem_close(r->vk, old), EINVAL);
		atomic_fetch_add(&r->ops[0], 1);
	}
	return NULL;
}

static void *race_mapper(void *arg)
{
	struct race *r = arg;
	unsigned int me = atomic_fetch_add(&r->ops[7], 1), s = 7 + me * 1000;
	uint32_t seq = 0;

	while (!atomic_load(&r->stop)) {
		uint32_t h = atomic_load(&r->slot[rnd(&s) % SLOTS]);
		uint64_t off;
		volatile uint32_t *m, *m2;
		int ret;

		if (!h)
			continue;
		ret = wb_dumb_map_offset(r->vk, h, &off);
		ALLOWED(ret, ENOENT);
		if (ret)
			continue;
		m = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->vk, off);
		if (m == MAP_FAILED) {
			/* freed meanwhile, or handle closed while another ref lives */
			ALLOWED(-errno, EINVAL, EACCES);
			continue;
		}
		/*
		 * A second mapping of the same object (the first holds it,
		 * so the offset is still its own), faulted in from the other
		 * end: it must show what was written through the first.
		 */
		m2 = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->vk, off);
		if (m2 == MAP_FAILED) {
			/* the handle closed meanwhile */
			ALLOWED(-errno, EACCES);
			munmap((void *)m, r->size);
			continue;
		}
		for (uint32_t p = 0; p < r->size / PAGE; p++)
			m[p * 1024 + 16 + me] = me + p + seq;
		for (uint32_t p = r->size / PAGE; p-- > 0;)
			wb_assert_f(m2[p * 1024 + 16 + me] == me + p + seq,
				    "page %u: wrote %u through one mapping, read %u through another",
				    p, me + p + seq, m2[p * 1024 + 16 + me]);
		munmap((void *)m2, r->size);
		munmap((void *)m, r->size);
		seq += 64;
		atomic_fetch_add(&r->ops[1], 1);
	}
	return NULL;
}

static void *race_exporter(void *arg)
{
	struct race *r = arg;
	unsigned int s = 99 + (unsigned int)atomic_fetch_add(&r->ops[6], 1) * 1000;

	while (!atomic_load(&r->stop)) {
		uint32_t h = atomic_load(&r->slot[rnd(&s) % SLOTS]), ih, back;
		int dfd, ret;

		if (!h)
			continue;
		ret = wb_prime_export(r->vk, h, DRM_CLOEXEC | DRM_RDWR, &dfd);
		ALLOWED(ret, ENOENT);
		if (ret)
			continue;
		if (r->vg >= 0) {
			/* both exporter threads may hold the same dma-buf: the
			 * same vgem handle, closed by whichever comes first */
			ih = wb_import_ok(r->vg, dfd);
			ALLOWED(wb_gem_close(r->vg, ih), EINVAL);
		}
		/* self-import: the same handle, unless it was closed meanwhile,
		 * in which case a new handle that only this thread knows */
		back = wb_import_ok(r->vk, dfd);
		if (back != h)
			ALLOWED(wb_gem_close(r->vk, back), EINVAL);
		close(dfd);
		atomic_fetch_add(&r->ops[2], 1);
	}
	return NULL;
}

static void test_race_map_export_close(void)
{
	struct race *r = calloc(1, sizeof(*r));
	pthread_t t[6];
	int base = wb_dmabuf_count(), n = 0;
	double t0;

	wb_assert(r);
	r->vk = wb_require_driver("vkms");
	r->vg = wb_open_driver("vgem");	/* optional */
	r->size = 4 * PAGE;
	for (int i = 0; i < SLOTS; i++) {
		uint32_t h;

		wb_assert_ret(wb_dumb_create(r->vk, 1024, 4, 32, &h, NULL, NULL), 0);
		atomic_store(&r->slot[i], h);
	}
	wb_assert(pthread_create(&t[n++], NULL, race_closer, r) == 0);
	wb_assert(pthread_create(&t[n++], NULL, race_closer, r) == 0);
	wb_assert(pthread_create(&t[n++], NULL, race_mapper, r) == 0);
	wb_assert(pthread_create(&t[n++], NULL, race_mapper, r) == 0);
	wb_assert(pthread_create(&t[n++], NULL, race_exporter, r) == 0);
	wb_assert(pthread_create(&t[n++], NULL, race_exporter, r) == 0);
	t0 = wb_now();
	while (wb_now() - t0 < RACE_SECONDS)
		usleep(50000);
	atomic_store(&r->stop, true);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	wb_info("%.1fs: %ld create/close, %ld map, %ld export/import%s\n", wb_now() - t0,
		atomic_load(&r->ops[0]), atomic_load(&r->ops[1]), atomic_load(&r->ops[2]),
		r->vg >= 0 ? " (with vgem)" : " (no vgem)");
	/* each kind of thread made progress: the race actually happened */
	wb_assert(atomic_load(&r->ops[0]) > 10);
	wb_assert(atomic_load(&r->ops[1]) > 10);
	wb_assert(atomic_load(&r->ops[2]) > 10);
	/*
	 * A handle number freed by one thread can be reused by another's
	 * create or import, so a stale number may already have been closed
	 * by someone else: EINVAL is the only other answer allowed.
	 */
	for (int i = 0; i < SLOTS; i++)
		if (atomic_load(&r->slot[i]))
			ALLOWED(wb_gem_close(r->vk, atomic_load(&r->slot[i])), EINVAL);
	close(r->vk);
	if (r->vg >= 0)
		close(r->vg);
	if (base >= 0)
		wb_assert_eq(wb_dmabuf_count(), base);
	free(r);
}

/*
 * One object, its dma-buf and mappings shared by threads that import it into
 * vgem and vkms files, map it through the dma-buf and close their references
 * at once; the last reference can go from any thread.
 */
struct race2 {
	int vk, vg;
	int dfd;
	uint64_t size;
	pthread_barrier_t bar;
	atomic_long ops;
};

static void *race2_thread(void *arg)
{
	struct race2 *r = arg;
	uint32_t h;
	void *m;
	int fd;

	fd = dup(r->dfd);
	wb_assert(fd >= 0);
	pthread_barrier_wait(&r->bar);
	m = wb_dmabuf_mmap(fd, r->size, PROT_READ);
	h = wb_import_ok(r->vg, fd);
	ALLOWED(wb_gem_close(r->vg, h), EINVAL);	/* same handle in all threads */
	close(fd);
	wb_assert_eq(((volatile uint32_t *)m)[5], 0x600d);
	munmap(m, r->size);
	atomic_fetch_add(&r->ops, 1);
	return NULL;
}

static void test_race_last_reference(void)
{
	struct race2 r = { 0 };
	int base = wb_dmabuf_count();
	double t0 = wb_now();
	int rounds = 0;

	r.vk = wb_require_driver("vkms");
	r.vg = wb_require_driver("vgem");
	wb_assert(pthread_barrier_init(&r.bar, NULL, 5) == 0);
	while (wb_now() - t0 < RACE_SECONDS) {
		pthread_t t[4];
		uint32_t h, pitch;
		uint32_t *m;

		h = wb_dumb_create_ok(r.vk, 1024, 16, 32, &pitch, &r.size);
		m = wb_dumb_mmap(r.vk, h, r.size, PROT_READ | PROT_WRITE);
		m[5] = 0x600d;
		munmap(m, r.size);
		r.dfd = wb_export_ok(r.vk, h);
		for (int i = 0; i < 4; i++)
			wb_assert(pthread_create(&t[i], NULL, race2_thread, &r) == 0);
		pthread_barrier_wait(&r.bar);
		/* drop the creator's references while the threads work */
		wb_close_ok(r.vk, h);
		close(r.dfd);
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		rounds++;
	}
	wb_info("%d rounds, %ld thread runs\n", rounds, atomic_load(&r.ops));
	wb_assert_eq(atomic_load(&r.ops), 4 * rounds);
	wb_assert(rounds > 3);
	if (base >= 0)
		wb_assert_eq(wb_dmabuf_count(), base);
	close(r.vk);
	close(r.vg);
}

static const struct wb_subtest tests[] = {
	{ "dumb-create-zero", test_create_zero, 30 },
	{ "dumb-create-overflow", test_create_overflow, 30 },
	{ "dumb-create-bpp", test_create_bpp, 30 },
	{ "dumb-create-huge", test_create_huge, 120 },
	{ "mmap-bad-offset", test_mmap_bad_offset, 30 },
	{ "mmap-closed-handle", test_mmap_closed_handle, 30 },
	{ "mmap-other-file", test_mmap_other_file, 30 },
	{ "map-dumb-bad-handle", test_map_dumb_bad_handle, 30 },
	{ "prime-import-not-dmabuf-vkms", test_import_not_dmabuf_vkms, 30 },
	{ "prime-import-not-dmabuf-vgem", test_import_not_dmabuf_vgem, 30 },
	{ "prime-import-closed-fd", test_import_closed_fd, 30 },
	{ "prime-export-bad", test_export_bad, 30 },
	{ "gem-close-twice", test_double_close, 30 },
	{ "handle-use-after-close", test_use_after_close, 30 },
	{ "bad-input-no-leak", test_bad_input_no_leak, 120 },
	{ "many-prime-objects", test_many_prime, 180 },
	{ "race-map-export-close", test_race_map_export_close, 60 },
	{ "race-last-reference", test_race_last_reference, 60 },
};

int main(int argc, char **argv)
{
	return wb_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
