// SPDX-License-Identifier: GPL-2.0-only
/*
 * Chunk lists: buffer backing storage as runs of contiguous pages
 */

#include <linux/atomic.h>
#include <linux/dcache.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pgtable.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/types.h>

#include <kunit/visibility.h>

#include <drm/drm_chunk.h>

/**
 * DOC: overview
 *
 * A chunk list is an array of &struct drm_chunk describing the backing
 * storage of a buffer in buffer order: each chunk is a run of pages that is
 * contiguous both physically and in device address space, and contiguous
 * runs are merged, so the list is as long as the memory is fragmented, not
 * as long as the buffer has pages. A chunk carries a &struct page for CPU
 * access when the memory has one, and a device address for DMA once the
 * list is mapped. Imported buffers and device resources are page-less
 * chunks. Everything is page aligned, and the list is passed around whole.
 *
 * The list does not depend on GEM: the GEM chunk helper is its first user
 * (see drm_gem_chunk_helper.c), and anything that holds buffer memory can
 * use it. Its functions take no locks; whoever changes a list serializes
 * that (the GEM helper with the object's reservation lock).
 *
 * drm_chunk_for_each() visits the chunks of a list,
 * drm_chunk_for_each_page() the pages of its page-backed chunks and
 * drm_chunk_for_each_dma_range() its device address ranges, merging chunks
 * whose device addresses follow each other. drm_chunks_find() looks up the
 * chunk holding a page.
 */

/**
 * DOC: allocation
 *
 * drm_chunks_alloc() takes memory straight from the page allocator: each
 * run is requested at the highest order that still fits the remaining size,
 * up to the PMD order (2 MiB with 4 KiB pages on x86-64), and no longer
 * than the caller's longest run. High orders are tried with %__GFP_NORETRY
 * so that a fragmented machine falls back to lower orders, down to single
 * pages, instead of stalling or failing; once an order failed, the
 * allocation does not try higher orders again. Blocks are compound pages
 * and stay whole: they are freed in one call each, as the page allocator
 * handed them out, and a reference taken on any of their pages (e.g. by
 * vm_insert_page()) holds the whole block. Blocks that happen to be
 * physically adjacent are merged into one chunk, within the longest run and
 * within a zone (a chunk is never part lowmem, part highmem). On an
 * unfragmented machine a 64 MiB buffer is described by at most 32 chunks.
 * The memory is zeroed, and drm_chunks_free() gives it back.
 *
 * The longest run is what the device that will map the list can map in one
 * piece: drm_chunks_max_run() of that device, the bound of
 * dma_max_mapping_size(). It is shorter than the PMD size when the device's
 * mappings bounce through swiotlb (256 KiB with swiotlb=force). A device
 * that reaches only part of memory also needs the right GFP flags, e.g.
 * %GFP_KERNEL | %__GFP_DMA32 for a 32-bit DMA mask. Movable memory is
 * refused: the pages of a list never move.
 *
 * For leak checks, dri/drm_chunk/pages in debugfs shows how many pages
 * drm_chunks_alloc() handed out and drm_chunks_free() has not taken back,
 * and dri/drm_chunk/chunks how many chunks they make up: the ratio is the
 * average run, which tells how fragmented the memory came.
 */

/**
 * DOC: DMA mapping
 *
 * drm_chunks_dma_map() maps every chunk for a device in one piece (the runs
 * must not be longer than drm_chunks_max_run() of that device) and fills
 * &drm_chunk.dma_addr; drm_chunks_dma_unmap() undoes it.
 * drm_chunks_sync_for_cpu() and drm_chunks_sync_for_device() hand the
 * memory over between the CPU and a device that is not cache coherent or
 * whose mappings bounce through swiotlb.
 *
 * Behind an IOMMU, drm_chunks_dma_link() maps the whole list into one
 * contiguous range of device addresses with the two-step DMA API
 * (dma_iova_try_alloc(), dma_iova_link()), so that a device sees one range
 * however fragmented the memory is. It does so only for devices that need
 * no syncs, and falls back to drm_chunks_dma_map() where that is not
 * possible; drm_chunks_dma_unlink() undoes either.
 */

