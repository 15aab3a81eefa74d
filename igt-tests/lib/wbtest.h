/* SPDX-License-Identifier: MIT */
/*
 * Minimal IGT test-binary protocol for plain libdrm programs:
 * --list-subtests, --run-subtest NAME[,NAME...] (fnmatch globs),
 * "Starting subtest: X" / "Subtest X: SUCCESS|FAIL|SKIP (t)" lines,
 * exit codes 0 / 77 (all skipped) / 98 (a failure), one forked child per
 * subtest with a timeout, and "[IGT] bin: ..." markers in /dev/kmsg.
 */
#ifndef WBTEST_H
#define WBTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <xf86drmMode.h>

#define WB_EXIT_SUCCESS 0
#define WB_EXIT_SKIP 77
#define WB_EXIT_FAILURE 98

struct wb_subtest {
	const char *name;
	void (*fn)(void);
	unsigned int timeout_s;	/* 0: default (60 s) */
};

int wb_main(int argc, char **argv, const struct wb_subtest *tests, size_t n);

/* Failure / skip reporting (never return). */
void wb_fail(const char *file, int line, const char *func, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
void wb_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void wb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define wb_assert(cond) do { if (!(cond)) \
	wb_fail(__FILE__, __LINE__, __func__, "Failed assertion: %s (errno %d: %s)", \
		#cond, errno, strerror(errno)); } while (0)

#define wb_assert_f(cond, fmt, ...) do { if (!(cond)) \
	wb_fail(__FILE__, __LINE__, __func__, "Failed assertion: %s: " fmt, \
		#cond, ##__VA_ARGS__); } while (0)

#define wb_assert_eq(a, b) do { long long __a = (long long)(a), __b = (long long)(b); \
	if (__a != __b) wb_fail(__FILE__, __LINE__, __func__, \
		"Failed assertion: %s == %s: %lld != %lld", #a, #b, __a, __b); } while (0)

#define wb_assert_neq(a, b) do { long long __a = (long long)(a), __b = (long long)(b); \
	if (__a == __b) wb_fail(__FILE__, __LINE__, __func__, \
		"Failed assertion: %s != %s: both %lld", #a, #b, __a); } while (0)

/* For helpers returning 0 or -errno: assert the exact result. */
#define wb_assert_ret(expr, want) do { int __r = (expr); int __w = (want); \
	if (__r != __w) wb_fail(__FILE__, __LINE__, __func__, \
		"Failed assertion: %s == %s: got %d (%s), want %d (%s)", #expr, #want, \
		__r, __r ? strerror(-__r) : "success", __w, __w ? strerror(-__w) : "success"); \
	} while (0)

#define wb_require(cond, fmt, ...) do { if (!(cond)) wb_skip(fmt, ##__VA_ARGS__); } while (0)

/* Devices. */
int wb_open_driver(const char *driver);		/* -1 if none */
int wb_require_driver(const char *driver);	/* skips if none */
int wb_debugfs_dir(int fd, char *buf, size_t len);	/* /sys/kernel/debug/dri/<minor> */

/* GEM / dumb / PRIME wrappers: 0 or -errno. */
int wb_dumb_create(int fd, uint32_t w, uint32_t h, uint32_t bpp,
		   uint32_t *handle, uint32_t *pitch, uint64_t *size);
int wb_dumb_map_offset(int fd, uint32_t handle, uint64_t *offset);
int wb_dumb_destroy(int fd, uint32_t handle);
int wb_gem_close(int fd, uint32_t handle);
int wb_gem_flink(int fd, uint32_t handle, uint32_t *name);
int wb_prime_export(int fd, uint32_t handle, uint32_t flags, int *dmabuf_fd);
int wb_prime_import(int fd, int dmabuf_fd, uint32_t *handle);

/* Asserting variants. */
uint32_t wb_dumb_create_ok(int fd, uint32_t w, uint32_t h, uint32_t bpp,
			   uint32_t *pitch, uint64_t *size);
void *wb_dumb_mmap(int fd, uint32_t handle, uint64_t size, int prot);
int wb_export_ok(int fd, uint32_t handle);
uint32_t wb_import_ok(int fd, int dmabuf_fd);
void wb_close_ok(int fd, uint32_t handle);
void *wb_dmabuf_mmap(int dmabuf_fd, uint64_t size, int prot);
int wb_dmabuf_sync(int dmabuf_fd, bool start, bool write);
unsigned long wb_fd_ino(int fd);

/* Memory / object accounting. */
long wb_proc_kb(const char *path, const char *key);	/* "key: N kB" line, -1 if absent */
long wb_meminfo_kb(const char *key);	/* /proc/meminfo field, -1 if absent */
long wb_mem_used_kb(void);		/* MemTotal - MemFree - per-CPU free lists */
void wb_fragment(char *summary, size_t len);	/* fragments unmovable memory */
void wb_fragment_all(long floor_kb, char *summary, size_t len);	/* all of it */
void wb_settle(void);			/* sync, drop caches, short sleep */
int wb_dmabuf_count(void);		/* debugfs dma_buf/bufinfo total, -1 if n/a */
long wb_dmabuf_file_count(unsigned long ino);	/* its "count" column, -1 if absent */
int wb_gem_name_refcount(int fd, uint32_t name, int *handles);	/* -1 if absent */

/*
 * The first connected connector with a mode of @driver's device, its first
 * mode and the first CRTC: where a test scans a framebuffer out. Skips
 * when there is no such device or connector.
 */
struct wb_output {
	int fd;
	uint32_t crtc, connector;
	drmModeModeInfo mode;
};
void wb_output_find(const char *driver, struct wb_output *o);

/* Property @name of KMS object @obj: its id (fails if none), its value (~0). */
uint32_t wb_prop_id(int fd, uint32_t obj, uint32_t type, const char *name);
uint64_t wb_prop_value(int fd, uint32_t obj, uint32_t type, const char *name);

/*
 * vkms's pipe with its writeback connector: the first connected connector
 * (1024x768 if it has that mode, else its preferred one), a CRTC for it
 * and its primary plane. Skips without atomic or writeback support.
 */
struct wb_kms {
	int fd;
	uint32_t crtc, conn, wb, plane;
	drmModeModeInfo mode;
	uint32_t blob;
};
void wb_kms_init(struct wb_kms *k, int fd);
/* Show @fb full screen (its top left) and capture it into @wb_fb. */
void wb_kms_capture(struct wb_kms *k, uint32_t fb, uint32_t wb_fb);
void wb_kms_off(struct wb_kms *k);
/* An XRGB8888 framebuffer of @handle: its id. */
uint32_t wb_add_fb(int fd, uint32_t handle, uint32_t w, uint32_t h, uint32_t pitch);

/*
 * What the display shows, as the host sees it: in a boot with display
 * devices (run-vm.sh WB_DISPLAY), the host takes a QMP screendump of the
 * device @fd's driver drives (workbench/screendump.py) and hands it back
 * through the directory $WB_SCREENDUMP. Skips outside such a boot, fails
 * when the host answers with an error or not at all.
 */
struct wb_image {
	uint32_t width, height;
	uint8_t *rgb;		/* width * height RGB triplets, malloc()ed */
};
void wb_screendump(int fd, const char *tag, struct wb_image *img);
/*
 * Pixels of @o's display (its mode's size, from the host's screendump) that
 * are not wb_pattern(seed, x0 + i, y0 + j) at (i, j); 0 when all are. The
 * device may show a frame a moment after the ioctl: a display that differs
 * is looked at again up to 4 times, 200 ms apart, and each look that
 * differs is reported with its first differing pixel.
 */
long wb_display_differs(const struct wb_output *o, const char *tag, uint32_t seed,
			uint32_t x0, uint32_t y0);

/* Misc. */
double wb_now(void);
uint32_t wb_pattern(uint32_t seed, uint32_t x, uint32_t y);	/* 24-bit RGB */
void wb_fill(void *ptr, size_t bytes, uint32_t seed);		/* u32 pattern */
/* Returns index of first mismatching u32, or -1. */
long wb_check(const void *ptr, size_t bytes, uint32_t seed);
long wb_check_zero(const void *ptr, size_t bytes);

#endif
