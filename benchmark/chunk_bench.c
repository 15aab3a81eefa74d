// SPDX-License-Identifier: MIT
/*
 * chunk_bench: raw figures for the chunk helper (vkms and vgem on the project
 * kernel) against the shmem helper (vkms and vgem on the unmodified one, vkms
 * on a huge tmpfs mount on the "huge" anchor kernel) and anonymous memory,
 * from one boot. Run as root in the guest; prints one JSON object:
 *
 *   {"kernel": ..., "vkms_helper": "chunk"|"shmem", "results": [
 *     {"fig": F, "drv": D, "size": BYTES, "value": V, ...}, ...]}
 *
 * Figures (value is the median over the repetitions of this boot):
 *   meta_bytes     bytes describing one populated object's backing store:
 *                  chunk objects as debugfs reports them (the chunk list),
 *                  shmem objects npages * sizeof(struct page *) (page array;
 *                  vkms and vgem never keep an sg_table on the object);
 *                  vgem's only where it is on the shmem helper (it has no
 *                  framebuffers whose debugfs would describe a chunk object)
 *   meta_chunks    chunks (chunk objects) or pages (shmem objects); drv
 *                  vkms_fragmented: the same at the end of the run, after
 *                  wb_fragment() fragmented unmovable memory
 *   touch_ms       create + mmap + memset of every byte + munmap + destroy:
 *                  dumb buffers (drv vkms, vgem) or anonymous memory with
 *                  madvise(MADV_HUGEPAGE) (anon_thp) or MADV_NOHUGEPAGE
 *                  (anon_4k); one untimed round first
 *   touch_faults   minor faults taken by the same (getrusage ru_minflt)
 *   memset_ms      the memset part of touch_ms alone (first touch)
 *   create_ms      the create + mmap part (where both helpers allocate
 *                  and zero the memory), destroy_ms the munmap + destroy
 *                  part (where they free it)
 *   pgtable_kib    page tables of the mapped and touched buffer (VmPTE of
 *                  /proc/self/status before munmap, less before mmap),
 *                  mapped in a GiB of its own: PTE tables plus one PMD table
 *   ceiling_ms     memset of already-populated anonymous memory (drv anon)
 *   prime_us       export handle -> fd, import fd -> handle, close both
 *                  (drv vgem_to_vkms and vkms_to_vgem): drv suffix _fresh,
 *                  the first export of a new populated object; _cached,
 *                  the same object again, whose dma-buf the exporter keeps
 *                  while the handle is open (no new mapping)
 *   fault_mib_s    first-touch fault throughput: a 256 MiB vkms buffer,
 *                  created and mapped (which populates it on both helpers),
 *                  then one write a page by 1 thread or by 4 threads (each
 *                  a contiguous quarter, started together by a barrier,
 *                  thread t on CPU t mod ncpus): MiB of the mapping per
 *                  second, from the start to the last thread's end (drv
 *                  vkms_1thread, vkms_4threads; higher is better)
 *   fault_faults   minor faults taken by the same (all threads)
 *   compose_wall_ms / compose_cpu_ms / compose_crc_per_flip
 *                  full-screen XRGB8888 primary plane, CRC capture on so
 *                  that vkms composes every vblank, atomic page flips
 *                  waiting for each event: wall time per flip, CPU time
 *                  (all CPUs, /proc/stat) per composed frame (CRC entry),
 *                  and composed frames per flip
 *
 * Usage: chunk_bench [-q] (-q: a quarter of the repetitions, for a smoke
 * test). Progress goes to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "wbtest.h"

#define PAGE 4096ul
#define MAXREP 256

struct size_case {
	uint64_t size;
	uint32_t w, h;		/* XRGB8888 dimensions, both <= 8192 for AddFB */
	int touch_reps;
	int prime_reps;
};

