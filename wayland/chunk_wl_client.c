// SPDX-License-Identifier: MIT
/*
 * chunk_wl_client: a Wayland client showing one buffer with a known pattern,
 * for the project's compositor scene (wayland/scene.sh, chunk_weston).
 *
 *   chunk_wl_client --buffer=vgem|vkms|udmabuf|shm --tag=T [--size=WxH]
 *
 * vgem: a dumb buffer on vgem (the chunk helper; on 7.3 the shmem helper),
 *       exported as a dma-buf: vkms imports another driver's buffer when
 *       the compositor scans it out.
 * vkms: a dumb buffer on vkms (chunk helper) exported as a dma-buf, which the
 *       compositor imports back into vkms.
 * udmabuf: a sealed memfd turned into a dma-buf by /dev/udmabuf, as weston's
 *       own CI allocates its dma-buf test clients: vkms imports a buffer
 *       that no DRM driver exported.
 * shm:  a wl_shm buffer, for reference.
 *
 * Pixel (x, y) is XRGB8888 with red = T, green = x & 0xff, blue = y & 0xff,
 * so a checker finds the buffer in a captured frame and checks every pixel.
 * Once the compositor has shown the buffer (first frame callback) it prints
 * "ready BUFFER TAG WxH" and stays until killed or disconnected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include <drm_fourcc.h>
#include <wayland-client.h>
#include <xf86drm.h>

#include "linux-dmabuf-v1-client-protocol.h"
#include "wbtest.h"
#include "xdg-shell-client-protocol.h"

struct client {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct wl_buffer *buffer;
	bool configured, shown;
	const char *kind;
	unsigned int tag, width, height;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "chunk_wl_client: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void fill(uint32_t *px, unsigned int stride, const struct client *c)
{
	for (unsigned int y = 0; y < c->height; y++)
		for (unsigned int x = 0; x < c->width; x++)
			px[y * (stride / 4) + x] = 0xff000000 | c->tag << 16 |
						   (x & 0xff) << 8 | (y & 0xff);
}

/* A linear XRGB8888 dma-buf as a wl_buffer; takes dmabuf_fd. */
static struct wl_buffer *dmabuf_buffer(struct client *c, int dmabuf_fd, unsigned int stride)
{
	struct zwp_linux_buffer_params_v1 *params;
	struct wl_buffer *buffer;

	/* Linear, said explicitly: compositors scan out only known layouts. */
	params = zwp_linux_dmabuf_v1_create_params(c->dmabuf);
	zwp_linux_buffer_params_v1_add(params, dmabuf_fd, 0, 0, stride,
				       DRM_FORMAT_MOD_LINEAR >> 32,
				       DRM_FORMAT_MOD_LINEAR & 0xffffffff);
	buffer = zwp_linux_buffer_params_v1_create_immed(params, c->width, c->height,
							 DRM_FORMAT_XRGB8888, 0);
	zwp_linux_buffer_params_v1_destroy(params);
	/* The compositor holds its own references from here on. */
	close(dmabuf_fd);
	return buffer;
}

static struct wl_buffer *dumb_buffer(struct client *c, const char *driver)
{
	struct drm_mode_create_dumb create = {
		.width = c->width, .height = c->height, .bpp = 32,
	};
	struct drm_mode_map_dumb map = {};
	struct wl_buffer *buffer;
	int fd = wb_open_driver(driver);
	int dmabuf_fd;
	void *ptr;

	if (fd < 0)
		die("no %s device in /dev/dri", driver);

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		die("%s: CREATE_DUMB %ux%u: %s", driver, c->width, c->height, strerror(errno));
	map.handle = create.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		die("%s: MAP_DUMB: %s", driver, strerror(errno));
	ptr = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
	if (ptr == MAP_FAILED)
		die("%s: mmap of the dumb buffer: %s", driver, strerror(errno));
	fill(ptr, create.pitch, c);
	munmap(ptr, create.size);
	if (drmPrimeHandleToFD(fd, create.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf_fd))
		die("%s: PRIME export: %s", driver, strerror(errno));
	buffer = dmabuf_buffer(c, dmabuf_fd, create.pitch);
	close(fd);
	return buffer;
}

static struct wl_buffer *udmabuf_buffer(struct client *c)
{
	unsigned int stride = c->width * 4;
	size_t page = sysconf(_SC_PAGESIZE);
	size_t size = ((size_t)stride * c->height + page - 1) / page * page;
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int memfd, dev, dmabuf_fd;
	void *ptr;

	memfd = memfd_create("chunk_wl_client", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, size))
		die("udmabuf: memfd of %zu bytes: %s", size, strerror(errno));
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (ptr == MAP_FAILED)
		die("udmabuf: mmap of the memfd: %s", strerror(errno));
	fill(ptr, stride, c);
	munmap(ptr, size);
	/* udmabuf takes only memfds that cannot shrink under it. */
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		die("udmabuf: F_SEAL_SHRINK: %s", strerror(errno));
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("udmabuf: /dev/udmabuf: %s", strerror(errno));
	create.memfd = memfd;
	dmabuf_fd = ioctl(dev, UDMABUF_CREATE, &create);
	if (dmabuf_fd < 0)
		die("udmabuf: UDMABUF_CREATE of %zu bytes: %s", size, strerror(errno));
	close(dev);
	close(memfd);
	return dmabuf_buffer(c, dmabuf_fd, stride);
}

