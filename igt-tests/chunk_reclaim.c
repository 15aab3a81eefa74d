// SPDX-License-Identifier: MIT
/*
 * chunk_reclaim: buffers nobody uses give their memory back under pressure,
 * and come back whole on their next use.
 *
 * An idle shmem-helper object's pages go back to its shmem file when its last
 * mapping goes, and reclaim can swap them out. These subtests hold more idle
 * dumb buffers than the guest has RAM, each filled through a mapping with a
 * stream that does not compress, and read every byte back; they race faults
 * against reclaim, and put a process with its buffers into a memory cgroup
 * smaller than they are. They need swap: the workbench's swap boot gives the
 * guest 1 GiB of RAM and a 4 GiB swap disk (run-vm.sh WB_MEM, WB_SWAP).
 *
 * The work runs in a child, the worker, which the OOM killer takes before
 * anything else (oom_score_adj 1000): an OOM kill is the subtest's result,
 * reported with what the worker was doing, and the rest of the run goes on.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "wbtest.h"

/* Every buffer: 1024 x 4096 XRGB8888 pixels, 16 MiB. */
#define BUF_W		1024u
#define BUF_H		4096u
#define BUF_SIZE	((uint64_t)BUF_W * BUF_H * 4)
#define MIB(kb)		((long)(kb) >> 10)

/* ---------- the data ---------- */

/*
 * Word @i of the stream @seed: splitmix64's output function on a counter, so
 * that any word can be checked on its own and nothing compresses.
 */