static const struct size_case cases[] = {
	{ 4ul << 10, 32, 32, 61, 201 },
	{ 64ul << 10, 128, 128, 61, 201 },
	{ 2ul << 20, 1024, 512, 25, 201 },
	{ 8ul << 20, 2048, 1024, 15, 201 },
	{ 64ul << 20, 4096, 4096, 9, 101 },
	{ 256ul << 20, 8192, 8192, 9, 61 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int rep_div = 1;
static bool first_result = true;

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int reps(int n)
{
	n /= rep_div;
	return n < 1 ? 1 : n > MAXREP ? MAXREP : n;
}

static void die(const char *what)
{
	fprintf(stderr, "chunk_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One result record; v sorted by median(), min and max come along. */
static void result(const char *fig, const char *drv, uint64_t size, double *v, int n)
{
	double med = median(v, n);

	printf("%s\n    ", first_result ? "" : ",");
	printf("{\"fig\": \"%s\", \"drv\": \"%s\", \"size\": %llu, \"value\": %.6g, ",
	       fig, drv, (unsigned long long)size, med);
	printf("\"min\": %.6g, \"max\": %.6g, \"n\": %d}", v[0], v[n - 1], n);
	first_result = false;
	fflush(stdout);
}

static void result1(const char *fig, const char *drv, uint64_t size, double value)
{
	result(fig, drv, size, &value, 1);
}

/* Devices */

struct dev {
	int fd;
	char dbg[64];	/* /sys/kernel/debug/dri/<minor> */
};

static struct dev open_driver(const char *name)
{
	struct dev d = { .fd = wb_open_driver(name) };

	if (d.fd < 0 || wb_debugfs_dir(d.fd, d.dbg, sizeof(d.dbg))) {
		fprintf(stderr, "chunk_bench: no %s device\n", name);
		exit(1);
	}
	return d;
}

static uint32_t dumb_create(int fd, uint32_t w, uint32_t h, uint32_t *pitch, uint64_t *size)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		die("DRM_IOCTL_MODE_CREATE_DUMB");
	if (pitch)
		*pitch = c.pitch;
	if (size)
		*size = c.size;
	return c.handle;
}

/* Maps at the address "at" (where nothing may be mapped yet) unless it is NULL. */
static void *dumb_mmap_at(int fd, uint32_t handle, uint64_t size, void *at)
{
	struct drm_mode_map_dumb m = { .handle = handle };
	void *p;

	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m))
		die("DRM_IOCTL_MODE_MAP_DUMB");
	p = mmap(at, size, PROT_READ | PROT_WRITE, MAP_SHARED | (at ? MAP_FIXED_NOREPLACE : 0),
		 fd, m.offset);
	if (p == MAP_FAILED)
		die("mmap of a dumb buffer");
	return p;
}

static void *dumb_mmap(int fd, uint32_t handle, uint64_t size)
{
	return dumb_mmap_at(fd, handle, size, NULL);
}

static void dumb_destroy(int fd, uint32_t handle)
{
	struct drm_mode_destroy_dumb d = { .handle = handle };

	if (drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d))
		die("DRM_IOCTL_MODE_DESTROY_DUMB");
}

/*
 * Find framebuffer fb_id in debugfs and its object's "chunk object: N chunks,
 * M pages, K bytes of chunk list" line. Returns false for other objects.
 */
static bool chunk_info(const struct dev *d, uint32_t fb_id, long *chunks, long *bytes)
{
	char path[96], line[256], want[48];
	bool in_fb = false, found = false;
	long pages;
	FILE *f;

	snprintf(path, sizeof(path), "%s/framebuffer", d->dbg);
	snprintf(want, sizeof(want), "framebuffer[%u]:", fb_id);
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (!found && fgets(line, sizeof(line), f)) {
		const char *s = strstr(line, "chunk object:");

		if (!strncmp(line, "framebuffer[", 12))
			in_fb = !strncmp(line, want, strlen(want));
		else if (in_fb && s)
			found = sscanf(s, "chunk object: %ld chunks, %ld pages, %ld bytes",
				       chunks, &pages, bytes) == 3;
	}
	fclose(f);
	return found;
}

static uint32_t add_fb(int fd, uint32_t w, uint32_t h, uint32_t handle, uint32_t pitch)
{
	uint32_t handles[4] = { handle }, pitches[4] = { pitch }, offsets[4] = { 0 };
	uint32_t fb_id;

	if (drmModeAddFB2(fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &fb_id, 0))
		die("drmModeAddFB2");
	return fb_id;
}

/* Metadata of one populated object */

static bool vkms_is_chunk;

static void bench_meta(const struct dev *d, const char *drv, bool fb)
{
	for (unsigned int c = 0; c < ARRAY_SIZE(cases); c++) {
		const struct size_case *sc = &cases[c];
		uint32_t pitch, fb_id;
		uint64_t size;
		uint32_t h = dumb_create(d->fd, sc->w, sc->h, &pitch, &size);
		char *p = dumb_mmap(d->fd, h, size);
		long chunks = -1, bytes = -1;

		memset(p, 0x5a, size);
		if (fb) {
			fb_id = add_fb(d->fd, sc->w, sc->h, h, pitch);
			if (chunk_info(d, fb_id, &chunks, &bytes))
				vkms_is_chunk = true;
			drmModeRmFB(d->fd, fb_id);
		}
		if (bytes < 0) {
			/* shmem: the page array */
			bytes = size / PAGE * sizeof(void *);
			chunks = size / PAGE;
		}
		result1("meta_bytes", drv, size, bytes);
		result1("meta_chunks", drv, size, chunks);
		munmap(p, size);
		dumb_destroy(d->fd, h);
	}
}