/**
 * DOC: conversions
 *
 * To allow incremental adoption, chunk lists are converted at the
 * boundaries: to page arrays (drm_chunks_to_pages()), for vmap() and other
 * page-array users, and from and to scatter/gather tables
 * (drm_chunks_from_sgt(), drm_chunks_to_sgt()), for dma-buf import and
 * export. drm_chunks_from_sgt() reads only the DMA side of a table, so it
 * takes what any dma-buf exporter hands out. Other conversions (from page
 * arrays, to DMA-only tables, from device resource ranges) come with their
 * first user.
 */

/*
 * Highest order of a single allocation: the PMD order, so that a block can
 * be mapped to userspace with one PMD (2 MiB with 4 KiB pages on x86-64).
 */
#define DRM_CHUNK_MAX_ORDER	min_t(unsigned int, PMD_SHIFT - PAGE_SHIFT, MAX_PAGE_ORDER)

/* Longest run a scatterlist entry can hold, page aligned */
#define DRM_CHUNK_SG_MAX_SEGMENT	((size_t)(UINT_MAX & PAGE_MASK))

/*
 * Chunk lists
 */

/*
 * Whether @page continues @chunk: physically, in the memmap (so that page + i
 * works) and in the same zone. Blocks of two zones can be adjacent (lowmem
 * and highmem on 32-bit, DMA32 and NORMAL), and a chunk is used as one kind
 * of memory: one page_address() for all of it when its first page is not
 * highmem, set_memory_wc() through the linear map.
 */
VISIBLE_IF_KUNIT bool drm_chunk_pages_follow(const struct drm_chunk *chunk,
					     struct page *page)
{
	struct page *end = chunk->page + chunk->npages;

	return end == page &&
	       page_to_pfn(chunk->page) + chunk->npages == page_to_pfn(page) &&
	       page_zone(chunk->page) == page_zone(page);
}
EXPORT_SYMBOL_IF_KUNIT(drm_chunk_pages_follow);

static bool drm_chunk_dma_follows(const struct drm_chunk *chunk,
				  dma_addr_t addr)
{
	return chunk->dma_addr + drm_chunk_size(chunk) == addr;
}

static size_t drm_chunk_max_segment(size_t max_segment)
{
	if (!max_segment || max_segment > DRM_CHUNK_SG_MAX_SEGMENT)
		max_segment = DRM_CHUNK_SG_MAX_SEGMENT;

	return max_t(size_t, max_segment & PAGE_MASK, PAGE_SIZE);
}

/**
 * drm_chunks_to_pages - Fill a page array from a chunk list
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 * @pages: array to fill, in object order
 * @npages: number of entries in @pages
 *
 * The pages are not referenced.
 *
 * Returns:
 * 0 on success, -EINVAL if a chunk has no &struct page, or -ENOSPC if the
 * chunks hold more than @npages pages. Entries of @pages past the last page
 * of the list are left untouched.
 */
int drm_chunks_to_pages(const struct drm_chunk *chunks,
			unsigned int nr_chunks, struct page **pages,
			unsigned long npages)
{
	const struct drm_chunk *chunk;
	unsigned long i, n = 0;

	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		if (!chunk->page)
			return -EINVAL;
		if (chunk->npages > npages - n)
			return -ENOSPC;
		for (i = 0; i < chunk->npages; i++)
			pages[n++] = chunk->page + i;
	}

	return 0;
}
EXPORT_SYMBOL_GPL(drm_chunks_to_pages);

/**
 * drm_chunks_from_sgt - Build a page-less chunk list from a mapped sg_table
 * @sgt: scatter/gather table, mapped for a device
 * @nr_chunks: returns the number of chunks
 *
 * Translates the DMA side of @sgt into chunks whose &drm_chunk.page is
 * NULL, merging segments that are contiguous in device address space. The
 * CPU side of @sgt (sg_page(), offset, length) is never read, so this works
 * on tables handed out by any dma-buf exporter. Free the list with kvfree().
 *
 * Returns:
 * The chunk list on success, ERR_PTR(-EINVAL) if @sgt has no mapped segment
 * or a segment is not page aligned, or ERR_PTR(-ENOMEM).
 */
