/* SPDX-License-Identifier: MIT */

#ifndef DRM_FBDEV_CHUNK_H
#define DRM_FBDEV_CHUNK_H

struct drm_fb_helper;
struct drm_fb_helper_surface_size;

#ifdef CONFIG_DRM_FBDEV_EMULATION
int drm_fbdev_chunk_driver_fbdev_probe(struct drm_fb_helper *fb_helper,
				       struct drm_fb_helper_surface_size *sizes);

/**
 * DRM_FBDEV_CHUNK_DRIVER_OPS - Initializes &struct drm_driver for fbdev
 *
 * Drivers on the chunk helper use this macro beside
 * %DRM_GEM_CHUNK_DRIVER_OPS for fbdev emulation.
 */
#define DRM_FBDEV_CHUNK_DRIVER_OPS \
	.fbdev_probe = drm_fbdev_chunk_driver_fbdev_probe
#else
#define DRM_FBDEV_CHUNK_DRIVER_OPS \
	.fbdev_probe = NULL
#endif

#endif