static inline uint64_t stream(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0xd1342543de82ef95ull + (i + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Words @first up to @first + @n of the stream into @p. */
static void stream_fill(uint64_t *p, uint64_t first, uint64_t n, uint64_t seed)
{
	for (uint64_t i = 0; i < n; i++)
		p[i] = stream(seed, first + i);
}

/*
 * Asserts that @p holds words @first up to @first + @n of the stream;
 * @what names the buffer in the failure, with the first word that differs
 * and how many do.
 */
static void stream_check(const uint64_t *p, uint64_t first, uint64_t n, uint64_t seed,
			 const char *what)
{
	uint64_t bad = 0, at = 0;

	for (uint64_t i = 0; i < n; i++)
		if (p[i] != stream(seed, first + i) && !bad++)
			at = i;
	wb_assert_f(!bad, "%s: %llu of %llu words differ, the first at byte 0x%llx: 0x%016llx, not 0x%016llx",
		    what, (unsigned long long)bad, (unsigned long long)n,
		    (unsigned long long)(first + at) * 8, (unsigned long long)p[at],
		    (unsigned long long)stream(seed, first + at));
}

/* ---------- memory and its counters ---------- */

static long vmstat(const char *key)
{
	char line[128];
	size_t len = strlen(key);
	long val = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	wb_assert(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ' ')
			val = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return val;
}

static long swap_used_kb(void)
{
	return wb_meminfo_kb("SwapTotal") - wb_meminfo_kb("SwapFree");
}

static void require_swap(void)
{
	wb_require(wb_meminfo_kb("SwapTotal") > wb_meminfo_kb("MemTotal"),
		   "less swap (%ld MiB) than RAM (%ld MiB): not the swap boot (run-vm.sh WB_SWAP)",
		   MIB(wb_meminfo_kb("SwapTotal")), MIB(wb_meminfo_kb("MemTotal")));
}

/* How many buffers make @permille of the guest's RAM. */
static unsigned int buffers_for(long permille)
{
	return (wb_meminfo_kb("MemTotal") * permille / 1000 * 1024 + BUF_SIZE - 1) / BUF_SIZE;
}

/* ---------- the worker ---------- */

/* What the worker is doing, in memory its parent shares: for the report. */
static char (*doing)[160];

static void worker_doing(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(*doing, sizeof(*doing), fmt, ap);
	va_end(ap);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = strlen(text);

	wb_assert_f(fd >= 0 && write(fd, text, len) == len, "writing '%s' to %s: %s", text,
		    path, strerror(errno));
	close(fd);
}

enum end { END_DONE, END_OOM_KILLED, END_SIGBUS };

/*
 * Runs @fn(@arg) in the worker, and returns how it ended: done, or, when
 * @allow_oom, killed by the OOM killer or by SIGBUS (@why says how). Any
 * other end is the subtest's: the worker's failure or skip (its reason is
 * on stderr above), or a signal.
 */
static enum end run_worker(void (*fn)(void *), void *arg, bool allow_oom, char *why,
			   size_t len)
{
	long kills = vmstat("oom_kill");
	int status;
	pid_t pid;

	if (!doing) {
		doing = mmap(NULL, sizeof(*doing), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		wb_assert(doing != MAP_FAILED);
	}
	worker_doing("starting");
	fflush(stdout);
	pid = fork();
	wb_assert(pid >= 0);
	if (pid == 0) {
		write_file("/proc/self/oom_score_adj", "1000");
		fn(arg);
		fflush(stdout);
		_exit(WB_EXIT_SUCCESS);
	}
	wb_assert_eq(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == WB_EXIT_SUCCESS)
		return END_DONE;
	if (WIFEXITED(status) && WEXITSTATUS(status) == WB_EXIT_SKIP)
		wb_skip("(the worker's reason is above)");
	wb_assert_f(!WIFEXITED(status), "the worker failed while %s (exit code %d)", *doing,
		    WEXITSTATUS(status));
	if (WTERMSIG(status) == SIGKILL && vmstat("oom_kill") > kills) {
		snprintf(why, len, "OOM-killed while %s", *doing);
		wb_assert_f(allow_oom, "the worker was %s", why);
		return END_OOM_KILLED;
	}
	if (WTERMSIG(status) == SIGBUS) {
		snprintf(why, len, "killed by SIGBUS while %s", *doing);
		wb_assert_f(allow_oom, "the worker was %s", why);
		return END_SIGBUS;
	}
	wb_assert_f(false, "the worker was killed by signal %d (%s) while %s", WTERMSIG(status),
		    strsignal(WTERMSIG(status)), *doing);
	return END_DONE;
}

/* The worker's end must be done. */
static void run_worker_done(void (*fn)(void *), void *arg)
{
	char why[256];

	run_worker(fn, arg, false, why, sizeof(why));
}

/* ---------- idle buffers over RAM ---------- */

struct idle {
	const char *driver;
	int fd;
	unsigned int n;
	uint32_t *handles;
};

static void *map_buffer(int fd, uint32_t handle, int prot)
{
	return wb_dumb_mmap(fd, handle, BUF_SIZE, prot);
}

static void progress(const char *what, unsigned int done, unsigned int n, double start)
{
	wb_info("%s: %u/%u buffers (%llu MiB) in %.1f s; swap used %ld MiB, MemAvailable %ld MiB\n",
		what, done, n, (unsigned long long)(done * BUF_SIZE >> 20), wb_now() - start,
		MIB(swap_used_kb()), MIB(wb_meminfo_kb("MemAvailable")));
}

/*
 * Buffers for 1.5 times the guest's RAM, each filled through a mapping with
 * its own stream and unmapped, its handle kept; then every byte read back
 * through a new mapping, in the order they were filled (the oldest, the
 * first to go, first). Prints both phases' rates.
 */
static void idle_over_ram(struct idle *b)
{
	double start, fill_s;
	long swapped = vmstat("pswpout"), restored = vmstat("pswpin");

	b->fd = wb_require_driver(b->driver);
	b->n = buffers_for(1500);
	b->handles = calloc(b->n, sizeof(*b->handles));
	wb_assert(b->handles);
	wb_info("%u %s buffers of %llu MiB for %ld MiB of RAM, %ld MiB of swap\n", b->n,
		b->driver, (unsigned long long)(BUF_SIZE >> 20), MIB(wb_meminfo_kb("MemTotal")),
		MIB(wb_meminfo_kb("SwapTotal")));

	start = wb_now();
	for (unsigned int i = 0; i < b->n; i++) {
		uint64_t *p;
		int ret;

		worker_doing("filling buffer %u of %u (%llu MiB done)", i + 1, b->n,
			     (unsigned long long)(i * BUF_SIZE >> 20));
		ret = wb_dumb_create(b->fd, BUF_W, BUF_H, 32, &b->handles[i], NULL, NULL);
		wb_assert_f(!ret, "creating buffer %u of %u (%llu MiB done): %s", i + 1, b->n,
			    (unsigned long long)(i * BUF_SIZE >> 20), strerror(-ret));
		p = map_buffer(b->fd, b->handles[i], PROT_READ | PROT_WRITE);
		stream_fill(p, 0, BUF_SIZE / 8, i);
		wb_assert_eq(munmap(p, BUF_SIZE), 0);
		if ((i + 1) % 16 == 0 || i + 1 == b->n)
			progress("filled", i + 1, b->n, start);
	}
	fill_s = wb_now() - start;

	start = wb_now();
	for (unsigned int i = 0; i < b->n; i++) {
		char what[64];
		uint64_t *p;

		worker_doing("reading buffer %u of %u back", i + 1, b->n);
		snprintf(what, sizeof(what), "%s buffer %u of %u", b->driver, i + 1, b->n);
		p = map_buffer(b->fd, b->handles[i], PROT_READ);
		stream_check(p, 0, BUF_SIZE / 8, i, what);
		wb_assert_eq(munmap(p, BUF_SIZE), 0);
		if ((i + 1) % 16 == 0 || i + 1 == b->n)
			progress("read back", i + 1, b->n, start);
	}
	wb_info("%llu MiB written in %.1f s (%.0f MiB/s), read back intact in %.1f s (%.0f MiB/s); %ld MiB swapped out, %ld MiB swapped in\n",
		(unsigned long long)(b->n * BUF_SIZE >> 20), fill_s,
		(b->n * BUF_SIZE >> 20) / fill_s, wb_now() - start,
		(b->n * BUF_SIZE >> 20) / (wb_now() - start),
		(vmstat("pswpout") - swapped) * 4 >> 10, (vmstat("pswpin") - restored) * 4 >> 10);
}

static void idle_vgem(void *arg)
{
	struct idle b = { .driver = "vgem" };

	(void)arg;
	idle_over_ram(&b);
}

static void test_idle_vgem(void)
{
	require_swap();
	run_worker_done(idle_vgem, NULL);
}

/*
 * Buffer @i exported, imported into vgem, exported again by vgem (the same
 * dma-buf) and imported back (the same handle); read through the dma-buf.
 */
static void prime_round_trip(struct idle *b, unsigned int i)
{
	int vg = wb_require_driver("vgem"), dfd, rfd;
	uint32_t gh;
	uint64_t *p;

	worker_doing("exporting buffer %u to vgem and back", i + 1);
	dfd = wb_export_ok(b->fd, b->handles[i]);
	gh = wb_import_ok(vg, dfd);
	rfd = wb_export_ok(vg, gh);
	wb_assert_eq(wb_fd_ino(rfd), wb_fd_ino(dfd));
	wb_assert_eq(wb_import_ok(b->fd, rfd), b->handles[i]);
	p = wb_dmabuf_mmap(rfd, BUF_SIZE, PROT_READ);
	wb_assert_ret(wb_dmabuf_sync(rfd, true, false), 0);
	stream_check(p, 0, BUF_SIZE / 8, i, "through vgem's export");
	wb_assert_ret(wb_dmabuf_sync(rfd, false, false), 0);
	wb_assert_eq(munmap(p, BUF_SIZE), 0);
	close(rfd);
	close(dfd);
	wb_close_ok(vg, gh);
	close(vg);
	wb_info("buffer %u: exported to vgem and back, read through the dma-buf intact\n", i + 1);
}

/*
 * Buffer @i scanned out (its top left, the mode's size) and captured by the
 * writeback connector: every pixel must be its stream's (XRGB: the low 24
 * bits of each 32-bit word).
 */
static void scanout(struct idle *b, unsigned int i)
{
	const uint32_t *wmap;
	struct wb_kms k;
	uint32_t w, h, fb, wfb, wh, wpitch, fx = 0, fy = 0, got = 0, want = 0;
	uint64_t wsize;
	long bad = 0;

	worker_doing("scanning buffer %u out", i + 1);
	wb_kms_init(&k, b->fd);
	w = k.mode.hdisplay;
	h = k.mode.vdisplay;
	wb_assert_f(w <= BUF_W && h <= BUF_H, "mode %ux%u larger than the buffers", w, h);
	fb = wb_add_fb(b->fd, b->handles[i], BUF_W, BUF_H, BUF_W * 4);
	wh = wb_dumb_create_ok(b->fd, w, h, 32, &wpitch, &wsize);
	wmap = wb_dumb_mmap(b->fd, wh, wsize, PROT_READ | PROT_WRITE);
	memset((void *)wmap, 0x5c, wsize);
	wfb = wb_add_fb(b->fd, wh, w, h, wpitch);
	wb_kms_capture(&k, fb, wfb);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint64_t word = (uint64_t)y * BUF_W + x;
			uint32_t exp = stream(i, word / 2) >> (word % 2 * 32) & 0xffffff;
			uint32_t px = wmap[y * (wpitch / 4) + x] & 0xffffff;

			if (px != exp && !bad++) {
				fx = x;
				fy = y;
				got = px;
				want = exp;
			}
		}
	wb_assert_f(!bad, "writeback of buffer %u: %ld of %u pixels differ, the first at (%u, %u): 0x%06x, not 0x%06x",
		    i + 1, bad, w * h, fx, fy, got, want);
	wb_info("buffer %u scanned out: %ux%u pixels of its writeback as written\n", i + 1, w, h);
	wb_kms_off(&k);
	drmModeRmFB(b->fd, fb);
	drmModeRmFB(b->fd, wfb);
	munmap((void *)wmap, wsize);
	wb_close_ok(b->fd, wh);
}

static void idle_vkms(void *arg)
{
	struct idle b = { .driver = "vkms" };

	(void)arg;
	idle_over_ram(&b);
	/* The oldest again by now: the first to have gone. */
	prime_round_trip(&b, 0);
	scanout(&b, 1);
}

static void test_idle_vkms(void)
{
	require_swap();
	run_worker_done(idle_vkms, NULL);
}

/* ---------- faults against reclaim ---------- */

#define RACE_THREADS	2
#define RACE_SECONDS	20	/* after the first pass of pressure */
#define RACE_MAX_SECONDS	180
#define RACE_SAMPLES	64	/* pages checked in a shared buffer a round */

/*
 * Buffers for 3/8 of RAM: the first RACE_THREADS are shared (never
 * rewritten: stream 0 of their own seed), each of the others belongs to one
 * fault thread, which rewrites it whole with the next generation every time
 * it maps it. A pressure process touches every page of anonymous
 * memory for 3/4 of RAM, pass after pass: with the buffers that is more
 * than the RAM, so reclaim runs all the time once the first pass is done.
 * The race goes on for RACE_SECONDS after that. The pressure has an
 * address space of its own: every mmap() of a buffer holds the mmap lock
 * while the unmodified kernel pins the buffer's pages (swapping them in),
 * and a thread beside the fault threads was seen to make no pass in 180 s.
 */
struct race {
	int fd;
	unsigned int n;
	uint32_t *handles;
	uint32_t *gen;		/* a buffer's generation: its stream's seed */
	atomic_bool stop;
	atomic_long rounds[RACE_THREADS];
	atomic_long *passes;	/* the pressure process's, shared */
	pid_t pressure;
};

static uint64_t race_seed(unsigned int i, uint32_t gen)
{
	return (uint64_t)gen << 32 | i;
}

struct racer {
	struct race *r;
	unsigned int t;
};

static void check_pages(const uint64_t *p, unsigned int i, unsigned int pages,
			unsigned int *rng)
{
	for (unsigned int s = 0; s < pages; s++) {
		uint64_t page = rand_r(rng) % (BUF_SIZE / 4096);
		char what[64];

		snprintf(what, sizeof(what), "shared buffer %u, page %llu", i,
			 (unsigned long long)page);
		stream_check(p + page * 512, page * 512, 512, race_seed(i, 0), what);
	}
}

/*
 * A fault thread, each round: a buffer of its own mapped, checked whole and
 * rewritten with the next generation, unmapped; a shared buffer mapped and
 * RACE_SAMPLES random pages of it checked (the other thread faults the same
 * ones), unmapped; and some pages of its own shared buffer, which it keeps
 * mapped all along, checked.
 */
static void *fault_thread(void *arg)
{
	struct racer *me = arg;
	struct race *r = me->r;
	unsigned int rng = me->t + 1, own = RACE_THREADS + me->t;
	const uint64_t *home = map_buffer(r->fd, r->handles[me->t], PROT_READ);

	while (!atomic_load(&r->stop)) {
		unsigned int s = rand_r(&rng) % RACE_THREADS;
		char what[64];
		uint64_t *p;

		p = map_buffer(r->fd, r->handles[own], PROT_READ | PROT_WRITE);
		snprintf(what, sizeof(what), "buffer %u, generation %u", own, r->gen[own]);
		stream_check(p, 0, BUF_SIZE / 8, race_seed(own, r->gen[own]), what);
		stream_fill(p, 0, BUF_SIZE / 8, race_seed(own, r->gen[own] + 1));
		r->gen[own]++;
		wb_assert_eq(munmap(p, BUF_SIZE), 0);

		p = map_buffer(r->fd, r->handles[s], PROT_READ);
		check_pages(p, s, RACE_SAMPLES, &rng);
		wb_assert_eq(munmap(p, BUF_SIZE), 0);

		check_pages(home, me->t, RACE_SAMPLES / 4, &rng);
		r->rounds[me->t]++;
		own += RACE_THREADS;
		if (own >= r->n)
			own = RACE_THREADS + me->t;
	}
	munmap((void *)home, BUF_SIZE);
	return NULL;
}

/* Forks the pressure process, before any thread starts. */
static void pressure_start(struct race *r)
{
	size_t size = (size_t)wb_meminfo_kb("MemTotal") * 1024 / 4 * 3;

	r->passes = mmap(NULL, sizeof(*r->passes), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	wb_assert(r->passes != MAP_FAILED);
	r->pressure = fork();
	wb_assert(r->pressure >= 0);
	if (r->pressure == 0) {
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		wb_assert(p != MAP_FAILED);
		for (;;) {
			for (size_t off = 0; off < size; off += 4096)
				p[off]++;
			atomic_fetch_add(r->passes, 1);
		}
	}
}

/* Stops it; it must have been alive until then. */
static void pressure_stop(struct race *r)
{
	int status = 0;

	wb_assert_f(waitpid(r->pressure, &status, WNOHANG) == 0,
		    "the pressure process died before the end (status 0x%x)", status);
	kill(r->pressure, SIGKILL);
	wb_assert_eq(waitpid(r->pressure, &status, 0), r->pressure);
}

static void fault_race(void *arg)
{
	long swapped = vmstat("pswpout"), restored = vmstat("pswpin");
	struct racer racers[RACE_THREADS];
	pthread_t threads[RACE_THREADS];
	struct race r = {};

	(void)arg;
	r.fd = wb_require_driver("vgem");
	r.n = buffers_for(375);
	wb_assert_f(r.n >= 2 * RACE_THREADS, "%u buffers", r.n);
	r.handles = calloc(r.n, sizeof(*r.handles));
	r.gen = calloc(r.n, sizeof(*r.gen));
	wb_assert(r.handles && r.gen);
	worker_doing("filling %u buffers", r.n);
	for (unsigned int i = 0; i < r.n; i++) {
		uint64_t *p;

		r.handles[i] = wb_dumb_create_ok(r.fd, BUF_W, BUF_H, 32, NULL, NULL);
		p = map_buffer(r.fd, r.handles[i], PROT_READ | PROT_WRITE);
		stream_fill(p, 0, BUF_SIZE / 8, race_seed(i, 0));
		wb_assert_eq(munmap(p, BUF_SIZE), 0);
	}
	wb_info("%u vgem buffers of %llu MiB (%d shared); faults against reclaim until %d s after the first pass of pressure\n",
		r.n, (unsigned long long)(BUF_SIZE >> 20), RACE_THREADS, RACE_SECONDS);

	worker_doing("racing faults against reclaim");
	pressure_start(&r);
	for (unsigned int t = 0; t < RACE_THREADS; t++) {
		racers[t] = (struct racer){ .r = &r, .t = t };
		wb_assert_eq(pthread_create(&threads[t], NULL, fault_thread, &racers[t]), 0);
	}
	for (int s = 0, until = 0; !until || s < until; s += 5) {
		wb_assert_f(s < RACE_MAX_SECONDS, "no pass of pressure in %d s", s);
		sleep(5);
		if (!until && atomic_load(r.passes))
			until = s + 5 + RACE_SECONDS;
		wb_info("%d s: rounds %ld and %ld, %ld passes of pressure; swap used %ld MiB\n",
			s + 5, atomic_load(&r.rounds[0]), atomic_load(&r.rounds[1]),
			atomic_load(r.passes), MIB(swap_used_kb()));
	}
	atomic_store(&r.stop, true);
	for (unsigned int t = 0; t < RACE_THREADS; t++)
		pthread_join(threads[t], NULL);
	pressure_stop(&r);

	worker_doing("checking every buffer after the race");
	for (unsigned int i = 0; i < r.n; i++) {
		char what[64];
		uint64_t *p = map_buffer(r.fd, r.handles[i], PROT_READ);

		snprintf(what, sizeof(what), "buffer %u, generation %u, after the race", i,
			 r.gen[i]);
		stream_check(p, 0, BUF_SIZE / 8, race_seed(i, r.gen[i]), what);
		wb_assert_eq(munmap(p, BUF_SIZE), 0);
	}
	worker_doing("counting what the race did");
	swapped = vmstat("pswpout") - swapped;
	restored = vmstat("pswpin") - restored;
	wb_info("every buffer intact; %ld MiB swapped out, %ld MiB swapped in\n",
		swapped * 4 >> 10, restored * 4 >> 10);
	for (unsigned int t = 0; t < RACE_THREADS; t++)
		wb_assert_f(r.rounds[t] > 0, "fault thread %u made no round", t);
	wb_assert_f(swapped * 4 >= wb_meminfo_kb("MemTotal") / 8,
		    "%ld MiB swapped out, less than 1/8 of RAM: the race did not run under reclaim",
		    swapped * 4 >> 10);
}

static void test_fault_race(void)
{
	require_swap();
	run_worker_done(fault_race, NULL);
}

/* ---------- a memory cgroup ---------- */

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_LIMIT_MIB	128
#define CG_BUFFERS	16	/* 256 MiB */

static long cg_read(const char *dir, const char *file, const char *key)
{
	char path[256], line[128];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			val = strtol(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ' ')
			val = strtol(line + strlen(key) + 1, NULL, 10);
	}
	fclose(f);
	return val;
}

/*
 * In the group: CG_BUFFERS vgem buffers filled and unmapped, then read
 * back. An allocation the kernel refuses (ENOMEM) ends the filling, and
 * the buffers filled until then are read back; @doing says how it went. A
 * word that differs fails it.
 */
static void memcg_worker(void *arg)
{
	const char *dir = arg, *refused = NULL;
	uint32_t handles[CG_BUFFERS];
	char procs[256], pid[16];
	unsigned int filled;
	int fd;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	write_file(procs, pid);
	fd = wb_require_driver("vgem");
	for (filled = 0; filled < CG_BUFFERS; filled++) {
		uint64_t offset, *p;
		int ret;

		worker_doing("filling buffer %u of %u", filled + 1, CG_BUFFERS);
		ret = wb_dumb_create(fd, BUF_W, BUF_H, 32, &handles[filled], NULL, NULL);
		if (!ret)
			ret = wb_dumb_map_offset(fd, handles[filled], &offset);
		if (ret == -ENOMEM) {
			refused = "DUMB_CREATE or MAP_DUMB";
			break;
		}
		wb_assert_ret(ret, 0);
		p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
		if (p == MAP_FAILED && errno == ENOMEM) {
			refused = "mmap";
			break;
		}
		wb_assert(p != MAP_FAILED);
		stream_fill(p, 0, BUF_SIZE / 8, filled);
		wb_assert_eq(munmap(p, BUF_SIZE), 0);
	}
	for (unsigned int i = 0; i < filled; i++) {
		char what[64];
		uint64_t *p;

		worker_doing("reading buffer %u of %u back", i + 1, filled);
		snprintf(what, sizeof(what), "buffer %u of %u in the group", i + 1, filled);
		p = map_buffer(fd, handles[i], PROT_READ);
		stream_check(p, 0, BUF_SIZE / 8, i, what);
		wb_assert_eq(munmap(p, BUF_SIZE), 0);
	}
	if (refused)
		worker_doing("%s refused with ENOMEM at buffer %u of %u, the %u filled before it read back intact",
			     refused, filled + 1, CG_BUFFERS, filled);
	else
		worker_doing("completed, every buffer intact");
}

/*
 * A process in a memory cgroup whose memory.max (128 MiB) is half of what
 * it allocates in vgem buffers, with swap available. Completing with every
 * byte intact, an OOM kill in the group, a refused allocation (ENOMEM) or a
 * fault's SIGBUS are all what a kernel may do at the limit: the subtest
 * reports which it was, with the group's counters, and fails only when
 * a buffer read back differs (or on an error of another kind).
 */
static void test_memcg(void)
{
	char dir[128], controllers[256] = "", why[256] = "", limit[16];
	const char *what;
	enum end end;
	FILE *f;

	require_swap();
	f = fopen(CG_ROOT "/cgroup.controllers", "r");
	wb_require(f, "no cgroup2 hierarchy at " CG_ROOT);
	if (!fgets(controllers, sizeof(controllers), f))
		controllers[0] = '\0';
	fclose(f);
	wb_require(strstr(controllers, "memory"), "no memory controller in " CG_ROOT);
	write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	snprintf(dir, sizeof(dir), CG_ROOT "/chunk_reclaim.%d", getpid());
	wb_assert_f(!mkdir(dir, 0755), "mkdir %s: %s", dir, strerror(errno));
	snprintf(why, sizeof(why), "%s/memory.max", dir);
	snprintf(limit, sizeof(limit), "%dM", CG_LIMIT_MIB);
	write_file(why, limit);

	end = run_worker(memcg_worker, dir, true, why, sizeof(why));
	what = end == END_DONE ? *doing : why;
	wb_info("memcg: memory.max %d MiB, %d MiB of vgem buffers: %s; memory.peak %ld MiB, memory.swap.peak %ld MiB; events: max %ld, oom %ld, oom_kill %ld\n",
		CG_LIMIT_MIB, CG_BUFFERS * (int)(BUF_SIZE >> 20), what,
		cg_read(dir, "memory.peak", NULL) >> 20,
		cg_read(dir, "memory.swap.peak", NULL) >> 20,
		cg_read(dir, "memory.events", "max"), cg_read(dir, "memory.events", "oom"),
		cg_read(dir, "memory.events", "oom_kill"));
	wb_assert_f(!rmdir(dir), "rmdir %s: %s", dir, strerror(errno));
}

/* ---------- eviction on demand ---------- */

/*
 * The chunk helper's reclaim file of @fd's device, chunk_reclaim in its
 * debugfs directory: it counts the device's resident, idle, evicted and
 * purged pages, and a write evicts every idle object at once. It appears
 * with the device's first chunk object. The unmodified kernel has none: the
 * subtest skips there.
 */
static void reclaim_file(int fd, char *path, size_t len)
{
	char dir[96];

	wb_assert_eq(wb_debugfs_dir(fd, dir, sizeof(dir)), 0);
	snprintf(path, len, "%s/chunk_reclaim", dir);
	wb_require(!access(path, R_OK | W_OK), "no %s: not the chunk helper", path);
}

static long reclaim_pages(const char *path, const char *key)
{
	size_t len = strlen(key);
	char line[128];
	long val = -1;
	FILE *f = fopen(path, "r");

	wb_assert_f(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			val = strtol(line + len + 1, NULL, 10);
	fclose(f);
	wb_assert_f(val >= 0, "no '%s' in %s", key, path);
	return val;
}

/*
 * Buffers of @rows pages each, filled through a mapping and unmapped, then
 * evicted through the device's reclaim file
 * (what memory pressure does, without filling the memory: quick enough for
 * the debug kernel and its fault pass) and read back through new mappings.
 * The evicted count must cover them all, every word must come back, and
 * the restores must take their pages out of the evicted count again.
 */
static void evict_restore(const uint32_t *rows, unsigned int n)
{
	long before, evicted, total = 0;
	uint32_t handles[3];
	char path[160];
	int fd;

	fd = wb_require_driver("vgem");
	for (unsigned int i = 0; i < n; i++) {
		uint64_t size = (uint64_t)rows[i] * 4096, *p;

		handles[i] = wb_dumb_create_ok(fd, 1024, rows[i], 32, NULL, NULL);
		p = wb_dumb_mmap(fd, handles[i], size, PROT_READ | PROT_WRITE);
		stream_fill(p, 0, size / 8, i + 100);
		wb_assert_eq(munmap(p, size), 0);
		total += rows[i];
	}

	/* The helper makes the file with the device's first object. */
	reclaim_file(fd, path, sizeof(path));

	/*
	 * Under the fault pass an eviction may fail, leaving the object
	 * resident: the next write goes on where it stopped.
	 */
	before = reclaim_pages(path, "evicted");
	for (int tries = 0; tries < 3; tries++) {
		write_file(path, "1");
		evicted = reclaim_pages(path, "evicted");
		if (evicted - before >= total)
			break;
	}
	wb_info("evicted %ld pages for %ld pages of buffers\n", evicted - before, total);
	wb_assert_f(evicted - before >= total, "%ld pages evicted, the buffers have %ld",
		    evicted - before, total);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t size = (uint64_t)rows[i] * 4096, *p;
		char what[64];

		snprintf(what, sizeof(what), "buffer %u (%llu KiB)", i,
			 (unsigned long long)size >> 10);
		p = wb_dumb_mmap(fd, handles[i], size, PROT_READ);
		stream_check(p, 0, size / 8, i + 100, what);
		wb_assert_eq(munmap(p, size), 0);
		wb_assert_eq(wb_dumb_destroy(fd, handles[i]), 0);
	}
	wb_assert_f(reclaim_pages(path, "evicted") <= evicted - total,
		    "%ld pages evicted after the buffers' %ld came back, %ld before",
		    reclaim_pages(path, "evicted"), total, evicted);
	close(fd);
}

/* A page, a PMD and a page, and 8 MiB */
static void test_evict_restore(void)
{
	static const uint32_t rows[] = { 1, 513, 2048 };

	evict_restore(rows, 3);
}

/* One page: the fault pass fails each of its allocations in turn. */
static void test_evict_restore_page(void)
{
	static const uint32_t rows[] = { 1 };

	evict_restore(rows, 1);
}

static const struct wb_subtest tests[] = {
	{ "idle-vgem-over-ram", test_idle_vgem, 600 },
	{ "idle-vkms-over-ram", test_idle_vkms, 600 },
	{ "fault-race", test_fault_race, 300 },
	{ "memcg", test_memcg, 300 },
	{ "evict-restore", test_evict_restore, 120 },
	{ "evict-restore-page", test_evict_restore_page, 120 },
};

int main(int argc, char **argv)
{
	return wb_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