/*
 * create + mmap + first touch + munmap + destroy, of a dumb buffer of d, or
 * without d of anonymous memory with the madvise() advice (the limit: the
 * same work with nothing of DRM in the way)
 */

static long pgtable_kib(void)
{
	return wb_proc_kb("/proc/self/status", "VmPTE");
}

/*
 * A free, 1 GiB-aligned GiB of the address space. Buffers are mapped there
 * so that each takes exactly one page table above its own (a PMD table; a
 * buffer that crossed a GiB boundary would take two): the page tables then
 * compare between kernels whatever the address space layout.
 */
#define GIB (1ul << 30)

static void *free_gib(void)
{
	char *p = mmap(NULL, 2 * GIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);

	if (p == MAP_FAILED)
		die("reserving address space");
	munmap(p, 2 * GIB);
	return (void *)(((uintptr_t)p + GIB - 1) & ~(GIB - 1));
}

static char *touch_get(const struct dev *d, int advice, const struct size_case *sc,
		       void *at, uint32_t *h)
{
	uint64_t size;
	char *p;

	if (d) {
		*h = dumb_create(d->fd, sc->w, sc->h, NULL, &size);
		return dumb_mmap_at(d->fd, *h, size, at);
	}
	p = mmap(at, sc->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || madvise(p, sc->size, advice))
		die("anonymous mmap");
	return p;
}

static void bench_touch(const struct dev *d, int advice, const char *drv)
{
	for (unsigned int c = 0; c < ARRAY_SIZE(cases); c++) {
		const struct size_case *sc = &cases[c];
		double total[MAXREP], fill[MAXREP], faults[MAXREP], setup[MAXREP], teardown[MAXREP];
		int n = reps(sc->touch_reps);

		fprintf(stderr, "chunk_bench: touch %s %llu x%d\n", drv,
			(unsigned long long)sc->size, n);
		/* One untimed round first, which measures the page tables. */
		for (int r = -1; r < n; r++) {
			void *at = free_gib();
			long f0 = minflt(), pt0 = pgtable_kib();
			double t0 = wb_now(), t1, t2, t3;
			uint32_t h = 0;
			char *p = touch_get(d, advice, sc, at, &h);

			t1 = wb_now();
			memset(p, r & 0xff, sc->size);
			t2 = wb_now();
			if (r < 0)
				result1("pgtable_kib", drv, sc->size, pgtable_kib() - pt0);
			munmap(p, sc->size);
			if (d)
				dumb_destroy(d->fd, h);
			t3 = wb_now();
			if (r < 0)
				continue;
			total[r] = (t3 - t0) * 1e3;
			setup[r] = (t1 - t0) * 1e3;
			fill[r] = (t2 - t1) * 1e3;
			teardown[r] = (t3 - t2) * 1e3;
			faults[r] = minflt() - f0;
		}
		result("touch_ms", drv, sc->size, total, n);
		result("memset_ms", drv, sc->size, fill, n);
		result("create_ms", drv, sc->size, setup, n);
		result("destroy_ms", drv, sc->size, teardown, n);
		result("touch_faults", drv, sc->size, faults, n);
	}
}

/* memset over populated anonymous memory: the ceiling */

