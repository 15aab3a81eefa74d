// SPDX-License-Identifier: MIT
/*
 * Shared helpers for the igt-tests: IGT's test-binary protocol on top of
 * fork(), plus thin libdrm/ioctl wrappers that return -errno.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include <drm.h>
#include <drm_fourcc.h>
#include <drm_mode.h>
#include <linux/dma-buf.h>

#include "wbtest.h"

static const char *wb_progname = "wbtest";

double wb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void wb_kmsg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, buf, n) < 0) {
		/* ignore: not root or no kmsg */
	}
	close(fd);
}

void wb_fail(const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "(%s:%d) %s:%d:\n", wb_progname, getpid(), file, line);
	fprintf(stderr, "(%s:%d) %s: ", wb_progname, getpid(), func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	_exit(WB_EXIT_FAILURE);
}

void wb_skip(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "Test requirement not met: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	_exit(WB_EXIT_SKIP);
}

void wb_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static bool wb_matches(const char *name, const char *patterns)
{
	char *copy = strdup(patterns), *save = NULL, *tok;
	bool hit = false;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (fnmatch(tok, name, 0) == 0) {
			hit = true;
			break;
		}
	free(copy);
	return hit;
}

/*
 * Systematic fault injection: with WB_FAIL_NTH=N the Nth fault-injectable
 * allocation the subtest makes fails (/proc/thread-self/fail-nth, which the
 * kernel's filters narrow down; see guest/run-igt.sh). fail-nth belongs to a
 * task and is not inherited, so it is armed in the subtest's own child.
 */
static void wb_fail_nth_arm(void)
{
	const char *nth = getenv("WB_FAIL_NTH");
	ssize_t len;
	int fd;

	if (!nth || !*nth)
		return;
	len = strlen(nth);
	fd = open("/proc/thread-self/fail-nth", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, nth, len) != len)
		wb_fail(__FILE__, __LINE__, __func__, "cannot arm fail-nth %s: %s", nth,
			strerror(errno));
	close(fd);
}

static int wb_run_one(const struct wb_subtest *t)
{
	unsigned int timeout = t->timeout_s ? t->timeout_s : 60;
	const char *result;
	double start, end;
	int status = 0, ret;
	pid_t pid;

	printf("Starting subtest: %s\n", t->name);
	fflush(stdout);
	fflush(stderr);
	wb_kmsg("<6>[IGT] %s: starting subtest %s\n", wb_progname, t->name);
	start = wb_now();

	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		alarm(timeout);
		wb_fail_nth_arm();
		t->fn();
		fflush(stdout);
		fflush(stderr);
		_exit(WB_EXIT_SUCCESS);
	}
	if (pid < 0) {
		fprintf(stderr, "fork failed: %s\n", strerror(errno));
		status = -1;
	} else {
		/* Own deadline too: a child stuck in the kernel ignores SIGALRM. */
		double deadline = start + timeout + 10;

		for (;;) {
			ret = waitpid(pid, &status, WNOHANG);
			if (ret == pid)
				break;
			if (ret < 0 && errno != EINTR) {
				status = -1;
				break;
			}
			if (wb_now() > deadline) {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				if (wb_now() > deadline + 10) {
					fprintf(stderr, "subtest %s: child %d does not die (stuck in kernel?)\n",
						t->name, pid);
					status = -1;
					break;
				}
			}
			usleep(5000);
		}
		/* Reap any grandchildren left in the subtest's process group. */
		kill(-pid, SIGKILL);
	}
	end = wb_now();

	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == WB_EXIT_SUCCESS) {
		result = "SUCCESS";
		ret = WB_EXIT_SUCCESS;
	} else if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == WB_EXIT_SKIP) {
		result = "SKIP";
		ret = WB_EXIT_SKIP;
	} else {
		if (status != -1 && WIFSIGNALED(status)) {
			if (WTERMSIG(status) == SIGALRM || WTERMSIG(status) == SIGKILL)
				fprintf(stderr, "subtest %s: timeout after %u s (signal %d)\n",
					t->name, timeout, WTERMSIG(status));
			else
				fprintf(stderr, "subtest %s: killed by signal %d (%s)\n",
					t->name, WTERMSIG(status), strsignal(WTERMSIG(status)));
		} else if (status != -1 && WIFEXITED(status) &&
			   WEXITSTATUS(status) != WB_EXIT_FAILURE) {
			fprintf(stderr, "subtest %s: unexpected exit code %d\n",
				t->name, WEXITSTATUS(status));
		}
		result = "FAIL";
		ret = WB_EXIT_FAILURE;
	}
	fflush(stderr);
	printf("Subtest %s: %s (%.3fs)\n", t->name, result, end - start);
	fflush(stdout);
	wb_kmsg("<6>[IGT] %s: finished subtest %s, %s\n", wb_progname, t->name, result);
	return ret;
}