struct drm_chunk *drm_chunks_from_sgt(struct sg_table *sgt,
				      unsigned int *nr_chunks)
{
	struct drm_chunk *chunks, *chunk = NULL;
	struct scatterlist *sg;
	unsigned int i, nr = 0;
	dma_addr_t next = DMA_MAPPING_ERROR;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg);

		if (!len)
			continue;
		if (!PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len))
			return ERR_PTR(-EINVAL);
		if (!nr || addr != next)
			nr++;
		next = addr + len;
	}
	if (!nr)
		return ERR_PTR(-EINVAL);

	chunks = kvmalloc_array(nr, sizeof(*chunks), GFP_KERNEL);
	if (!chunks)
		return ERR_PTR(-ENOMEM);

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg);

		if (!len)
			continue;
		if (chunk && drm_chunk_dma_follows(chunk, addr)) {
			chunk->npages += len >> PAGE_SHIFT;
			continue;
		}
		chunk = chunk ? chunk + 1 : chunks;
		*chunk = (struct drm_chunk){ NULL, addr, len >> PAGE_SHIFT };
	}

	*nr_chunks = nr;

	return chunks;
}
EXPORT_SYMBOL_GPL(drm_chunks_from_sgt);

/* Number of segments of at most @max_segment, 0 if none or too many. */
static unsigned int drm_chunks_count_segments(const struct drm_chunk *chunks,
					      unsigned int nr_chunks,
					      size_t max_segment)
{
	const struct drm_chunk *chunk;
	unsigned long nents = 0;

	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		nents += DIV_ROUND_UP(drm_chunk_size(chunk), max_segment);
		if (nents > UINT_MAX)
			return 0;
	}

	return nents;
}

/**
 * drm_chunks_to_sgt - Build a scatter/gather table of pages from a chunk list
 * @chunks: the chunk list, every chunk with a &struct page
 * @nr_chunks: number of entries in @chunks
 * @max_segment: longest segment in bytes, rounded down to a page; 0 for the
 *	longest a scatterlist entry can hold
 *
 * Builds an sg_table with one entry per chunk, splitting chunks longer than
 * @max_segment. The table is not mapped: use dma_map_sgtable() for that.
 * Free it with sg_free_table() and kfree().
 *
 * Returns:
 * The table on success, ERR_PTR(-EINVAL) if the list is empty or a chunk has
 * no &struct page, or ERR_PTR(-ENOMEM).
 */
struct sg_table *drm_chunks_to_sgt(const struct drm_chunk *chunks,
				   unsigned int nr_chunks,
				   size_t max_segment)
{
	const struct drm_chunk *chunk;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int nents;
	int ret;

	max_segment = drm_chunk_max_segment(max_segment);
	nents = drm_chunks_count_segments(chunks, nr_chunks, max_segment);
	if (!nents)
		return ERR_PTR(-EINVAL);

	drm_chunk_for_each(chunk, chunks, nr_chunks)
		if (!chunk->page)
			return ERR_PTR(-EINVAL);

	sgt = kzalloc_obj(*sgt);
	if (!sgt)
		return ERR_PTR(-ENOMEM);

	ret = sg_alloc_table(sgt, nents, GFP_KERNEL);
	if (ret) {
		kfree(sgt);
		return ERR_PTR(ret);
	}

	sg = sgt->sgl;
	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		size_t left = drm_chunk_size(chunk), done = 0;

		while (left) {
			size_t len = min(left, max_segment);

			sg_set_page(sg, chunk->page + (done >> PAGE_SHIFT), len, 0);
			done += len;
			left -= len;
			sg = sg_next(sg);
		}
	}

	return sgt;
}
EXPORT_SYMBOL_GPL(drm_chunks_to_sgt);

/**
 * drm_chunks_find - Find the chunk holding a page
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 * @pgoff: page index in the list
 * @first: returns the page index of the first page of the chunk found
 *
 * Walks the list from the start, so the cost grows with the number of
 * chunks.
 *
 * Returns:
 * The chunk holding page @pgoff, or NULL if the list is shorter.
 */
const struct drm_chunk *drm_chunks_find(const struct drm_chunk *chunks,
					unsigned int nr_chunks,
					unsigned long pgoff,
					unsigned long *first)
{
	const struct drm_chunk *chunk;
	unsigned long start = 0;

	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		if (pgoff - start < chunk->npages) {
			*first = start;
			return chunk;
		}
		start += chunk->npages;
	}

	return NULL;
}
EXPORT_SYMBOL_GPL(drm_chunks_find);

/**
 * __drm_chunk_page_iter_start - Set up a page iterator
 * @iter: the iterator
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 * @pgoffset: page index to start at
 *
 * Internal, use drm_chunk_for_each_page().
 *
 * Returns:
 * @iter.
 */
