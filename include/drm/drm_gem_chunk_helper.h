/* SPDX-License-Identifier: GPL-2.0-only OR MIT */

#ifndef __DRM_GEM_CHUNK_HELPER_H__
#define __DRM_GEM_CHUNK_HELPER_H__

#include <linux/dma-direction.h>
#include <linux/mm_types.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include <drm/drm_gem.h>

struct device;
struct dma_buf;
struct dma_buf_attachment;
struct drm_device;
struct drm_file;
struct drm_mode_create_dumb;
struct drm_printer;
struct iosys_map;
struct sg_table;
struct vm_area_struct;

/**
 * struct drm_gem_chunk - A physically and DMA contiguous run of pages
 *
 * A chunk list (an array of &struct drm_gem_chunk) describes the backing
 * storage of a buffer in object order. Every chunk starts and ends on a page
 * boundary.
 */
struct drm_gem_chunk {
	/**
	 * @page: First page of the run, or NULL when the memory has no
	 * &struct page the core mm knows about (imported dma-buf, device
	 * resource). The pages of a run are contiguous, so page + i is the
	 * i-th page of the run.
	 */
	struct page *page;

	/**
	 * @dma_addr: Device address of the run, or %DMA_MAPPING_ERROR while
	 * the run has not been mapped for a device.
	 */
	dma_addr_t dma_addr;

	/**
	 * @npages: Length of the run, in pages. Never zero.
	 */
	unsigned long npages;
};

/**
 * drm_gem_chunk_size - Size of a chunk in bytes
 * @chunk: the chunk
 *
 * Returns:
 * The length of @chunk in bytes.
 */
static inline size_t drm_gem_chunk_size(const struct drm_gem_chunk *chunk)
{
	return (size_t)chunk->npages << PAGE_SHIFT;
}

/**
 * drm_gem_chunk_for_each - Iterate over the chunks of a chunk list
 * @chunk: &struct drm_gem_chunk pointer used as the cursor
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 */
#define drm_gem_chunk_for_each(chunk, chunks, nr_chunks)			\
	for (unsigned int __drm_gem_chunk_idx = 0;				\
	     ((chunk) = __drm_gem_chunk_get(chunks, nr_chunks, __drm_gem_chunk_idx)); \
	     __drm_gem_chunk_idx++)

/* Internal, for drm_gem_chunk_for_each() */
static inline struct drm_gem_chunk *
__drm_gem_chunk_get(const struct drm_gem_chunk *chunks, unsigned int nr_chunks,
		    unsigned int idx)
{
	return idx < nr_chunks ? (struct drm_gem_chunk *)&chunks[idx] : NULL;
}

/**
 * struct drm_gem_chunk_page_iter - Iterator over the pages of a chunk list
 *
 * Use drm_gem_chunk_for_each_page() to set it up and the accessors
 * drm_gem_chunk_page_iter_page() and drm_gem_chunk_page_iter_index() to read
 * it. Chunks without a &struct page are skipped.
 */
struct drm_gem_chunk_page_iter {
	/* private: internal state, keep away */
	const struct drm_gem_chunk *__chunk;
	unsigned int __nr_left;
	unsigned long __pgoff;
	unsigned long __index;
	unsigned long __advance;
};

struct drm_gem_chunk_page_iter *
__drm_gem_chunk_page_iter_start(struct drm_gem_chunk_page_iter *iter,
				const struct drm_gem_chunk *chunks,
				unsigned int nr_chunks, unsigned long pgoffset);
bool __drm_gem_chunk_page_iter_next(struct drm_gem_chunk_page_iter *iter);

/**
 * drm_gem_chunk_page_iter_page - Current page of a page iterator
 * @iter: the iterator
 *
 * Returns:
 * The page the iterator points at.
 */
static inline struct page *
drm_gem_chunk_page_iter_page(const struct drm_gem_chunk_page_iter *iter)
{
	return iter->__chunk->page + iter->__pgoff;
}

/**
 * drm_gem_chunk_page_iter_index - Index of the current page in the chunk list
 * @iter: the iterator
 *
 * Returns:
 * The page index, counted from the start of the chunk list (page-less chunks
 * included), of the page the iterator points at.
 */
static inline unsigned long
drm_gem_chunk_page_iter_index(const struct drm_gem_chunk_page_iter *iter)
{
	return iter->__index;
}

/**
 * drm_gem_chunk_for_each_page - Iterate over the pages of a chunk list
 * @iter: &struct drm_gem_chunk_page_iter to hold the state
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 * @pgoffset: page index to start at
 *
 * Visits every page of the page-backed chunks of @chunks, in object order,
 * starting at page index @pgoffset. Chunks whose &drm_gem_chunk.page is NULL
 * are skipped, but count for drm_gem_chunk_page_iter_index().
 */
#define drm_gem_chunk_for_each_page(iter, chunks, nr_chunks, pgoffset)		\
	for (struct drm_gem_chunk_page_iter *__drm_gem_chunk_pit =			\
		__drm_gem_chunk_page_iter_start(iter, chunks, nr_chunks, pgoffset); \
	     __drm_gem_chunk_page_iter_next(__drm_gem_chunk_pit);)

/**
 * struct drm_gem_chunk_dma_iter - Iterator over the DMA ranges of a chunk list
 *
 * Consecutive chunks whose device addresses follow each other are reported
 * as one range. Use drm_gem_chunk_for_each_dma_range() to set it up and
 * drm_gem_chunk_dma_iter_address() and drm_gem_chunk_dma_iter_length() to
 * read it.
 */