int wb_main(int argc, char **argv, const struct wb_subtest *tests, size_t n)
{
	const char *pattern = NULL;
	bool list = false, any_pass = false, any_fail = false, any_run = false;
	struct utsname uts;
	size_t i;

	wb_progname = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--list-subtests")) {
			list = true;
		} else if (!strcmp(argv[a], "--run-subtest") && a + 1 < argc) {
			pattern = argv[++a];
		} else if (!strncmp(argv[a], "--run-subtest=", 14)) {
			pattern = argv[a] + 14;
		} else if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			printf("Usage: %s [--list-subtests] [--run-subtest <pattern>]\n",
			       wb_progname);
			return 0;
		} else if (!strcmp(argv[a], "--debug") || !strncmp(argv[a], "--debug=", 8)) {
			/* accepted for igt_runner compatibility */
		} else {
			fprintf(stderr, "%s: unknown option %s\n", wb_progname, argv[a]);
			return 79;
		}
	}

	if (list) {
		for (i = 0; i < n; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}

	if (pattern) {
		for (i = 0; i < n; i++)
			if (wb_matches(tests[i].name, pattern))
				break;
		if (i == n) {
			fprintf(stderr, "Unknown subtest: %s\n", pattern);
			return 79;
		}
	}

	uname(&uts);
	printf("IGT-Version: wbtest (x86_64) (%s: %s %s)\n", uts.sysname, uts.release,
	       uts.machine);
	fflush(stdout);
	wb_kmsg("<6>[IGT] %s: executing\n", wb_progname);
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < n; i++) {
		int r;

		if (pattern && !wb_matches(tests[i].name, pattern))
			continue;
		any_run = true;
		r = wb_run_one(&tests[i]);
		if (r == WB_EXIT_SUCCESS)
			any_pass = true;
		else if (r == WB_EXIT_FAILURE)
			any_fail = true;
	}
	wb_kmsg("<6>[IGT] %s: exiting, ret=%d\n", wb_progname,
		any_fail ? WB_EXIT_FAILURE : any_pass ? 0 : WB_EXIT_SKIP);
	if (any_fail)
		return WB_EXIT_FAILURE;
	if (any_pass || !any_run)
		return WB_EXIT_SUCCESS;
	return WB_EXIT_SKIP;
}

/* ---- devices ---- */

int wb_open_driver(const char *driver)
{
	for (int i = 0; i < 64; i++) {
		char path[64];
		drmVersionPtr v;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && v->name && !strcmp(v->name, driver)) {
			drmFreeVersion(v);
			return fd;
		}
		if (v)
			drmFreeVersion(v);
		close(fd);
	}
	return -1;
}

int wb_require_driver(const char *driver)
{
	int fd = wb_open_driver(driver);

	if (fd < 0)
		wb_skip("no %s device in /dev/dri (IGT_FORCE_DRIVER=%s)", driver,
			getenv("IGT_FORCE_DRIVER") ?: "unset");
	return fd;
}