struct drm_chunk_page_iter *
__drm_chunk_page_iter_start(struct drm_chunk_page_iter *iter,
			    const struct drm_chunk *chunks,
			    unsigned int nr_chunks, unsigned long pgoffset)
{
	iter->__chunk = chunks;
	iter->__nr_left = nr_chunks;
	iter->__pgoff = pgoffset;
	iter->__index = pgoffset;
	iter->__advance = 0;

	return iter;
}
EXPORT_SYMBOL_GPL(__drm_chunk_page_iter_start);

/**
 * __drm_chunk_page_iter_next - Step a page iterator
 * @iter: the iterator
 *
 * Internal, use drm_chunk_for_each_page().
 *
 * Returns:
 * True if the iterator points at the next page, false at the end.
 */
bool __drm_chunk_page_iter_next(struct drm_chunk_page_iter *iter)
{
	if (!iter->__nr_left)
		return false;

	iter->__pgoff += iter->__advance;
	iter->__index += iter->__advance;
	iter->__advance = 1;

	for (;;) {
		const struct drm_chunk *chunk = iter->__chunk;

		if (iter->__pgoff < chunk->npages) {
			if (chunk->page)
				return true;
			/* skip the rest of a page-less chunk */
			iter->__index += chunk->npages - iter->__pgoff;
			iter->__pgoff = chunk->npages;
		}
		iter->__pgoff -= chunk->npages;
		iter->__chunk++;
		if (!--iter->__nr_left)
			return false;
	}
}
EXPORT_SYMBOL_GPL(__drm_chunk_page_iter_next);

/**
 * __drm_chunk_dma_iter_next - Step a DMA range iterator
 * @iter: the iterator
 *
 * Internal, use drm_chunk_for_each_dma_range().
 *
 * Returns:
 * True if the iterator points at the next range, false at the end.
 */
bool __drm_chunk_dma_iter_next(struct drm_chunk_dma_iter *iter)
{
	const struct drm_chunk *chunk = iter->__next;

	if (!iter->__nr_left)
		return false;

	iter->__addr = chunk->dma_addr;
	iter->__len = drm_chunk_size(chunk);

	while (--iter->__nr_left) {
		chunk++;
		if (chunk->dma_addr != iter->__addr + iter->__len)
			break;
		iter->__len += drm_chunk_size(chunk);
	}
	iter->__next = iter->__nr_left ? chunk : NULL;

	return true;
}
EXPORT_SYMBOL_GPL(__drm_chunk_dma_iter_next);

/*
 * Allocation
 */

/* Pages and chunks handed out by drm_chunks_alloc() and not freed yet */
static atomic_long_t drm_chunk_pages = ATOMIC_LONG_INIT(0);
static atomic_long_t drm_chunk_chunks = ATOMIC_LONG_INIT(0);

static struct page *drm_chunk_alloc_block(gfp_t gfp, unsigned int order)
{
	gfp |= __GFP_ZERO | __GFP_NOWARN;

	/*
	 * High orders are an optimisation: give up early and fall back to
	 * smaller blocks rather than reclaim or compact hard. Single pages
	 * are worth trying hard for, but never the OOM killer.
	 */
	if (order)
		gfp |= __GFP_COMP | __GFP_NORETRY | __GFP_NOMEMALLOC;
	else
		gfp |= __GFP_RETRY_MAYFAIL;

	return alloc_pages(gfp, order);
}

/**
 * drm_chunks_free - Free a chunk list allocated by drm_chunks_alloc()
 * @chunks: the chunk list, unmapped; NULL is allowed
 * @nr_chunks: number of entries in @chunks
 */
void drm_chunks_free(struct drm_chunk *chunks, unsigned int nr_chunks)
{
	const struct drm_chunk *chunk;
	unsigned int order;
	unsigned long i;

	/* A chunk is whole blocks, each a compound page or a single page. */
	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		for (i = 0; i < chunk->npages; i += 1UL << order) {
			order = compound_order(chunk->page + i);
			__free_pages(chunk->page + i, order);
		}
		atomic_long_sub(chunk->npages, &drm_chunk_pages);
		cond_resched();
	}
	atomic_long_sub(nr_chunks, &drm_chunk_chunks);
	kvfree(chunks);
}
EXPORT_SYMBOL_GPL(drm_chunks_free);