static void bench_ceiling(void)
{
	for (unsigned int c = 0; c < ARRAY_SIZE(cases); c++) {
		const struct size_case *sc = &cases[c];
		double t[MAXREP];
		int n = reps(sc->touch_reps);
		char *p = mmap(NULL, sc->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (p == MAP_FAILED)
			die("anonymous mmap");
		memset(p, 1, sc->size);
		for (int r = 0; r < n; r++) {
			double t0 = wb_now();

			memset(p, r & 0xff, sc->size);
			t[r] = (wb_now() - t0) * 1e3;
		}
		result("ceiling_ms", "anon", sc->size, t, n);
		munmap(p, sc->size);
	}
}

/* First-touch fault throughput, 1 and 4 threads */

#define FAULT_SIZE (256ul << 20)
#define FAULT_REPS 5
#define FAULT_MAX_THREADS 4

struct fault_part {
	pthread_t id;
	pthread_barrier_t *ready, *start;
	volatile char *p;
	uint64_t len;
	double end;
};

static void *fault_part(void *data)
{
	struct fault_part *a = data;

	pthread_barrier_wait(a->ready);
	pthread_barrier_wait(a->start);
	for (uint64_t off = 0; off < a->len; off += PAGE)
		a->p[off] = 1;
	a->end = wb_now();
	return NULL;
}

/*
 * One run: the buffer created and mapped, nthreads threads (thread t on
 * CPU t mod ncpus) started and parked (ready: their own start-up faults are
 * behind them), then released together (start); timed from the release to
 * the last thread's end. Returns the seconds; *faults gets ru_minflt.
 */
static double fault_run(const struct dev *d, int nthreads, double *faults)
{
	struct fault_part parts[FAULT_MAX_THREADS];
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_barrier_t ready, start;
	double t0, end = 0;
	uint64_t size;
	uint32_t h = dumb_create(d->fd, 8192, 8192, NULL, &size);
	char *p = dumb_mmap(d->fd, h, size);
	long f0;

	if (size != FAULT_SIZE)
		die("fault: unexpected dumb buffer size");
	pthread_barrier_init(&ready, NULL, nthreads + 1);
	pthread_barrier_init(&start, NULL, nthreads + 1);
	for (int t = 0; t < nthreads; t++) {
		pthread_attr_t attr;
		cpu_set_t cpu;

		CPU_ZERO(&cpu);
		CPU_SET(t % ncpus, &cpu);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(cpu), &cpu);
		parts[t] = (struct fault_part){ .ready = &ready, .start = &start,
						.len = size / nthreads,
						.p = p + size / nthreads * t };
		errno = pthread_create(&parts[t].id, &attr, fault_part, &parts[t]);
		if (errno)
			die("pthread_create");
		pthread_attr_destroy(&attr);
	}
	pthread_barrier_wait(&ready);
	f0 = minflt();
	t0 = wb_now();
	pthread_barrier_wait(&start);
	for (int t = 0; t < nthreads; t++) {
		pthread_join(parts[t].id, NULL);
		if (parts[t].end > end)
			end = parts[t].end;
	}
	*faults = minflt() - f0;
	pthread_barrier_destroy(&ready);
	pthread_barrier_destroy(&start);
	munmap(p, size);
	dumb_destroy(d->fd, h);
	return end - t0;
}

static void bench_fault(const struct dev *d)
{
	static const struct { int threads; const char *drv; } runs[] = {
		{ 1, "vkms_1thread" }, { FAULT_MAX_THREADS, "vkms_4threads" },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(runs); i++) {
		double mibs[MAXREP], faults[MAXREP], f;
		int n = reps(FAULT_REPS);

		fprintf(stderr, "chunk_bench: fault %s x%d\n", runs[i].drv, n);
		/* One untimed round first. */
		fault_run(d, runs[i].threads, &f);
		for (int r = 0; r < n; r++)
			mibs[r] = (FAULT_SIZE >> 20) / fault_run(d, runs[i].threads, &faults[r]);
		result("fault_mib_s", runs[i].drv, FAULT_SIZE, mibs, n);
		result("fault_faults", runs[i].drv, FAULT_SIZE, faults, n);
	}
}

/* PRIME round trips */

static double prime_round_trip(const struct dev *src, const struct dev *dst, uint32_t h)
{
	double t0 = wb_now();
	uint32_t h2;
	int fd;

	if (drmPrimeHandleToFD(src->fd, h, DRM_CLOEXEC | DRM_RDWR, &fd))
		die("drmPrimeHandleToFD");
	if (drmPrimeFDToHandle(dst->fd, fd, &h2))
		die("drmPrimeFDToHandle");
	drmCloseBufferHandle(dst->fd, h2);
	close(fd);
	return (wb_now() - t0) * 1e6;
}

/*
 * A new populated object of src, mapped: a buffer in use, whose pages stay
 * allocated on both helpers (shmem drops its page array at the last munmap).
 */
static uint32_t prime_object(const struct dev *src, const struct size_case *sc, char **map)
{
	uint64_t size;
	uint32_t h = dumb_create(src->fd, sc->w, sc->h, NULL, &size);

	*map = dumb_mmap(src->fd, h, size);
	memset(*map, 0x33, size);
	return h;
}

