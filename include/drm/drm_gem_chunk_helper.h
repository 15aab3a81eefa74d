/* SPDX-License-Identifier: GPL-2.0 */

#ifndef __DRM_GEM_CHUNK_HELPER_H__
#define __DRM_GEM_CHUNK_HELPER_H__

#include <linux/dma-direction.h>
#include <linux/dma-mapping.h>
#include <linux/gfp_types.h>
#include <linux/mm_types.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include <drm/drm_chunk.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

struct device;
struct dma_buf;
struct dma_buf_attachment;
struct drm_device;
struct drm_file;
struct drm_mode_create_dumb;
struct drm_gem_chunk_reclaim;
struct drm_printer;
struct file;
struct iosys_map;
struct sg_table;
struct vm_area_struct;

/**
 * struct drm_gem_chunk_object - GEM object backed by a chunk list
 */
struct drm_gem_chunk_object {
	/**
	 * @base: Base GEM object
	 */
	struct drm_gem_object base;

	/**
	 * @chunks: The chunk list, NULL until the backing storage is
	 * allocated. For imports mapped with
	 * drm_gem_chunk_prime_import_sg_table(), page-less chunks holding
	 * the device addresses of the attachment. NULL for imports without
	 * mapping.
	 */
	struct drm_chunk *chunks;

	/**
	 * @nr_chunks: Number of entries in @chunks.
	 */
	unsigned int nr_chunks;

	/**
	 * @pages_use_count:
	 *
	 * Number of users of the backing storage (pins, userspace mappings).
	 * The backing storage stays allocated until the object is freed, even
	 * when the count drops to zero.
	 */
	refcount_t pages_use_count;

	/**
	 * @pages_pin_count:
	 *
	 * Number of pins of the backing storage, see drm_gem_chunk_pin().
	 */
	refcount_t pages_pin_count;

	/**
	 * @sgt: Mapped scatter/gather table of the attachment for imports
	 * made with drm_gem_chunk_prime_import_sg_table(), NULL otherwise.
	 */
	struct sg_table *sgt;

	/**
	 * @vaddr: Kernel virtual address of the backing memory, while
	 * @vmap_use_count is not zero.
	 */
	void *vaddr;

	/**
	 * @vmap_use_count:
	 *
	 * Reference count on the virtual address.
	 * The address is unmapped when the count reaches zero.
	 */
	refcount_t vmap_use_count;

	/**
	 * @map_wc: Map the object write-combined (kernel and userspace
	 * mappings). Must be set before the backing storage is allocated,
	 * e.g. in &drm_driver.gem_create_object.
	 */
	bool map_wc : 1;

	/**
	 * @dma_mapped: The &drm_chunk.dma_addr fields of @chunks hold
	 * addresses for the DMA device of the &drm_device, drm_dev_dma_dev().
	 */
	bool dma_mapped : 1;

	/**
	 * @device_dma: The DMA device of the &drm_device maps the object
	 * (drm_gem_chunk_dma_map()): its runs are kept within what that device
	 * maps in one piece, drm_chunks_max_run(), which swiotlb lowers to
	 * 256 KiB. Set it before the backing storage is allocated, e.g. in
	 * &drm_driver.gem_create_object; drm_gem_chunk_dma_map() sets it on an
	 * object whose storage it allocates itself. Objects that only the CPU
	 * and importers access leave it unset, and get runs of up to 2 MiB
	 * whatever the DMA mask of a device that never maps them: importers
	 * get tables split for their own devices.
	 */
	bool device_dma : 1;

	/**
	 * @no_reclaim: Never evict the object under memory pressure. Set it
	 * before the backing storage is allocated, e.g. in
	 * &drm_driver.gem_create_object, for memory the device keeps using
	 * without holding a pin or a DMA mapping of the helper.
	 */
	bool no_reclaim : 1;

	/**
	 * @madv: Whether the driver's userspace still needs the contents,
	 * see drm_gem_chunk_madvise_locked(): 0 (will need), above 0 (don't
	 * need, may be purged) or below 0 (purged).
	 */
	int madv;

	/**
	 * @backup: shmem file holding the contents of the first
	 * @backup_pages pages while they are evicted, see the Reclaim section
	 * of the helper's documentation. NULL until the first eviction.
	 */
	struct file *backup;