/**
 * drm_chunk_free_first_block - Free the first allocation block of a chunk
 * @chunk: a chunk of a list allocated by drm_chunks_alloc(), unmapped
 *
 * Frees the block (a compound page, or a single page) that the chunk starts
 * with and shortens the chunk by it, so that a list can be given back piece
 * by piece, e.g. while its contents are copied elsewhere under memory
 * pressure. A chunk whose length drops to zero must be removed from its
 * list before the list is used again.
 *
 * Returns:
 * The number of pages freed.
 */
unsigned long drm_chunk_free_first_block(struct drm_chunk *chunk)
{
	unsigned int order = compound_order(chunk->page);
	unsigned long n = 1UL << order;

	if (WARN_ON(n > chunk->npages))
		return 0;

	__free_pages(chunk->page, order);
	atomic_long_sub(n, &drm_chunk_pages);
	chunk->page += n;
	chunk->npages -= n;
	/* Gone from the list then: drm_chunks_free() will not count it. */
	if (!chunk->npages)
		atomic_long_dec(&drm_chunk_chunks);

	return n;
}
EXPORT_SYMBOL_GPL(drm_chunk_free_first_block);

static int drm_chunks_grow(struct drm_chunk **chunks, unsigned int *cap)
{
	struct drm_chunk *tmp;

	tmp = kvrealloc(*chunks, array_size(2 * *cap, sizeof(**chunks)), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	*chunks = tmp;
	*cap *= 2;

	return 0;
}

/**
 * drm_chunks_alloc - Allocate zeroed memory as a chunk list
 * @size: size in bytes, a non-zero multiple of %PAGE_SIZE
 * @max_run: longest run in bytes, at least %PAGE_SIZE, e.g.
 *	drm_chunks_max_run() of the device that will map the list
 * @gfp: GFP flags of the memory, e.g. %GFP_HIGHUSER, or %GFP_KERNEL |
 *	%__GFP_DMA32 for a device that reaches only the first 4 GiB;
 *	%__GFP_MOVABLE is not allowed, the pages never move
 * @nr_chunks: returns the number of chunks
 *
 * Allocates the memory in blocks of up to the PMD order, falling back to
 * smaller blocks when memory is fragmented, and merges physically adjacent
 * blocks. No run is longer than @max_run, so every chunk can be mapped in
 * one piece by a device whose limit it is. The device addresses are set to
 * %DMA_MAPPING_ERROR. Stops early if the calling task is killed. Free the
 * list with drm_chunks_free().
 *
 * Returns:
 * The chunk list on success, ERR_PTR(-EINVAL) on an invalid @size, @max_run
 * or @gfp, ERR_PTR(-EINTR) if the task got a fatal signal, or
 * ERR_PTR(-ENOMEM).
 */
struct drm_chunk *drm_chunks_alloc(size_t size, size_t max_run, gfp_t gfp,
				   unsigned int *nr_chunks)
{
	unsigned long left = size >> PAGE_SHIFT, run = max_run >> PAGE_SHIFT;
	unsigned int order, nr = 0, cap = 4;
	struct drm_chunk *chunks, *last = NULL, *tmp;
	int ret = -ENOMEM;

	/* A list holds at most UINT_MAX chunks, one page each. */
	if (!size || !PAGE_ALIGNED(size) || left > UINT_MAX || !run ||
	    WARN_ON(gfp & __GFP_MOVABLE))
		return ERR_PTR(-EINVAL);

	chunks = kvmalloc_array(cap, sizeof(*chunks), GFP_KERNEL);
	if (!chunks)
		return ERR_PTR(-ENOMEM);

	/* No block longer than a run: a block is never split across runs. */
	order = min_t(unsigned int, DRM_CHUNK_MAX_ORDER, ilog2(run));
	while (left) {
		struct page *page;
		unsigned long n;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free;
		}

		order = min_t(unsigned int, order, ilog2(left));
		page = drm_chunk_alloc_block(gfp, order);
		if (!page) {
			if (!order)
				goto err_free;
			order--;
			continue;
		}
		n = 1UL << order;
		atomic_long_add(n, &drm_chunk_pages);

		if (last && last->npages + n <= run &&
		    drm_chunk_pages_follow(last, page)) {
			last->npages += n;
		} else {
			if (nr == cap && drm_chunks_grow(&chunks, &cap)) {
				atomic_long_sub(n, &drm_chunk_pages);
				__free_pages(page, order);
				goto err_free;
			}
			last = &chunks[nr++];
			*last = (struct drm_chunk){ page, DMA_MAPPING_ERROR, n };
			atomic_long_inc(&drm_chunk_chunks);
		}
		left -= n;
		cond_resched();
	}

	if (nr < cap) {
		tmp = kvrealloc(chunks, array_size(nr, sizeof(*chunks)), GFP_KERNEL);
		if (tmp)
			chunks = tmp;
	}

	*nr_chunks = nr;

	return chunks;

err_free:
	drm_chunks_free(chunks, nr);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(drm_chunks_alloc);

/*
 * DMA mapping
 */

/**
 * drm_chunks_max_run - Longest run a device can map in one piece
 * @dev: the device, or NULL for memory no device maps
 *
 * The bound of dma_max_mapping_size(): smaller than the PMD size when the
 * device's mappings bounce through swiotlb (swiotlb=force, confidential
 * computing guests, untrusted devices, DMA masks that don't reach all
 * memory).
 *
 * Returns:
 * The longest run in bytes, page aligned and at least %PAGE_SIZE, for
 * drm_chunks_alloc().
 */
size_t drm_chunks_max_run(struct device *dev)
{
	size_t max = dev ? dma_max_mapping_size(dev) : SIZE_MAX;

	return max_t(size_t, max & PAGE_MASK, PAGE_SIZE);
}
EXPORT_SYMBOL_GPL(drm_chunks_max_run);

/**
 * drm_chunks_dma_map - Map every chunk of a list for a device
 * @dev: the device
 * @chunks: the chunk list, every chunk with a &struct page
 * @nr_chunks: number of entries in @chunks
 * @dir: direction of the DMA transfers
 * @attrs: DMA attributes, e.g. %DMA_ATTR_SKIP_CPU_SYNC
 *
 * Maps each chunk in one piece with dma_map_page_attrs() and stores its
 * device address in &drm_chunk.dma_addr. Without %DMA_ATTR_SKIP_CPU_SYNC,
 * the memory is handed to the device as drm_chunks_sync_for_device() does.
 * Unmap with drm_chunks_dma_unmap(). Nothing is left mapped on failure.
 *
 * Returns:
 * 0 on success, -EINVAL if a chunk has no &struct page, or -EIO if a chunk
 * cannot be mapped (e.g. longer than drm_chunks_max_run() of @dev).
 */
int drm_chunks_dma_map(struct device *dev, struct drm_chunk *chunks,
		       unsigned int nr_chunks, enum dma_data_direction dir,
		       unsigned long attrs)
{
	struct drm_chunk *chunk;

	drm_chunk_for_each(chunk, chunks, nr_chunks)
		if (!chunk->page)
			return -EINVAL;

	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		dma_addr_t addr;

		addr = dma_map_page_attrs(dev, chunk->page, 0, drm_chunk_size(chunk),
					  dir, attrs);
		if (dma_mapping_error(dev, addr)) {
			drm_chunks_dma_unmap(dev, chunks, chunk - chunks, dir,
					     attrs | DMA_ATTR_SKIP_CPU_SYNC);
			return -EIO;
		}
		chunk->dma_addr = addr;
	}

	return 0;
}
EXPORT_SYMBOL_GPL(drm_chunks_dma_map);