int wb_debugfs_dir(int fd, char *buf, size_t len)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	snprintf(buf, len, "/sys/kernel/debug/dri/%u", minor(st.st_rdev));
	if (access(buf, R_OK))
		return -errno;
	return 0;
}

/* ---- ioctl wrappers ---- */

static int wb_ioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

int wb_dumb_create(int fd, uint32_t w, uint32_t h, uint32_t bpp,
		   uint32_t *handle, uint32_t *pitch, uint64_t *size)
{
	struct drm_mode_create_dumb arg = { .width = w, .height = h, .bpp = bpp };
	int ret = wb_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg);

	if (handle)
		*handle = arg.handle;
	if (pitch)
		*pitch = arg.pitch;
	if (size)
		*size = arg.size;
	return ret;
}

int wb_dumb_map_offset(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_mode_map_dumb arg = { .handle = handle };
	int ret = wb_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg);

	if (offset)
		*offset = arg.offset;
	return ret;
}

int wb_dumb_destroy(int fd, uint32_t handle)
{
	struct drm_mode_destroy_dumb arg = { .handle = handle };

	return wb_ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &arg);
}

int wb_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	return wb_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &arg);
}

int wb_gem_flink(int fd, uint32_t handle, uint32_t *name)
{
	struct drm_gem_flink arg = { .handle = handle };
	int ret = wb_ioctl(fd, DRM_IOCTL_GEM_FLINK, &arg);

	if (name)
		*name = arg.name;
	return ret;
}

int wb_prime_export(int fd, uint32_t handle, uint32_t flags, int *dmabuf_fd)
{
	struct drm_prime_handle arg = { .handle = handle, .flags = flags, .fd = -1 };
	int ret = wb_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg);

	if (dmabuf_fd)
		*dmabuf_fd = arg.fd;
	return ret;
}

int wb_prime_import(int fd, int dmabuf_fd, uint32_t *handle)
{
	struct drm_prime_handle arg = { .fd = dmabuf_fd };
	int ret = wb_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &arg);

	if (handle)
		*handle = arg.handle;
	return ret;
}

uint32_t wb_dumb_create_ok(int fd, uint32_t w, uint32_t h, uint32_t bpp,
			   uint32_t *pitch, uint64_t *size)
{
	uint32_t handle = 0, p = 0;
	uint64_t s = 0;

	wb_assert_ret(wb_dumb_create(fd, w, h, bpp, &handle, &p, &s), 0);
	wb_assert(handle != 0);
	wb_assert_f(p >= w * ((bpp + 7) / 8), "pitch %u for width %u bpp %u", p, w, bpp);
	wb_assert_f(s >= (uint64_t)p * h && s % 4096 == 0, "size %llu pitch %u height %u",
		    (unsigned long long)s, p, h);
	if (pitch)
		*pitch = p;
	if (size)
		*size = s;
	return handle;
}

void *wb_dumb_mmap(int fd, uint32_t handle, uint64_t size, int prot)
{
	uint64_t offset = 0;
	void *ptr;

	wb_assert_ret(wb_dumb_map_offset(fd, handle, &offset), 0);
	ptr = mmap(NULL, size, prot, MAP_SHARED, fd, offset);
	wb_assert_f(ptr != MAP_FAILED, "mmap handle %u size %llu offset 0x%llx: %s",
		    handle, (unsigned long long)size, (unsigned long long)offset,
		    strerror(errno));
	return ptr;
}

int wb_export_ok(int fd, uint32_t handle)
{
	int dfd = -1;

	wb_assert_ret(wb_prime_export(fd, handle, DRM_CLOEXEC | DRM_RDWR, &dfd), 0);
	wb_assert(dfd >= 0);
	return dfd;
}

uint32_t wb_import_ok(int fd, int dmabuf_fd)
{
	uint32_t h = 0;

	wb_assert_ret(wb_prime_import(fd, dmabuf_fd, &h), 0);
	wb_assert(h != 0);
	return h;
}