static void prime_object_destroy(const struct dev *src, const struct size_case *sc,
				 uint32_t h, char *map)
{
	munmap(map, sc->size);
	dumb_destroy(src->fd, h);
}

static void bench_prime(const struct dev *src, const struct dev *dst, const char *dir)
{
	char drv[64], *map;

	for (unsigned int c = 0; c < ARRAY_SIZE(cases); c++) {
		const struct size_case *sc = &cases[c];
		double t[MAXREP];
		int n = reps(sc->touch_reps);
		uint32_t h;

		/* Fresh: every round exports a new object (one untimed first). */
		for (int r = -1; r < n; r++) {
			h = prime_object(src, sc, &map);
			t[r < 0 ? 0 : r] = prime_round_trip(src, dst, h);
			prime_object_destroy(src, sc, h, map);
		}
		snprintf(drv, sizeof(drv), "%s_fresh", dir);
		result("prime_us", drv, sc->size, t, n);

		/* Cached: the same object again and again. */
		n = reps(sc->prime_reps);
		h = prime_object(src, sc, &map);
		for (int r = -1; r < n; r++)
			t[r < 0 ? 0 : r] = prime_round_trip(src, dst, h);
		snprintf(drv, sizeof(drv), "%s_cached", dir);
		result("prime_us", drv, sc->size, t, n);
		prime_object_destroy(src, sc, h, map);
	}
}