/**
 * drm_chunks_dma_unmap - Unmap a chunk list mapped with drm_chunks_dma_map()
 * @dev: the device the list was mapped for
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 * @dir: direction passed to drm_chunks_dma_map()
 * @attrs: DMA attributes; without %DMA_ATTR_SKIP_CPU_SYNC the memory is
 *	handed back to the CPU as drm_chunks_sync_for_cpu() does
 *
 * Sets &drm_chunk.dma_addr back to %DMA_MAPPING_ERROR.
 */
void drm_chunks_dma_unmap(struct device *dev, struct drm_chunk *chunks,
			  unsigned int nr_chunks, enum dma_data_direction dir,
			  unsigned long attrs)
{
	struct drm_chunk *chunk;

	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		dma_unmap_page_attrs(dev, chunk->dma_addr, drm_chunk_size(chunk),
				     dir, attrs);
		chunk->dma_addr = DMA_MAPPING_ERROR;
	}
}
EXPORT_SYMBOL_GPL(drm_chunks_dma_unmap);

/* Whether @dev never needs its mappings synced (cache coherent, no bounces) */
static bool drm_chunks_dev_skips_sync(struct device *dev)
{
	return !IS_ENABLED(CONFIG_DMA_NEED_SYNC) || dev_dma_skip_sync(dev);
}

