// SPDX-License-Identifier: MIT
/*
 * chunk_vkms_race: vkms's composer against cursor and plane updates.
 *
 * With CRC capture on, vkms composes the planes of its current crtc state on
 * every vblank, in a worker the vblank timer queues. A legacy cursor update
 * (drmModeMoveCursor(), drmModeSetCursor()) is an atomic commit that does not
 * wait for a vblank: it swaps in new crtc and plane states, flushes the
 * composer work of the old crtc state and destroys the old states at once. In
 * 7.3 the vblank timer reads the composer's state under vkms's output lock
 * but queues its work after dropping it, so it can queue the work of a state
 * that the commit has flushed and then destroys. What follows depends on what
 * the freed memory holds by then: the WARN in
 * vkms_atomic_crtc_destroy_state() (the work is pending when the state is
 * destroyed), the worker reading freed plane states (compose_active_planes():
 * NULL at 0x1c, or a general protection fault), or, when the next update has
 * already allocated the memory again, a work item initialised anew while it is
 * queued (an oops in process_one_work() that can wedge the workqueue and the
 * guest). kms_cursor_edge_walk and kms_cursor_crc hit it at random; this test
 * does what they do, as fast as it can, for a fixed time.
 *
 * Set up with the atomic API (a 128x128 mode at 240 Hz, see pipe_init()),
 * then, while a thread reads CRCs from debugfs so that the composer runs all
 * the time: cursor moves, a new cursor buffer every 16th update (a new
 * framebuffer, so new plane states with another fb), the cursor hidden and
 * shown again every 64th (the composer's list of active planes changes) and
 * an atomic flip of the primary plane every 128th. Passes when every update
 * succeeds and CRCs kept coming; the kernel reports on the console (the
 * harness's part) must stay away. On 7.3 under QEMU's TCG it WARNs or oopses
 * within the 20 s.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "wbtest.h"

#define BPP 32
#define CURSOR 64
#define MODE_SIZE 128
#define MODE_TOTAL 160
#define MODE_HZ 240
#define RUN_S 20.0

struct pipe {
	int fd;
	uint32_t crtc, conn, plane, blob;
	drmModeModeInfo mode;
	int crtc_idx;
};

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
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

static uint64_t prop_value(int fd, uint32_t obj, uint32_t type, const char *name)
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

/*
 * The first connected connector, its CRTC and the CRTC's primary plane, with a
 * mode of our own: 128x128 at 240 Hz. A small frame keeps each composition
 * short, so that the commit tail's flush of the old state's work returns
 * quickly and cursor updates follow each other faster than vblanks; the high
 * rate gives the vblank timer more chances to run in the middle of one.
 */
static void pipe_init(struct pipe *p, int fd)
{
	drmModeResPtr res;
	drmModePlaneResPtr pres;
	drmModeConnectorPtr conn = NULL;
	uint32_t possible = 0;

	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->crtc_idx = -1;
	wb_require(drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) == 0,
		   "no universal planes");
	wb_require(drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0, "no atomic modesetting");
	res = drmModeGetResources(fd);
	wb_assert(res);
	for (int i = 0; i < res->count_connectors && !conn; i++) {
		drmModeConnectorPtr c = drmModeGetConnector(fd, res->connectors[i]);

		if (c && c->connector_type != DRM_MODE_CONNECTOR_WRITEBACK &&
		    c->connection == DRM_MODE_CONNECTED && c->count_modes > 0)
			conn = c;
		else
			drmModeFreeConnector(c);
	}
	wb_assert_f(conn, "no connected vkms connector with modes");
	p->conn = conn->connector_id;
	p->mode = (drmModeModeInfo) {
		.clock = MODE_TOTAL * MODE_TOTAL * MODE_HZ / 1000,
		.hdisplay = MODE_SIZE, .hsync_start = MODE_SIZE + 8,
		.hsync_end = MODE_SIZE + 16, .htotal = MODE_TOTAL,
		.vdisplay = MODE_SIZE, .vsync_start = MODE_SIZE + 8,
		.vsync_end = MODE_SIZE + 16, .vtotal = MODE_TOTAL,
		.vrefresh = MODE_HZ, .type = DRM_MODE_TYPE_USERDEF,
	};
	snprintf(p->mode.name, sizeof(p->mode.name), "%ux%u", MODE_SIZE, MODE_SIZE);
	for (int i = 0; i < conn->count_encoders; i++) {
		drmModeEncoderPtr e = drmModeGetEncoder(fd, conn->encoders[i]);

		if (e)
			possible |= e->possible_crtcs;
		drmModeFreeEncoder(e);
	}
	drmModeFreeConnector(conn);
	for (int i = 0; i < res->count_crtcs && p->crtc_idx < 0; i++)
		if (possible & (1u << i)) {
			p->crtc_idx = i;
			p->crtc = res->crtcs[i];
		}
	drmModeFreeResources(res);
	wb_assert_f(p->crtc_idx >= 0, "no CRTC for the connector");

	pres = drmModeGetPlaneResources(fd);
	wb_assert(pres);
	for (uint32_t i = 0; i < pres->count_planes && !p->plane; i++) {
		drmModePlanePtr pl = drmModeGetPlane(fd, pres->planes[i]);

		if (pl && (pl->possible_crtcs & (1u << p->crtc_idx)) &&
		    prop_value(fd, pl->plane_id, DRM_MODE_OBJECT_PLANE, "type") ==
		    DRM_PLANE_TYPE_PRIMARY)
			p->plane = pl->plane_id;
		drmModeFreePlane(pl);
	}
	drmModeFreePlaneResources(pres);
	wb_assert_f(p->plane, "no primary plane");
	wb_assert_eq(drmModeCreatePropertyBlob(fd, &p->mode, sizeof(p->mode), &p->blob), 0);
}