	/**
	 * @backup_pages: Number of pages, from the start of the object, that
	 * are in @backup and not in @chunks: 0 while the object is resident,
	 * the object's size in pages once it is evicted.
	 */
	unsigned long backup_pages;

	/**
	 * @gfp: GFP flags of the backing storage. drm_gem_chunk_init() sets
	 * %GFP_HIGHUSER unless the driver set other flags before, e.g. in
	 * &drm_driver.gem_create_object: %GFP_KERNEL | %__GFP_DMA32 for a
	 * device that reaches only the first 4 GiB. The memory is charged to
	 * the allocating task's memory cgroup in any case; %__GFP_MOVABLE is
	 * not allowed.
	 */
	gfp_t gfp;

	/**
	 * @dma_iova: How drm_gem_chunk_dma_map_contiguous() mapped the
	 * chunks: dma_use_iova() is true when they are linked into one range
	 * of device addresses behind an IOMMU, false when each chunk is
	 * mapped on its own (or the object is not mapped).
	 */
	struct dma_iova_state dma_iova;

	/* private: */
	/*
	 * Page offsets of every DRM_GEM_CHUNK_INDEX_STRIDE-th chunk, for
	 * lookups in long lists; published with @chunks.
	 */
	unsigned long *index;
	/* Reclaim state of the object's device, see drm_gem_chunk_init(). */
	struct drm_gem_chunk_reclaim *reclaim;
};

#define to_drm_gem_chunk_obj(obj) \
	container_of(obj, struct drm_gem_chunk_object, base)

int drm_gem_chunk_init(struct drm_device *dev,
		       struct drm_gem_chunk_object *cobj, size_t size);
struct drm_gem_chunk_object *drm_gem_chunk_create(struct drm_device *dev,
						  size_t size);
void drm_gem_chunk_release(struct drm_gem_chunk_object *cobj);
void drm_gem_chunk_free(struct drm_gem_chunk_object *cobj);

int drm_gem_chunk_pin_locked(struct drm_gem_chunk_object *cobj);
void drm_gem_chunk_unpin_locked(struct drm_gem_chunk_object *cobj);
int drm_gem_chunk_pin(struct drm_gem_chunk_object *cobj);
void drm_gem_chunk_unpin(struct drm_gem_chunk_object *cobj);

int drm_gem_chunk_vmap_locked(struct drm_gem_chunk_object *cobj,
			      struct iosys_map *map);
void drm_gem_chunk_vunmap_locked(struct drm_gem_chunk_object *cobj,
				 struct iosys_map *map);
int drm_gem_chunk_vmap(struct drm_gem_chunk_object *cobj,
		       struct iosys_map *map);
void drm_gem_chunk_vunmap(struct drm_gem_chunk_object *cobj,
			  struct iosys_map *map);

int drm_gem_chunk_dma_map_locked(struct drm_gem_chunk_object *cobj);
int drm_gem_chunk_dma_map(struct drm_gem_chunk_object *cobj);
int drm_gem_chunk_dma_map_contiguous_locked(struct drm_gem_chunk_object *cobj);
int drm_gem_chunk_dma_map_contiguous(struct drm_gem_chunk_object *cobj);
unsigned int drm_gem_chunk_dma_ranges(const struct drm_gem_chunk_object *cobj,
				      size_t max_len);
void drm_gem_chunk_sync_for_cpu(struct drm_gem_chunk_object *cobj,
				enum dma_data_direction dir);
void drm_gem_chunk_sync_for_device(struct drm_gem_chunk_object *cobj,
				   enum dma_data_direction dir);

int drm_gem_chunk_madvise_locked(struct drm_gem_chunk_object *cobj, int madv);
bool drm_gem_chunk_is_purgeable(const struct drm_gem_chunk_object *cobj);
void drm_gem_chunk_purge_locked(struct drm_gem_chunk_object *cobj);

struct page *drm_gem_chunk_page_at(struct drm_gem_chunk_object *cobj,
				   size_t offset);

int drm_gem_chunk_create_with_handle(struct drm_file *file_priv,
				     struct drm_device *dev, size_t size,
				     u32 *handle);