/**
 * drm_chunks_dma_link - Map a chunk list into one contiguous device range
 * @dev: the device
 * @state: returns how the list was mapped; keep it for drm_chunks_dma_unlink()
 * @chunks: the chunk list, every chunk with a &struct page
 * @nr_chunks: number of entries in @chunks
 * @dir: direction of the DMA transfers
 * @attrs: DMA attributes, e.g. %DMA_ATTR_SKIP_CPU_SYNC
 *
 * Behind an IOMMU that supports the two-step DMA API, allocates one range of
 * device addresses for the whole list with dma_iova_try_alloc(), links every
 * chunk into it with dma_iova_link() and flushes the IOTLB once with
 * dma_iova_sync(): the device addresses of the chunks then follow each other,
 * and drm_chunk_for_each_dma_range() reports one range however fragmented
 * the memory is. Where that is not possible (no IOMMU, a device that needs
 * CPU cache maintenance or bounce buffers, no IOVA space left, a link that
 * fails), the chunks are mapped one by one with drm_chunks_dma_map() instead.
 * dma_use_iova() on @state tells which of the two happened.
 *
 * A linked list needs no drm_chunks_sync_for_cpu() or
 * drm_chunks_sync_for_device(): only devices that need no CPU cache
 * maintenance are linked. Unmap with drm_chunks_dma_unlink(). Nothing is
 * left mapped on failure.
 *
 * Returns:
 * 0 on success, -EINVAL if a chunk has no &struct page, or -EIO if the
 * fallback cannot map a chunk.
 */
int drm_chunks_dma_link(struct device *dev, struct dma_iova_state *state,
			struct drm_chunk *chunks, unsigned int nr_chunks,
			enum dma_data_direction dir, unsigned long attrs)
{
	struct drm_chunk *chunk;
	size_t size = 0, offset = 0;
	int ret;

	memset(state, 0, sizeof(*state));
	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		if (!chunk->page)
			return -EINVAL;
		size += drm_chunk_size(chunk);
	}

	if (!size || !drm_chunks_dev_skips_sync(dev) ||
	    !dma_iova_try_alloc(dev, state, 0, size))
		return drm_chunks_dma_map(dev, chunks, nr_chunks, dir, attrs);

	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		ret = dma_iova_link(dev, state, page_to_phys(chunk->page), offset,
				    drm_chunk_size(chunk), dir, attrs);
		if (ret)
			goto err_destroy;
		offset += drm_chunk_size(chunk);
	}

	ret = dma_iova_sync(dev, state, 0, size);
	/* A link that bounced would need syncs the chunks cannot address. */
	if (ret || !drm_chunks_dev_skips_sync(dev))
		goto err_destroy;

	offset = 0;
	drm_chunk_for_each(chunk, chunks, nr_chunks) {
		chunk->dma_addr = state->addr + offset;
		offset += drm_chunk_size(chunk);
	}

	return 0;

err_destroy:
	dma_iova_destroy(dev, state, offset, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
	memset(state, 0, sizeof(*state));
	return drm_chunks_dma_map(dev, chunks, nr_chunks, dir, attrs);
}
EXPORT_SYMBOL_GPL(drm_chunks_dma_link);

/**
 * drm_chunks_dma_unlink - Unmap a chunk list mapped with drm_chunks_dma_link()
 * @dev: the device the list was mapped for
 * @state: the state drm_chunks_dma_link() filled in; cleared
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 * @dir: direction passed to drm_chunks_dma_link()
 * @attrs: DMA attributes, as for drm_chunks_dma_unmap()
 *
 * Destroys the contiguous range with dma_iova_destroy(), or unmaps the
 * chunks with drm_chunks_dma_unmap() if the link fell back to that, and sets
 * &drm_chunk.dma_addr back to %DMA_MAPPING_ERROR.
 */
void drm_chunks_dma_unlink(struct device *dev, struct dma_iova_state *state,
			   struct drm_chunk *chunks, unsigned int nr_chunks,
			   enum dma_data_direction dir, unsigned long attrs)
{
	struct drm_chunk *chunk;