struct drm_gem_chunk_dma_iter {
	/* private: internal state, keep away */
	const struct drm_gem_chunk *__next;
	unsigned int __nr_left;
	dma_addr_t __addr;
	size_t __len;
};

bool __drm_gem_chunk_dma_iter_next(struct drm_gem_chunk_dma_iter *iter);

/* Internal, for drm_gem_chunk_for_each_dma_range() */
static inline struct drm_gem_chunk_dma_iter *
__drm_gem_chunk_dma_iter_start(struct drm_gem_chunk_dma_iter *iter,
			       const struct drm_gem_chunk *chunks,
			       unsigned int nr_chunks)
{
	iter->__next = chunks;
	iter->__nr_left = nr_chunks;

	return iter;
}

/**
 * drm_gem_chunk_dma_iter_address - Device address of the current DMA range
 * @iter: the iterator
 *
 * Returns:
 * The device address of the range the iterator points at.
 */
static inline dma_addr_t
drm_gem_chunk_dma_iter_address(const struct drm_gem_chunk_dma_iter *iter)
{
	return iter->__addr;
}

/**
 * drm_gem_chunk_dma_iter_length - Length of the current DMA range
 * @iter: the iterator
 *
 * Returns:
 * The length in bytes of the range the iterator points at.
 */
static inline size_t
drm_gem_chunk_dma_iter_length(const struct drm_gem_chunk_dma_iter *iter)
{
	return iter->__len;
}

/**
 * drm_gem_chunk_for_each_dma_range - Iterate over the DMA ranges of a chunk list
 * @iter: &struct drm_gem_chunk_dma_iter to hold the state
 * @chunks: the chunk list, mapped for a device
 * @nr_chunks: number of entries in @chunks
 *
 * Visits the device address ranges of @chunks, merging chunks that are
 * contiguous in device address space.
 */
#define drm_gem_chunk_for_each_dma_range(iter, chunks, nr_chunks)		\
	for (struct drm_gem_chunk_dma_iter *__drm_gem_chunk_dit =		\
		__drm_gem_chunk_dma_iter_start(iter, chunks, nr_chunks);	\
	     __drm_gem_chunk_dma_iter_next(__drm_gem_chunk_dit);)

/*
 * Chunk list conversions
 */

struct drm_gem_chunk *drm_gem_chunks_from_pages(struct page * const *pages,
						unsigned long npages,
						unsigned int *nr_chunks);
int drm_gem_chunks_to_pages(const struct drm_gem_chunk *chunks,
			    unsigned int nr_chunks, struct page **pages,
			    unsigned long npages);
struct drm_gem_chunk *drm_gem_chunks_from_sgt(struct sg_table *sgt,
					      unsigned int *nr_chunks);
struct sg_table *drm_gem_chunks_to_sgt(const struct drm_gem_chunk *chunks,
				       unsigned int nr_chunks,
				       size_t max_segment);
struct sg_table *drm_gem_chunks_to_dma_sgt(const struct drm_gem_chunk *chunks,
					   unsigned int nr_chunks,
					   size_t max_segment);
struct drm_gem_chunk *drm_gem_chunks_map_phys_vec(struct device *dev,
						  const struct phys_vec *vec,
						  size_t nr_ranges,
						  enum dma_data_direction dir,
						  unsigned int *nr_chunks);
void drm_gem_chunks_unmap_phys_vec(struct device *dev,
				   struct drm_gem_chunk *chunks,
				   unsigned int nr_chunks,
				   enum dma_data_direction dir);
const struct drm_gem_chunk *drm_gem_chunks_find(const struct drm_gem_chunk *chunks,
						unsigned int nr_chunks,
						unsigned long pgoff,
						unsigned long *first);

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
	struct drm_gem_chunk *chunks;

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
	 * @dma_mapped: The &drm_gem_chunk.dma_addr fields of @chunks hold
	 * addresses for the device of &drm_device.dev.
	 */
	bool dma_mapped : 1;

	/* private: fault lookup cursor, protected by the reservation lock */
	unsigned int lookup_idx;
	unsigned long lookup_first;
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

struct page *drm_gem_chunk_page_at(struct drm_gem_chunk_object *cobj,
				   size_t offset);

int drm_gem_chunk_create_with_handle(struct drm_file *file_priv,
				     struct drm_device *dev, size_t size,
				     u32 *handle);
int drm_gem_chunk_dumb_create(struct drm_file *file, struct drm_device *dev,
			      struct drm_mode_create_dumb *args);

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
 * %DRM_GEM_OBJECT_RESIDENT if the object has its own backing storage, 0
 * otherwise.
 */
static inline enum drm_gem_object_status
drm_gem_chunk_object_status(struct drm_gem_object *obj)
{
	struct drm_gem_chunk_object *cobj = to_drm_gem_chunk_obj(obj);

	if (drm_gem_is_imported(obj) || !READ_ONCE(cobj->chunks))
		return 0;

	return DRM_GEM_OBJECT_RESIDENT;
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

/*
 * KUnit helpers
 */

#if IS_ENABLED(CONFIG_KUNIT)
int drm_gem_chunk_alloc_chunks(size_t size, unsigned int max_order,
			       struct drm_gem_chunk **chunks,
			       unsigned int *nr_chunks);
void drm_gem_chunk_free_chunks(struct drm_gem_chunk *chunks,
			       unsigned int nr_chunks);
long drm_gem_chunk_nr_pages(void);
#endif

#endif /* __DRM_GEM_CHUNK_HELPER_H__ */