int drm_gem_chunk_dumb_create(struct drm_file *file, struct drm_device *dev,
			      struct drm_mode_create_dumb *args);

/*
 * &drm_gem_object_funcs.vm_ops of chunk GEM objects; its fault handler is
 * described in the DOC sections of drm_gem_chunk_helper.c. Not a kernel-doc
 * comment: the kernel-doc output of a variable indents whatever the
 * htmldocs build emits after it.
 */
extern const struct vm_operations_struct drm_gem_chunk_vm_ops;
int drm_gem_chunk_mmap(struct drm_gem_chunk_object *cobj,
		       struct vm_area_struct *vma);

void drm_gem_chunk_print_info(const struct drm_gem_chunk_object *cobj,
			      struct drm_printer *p, unsigned int indent);
struct sg_table *drm_gem_chunk_get_sg_table(struct drm_gem_chunk_object *cobj);
struct dma_buf *drm_gem_chunk_prime_export(struct drm_gem_object *obj, int flags);

/*
 * GEM object functions
 */

/**
 * drm_gem_chunk_object_free - GEM object function for drm_gem_chunk_free()
 * @obj: GEM object to free
 *
 * This function wraps drm_gem_chunk_free(). Drivers that employ the chunk
 * helpers should use it as their &drm_gem_object_funcs.free handler.
 */
static inline void drm_gem_chunk_object_free(struct drm_gem_object *obj)
{
	drm_gem_chunk_free(to_drm_gem_chunk_obj(obj));
}

/**
 * drm_gem_chunk_object_print_info - GEM object function for drm_gem_chunk_print_info()
 * @p: DRM printer
 * @indent: Tab indentation level
 * @obj: GEM object
 *
 * This function wraps drm_gem_chunk_print_info(). Drivers that employ the
 * chunk helpers should use it as their &drm_gem_object_funcs.print_info
 * handler.
 */
static inline void drm_gem_chunk_object_print_info(struct drm_printer *p,
						   unsigned int indent,
						   const struct drm_gem_object *obj)
{
	drm_gem_chunk_print_info(to_drm_gem_chunk_obj(obj), p, indent);
}

/**
 * drm_gem_chunk_object_pin - GEM object function for drm_gem_chunk_pin_locked()
 * @obj: GEM object
 *
 * This function wraps drm_gem_chunk_pin_locked(). Drivers that employ the
 * chunk helpers should use it as their &drm_gem_object_funcs.pin handler.
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
static inline int drm_gem_chunk_object_pin(struct drm_gem_object *obj)
{
	return drm_gem_chunk_pin_locked(to_drm_gem_chunk_obj(obj));
}

/**
 * drm_gem_chunk_object_unpin - GEM object function for drm_gem_chunk_unpin_locked()
 * @obj: GEM object
 *
 * This function wraps drm_gem_chunk_unpin_locked(). Drivers that employ the
 * chunk helpers should use it as their &drm_gem_object_funcs.unpin handler.
 */
static inline void drm_gem_chunk_object_unpin(struct drm_gem_object *obj)
{
	drm_gem_chunk_unpin_locked(to_drm_gem_chunk_obj(obj));
}

/**
 * drm_gem_chunk_object_get_sg_table - GEM object function for drm_gem_chunk_get_sg_table()
 * @obj: GEM object
 *
 * This function wraps drm_gem_chunk_get_sg_table(). Drivers that employ the
 * chunk helpers should use it as their &drm_gem_object_funcs.get_sg_table
 * handler.
 *
 * Returns:
 * A newly allocated, unmapped scatter/gather table or an ERR_PTR()-encoded
 * negative error code on failure.
 */
static inline struct sg_table *
drm_gem_chunk_object_get_sg_table(struct drm_gem_object *obj)
{
	return drm_gem_chunk_get_sg_table(to_drm_gem_chunk_obj(obj));
}

