/* SPDX-License-Identifier: GPL-2.0-only */

#ifndef __DRM_CHUNK_H__
#define __DRM_CHUNK_H__

#include <linux/dma-direction.h>
#include <linux/gfp_types.h>
#include <linux/mm_types.h>
#include <linux/types.h>

struct device;
struct dma_iova_state;
struct sg_table;

/**
 * struct drm_chunk - A physically and DMA contiguous run of pages
 *
 * A chunk list (an array of &struct drm_chunk) describes the backing
 * storage of a buffer in object order. Every chunk starts and ends on a page
 * boundary.
 */
struct drm_chunk {
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
 * drm_chunk_size - Size of a chunk in bytes
 * @chunk: the chunk
 *
 * Returns:
 * The length of @chunk in bytes.
 */
static inline size_t drm_chunk_size(const struct drm_chunk *chunk)
{
	return (size_t)chunk->npages << PAGE_SHIFT;
}

/**
 * drm_chunk_for_each - Iterate over the chunks of a chunk list
 * @chunk: &struct drm_chunk pointer used as the cursor, const if @chunks is
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 */
#define drm_chunk_for_each(chunk, chunks, nr_chunks)			\
	for (unsigned int __drm_chunk_idx = 0;				\
	     __drm_chunk_idx < (nr_chunks) &&				\
	     ((chunk) = &(chunks)[__drm_chunk_idx], true);		\
	     __drm_chunk_idx++)

/**
 * struct drm_chunk_page_iter - Iterator over the pages of a chunk list
 *
 * Use drm_chunk_for_each_page() to set it up and the accessors
 * drm_chunk_page_iter_page() and drm_chunk_page_iter_index() to read
 * it. Chunks without a &struct page are skipped.
 */
struct drm_chunk_page_iter {
	/* private: internal state, keep away */
	const struct drm_chunk *__chunk;
	unsigned int __nr_left;
	unsigned long __pgoff;
	unsigned long __index;
	unsigned long __advance;
};

struct drm_chunk_page_iter *
__drm_chunk_page_iter_start(struct drm_chunk_page_iter *iter,
			    const struct drm_chunk *chunks,
			    unsigned int nr_chunks, unsigned long pgoffset);
bool __drm_chunk_page_iter_next(struct drm_chunk_page_iter *iter);

/**
 * drm_chunk_page_iter_page - Current page of a page iterator
 * @iter: the iterator
 *
 * Returns:
 * The page the iterator points at.
 */
static inline struct page *
drm_chunk_page_iter_page(const struct drm_chunk_page_iter *iter)
{
	return iter->__chunk->page + iter->__pgoff;
}

/**
 * drm_chunk_page_iter_index - Index of the current page in the chunk list
 * @iter: the iterator
 *
 * Returns:
 * The page index, counted from the start of the chunk list (page-less chunks
 * included), of the page the iterator points at.
 */
static inline unsigned long
drm_chunk_page_iter_index(const struct drm_chunk_page_iter *iter)
{
	return iter->__index;
}

/**
 * drm_chunk_for_each_page - Iterate over the pages of a chunk list
 * @iter: &struct drm_chunk_page_iter to hold the state
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 * @pgoffset: page index to start at
 *
 * Visits every page of the page-backed chunks of @chunks, in object order,
 * starting at page index @pgoffset. Chunks whose &drm_chunk.page is NULL
 * are skipped, but count for drm_chunk_page_iter_index().
 */
#define drm_chunk_for_each_page(iter, chunks, nr_chunks, pgoffset)		\
	for (struct drm_chunk_page_iter *__drm_chunk_pit =			\
		__drm_chunk_page_iter_start(iter, chunks, nr_chunks, pgoffset); \
	     __drm_chunk_page_iter_next(__drm_chunk_pit);)

/**
 * struct drm_chunk_dma_iter - Iterator over the DMA ranges of a chunk list
 *
 * Consecutive chunks whose device addresses follow each other are reported
 * as one range. Use drm_chunk_for_each_dma_range() to set it up and
 * drm_chunk_dma_iter_address() and drm_chunk_dma_iter_length() to
 * read it.
 */
struct drm_chunk_dma_iter {
	/* private: internal state, keep away */
	const struct drm_chunk *__next;
	unsigned int __nr_left;
	dma_addr_t __addr;
	size_t __len;
};

bool __drm_chunk_dma_iter_next(struct drm_chunk_dma_iter *iter);

/* Internal, for drm_chunk_for_each_dma_range() */
static inline struct drm_chunk_dma_iter *
__drm_chunk_dma_iter_start(struct drm_chunk_dma_iter *iter,
			   const struct drm_chunk *chunks,
			   unsigned int nr_chunks)
{
	iter->__next = chunks;
	iter->__nr_left = nr_chunks;

	return iter;
}

/**
 * drm_chunk_dma_iter_address - Device address of the current DMA range
 * @iter: the iterator
 *
 * Returns:
 * The device address of the range the iterator points at.
 */
static inline dma_addr_t
drm_chunk_dma_iter_address(const struct drm_chunk_dma_iter *iter)
{
	return iter->__addr;
}

/**
 * drm_chunk_dma_iter_length - Length of the current DMA range
 * @iter: the iterator
 *
 * Returns:
 * The length in bytes of the range the iterator points at.
 */
static inline size_t
drm_chunk_dma_iter_length(const struct drm_chunk_dma_iter *iter)
{
	return iter->__len;
}

/**
 * drm_chunk_for_each_dma_range - Iterate over the DMA ranges of a chunk list
 * @iter: &struct drm_chunk_dma_iter to hold the state
 * @chunks: the chunk list, mapped for a device
 * @nr_chunks: number of entries in @chunks
 *
 * Visits the device address ranges of @chunks, merging chunks that are
 * contiguous in device address space.
 */
#define drm_chunk_for_each_dma_range(iter, chunks, nr_chunks)		\
	for (struct drm_chunk_dma_iter *__drm_chunk_dit =		\
		__drm_chunk_dma_iter_start(iter, chunks, nr_chunks);	\
	     __drm_chunk_dma_iter_next(__drm_chunk_dit);)

/*
 * Allocation and DMA mapping
 */

struct drm_chunk *drm_chunks_alloc(size_t size, size_t max_run, gfp_t gfp,
				   unsigned int *nr_chunks);
void drm_chunks_free(struct drm_chunk *chunks, unsigned int nr_chunks);
unsigned long drm_chunk_free_first_block(struct drm_chunk *chunk);
size_t drm_chunks_max_run(struct device *dev);
int drm_chunks_dma_map(struct device *dev, struct drm_chunk *chunks,
		       unsigned int nr_chunks, enum dma_data_direction dir,
		       unsigned long attrs);
void drm_chunks_dma_unmap(struct device *dev, struct drm_chunk *chunks,
			  unsigned int nr_chunks, enum dma_data_direction dir,
			  unsigned long attrs);
int drm_chunks_dma_link(struct device *dev, struct dma_iova_state *state,
			struct drm_chunk *chunks, unsigned int nr_chunks,
			enum dma_data_direction dir, unsigned long attrs);
void drm_chunks_dma_unlink(struct device *dev, struct dma_iova_state *state,
			   struct drm_chunk *chunks, unsigned int nr_chunks,
			   enum dma_data_direction dir, unsigned long attrs);
void drm_chunks_sync_for_cpu(struct device *dev, const struct drm_chunk *chunks,
			     unsigned int nr_chunks, enum dma_data_direction dir);
void drm_chunks_sync_for_device(struct device *dev,
				const struct drm_chunk *chunks,
				unsigned int nr_chunks,
				enum dma_data_direction dir);

/*
 * Conversions
 */

int drm_chunks_to_pages(const struct drm_chunk *chunks,
			unsigned int nr_chunks, struct page **pages,
			unsigned long npages);
struct drm_chunk *drm_chunks_from_sgt(struct sg_table *sgt,
				      unsigned int *nr_chunks);
struct sg_table *drm_chunks_to_sgt(const struct drm_chunk *chunks,
				   unsigned int nr_chunks,
				   size_t max_segment);
const struct drm_chunk *drm_chunks_find(const struct drm_chunk *chunks,
					unsigned int nr_chunks,
					unsigned long pgoff,
					unsigned long *first);

#if IS_ENABLED(CONFIG_KUNIT)
long drm_chunks_nr_pages(void);
bool drm_chunk_pages_follow(const struct drm_chunk *chunk, struct page *page);
#endif

#endif /* __DRM_CHUNK_H__ */