	if (!dma_use_iova(state)) {
		drm_chunks_dma_unmap(dev, chunks, nr_chunks, dir, attrs);
		return;
	}

	dma_iova_destroy(dev, state, dma_iova_size(state), dir, attrs);
	memset(state, 0, sizeof(*state));
	drm_chunk_for_each(chunk, chunks, nr_chunks)
		chunk->dma_addr = DMA_MAPPING_ERROR;
}
EXPORT_SYMBOL_GPL(drm_chunks_dma_unlink);

/**
 * drm_chunks_sync_for_cpu - Hand a mapped chunk list over to the CPU
 * @dev: the device the list was mapped for
 * @chunks: the chunk list, mapped with drm_chunks_dma_map()
 * @nr_chunks: number of entries in @chunks
 * @dir: direction passed to drm_chunks_dma_map()
 *
 * Call before the CPU reads what the device wrote: invalidates CPU caches
 * for devices that are not cache coherent, and copies bounce buffers back.
 */
void drm_chunks_sync_for_cpu(struct device *dev, const struct drm_chunk *chunks,
			     unsigned int nr_chunks, enum dma_data_direction dir)
{
	const struct drm_chunk *chunk;

	drm_chunk_for_each(chunk, chunks, nr_chunks)
		dma_sync_single_for_cpu(dev, chunk->dma_addr, drm_chunk_size(chunk),
					dir);
}
EXPORT_SYMBOL_GPL(drm_chunks_sync_for_cpu);

/**
 * drm_chunks_sync_for_device - Hand a mapped chunk list over to its device
 * @dev: the device the list was mapped for
 * @chunks: the chunk list, mapped with drm_chunks_dma_map()
 * @nr_chunks: number of entries in @chunks
 * @dir: direction passed to drm_chunks_dma_map()
 *
 * Call after the CPU wrote and before the device reads: writes CPU caches
 * back for devices that are not cache coherent, and fills bounce buffers.
 */
void drm_chunks_sync_for_device(struct device *dev,
				const struct drm_chunk *chunks,
				unsigned int nr_chunks,
				enum dma_data_direction dir)
{
	const struct drm_chunk *chunk;

	drm_chunk_for_each(chunk, chunks, nr_chunks)
		dma_sync_single_for_device(dev, chunk->dma_addr,
					   drm_chunk_size(chunk), dir);
}
EXPORT_SYMBOL_GPL(drm_chunks_sync_for_device);

/*
 * Debugfs
 */

static int drm_chunk_count_get(void *data, u64 *val)
{
	*val = atomic_long_read(data);

	return 0;
}

/* Signed, so that an accounting bug shows as a negative count. */
DEFINE_DEBUGFS_ATTRIBUTE_SIGNED(drm_chunk_count_fops, drm_chunk_count_get,
				NULL, "%lld\n");

/*
 * The counts go into dri/ of debugfs, which drm.ko creates (loaded first:
 * MODULE_SOFTDEP below), beside the directories of the DRM devices.
 */
static int __init drm_chunk_module_init(void)
{
	struct dentry *dri = debugfs_lookup("dri", NULL);
	struct dentry *root;

	if (IS_ERR_OR_NULL(dri))
		return 0;

	root = debugfs_create_dir("drm_chunk", dri);
	debugfs_create_file_unsafe("pages", 0444, root, &drm_chunk_pages,
				   &drm_chunk_count_fops);
	debugfs_create_file_unsafe("chunks", 0444, root, &drm_chunk_chunks,
				   &drm_chunk_count_fops);
	dput(dri);

	return 0;
}
module_init(drm_chunk_module_init);

static void __exit drm_chunk_module_exit(void)
{
	struct dentry *dri = debugfs_lookup("dri", NULL);

	/* drm.ko removed dri/ with everything in it if it went first. */
	if (!IS_ERR_OR_NULL(dri)) {
		debugfs_lookup_and_remove("drm_chunk", dri);
		dput(dri);
	}
}
module_exit(drm_chunk_module_exit);

/*
 * KUnit helpers
 */

#if IS_ENABLED(CONFIG_KUNIT)
long drm_chunks_nr_pages(void)
{
	return atomic_long_read(&drm_chunk_pages);
}
EXPORT_SYMBOL_IF_KUNIT(drm_chunks_nr_pages);
#endif

MODULE_DESCRIPTION("DRM chunk lists: buffer memory as runs of contiguous pages");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: drm");