static struct wl_buffer *shm_buffer(struct client *c)
{
	unsigned int stride = c->width * 4, size = stride * c->height;
	struct wl_shm_pool *pool;
	struct wl_buffer *buffer;
	void *ptr;
	int fd;

	fd = memfd_create("chunk_wl_client", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, size))
		die("shm: memfd of %u bytes: %s", size, strerror(errno));
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ptr == MAP_FAILED)
		die("shm: mmap: %s", strerror(errno));
	fill(ptr, stride, c);
	munmap(ptr, size);
	pool = wl_shm_create_pool(c->shm, fd, size);
	buffer = wl_shm_pool_create_buffer(pool, 0, c->width, c->height, stride,
					   WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	return buffer;
}

static void frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
	struct client *c = data;

	wl_callback_destroy(cb);
	c->shown = true;
	printf("ready %s 0x%02x %ux%u\n", c->kind, c->tag, c->width, c->height);
	fflush(stdout);
}

static const struct wl_callback_listener frame_listener = { .done = frame_done };

static void xdg_surface_configure(void *data, struct xdg_surface *s, uint32_t serial)
{
	struct client *c = data;

	xdg_surface_ack_configure(s, serial);
	if (c->configured)
		return;
	/* The buffer's size, whatever was suggested: the pattern is the point. */
	c->configured = true;
	wl_surface_attach(c->surface, c->buffer, 0, 0);
	wl_surface_damage_buffer(c->surface, 0, 0, c->width, c->height);
	wl_callback_add_listener(wl_surface_frame(c->surface), &frame_listener, c);
	wl_surface_commit(c->surface);
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *t, int32_t w, int32_t h,
			       struct wl_array *states)
{
}

static void toplevel_close(void *data, struct xdg_toplevel *t)
{
	exit(0);
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = { .ping = wm_base_ping };

static void global(void *data, struct wl_registry *reg, uint32_t name,
		   const char *iface, uint32_t version)
{
	struct client *c = data;

	if (!strcmp(iface, wl_compositor_interface.name))
		c->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
	else if (!strcmp(iface, wl_shm_interface.name))
		c->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	else if (!strcmp(iface, xdg_wm_base_interface.name))
		c->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
	else if (!strcmp(iface, zwp_linux_dmabuf_v1_interface.name) && version >= 3)
		c->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface, 3);
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = global,
	.global_remove = global_remove,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "buffer", required_argument, NULL, 'b' },
		{ "tag", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 's' },
		{}
	};
	struct client c = { .width = 256, .height = 192 };
	char title[64];
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			c.kind = optarg;
			break;
		case 't':
			c.tag = strtoul(optarg, NULL, 0);
			break;
		case 's':
			if (sscanf(optarg, "%ux%u", &c.width, &c.height) != 2)
				die("--size is WxH, not '%s'", optarg);
			break;
		default:
			return 2;
		}
	}
	if (!c.kind || !c.tag || c.tag > 0xff || !c.width || !c.height ||
	    c.width > 256 || c.height > 256)
		die("usage: chunk_wl_client --buffer=vgem|vkms|udmabuf|shm --tag=1..255 %s",
		    "[--size=WxH, at most 256x256]");

	c.display = wl_display_connect(NULL);
	if (!c.display)
		die("no Wayland display (WAYLAND_DISPLAY=%s)",
		    getenv("WAYLAND_DISPLAY") ?: "unset");
	wl_registry_add_listener(wl_display_get_registry(c.display), &registry_listener, &c);
	wl_display_roundtrip(c.display);
	if (!c.compositor || !c.shm || !c.wm_base)
		die("the compositor lacks wl_compositor, wl_shm or xdg_wm_base");
	xdg_wm_base_add_listener(c.wm_base, &wm_base_listener, &c);

	if (!strcmp(c.kind, "shm")) {
		c.buffer = shm_buffer(&c);
	} else if (!strcmp(c.kind, "vgem") || !strcmp(c.kind, "vkms") ||
		   !strcmp(c.kind, "udmabuf")) {
		if (!c.dmabuf)
			die("the compositor does not offer zwp_linux_dmabuf_v1 version 3");
		c.buffer = strcmp(c.kind, "udmabuf") ? dumb_buffer(&c, c.kind) : udmabuf_buffer(&c);
	} else {
		die("--buffer is vgem, vkms, udmabuf or shm, not '%s'", c.kind);
	}

	c.surface = wl_compositor_create_surface(c.compositor);
	c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
	xdg_surface_add_listener(c.xdg_surface, &xdg_surface_listener, &c);
	c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
	xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, &c);
	snprintf(title, sizeof(title), "chunk_wl_client %s", c.kind);
	xdg_toplevel_set_title(c.toplevel, title);
	xdg_toplevel_set_app_id(c.toplevel, title);
	wl_surface_commit(c.surface);

	while (wl_display_dispatch(c.display) != -1)
		;
	/* A rejected dma-buf ends here too: say what the compositor said. */
	die("disconnected from the compositor: %s%s", strerror(wl_display_get_error(c.display)),
	    c.shown ? "" : " (before the buffer was shown)");
}