void wb_close_ok(int fd, uint32_t handle)
{
	wb_assert_ret(wb_gem_close(fd, handle), 0);
}

void *wb_dmabuf_mmap(int dmabuf_fd, uint64_t size, int prot)
{
	void *ptr = mmap(NULL, size, prot, MAP_SHARED, dmabuf_fd, 0);

	wb_assert_f(ptr != MAP_FAILED, "mmap of dma-buf fd %d size %llu: %s", dmabuf_fd,
		    (unsigned long long)size, strerror(errno));
	return ptr;
}

int wb_dmabuf_sync(int dmabuf_fd, bool start, bool write)
{
	struct dma_buf_sync s = {
		.flags = (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) |
			 (write ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ),
	};

	return wb_ioctl(dmabuf_fd, DMA_BUF_IOCTL_SYNC, &s);
}

unsigned long wb_fd_ino(int fd)
{
	struct stat st;

	wb_assert(fstat(fd, &st) == 0);
	return st.st_ino;
}

/* ---- accounting ---- */

long wb_proc_kb(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

long wb_meminfo_kb(const char *key)
{
	return wb_proc_kb("/proc/meminfo", key);
}

/*
 * The fragmenter. GEM pages are GFP_HIGHUSER: unmovable memory, which
 * fragmenting anonymous (movable) memory leaves alone. Fill memory with
 * single unmovable pages and free every other one, so that the free memory
 * in those pageblocks is single pages, which order-0 allocations (shmem's)
 * take first.
 *
 * The pages are pipe buffers (alloc_page(GFP_HIGHUSER | __GFP_ACCOUNT),
 * the same kind as GEM's): pages written alternately into two pipes come
 * from the page allocator one after the other, and closing the second pipe
 * frees every other one. A fragmenter of 4 KiB vgem dumb buffers,
 * each created, mapped and touched, every other one destroyed, does the
 * same with 409600 objects: under TCG on a shared machine it had not
 * finished after 5 minutes, a 4 KiB pipe write takes microseconds. The
 * pages stay until the process exits. @summary gets a line for the log.
 */
#define FRAG_PIPE_PAGES	1024	/* 4 MiB a pipe */

/*
 * Fills up to @pairs pairs of pipes, fewer once MemAvailable drops below
 * @floor_kb, and closes the second pipe of each pair.
 */
static void fragment(size_t pairs, long floor_kb, char *summary, size_t len)
{
	struct rlimit rl = { 4 * pairs + 64, 4 * pairs + 64 };
	static char page[4096];
	double start = wb_now();
	char line[512] = "", zone[256];
	int (*fds)[2][2];
	size_t filled;
	FILE *f;

	fds = calloc(pairs, sizeof(*fds));
	wb_assert(fds && !setrlimit(RLIMIT_NOFILE, &rl));
	memset(page, 0x5a, sizeof(page));
	for (filled = 0; filled < pairs; filled++) {
		if (floor_kb && wb_meminfo_kb("MemAvailable") < floor_kb)
			break;
		for (int k = 0; k < 2; k++) {
			wb_assert(!pipe(fds[filled][k]));
			wb_assert(fcntl(fds[filled][k][1], F_SETPIPE_SZ,
					FRAG_PIPE_PAGES * 4096) >= FRAG_PIPE_PAGES * 4096);
		}
		for (int i = 0; i < FRAG_PIPE_PAGES; i++)
			for (int k = 0; k < 2; k++)
				wb_assert(write(fds[filled][k][1], page, sizeof(page)) ==
					  sizeof(page));
	}
	for (size_t p = 0; p < filled; p++) {
		close(fds[p][1][0]);
		close(fds[p][1][1]);
	}

	/* Free blocks of the DMA32 and Normal zones by order, for the log. */
	f = fopen("/proc/buddyinfo", "r");
	while (f && fgets(zone, sizeof(zone), f)) {
		char *s = strstr(zone, "zone");

		if (!s || !(strstr(s, "DMA32") || strstr(s, "Normal")))
			continue;
		s[strcspn(s, "\n")] = '\0';
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s",
			 line[0] ? "; " : "", s + strlen("zone"));
	}
	if (f)
		fclose(f);
	snprintf(summary, len,
		 "%zu MiB of single unmovable pages of %ld MiB, every other freed, in %.1f s; %ld MiB free; buddyinfo: %s",
		 filled * 2 * FRAG_PIPE_PAGES * 4096 >> 20, wb_meminfo_kb("MemTotal") >> 10,
		 wb_now() - start, wb_meminfo_kb("MemFree") >> 10, line);
}

