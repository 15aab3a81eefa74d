// SPDX-License-Identifier: MIT
/*
 * chunk_scanout: a dumb framebuffer drawn with a known pattern, set on the
 * first connected CRTC of the driver IGT_FORCE_DRIVER names, and compared
 * pixel by pixel with what the emulated display shows: the host takes a
 * QMP screendump of the QEMU device (wb_screendump()). For the drivers that
 * scan out from system memory through a device (virtio-gpu's host
 * resource, bochs's and cirrus's VRAM blits, simpledrm's firmware
 * framebuffer), where no CRC or writeback connector can tell.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "wbtest.h"

/* The driver IGT_FORCE_DRIVER names. */
static void output_find(struct wb_output *o)
{
	const char *driver = getenv("IGT_FORCE_DRIVER");

	wb_require(driver, "IGT_FORCE_DRIVER names no driver");
	wb_output_find(driver, o);
}

/*
 * Scan out a w x h framebuffer at (x, y) and compare the display with the
 * pattern.
 */
static void scanout(uint32_t w, uint32_t h, uint32_t x, uint32_t y)
{
	const uint32_t seed = 0x5ca7;
	struct wb_output o;
	uint32_t handle, pitch, fb, handles[4] = {}, pitches[4] = {}, offsets[4] = {};
	uint64_t size;
	uint32_t *map;
	long bad = 0;

	output_find(&o);
	w = w ?: o.mode.hdisplay;
	h = h ?: o.mode.vdisplay;
	handle = wb_dumb_create_ok(o.fd, w, h, 32, &pitch, &size);
	map = wb_dumb_mmap(o.fd, handle, size, PROT_READ | PROT_WRITE);
	for (uint32_t j = 0; j < h; j++)
		for (uint32_t i = 0; i < w; i++)
			map[j * (pitch / 4) + i] = wb_pattern(seed, i, j);
	handles[0] = handle;
	pitches[0] = pitch;
	wb_assert_eq(drmModeAddFB2(o.fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches,
				   offsets, &fb, 0), 0);
	wb_assert_eq(drmModeSetCrtc(o.fd, o.crtc, fb, x, y, &o.connector, 1, &o.mode), 0);

	bad = wb_display_differs(&o, "chunk_scanout", seed, x, y);
	wb_assert_eq(bad, 0);
	wb_info("%ux%u framebuffer at (%u, %u): %ux%u pixels on the display as drawn\n",
		w, h, x, y, o.mode.hdisplay, o.mode.vdisplay);

	wb_assert_eq(drmModeSetCrtc(o.fd, o.crtc, 0, 0, 0, NULL, 0, NULL), 0);
	drmModeRmFB(o.fd, fb);
	munmap(map, size);
	wb_close_ok(o.fd, handle);
	close(o.fd);
}

/* A framebuffer the size of the mode. */
static void test_pattern(void)
{
	scanout(0, 0, 0, 0);
}

/* A larger framebuffer, scanned out from an offset into it. */
static void test_pattern_panned(void)
{
	struct wb_output o;

	output_find(&o);
	close(o.fd);
	scanout(o.mode.hdisplay + 64, o.mode.vdisplay + 48, 64, 48);
}

static const struct wb_subtest tests[] = {
	{ "pattern", test_pattern, 90 },
	{ "pattern-panned", test_pattern_panned, 90 },
};

int main(int argc, char **argv)
{
	return wb_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