static void add(drmModeAtomicReqPtr req, struct pipe *p, uint32_t obj, uint32_t type,
		const char *name, uint64_t val)
{
	wb_assert(drmModeAtomicAddProperty(req, obj, prop_id(p->fd, obj, type, name), val) >= 0);
}

/* The primary plane shows fb full screen; with @modeset, the CRTC is lit first. */
static void show(struct pipe *p, uint32_t fb, bool modeset)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t w = p->mode.hdisplay, h = p->mode.vdisplay;
	int ret;

	if (modeset) {
		add(req, p, p->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", p->blob);
		add(req, p, p->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
		add(req, p, p->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", p->crtc);
		add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", p->crtc);
		add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "SRC_X", 0);
		add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0);
		add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "SRC_W", (uint64_t)w << 16);
		add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "SRC_H", (uint64_t)h << 16);
		add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", 0);
		add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", 0);
		add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", w);
		add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", h);
	}
	add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", fb);
	ret = drmModeAtomicCommit(p->fd, req, modeset ? DRM_MODE_ATOMIC_ALLOW_MODESET : 0, NULL);
	wb_assert_f(ret == 0, "atomic commit of fb %u: %s", fb, strerror(errno));
	drmModeAtomicFree(req);
}

static void pipe_off(struct pipe *p)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();

	add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", 0);
	add(req, p, p->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", 0);
	add(req, p, p->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	add(req, p, p->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0);
	add(req, p, p->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0);
	wb_assert_f(drmModeAtomicCommit(p->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) == 0,
		    "disabling the pipe: %s", strerror(errno));
	drmModeAtomicFree(req);
}

/* A dumb buffer filled with a pattern (opaque where @alpha), and its framebuffer. */
static uint32_t buffer(int fd, uint32_t w, uint32_t h, uint32_t seed, bool alpha,
		       uint32_t *fb)
{
	uint32_t pitch, handle, handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint32_t format = alpha ? DRM_FORMAT_ARGB8888 : DRM_FORMAT_XRGB8888;
	uint32_t opaque = alpha ? 0xff000000 : 0;
	uint64_t size;
	uint32_t *map;

	handle = wb_dumb_create_ok(fd, w, h, BPP, &pitch, &size);
	map = wb_dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			map[y * (pitch / 4) + x] = wb_pattern(seed, x, y) | opaque;
	munmap(map, size);
	if (fb) {
		handles[0] = handle;
		pitches[0] = pitch;
		wb_assert_f(drmModeAddFB2(fd, w, h, format, handles, pitches, offsets, fb, 0) == 0,
			    "AddFB2: %s", strerror(errno));
	}
	return handle;
}

/* The CRC reader: keeps vkms composing and counts the CRCs it delivered. */
struct crc_reader {
	int fd;
	atomic_bool stop;
	atomic_long lines;
	int error;
};

static void *crc_read(void *arg)
{
	struct crc_reader *r = arg;
	char buf[4096];

	while (!atomic_load(&r->stop)) {
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			r->error = errno;
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				atomic_fetch_add(&r->lines, 1);
	}
	return NULL;
}

static void test_cursor_vs_crc(void)
{
	int fd = wb_require_driver("vkms");
	uint32_t w, h, fb[2], cur[2], buf[2];
	char dir[128], path[192];
	struct crc_reader r = { .fd = -1 };
	unsigned long updates = 0, moves = 0, sets = 0, hides = 0, flips = 0;
	pthread_t reader;
	struct pipe p;
	double start;
	int ctl, x = 0, y = 0, dx = 7, dy = 5;

	pipe_init(&p, fd);
	w = p.mode.hdisplay;
	h = p.mode.vdisplay;
	buf[0] = buffer(fd, w, h, 1, false, &fb[0]);
	buf[1] = buffer(fd, w, h, 2, false, &fb[1]);
	cur[0] = buffer(fd, CURSOR, CURSOR, 3, true, NULL);
	cur[1] = buffer(fd, CURSOR, CURSOR, 4, true, NULL);
	show(&p, fb[0], true);
	wb_assert_f(drmModeSetCursor(fd, p.crtc, cur[0], CURSOR, CURSOR) == 0,
		    "SetCursor: %s", strerror(errno));

	wb_assert_eq(wb_debugfs_dir(fd, dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/crtc-%d/crc/control", dir, p.crtc_idx);
	ctl = open(path, O_WRONLY);
	wb_require(ctl >= 0, "no %s: %s", path, strerror(errno));
	wb_assert_eq(write(ctl, "auto", 4), 4);
	close(ctl);
	snprintf(path, sizeof(path), "%s/crtc-%d/crc/data", dir, p.crtc_idx);
	r.fd = open(path, O_RDONLY | O_NONBLOCK);
	wb_assert_f(r.fd >= 0, "opening %s (starts CRC capture): %s", path, strerror(errno));
	wb_assert_eq(pthread_create(&reader, NULL, crc_read, &r), 0);

	start = wb_now();
	while (wb_now() - start < RUN_S) {
		int ret;

		updates++;
		if (updates % 128 == 0) {
			show(&p, fb[flips++ % 2], false);
			continue;
		}
		if (updates % 64 == 0) {
			wb_assert_f(drmModeSetCursor(fd, p.crtc, 0, 0, 0) == 0,
				    "hiding the cursor: %s", strerror(errno));
			hides++;
			ret = drmModeSetCursor(fd, p.crtc, cur[sets++ % 2], CURSOR, CURSOR);
			wb_assert_f(ret == 0, "showing the cursor: %s", strerror(errno));
			continue;
		}
		if (updates % 16 == 0) {
			ret = drmModeSetCursor(fd, p.crtc, cur[sets++ % 2], CURSOR, CURSOR);
			wb_assert_f(ret == 0, "SetCursor: %s", strerror(errno));
			continue;
		}
		/* Along the edges and across them, as kms_cursor_edge_walk. */
		x += dx;
		y += dy;
		if (x < -CURSOR / 2 || x > (int)w - CURSOR / 2)
			dx = -dx;
		if (y < -CURSOR / 2 || y > (int)h - CURSOR / 2)
			dy = -dy;
		ret = drmModeMoveCursor(fd, p.crtc, x, y);
		wb_assert_f(ret == 0, "MoveCursor to %d,%d: %s", x, y, strerror(errno));
		moves++;
	}
	atomic_store(&r.stop, true);
	pthread_join(reader, NULL);
	wb_info("%.1f s: %lu cursor moves, %lu new cursor buffers, %lu hides, %lu primary flips, %ld CRCs\n",
		wb_now() - start, moves, sets, hides, flips, atomic_load(&r.lines));
	wb_assert_f(!r.error, "reading CRCs: %s", strerror(r.error));
	/* At 60 Hz; TCG with the debug kernel composes a few frames a second. */
	wb_assert_f(atomic_load(&r.lines) >= 10, "only %ld CRCs in %.0f s: the composer stalled",
		    atomic_load(&r.lines), RUN_S);
	close(r.fd);

	wb_assert_eq(drmModeSetCursor(fd, p.crtc, 0, 0, 0), 0);
	pipe_off(&p);
	for (int i = 0; i < 2; i++) {
		drmModeRmFB(fd, fb[i]);
		wb_close_ok(fd, buf[i]);
		wb_close_ok(fd, cur[i]);
	}
	drmModeDestroyPropertyBlob(fd, p.blob);
	close(fd);
}

static const struct wb_subtest tests[] = {
	{ "cursor-vs-crc", test_cursor_vs_crc, 90 },
};

int main(int argc, char **argv)
{
	return wb_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