/* About 40% of the guest's memory, at most 1600 MiB (of 4 GiB). */
void wb_fragment(char *summary, size_t len)
{
	size_t pages = (size_t)wb_meminfo_kb("MemTotal") * 4 / 10 / 4;

	if (pages > (1600u << 20) / 4096)
		pages = (1600u << 20) / 4096;
	fragment(pages / 2 / FRAG_PIPE_PAGES, 0, summary, len);
}

/*
 * All the memory there is, until MemAvailable is below @floor_kb. What is
 * left in runs of more than a page afterwards is about @floor_kb and the
 * kernel's reserves (watermarks, lowmem protection), which the page
 * allocator keeps free: about 200 MiB of 4 GiB. The rest is single pages.
 */
void wb_fragment_all(long floor_kb, char *summary, size_t len)
{
	size_t pages = (size_t)wb_meminfo_kb("MemAvailable") / 4;

	fragment(pages / 2 / FRAG_PIPE_PAGES + 1, floor_kb, summary, len);
}

/* Free pages parked in the per-CPU lists (/proc/zoneinfo "count:"), in kB. */
static long wb_pcp_free_kb(void)
{
	char line[256];
	long pages = 0, n;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pages += n;
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * MemTotal - MemFree - per-CPU free lists: freed pages that wait in the
 * per-CPU lists (tens of MiB in the 4 GiB guest) are not in MemFree.
 */
long wb_mem_used_kb(void)
{
	long total = wb_meminfo_kb("MemTotal"), free = wb_meminfo_kb("MemFree");

	wb_assert_f(total > 0 && free > 0, "no MemTotal/MemFree in /proc/meminfo");
	return total - free - wb_pcp_free_kb();
}

void wb_settle(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3", 1) < 0) {
			/* best effort */
		}
		close(fd);
	}
	usleep(200 * 1000);
}

int wb_dmabuf_count(void)
{
	char line[512];
	int count = -1;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "Total %d objects", &count);
	fclose(f);
	return count;
}

long wb_dmabuf_file_count(unsigned long ino)
{
	char line[512], exp[64];
	long ret = -1;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sz, i;
		unsigned int flags, mode;
		long count;

		if (sscanf(line, "%llu %x %x %ld %63s %llu", &sz, &flags, &mode, &count, exp,
			   &i) == 6 && i == ino)
			ret = count;
	}
	fclose(f);
	return ret;
}

int wb_gem_name_refcount(int fd, uint32_t name, int *handles)
{
	char dir[128], path[160], line[256];
	int ret = -1;
	FILE *f;

	if (wb_debugfs_dir(fd, dir, sizeof(dir)))
		return -1;
	snprintf(path, sizeof(path), "%s/gem_names", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int n;
		long sz;
		int hc, rc;

		if (sscanf(line, "%u %ld %d %d", &n, &sz, &hc, &rc) == 4 && n == name) {
			if (handles)
				*handles = hc;
			ret = rc;
		}
	}
	fclose(f);
	return ret;
}

/* ---- outputs ---- */