/**
 * drm_gem_chunk_object_vmap - GEM object function for drm_gem_chunk_vmap_locked()
 * @obj: GEM object
 * @map: Returns the kernel virtual address of the object's backing store
 *
 * This function wraps drm_gem_chunk_vmap_locked(). Drivers that employ the
 * chunk helpers should use it as their &drm_gem_object_funcs.vmap handler.
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
static inline int drm_gem_chunk_object_vmap(struct drm_gem_object *obj,
					    struct iosys_map *map)
{
	return drm_gem_chunk_vmap_locked(to_drm_gem_chunk_obj(obj), map);
}

/**
 * drm_gem_chunk_object_vunmap - GEM object function for drm_gem_chunk_vunmap_locked()
 * @obj: GEM object
 * @map: Kernel virtual address where the object was mapped
 *
 * This function wraps drm_gem_chunk_vunmap_locked(). Drivers that employ the
 * chunk helpers should use it as their &drm_gem_object_funcs.vunmap handler.
 */
static inline void drm_gem_chunk_object_vunmap(struct drm_gem_object *obj,
					       struct iosys_map *map)
{
	drm_gem_chunk_vunmap_locked(to_drm_gem_chunk_obj(obj), map);
}

/**
 * drm_gem_chunk_object_mmap - GEM object function for drm_gem_chunk_mmap()
 * @obj: GEM object
 * @vma: VMA for the area to be mapped
 *
 * This function wraps drm_gem_chunk_mmap(). Drivers that employ the chunk
 * helpers should use it as their &drm_gem_object_funcs.mmap handler.
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
static inline int drm_gem_chunk_object_mmap(struct drm_gem_object *obj,
					    struct vm_area_struct *vma)
{
	return drm_gem_chunk_mmap(to_drm_gem_chunk_obj(obj), vma);
}

/**
 * drm_gem_chunk_object_status - GEM object function for memory statistics
 * @obj: GEM object
 *
 * Drivers that employ the chunk helpers should use it as their
 * &drm_gem_object_funcs.status handler, so that fdinfo counts native objects
 * as resident once their backing storage is allocated.
 *
 * Returns:
 * %DRM_GEM_OBJECT_RESIDENT if the object has its own backing storage in
 * memory (not evicted), with %DRM_GEM_OBJECT_PURGEABLE if its contents may
 * be purged; 0 for imports.
 */
static inline enum drm_gem_object_status
drm_gem_chunk_object_status(struct drm_gem_object *obj)
{
	struct drm_gem_chunk_object *cobj = to_drm_gem_chunk_obj(obj);

	enum drm_gem_object_status status = 0;

	if (drm_gem_is_imported(obj))
		return 0;
	if (READ_ONCE(cobj->chunks))
		status |= DRM_GEM_OBJECT_RESIDENT;
	if (READ_ONCE(cobj->madv) > 0)
		status |= DRM_GEM_OBJECT_PURGEABLE;

	return status;
}

/*
 * Driver ops
 */

struct drm_gem_object *
drm_gem_chunk_prime_import_sg_table(struct drm_device *dev,
				    struct dma_buf_attachment *attach,
				    struct sg_table *sgt);
struct drm_gem_object *drm_gem_chunk_prime_import(struct drm_device *dev,
						  struct dma_buf *dma_buf);
struct drm_gem_object *
drm_gem_chunk_prime_import_no_map(struct drm_device *dev,
				  struct dma_buf *dma_buf);

/**
 * DRM_GEM_CHUNK_DRIVER_OPS - Default chunk GEM operations
 *
 * This macro provides a shortcut for setting the chunk GEM operations in
 * the &drm_driver structure. It imports dma-bufs without mapping them, which
 * suits drivers whose device does not access memory itself (CPU access goes
 * through the exporter). Drivers whose device needs the device addresses of
 * imported buffers set &drm_driver.gem_prime_import to
 * drm_gem_chunk_prime_import() and &drm_driver.gem_prime_import_sg_table to
 * drm_gem_chunk_prime_import_sg_table() instead.
 */
#define DRM_GEM_CHUNK_DRIVER_OPS \
	.gem_prime_import = drm_gem_chunk_prime_import_no_map, \
	.dumb_create = drm_gem_chunk_dumb_create

#if IS_ENABLED(CONFIG_KUNIT)
unsigned long drm_gem_chunk_reclaim_count(struct drm_device *dev);
unsigned long drm_gem_chunk_reclaim_scan(struct drm_device *dev,
					 unsigned long nr_to_scan);
#endif

#endif /* __DRM_GEM_CHUNK_HELPER_H__ */