/* vkms composition */

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *val)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;

	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name)) {
			id = p->prop_id;
			if (val)
				*val = props->prop_values[i];
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static double cpu_busy_s(void)
{
	unsigned long long v[10] = { 0 }, busy = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			 &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		die("/proc/stat");
	fclose(f);
	for (int i = 0; i < 8; i++)
		if (i != 3 && i != 4)	/* idle, iowait */
			busy += v[i];
	return (double)busy / sysconf(_SC_CLK_TCK);
}

static void flip_done(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		      unsigned int crtc, void *data)
{
	(void)fd; (void)seq; (void)sec; (void)usec; (void)crtc;
	*(bool *)data = true;
}

static int drain_crc(int fd)
{
	char buf[4096];
	int lines = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	return lines;
}

static void bench_compose(const struct dev *d, int frames)
{
	drmModeResPtr res;
	drmModeConnectorPtr conn = NULL;
	drmModePlaneResPtr pres;
	drmModeModeInfo mode;
	uint32_t crtc, plane = 0, fb[2], bo[2], fb_prop;
	drmEventContext ev = { .version = 3, .page_flip_handler2 = flip_done };
	char path[128];
	int crc, crcs = 0;
	double t0 = 0, c0 = 0, wall, cpu;

	drmSetClientCap(d->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	if (drmSetClientCap(d->fd, DRM_CLIENT_CAP_ATOMIC, 1))
		die("DRM_CLIENT_CAP_ATOMIC");
	res = drmModeGetResources(d->fd);
	if (!res || !res->count_crtcs)
		die("drmModeGetResources");
	for (int i = 0; i < res->count_connectors && !conn; i++) {
		conn = drmModeGetConnector(d->fd, res->connectors[i]);
		if (conn && (conn->connection != DRM_MODE_CONNECTED || !conn->count_modes)) {
			drmModeFreeConnector(conn);
			conn = NULL;
		}
	}
	if (!conn)
		die("no connected vkms connector");
	mode = conn->modes[0];
	for (int i = 0; i < conn->count_modes; i++)
		if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			mode = conn->modes[i];
	crtc = res->crtcs[0];
	pres = drmModeGetPlaneResources(d->fd);
	for (uint32_t i = 0; pres && i < pres->count_planes && !plane; i++) {
		drmModePlanePtr pl = drmModeGetPlane(d->fd, pres->planes[i]);
		uint64_t type = 0;

		if (pl && (pl->possible_crtcs & 1) &&
		    prop_id(d->fd, pl->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type) &&
		    type == DRM_PLANE_TYPE_PRIMARY)
			plane = pl->plane_id;
		drmModeFreePlane(pl);
	}
	fb_prop = prop_id(d->fd, plane, DRM_MODE_OBJECT_PLANE, "FB_ID", NULL);
	if (!plane || !fb_prop)
		die("no primary plane");

	for (int i = 0; i < 2; i++) {
		uint32_t pitch;
		uint64_t size;
		uint32_t *p;

		bo[i] = dumb_create(d->fd, mode.hdisplay, mode.vdisplay, &pitch, &size);
		p = dumb_mmap(d->fd, bo[i], size);
		for (uint64_t w = 0; w < size / 4; w++)
			p[w] = (uint32_t)(w * 2654435761u) >> (i * 4);
		munmap(p, size);
		fb[i] = add_fb(d->fd, mode.hdisplay, mode.vdisplay, bo[i], pitch);
	}
	if (drmModeSetCrtc(d->fd, crtc, fb[0], 0, 0, &conn->connector_id, 1, &mode))
		die("drmModeSetCrtc");

	/* CRC capture on: vkms composes every frame (crtc-0 is the first CRTC). */
	snprintf(path, sizeof(path), "%s/crtc-0/crc/control", d->dbg);
	{
		int fd = open(path, O_WRONLY);

		if (fd < 0 || write(fd, "auto", 4) != 4)
			die(path);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/crtc-0/crc/data", d->dbg);
	crc = open(path, O_RDONLY | O_NONBLOCK);
	if (crc < 0)
		die(path);

	fprintf(stderr, "chunk_bench: compose %ux%u x%d\n", mode.hdisplay, mode.vdisplay, frames);
	for (int i = -5; i < frames; i++) {
		drmModeAtomicReqPtr req = drmModeAtomicAlloc();
		bool done = false;

		if (i == 0) {
			drain_crc(crc);
			crcs = 0;
			c0 = cpu_busy_s();
			t0 = wb_now();
		}
		drmModeAtomicAddProperty(req, plane, fb_prop, fb[(i + 1) & 1]);
		if (drmModeAtomicCommit(d->fd, req, DRM_MODE_PAGE_FLIP_EVENT |
					DRM_MODE_ATOMIC_NONBLOCK, &done))
			die("drmModeAtomicCommit");
		drmModeAtomicFree(req);
		while (!done) {
			struct pollfd pfd = { .fd = d->fd, .events = POLLIN };

			if (poll(&pfd, 1, 5000) <= 0)
				die("waiting for the flip event");
			drmHandleEvent(d->fd, &ev);
		}
		crcs += drain_crc(crc);
	}
	wall = wb_now() - t0;
	cpu = cpu_busy_s() - c0;
	close(crc);
	result1("compose_wall_ms", "vkms", (uint64_t)mode.hdisplay * mode.vdisplay * 4,
		wall * 1e3 / frames);
	result1("compose_cpu_ms", "vkms", (uint64_t)mode.hdisplay * mode.vdisplay * 4,
		crcs ? cpu * 1e3 / crcs : -1);
	result1("compose_crc_per_flip", "vkms", (uint64_t)mode.hdisplay * mode.vdisplay * 4,
		(double)crcs / frames);

	for (int i = 0; i < 2; i++) {
		drmModeRmFB(d->fd, fb[i]);
		dumb_destroy(d->fd, bo[i]);
	}
	drmModeFreeConnector(conn);
	drmModeFreePlaneResources(pres);
	drmModeFreeResources(res);
}

int main(int argc, char **argv)
{
	struct dev vkms, vgem;
	struct utsname u;
	double t0 = wb_now();

	cpu_set_t cpu0;

	if (argc > 1 && !strcmp(argv[1], "-q"))
		rep_div = 4;
	/* One CPU: under TCG, migrations between vCPUs make timings bimodal. */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);
	vkms = open_driver("vkms");
	vgem = open_driver("vgem");
	uname(&u);

	printf("{\n  \"kernel\": \"%s %s\",\n  \"results\": [", u.release, u.version);
	bench_meta(&vkms, "vkms", true);
	bench_ceiling();
	bench_touch(NULL, MADV_HUGEPAGE, "anon_thp");
	bench_touch(NULL, MADV_NOHUGEPAGE, "anon_4k");
	bench_touch(&vkms, 0, "vkms");
	bench_touch(&vgem, 0, "vgem");
	bench_fault(&vkms);
	bench_prime(&vgem, &vkms, "vgem_to_vkms");
	bench_prime(&vkms, &vgem, "vkms_to_vgem");
	bench_compose(&vkms, 150 / rep_div);
	/* Last: nothing after it would run on unfragmented memory. */
	{
		char summary[640];

		wb_fragment(summary, sizeof(summary));
		fprintf(stderr, "chunk_bench: fragmenter: %s\n", summary);
		bench_meta(&vkms, "vkms_fragmented", true);
	}
	printf("\n  ],\n  \"vkms_helper\": \"%s\",\n  \"seconds\": %.1f\n}\n",
	       vkms_is_chunk ? "chunk" : "shmem", wb_now() - t0);
	return 0;
}