void wb_output_find(const char *driver, struct wb_output *o)
{
	drmModeResPtr res;

	o->fd = wb_require_driver(driver);
	res = drmModeGetResources(o->fd);
	wb_assert(res);
	o->crtc = 0;
	for (int i = 0; i < res->count_connectors && !o->crtc; i++) {
		drmModeConnectorPtr c = drmModeGetConnector(o->fd, res->connectors[i]);

		wb_assert(c);
		if (c->connection == DRM_MODE_CONNECTED && c->count_modes) {
			o->connector = c->connector_id;
			o->mode = c->modes[0];
			o->crtc = res->crtcs[0];
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	wb_require(o->crtc, "no connected %s connector with a mode", driver);
}

/* ---- vkms: scanout and writeback ---- */

uint32_t wb_prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;

	wb_assert(props);
	for (uint32_t i = 0; i < props->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	wb_assert_f(id, "object %u has no property %s", obj, name);
	return id;
}

uint64_t wb_prop_value(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint64_t v = ~0ull;

	wb_assert(props);
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			v = props->prop_values[i];
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return v;
}

void wb_kms_init(struct wb_kms *k, int fd)
{
	drmModeResPtr res;
	drmModePlaneResPtr pres;
	drmModeConnectorPtr conn = NULL;
	uint32_t possible = 0;
	int crtc_idx = -1;

	memset(k, 0, sizeof(*k));
	k->fd = fd;
	wb_require(drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) == 0,
		   "no universal planes");
	wb_require(drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0, "no atomic modesetting");
	wb_require(drmSetClientCap(fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1) == 0,
		   "no writeback connector support");
	res = drmModeGetResources(fd);
	wb_assert(res);
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnectorPtr c = drmModeGetConnector(fd, res->connectors[i]);

		if (!c)
			continue;
		if (c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK && !k->wb) {
			k->wb = c->connector_id;
		} else if (c->connector_type != DRM_MODE_CONNECTOR_WRITEBACK && !conn &&
			   c->connection == DRM_MODE_CONNECTED && c->count_modes > 0) {
			conn = c;
			continue;
		}
		drmModeFreeConnector(c);
	}
	wb_require(k->wb, "vkms has no writeback connector (enable_writeback=0?)");
	wb_assert_f(conn, "no connected vkms connector with modes");
	k->conn = conn->connector_id;
	k->mode = conn->modes[0];
	for (int i = 0; i < conn->count_modes; i++)
		if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			k->mode = conn->modes[i];
	for (int i = 0; i < conn->count_modes; i++)
		if (conn->modes[i].hdisplay == 1024 && conn->modes[i].vdisplay == 768) {
			k->mode = conn->modes[i];
			break;
		}
	for (int i = 0; i < conn->count_encoders; i++) {
		drmModeEncoderPtr e = drmModeGetEncoder(fd, conn->encoders[i]);

		if (e)
			possible |= e->possible_crtcs;
		drmModeFreeEncoder(e);
	}
	drmModeFreeConnector(conn);
	for (int i = 0; i < res->count_crtcs; i++)
		if (possible & (1u << i)) {
			crtc_idx = i;
			k->crtc = res->crtcs[i];
			break;
		}
	drmModeFreeResources(res);
	wb_assert_f(crtc_idx >= 0, "no CRTC for the connector");

	pres = drmModeGetPlaneResources(fd);
	wb_assert(pres);
	for (uint32_t i = 0; i < pres->count_planes && !k->plane; i++) {
		drmModePlanePtr p = drmModeGetPlane(fd, pres->planes[i]);

		if (p && (p->possible_crtcs & (1u << crtc_idx)) &&
		    wb_prop_value(fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type") ==
		    DRM_PLANE_TYPE_PRIMARY)
			k->plane = p->plane_id;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(pres);
	wb_assert_f(k->plane, "no primary plane");
	wb_assert_eq(drmModeCreatePropertyBlob(fd, &k->mode, sizeof(k->mode), &k->blob), 0);
	wb_info("vkms: crtc %u connector %u writeback %u plane %u mode %ux%u\n", k->crtc,
		k->conn, k->wb, k->plane, k->mode.hdisplay, k->mode.vdisplay);
}

static void wb_kms_add(drmModeAtomicReqPtr req, struct wb_kms *k, uint32_t obj, uint32_t type,
		const char *name, uint64_t val)
{
	wb_assert(drmModeAtomicAddProperty(req, obj, wb_prop_id(k->fd, obj, type, name), val) >= 0);
}

void wb_kms_capture(struct wb_kms *k, uint32_t fb, uint32_t wb_fb)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t w = k->mode.hdisplay, h = k->mode.vdisplay;
	int32_t fence = -1;
	struct pollfd pfd;
	int ret;

	wb_kms_add(req, k, k->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", k->blob);
	wb_kms_add(req, k, k->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	wb_kms_add(req, k, k->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", k->crtc);
	wb_kms_add(req, k, k->wb, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", k->crtc);
	wb_kms_add(req, k, k->wb, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_FB_ID", wb_fb);
	wb_kms_add(req, k, k->wb, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_OUT_FENCE_PTR",
	    (uint64_t)(uintptr_t)&fence);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", fb);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", k->crtc);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "SRC_X", 0);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "SRC_W", (uint64_t)w << 16);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "SRC_H", (uint64_t)h << 16);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", 0);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", 0);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", w);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", h);
	ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	wb_assert_f(ret == 0, "atomic commit with writeback: %s", strerror(errno));
	drmModeAtomicFree(req);
	wb_assert_f(fence >= 0, "no writeback out-fence");
	pfd.fd = fence;
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, 30000);
	wb_assert_f(ret == 1, "writeback fence did not signal in 30 s (poll %d)", ret);
	close(fence);
}

void wb_kms_off(struct wb_kms *k)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();

	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", 0);
	wb_kms_add(req, k, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", 0);
	wb_kms_add(req, k, k->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	wb_kms_add(req, k, k->wb, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	wb_kms_add(req, k, k->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0);
	wb_kms_add(req, k, k->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0);
	wb_assert_f(drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) == 0,
		    "disabling the pipe: %s", strerror(errno));
	drmModeAtomicFree(req);
}

uint32_t wb_add_fb(int fd, uint32_t handle, uint32_t w, uint32_t h, uint32_t pitch)
{
	uint32_t handles[4] = { handle }, pitches[4] = { pitch }, offsets[4] = { 0 }, fb = 0;

	wb_assert_f(drmModeAddFB2(fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets,
				  &fb, 0) == 0, "AddFB2 handle %u: %s", handle, strerror(errno));
	return fb;
}

/* ---- host screendumps ---- */

static bool wb_file_ready(const char *path, double timeout_s)
{
	double end = wb_now() + timeout_s;

	while (access(path, R_OK)) {
		if (wb_now() > end)
			return false;
		usleep(50 * 1000);
	}
	return true;
}

static void wb_read_ppm(const char *path, struct wb_image *img)
{
	FILE *f = fopen(path, "r");
	unsigned int w, h, max;
	size_t bytes;

	wb_assert_f(f, "cannot open the host's screendump %s: %s", path, strerror(errno));
	wb_assert_f(fscanf(f, "P6 %u %u %u", &w, &h, &max) == 3 && max == 255 &&
		    fgetc(f) != EOF, "%s is no 8-bit binary PPM", path);
	bytes = (size_t)w * h * 3;
	img->width = w;
	img->height = h;
	img->rgb = malloc(bytes);
	wb_assert(img->rgb);
	wb_assert_f(fread(img->rgb, 1, bytes, f) == bytes, "%s: short PPM", path);
	fclose(f);
}

void wb_screendump(int fd, const char *tag, struct wb_image *img)
{
	const char *dir = getenv("WB_SCREENDUMP");
	static unsigned int seq;
	char name[384], path[512], tmp[512], result[256] = "";
	drmVersionPtr v;
	FILE *f;

	wb_require(dir, "no host screendumps here (WB_SCREENDUMP unset: not a display boot)");
	v = drmGetVersion(fd);
	wb_assert(v);
	snprintf(name, sizeof(name), "%s/%s-%d-%u", dir, tag, getpid(), seq++);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	f = fopen(tmp, "w");
	wb_assert_f(f, "cannot write %s: %s", tmp, strerror(errno));
	fprintf(f, "%s\n", v->name);
	fclose(f);
	drmFreeVersion(v);
	/* The host looks for *.req: a request appears whole. */
	snprintf(path, sizeof(path), "%s.req", name);
	wb_assert(!rename(tmp, path));

	snprintf(path, sizeof(path), "%s.done", name);
	wb_assert_f(wb_file_ready(path, 60), "no screendump from the host after 60 s (%s)", path);
	f = fopen(path, "r");
	wb_assert(f);
	if (!fgets(result, sizeof(result), f))
		result[0] = '\0';
	fclose(f);
	result[strcspn(result, "\n")] = '\0';
	wb_assert_f(!strcmp(result, "ok"), "the host's screendump failed: %s", result);
	snprintf(path, sizeof(path), "%s.ppm", name);
	wb_read_ppm(path, img);
}

long wb_display_differs(const struct wb_output *o, const char *tag, uint32_t seed,
			uint32_t x0, uint32_t y0)
{
	struct wb_image img = {};
	long bad = 0;

	for (int look = 0; look < 5; look++) {
		uint32_t fx = 0, fy = 0, want = 0, got = 0;

		if (look)
			usleep(200 * 1000);
		free(img.rgb);
		wb_screendump(o->fd, tag, &img);
		wb_assert_eq(img.width, o->mode.hdisplay);
		wb_assert_eq(img.height, o->mode.vdisplay);
		bad = 0;
		for (uint32_t j = 0; j < img.height; j++) {
			for (uint32_t i = 0; i < img.width; i++) {
				const uint8_t *p = img.rgb + ((size_t)j * img.width + i) * 3;
				uint32_t rgb = p[0] << 16 | p[1] << 8 | p[2];
				uint32_t exp = wb_pattern(seed, x0 + i, y0 + j);

				if (rgb != exp && !bad++) {
					fx = i;
					fy = j;
					want = exp;
					got = rgb;
				}
			}
		}
		if (!bad)
			break;
		wb_info("screendump %d: %ld of %u pixels differ, the first at (%u, %u): 0x%06x, not 0x%06x\n",
			look, bad, img.width * img.height, fx, fy, got, want);
	}
	free(img.rgb);
	return bad;
}

/* ---- patterns ---- */

uint32_t wb_pattern(uint32_t seed, uint32_t x, uint32_t y)
{
	uint32_t h = seed * 0x9e3779b1u ^ x * 0x85ebca6bu ^ y * 0xc2b2ae35u;

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h & 0xffffff;
}

void wb_fill(void *ptr, size_t bytes, uint32_t seed)
{
	uint32_t *p = ptr;

	for (size_t i = 0; i < bytes / 4; i++)
		p[i] = wb_pattern(seed, i & 0xffff, i >> 16) | ((i & 0xff) << 24);
}

long wb_check(const void *ptr, size_t bytes, uint32_t seed)
{
	const uint32_t *p = ptr;

	for (size_t i = 0; i < bytes / 4; i++)
		if (p[i] != (wb_pattern(seed, i & 0xffff, i >> 16) | ((i & 0xff) << 24)))
			return i;
	return -1;
}

long wb_check_zero(const void *ptr, size_t bytes)
{
	const uint64_t *p = ptr;

	for (size_t i = 0; i < bytes / 8; i++)
		if (p[i])
			return i * 2;
	return -1;
}
