// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * GEM objects backed by chunk lists
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/iosys-map.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include <kunit/visibility.h>

#include <drm/drm.h>
#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_dumb_buffers.h>
#include <drm/drm_gem_chunk_helper.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

/**
 * DOC: overview
 *
 * This library provides helpers for GEM objects whose backing storage is a
 * chunk list: an array of &struct drm_gem_chunk, each describing a run of
 * pages that is contiguous both physically and in device address space.
 * Contiguous runs are merged, so the number of chunks is the number of runs,
 * not the number of pages. A chunk carries a &struct page for CPU access when
 * the memory has one, and a device address for DMA. The list is passed
 * around whole; everything is page aligned.
 *
 * Functions that operate on the GEM object receive a struct
 * &drm_gem_chunk_object. For the callbacks in &struct drm_gem_object_funcs,
 * see the likewise named functions with an _object_ infix (e.g.
 * drm_gem_chunk_object_vmap() wraps drm_gem_chunk_vmap_locked()); they
 * perform the type conversion. Functions with a _locked suffix expect the
 * caller to hold the object's reservation lock, and lockdep checks that they
 * do. Their unlocked twins take the lock themselves.
 *
 * Allocation:
 *
 * Native objects allocate their memory lazily, on the first pin, vmap,
 * mmap or DMA mapping, straight from the page allocator: each run is
 * requested at the highest order that still fits the remaining size, up to
 * order 9 (2 MiB with 4 KiB pages, the PMD size on x86-64). High orders are
 * tried with %__GFP_NORETRY so that a fragmented machine falls back to lower
 * orders, down to single pages, instead of stalling or failing; once an
 * order failed, the allocation does not try higher orders again. Blocks are
 * split into order-0 pages with split_page(), and blocks that happen to be
 * physically adjacent are merged into one chunk. On an unfragmented machine
 * a 64 MiB object is described by at most 32 chunks. The memory is zeroed,
 * comes from %GFP_HIGHUSER (never the movable zone, the pages are pinned)
 * and is charged to the memory cgroup of the allocating task
 * (%__GFP_ACCOUNT), like shmem-backed GEM memory.
 *
 * Compared to shmem, this means: the memory is not swappable. Once
 * allocated, the chunks stay in memory until the object is freed, like a
 * driver-private allocation; the use and pin counts only tell whether
 * somebody relies on the storage. A purge (not provided) would simply free
 * the chunks of an unused object; its contents would be lost.
 *
 * For leak checks, drm_gem_chunk/pages in debugfs shows how many pages the
 * helper holds over all objects: once the objects created after a reading
 * are freed, the count returns to that reading.
 *
 * DMA mapping:
 *
 * drm_gem_chunk_dma_map() maps the chunks of a native object for the device
 * of the &drm_device, lazily and once; they are unmapped when the object is
 * freed. Runs are never longer than dma_max_mapping_size() of that device.
 *
 * PRIME:
 *
 * Objects are exported with drm_gem_chunk_prime_export(). When an importer
 * maps its attachment, a scatter/gather table is built from the chunks for
 * that importer's device: runs longer than its maximum segment size (or than
 * a scatterlist entry holds) are split, so every importer gets segments it
 * can map, however long the chunks are.
 *
 * There are two ways to import. drm_gem_chunk_prime_import_no_map(), used by
 * %DRM_GEM_CHUNK_DRIVER_OPS, attaches to the dma-buf without mapping it; this
 * suits drivers that only access buffers with the CPU. Drivers whose device
 * needs the device addresses of imported buffers set
 * &drm_driver.gem_prime_import to drm_gem_chunk_prime_import() and
 * &drm_driver.gem_prime_import_sg_table to
 * drm_gem_chunk_prime_import_sg_table(): the attachment is mapped once and
 * translated into page-less chunks, merging DMA-contiguous segments. Only the
 * DMA side of the exporter's table is read, never sg_page(). In both cases
 * CPU access (vmap, mmap) goes through the exporter, and exporting an
 * imported object again returns the original dma-buf.
 *
 * Conversions:
 *
 * To allow incremental adoption, chunk lists can be converted at the
 * boundaries: from and to page arrays (drm_gem_chunks_from_pages(),
 * drm_gem_chunks_to_pages()), from and to scatter/gather tables
 * (drm_gem_chunks_from_sgt(), drm_gem_chunks_to_sgt(),
 * drm_gem_chunks_to_dma_sgt()) and from device resource ranges
 * (drm_gem_chunks_map_phys_vec()). drm_gem_chunk_for_each(),
 * drm_gem_chunk_for_each_page() and drm_gem_chunk_for_each_dma_range()
 * iterate over a chunk list.
 *
 * A driver that uses the defaults looks like this::
 *
 *	static const struct drm_driver driver = {
 *		.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC,
 *		DRM_GEM_CHUNK_DRIVER_OPS,
 *		...
 *	};
 *
 * fbdev emulation for drivers on this helper is in drm_fbdev_chunk.c, built
 * on drm_gem_chunk_page_at(). Not provided: swapping and purging, and the
 * two-step dma_iova API that could give one contiguous device range per
 * object behind an IOMMU.
 */

/*
 * Highest order of a single allocation. Order 9 is 2 MiB with 4 KiB pages,
 * the PMD size on x86-64.
 */
#define DRM_GEM_CHUNK_MAX_ORDER		min_t(unsigned int, 9, MAX_PAGE_ORDER)

/* Longest run a scatterlist entry can hold, page aligned */
#define DRM_GEM_CHUNK_SG_MAX_SEGMENT	((size_t)(UINT_MAX & PAGE_MASK))

static const struct drm_gem_object_funcs drm_gem_chunk_funcs = {
	.free = drm_gem_chunk_object_free,
	.print_info = drm_gem_chunk_object_print_info,
	.pin = drm_gem_chunk_object_pin,
	.unpin = drm_gem_chunk_object_unpin,
	.get_sg_table = drm_gem_chunk_object_get_sg_table,
	.export = drm_gem_chunk_prime_export,
	.vmap = drm_gem_chunk_object_vmap,
	.vunmap = drm_gem_chunk_object_vunmap,
	.mmap = drm_gem_chunk_object_mmap,
	.status = drm_gem_chunk_object_status,
	.vm_ops = &drm_gem_chunk_vm_ops,
};

/*
 * Chunk lists
 */

static bool drm_gem_chunk_pages_follow(const struct drm_gem_chunk *chunk,
				       struct page *page)
{
	struct page *end = chunk->page + chunk->npages;

	/* The memmap must be contiguous too, so that page + i works. */
	return end == page &&
	       page_to_pfn(chunk->page) + chunk->npages == page_to_pfn(page);
}

static bool drm_gem_chunk_dma_follows(const struct drm_gem_chunk *chunk,
				      dma_addr_t addr)
{
	return chunk->dma_addr + drm_gem_chunk_size(chunk) == addr;
}

static size_t drm_gem_chunk_max_segment(size_t max_segment)
{
	if (!max_segment || max_segment > DRM_GEM_CHUNK_SG_MAX_SEGMENT)
		max_segment = DRM_GEM_CHUNK_SG_MAX_SEGMENT;

	return max_t(size_t, max_segment & PAGE_MASK, PAGE_SIZE);
}

/**
 * drm_gem_chunks_from_pages - Build a chunk list from a page array
 * @pages: the pages, in object order
 * @npages: number of entries in @pages
 * @nr_chunks: returns the number of chunks
 *
 * Merges physically contiguous pages into one chunk each. The device
 * addresses of the chunks are set to %DMA_MAPPING_ERROR. The pages are not
 * referenced; the caller keeps them alive for as long as it uses the list.
 * Free the list with kvfree().
 *
 * Returns:
 * The chunk list on success, ERR_PTR(-EINVAL) if @npages is zero, or
 * ERR_PTR(-ENOMEM) if the list cannot be allocated.
 */
struct drm_gem_chunk *drm_gem_chunks_from_pages(struct page * const *pages,
						unsigned long npages,
						unsigned int *nr_chunks)
{
	struct drm_gem_chunk *chunks, *chunk;
	unsigned long i, nr = 1;

	if (!npages || npages > UINT_MAX)
		return ERR_PTR(-EINVAL);

	for (i = 1; i < npages; i++)
		if (page_to_pfn(pages[i - 1]) + 1 != page_to_pfn(pages[i]) ||
		    pages[i - 1] + 1 != pages[i])
			nr++;

	chunks = kvmalloc_array(nr, sizeof(*chunks), GFP_KERNEL);
	if (!chunks)
		return ERR_PTR(-ENOMEM);

	chunk = chunks;
	*chunk = (struct drm_gem_chunk){ pages[0], DMA_MAPPING_ERROR, 1 };
	for (i = 1; i < npages; i++) {
		if (drm_gem_chunk_pages_follow(chunk, pages[i])) {
			chunk->npages++;
			continue;
		}
		*++chunk = (struct drm_gem_chunk){ pages[i], DMA_MAPPING_ERROR, 1 };
	}

	*nr_chunks = nr;

	return chunks;
}
EXPORT_SYMBOL_GPL(drm_gem_chunks_from_pages);

/**
 * drm_gem_chunks_to_pages - Fill a page array from a chunk list
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
int drm_gem_chunks_to_pages(const struct drm_gem_chunk *chunks,
			    unsigned int nr_chunks, struct page **pages,
			    unsigned long npages)
{
	const struct drm_gem_chunk *chunk;
	unsigned long i, n = 0;

	drm_gem_chunk_for_each(chunk, chunks, nr_chunks) {
		if (!chunk->page)
			return -EINVAL;
		if (chunk->npages > npages - n)
			return -ENOSPC;
		for (i = 0; i < chunk->npages; i++)
			pages[n++] = chunk->page + i;
	}

	return 0;
}
EXPORT_SYMBOL_GPL(drm_gem_chunks_to_pages);

/**
 * drm_gem_chunks_from_sgt - Build a page-less chunk list from a mapped sg_table
 * @sgt: scatter/gather table, mapped for a device
 * @nr_chunks: returns the number of chunks
 *
 * Translates the DMA side of @sgt into chunks whose &drm_gem_chunk.page is
 * NULL, merging segments that are contiguous in device address space. The
 * CPU side of @sgt (sg_page(), offset, length) is never read, so this works
 * on tables handed out by any dma-buf exporter. Free the list with kvfree().
 *
 * Returns:
 * The chunk list on success, ERR_PTR(-EINVAL) if @sgt has no mapped segment
 * or a segment is not page aligned, or ERR_PTR(-ENOMEM).
 */
struct drm_gem_chunk *drm_gem_chunks_from_sgt(struct sg_table *sgt,
					      unsigned int *nr_chunks)
{
	struct drm_gem_chunk *chunks, *chunk = NULL;
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
		if (chunk && drm_gem_chunk_dma_follows(chunk, addr)) {
			chunk->npages += len >> PAGE_SHIFT;
			continue;
		}
		chunk = chunk ? chunk + 1 : chunks;
		*chunk = (struct drm_gem_chunk){ NULL, addr, len >> PAGE_SHIFT };
	}

	*nr_chunks = nr;

	return chunks;
}
EXPORT_SYMBOL_GPL(drm_gem_chunks_from_sgt);

static int drm_gem_chunks_count_segments(const struct drm_gem_chunk *chunks,
					 unsigned int nr_chunks,
					 size_t max_segment)
{
	const struct drm_gem_chunk *chunk;
	unsigned long nents = 0;

	drm_gem_chunk_for_each(chunk, chunks, nr_chunks) {
		nents += DIV_ROUND_UP(drm_gem_chunk_size(chunk), max_segment);
		if (nents > UINT_MAX)
			return -EINVAL;
	}

	return nents ? nents : -EINVAL;
}

static struct sg_table *
__drm_gem_chunks_to_sgt(const struct drm_gem_chunk *chunks,
			unsigned int nr_chunks, size_t max_segment, bool dma)
{
	const struct drm_gem_chunk *chunk;
	struct scatterlist *sg;
	struct sg_table *sgt;
	int nents, ret;

	max_segment = drm_gem_chunk_max_segment(max_segment);
	nents = drm_gem_chunks_count_segments(chunks, nr_chunks, max_segment);
	if (nents < 0)
		return ERR_PTR(nents);

	drm_gem_chunk_for_each(chunk, chunks, nr_chunks)
		if (!dma && !chunk->page)
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
	drm_gem_chunk_for_each(chunk, chunks, nr_chunks) {
		size_t left = drm_gem_chunk_size(chunk), done = 0;

		while (left) {
			size_t len = min(left, max_segment);

			if (dma) {
				sg_dma_address(sg) = chunk->dma_addr + done;
				sg_dma_len(sg) = len;
			} else {
				sg_set_page(sg, chunk->page + (done >> PAGE_SHIFT),
					    len, 0);
			}
			done += len;
			left -= len;
			sg = sg_next(sg);
		}
	}

	return sgt;
}

/**
 * drm_gem_chunks_to_sgt - Build a scatter/gather table of pages from a chunk list
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
struct sg_table *drm_gem_chunks_to_sgt(const struct drm_gem_chunk *chunks,
				       unsigned int nr_chunks,
				       size_t max_segment)
{
	return __drm_gem_chunks_to_sgt(chunks, nr_chunks, max_segment, false);
}
EXPORT_SYMBOL_GPL(drm_gem_chunks_to_sgt);

/**
 * drm_gem_chunks_to_dma_sgt - Build a DMA-only scatter/gather table from a chunk list
 * @chunks: the chunk list, mapped for a device
 * @nr_chunks: number of entries in @chunks
 * @max_segment: longest segment in bytes, rounded down to a page; 0 for the
 *	longest a scatterlist entry can hold
 *
 * Builds an sg_table that holds only device addresses and lengths
 * (sg_dma_address() and sg_dma_len()), with NULL pages, as a dma-buf
 * exporter of device memory hands out. Chunks longer than @max_segment are
 * split. Free the table with sg_free_table() and kfree(); never pass it to
 * dma_unmap_sgtable().
 *
 * Returns:
 * The table on success, ERR_PTR(-EINVAL) if the list is empty, or
 * ERR_PTR(-ENOMEM).
 */
struct sg_table *drm_gem_chunks_to_dma_sgt(const struct drm_gem_chunk *chunks,
					   unsigned int nr_chunks,
					   size_t max_segment)
{
	return __drm_gem_chunks_to_sgt(chunks, nr_chunks, max_segment, true);
}
EXPORT_SYMBOL_GPL(drm_gem_chunks_to_dma_sgt);

/**
 * drm_gem_chunks_map_phys_vec - Map device resource ranges into a chunk list
 * @dev: device that will access the ranges
 * @vec: physical address ranges (MMIO, e.g. a PCI BAR), page aligned
 * @nr_ranges: number of entries in @vec
 * @dir: direction of the DMA transfers
 * @nr_chunks: returns the number of chunks
 *
 * Merges physically contiguous ranges, maps every run for @dev with
 * dma_map_phys() and %DMA_ATTR_MMIO and returns page-less chunks holding the
 * device addresses. Release the list with drm_gem_chunks_unmap_phys_vec().
 *
 * Returns:
 * The chunk list on success, ERR_PTR(-EINVAL) if @vec is empty or not page
 * aligned, ERR_PTR(-ENOMEM) if the list cannot be allocated, or
 * ERR_PTR(-EIO) if a range cannot be mapped.
 */
struct drm_gem_chunk *drm_gem_chunks_map_phys_vec(struct device *dev,
						  const struct phys_vec *vec,
						  size_t nr_ranges,
						  enum dma_data_direction dir,
						  unsigned int *nr_chunks)
{
	struct drm_gem_chunk *chunks;
	unsigned long nr = 0;
	phys_addr_t next = 0;
	size_t i, len;
	unsigned int n;
	int ret;

	for (i = 0; i < nr_ranges; i++) {
		if (!vec[i].len || !PAGE_ALIGNED(vec[i].paddr) ||
		    !PAGE_ALIGNED(vec[i].len))
			return ERR_PTR(-EINVAL);
		if (!nr || vec[i].paddr != next)
			nr++;
		next = vec[i].paddr + vec[i].len;
	}
	if (!nr || nr > UINT_MAX)
		return ERR_PTR(-EINVAL);

	chunks = kvmalloc_array(nr, sizeof(*chunks), GFP_KERNEL);
	if (!chunks)
		return ERR_PTR(-ENOMEM);

	for (i = 0, n = 0; i < nr_ranges; n++) {
		phys_addr_t paddr = vec[i].paddr;
		dma_addr_t addr;

		len = vec[i].len;
		while (++i < nr_ranges && vec[i].paddr == paddr + len)
			len += vec[i].len;

		addr = dma_map_phys(dev, paddr, len, dir, DMA_ATTR_MMIO);
		if (dma_mapping_error(dev, addr)) {
			ret = -EIO;
			goto err_unmap;
		}
		chunks[n] = (struct drm_gem_chunk){ NULL, addr, len >> PAGE_SHIFT };
	}

	*nr_chunks = nr;

	return chunks;

err_unmap:
	drm_gem_chunks_unmap_phys_vec(dev, chunks, n, dir);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(drm_gem_chunks_map_phys_vec);

/**
 * drm_gem_chunks_unmap_phys_vec - Unmap and free a chunk list of device resources
 * @dev: device the ranges were mapped for
 * @chunks: chunk list returned by drm_gem_chunks_map_phys_vec()
 * @nr_chunks: number of entries in @chunks
 * @dir: direction passed to drm_gem_chunks_map_phys_vec()
 */
void drm_gem_chunks_unmap_phys_vec(struct device *dev,
				   struct drm_gem_chunk *chunks,
				   unsigned int nr_chunks,
				   enum dma_data_direction dir)
{
	const struct drm_gem_chunk *chunk;

	drm_gem_chunk_for_each(chunk, chunks, nr_chunks)
		dma_unmap_phys(dev, chunk->dma_addr, drm_gem_chunk_size(chunk),
			       dir, DMA_ATTR_MMIO);
	kvfree(chunks);
}
EXPORT_SYMBOL_GPL(drm_gem_chunks_unmap_phys_vec);

/**
 * drm_gem_chunks_find - Find the chunk holding a page
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
const struct drm_gem_chunk *drm_gem_chunks_find(const struct drm_gem_chunk *chunks,
						unsigned int nr_chunks,
						unsigned long pgoff,
						unsigned long *first)
{
	const struct drm_gem_chunk *chunk;
	unsigned long start = 0;

	drm_gem_chunk_for_each(chunk, chunks, nr_chunks) {
		if (pgoff - start < chunk->npages) {
			*first = start;
			return chunk;
		}
		start += chunk->npages;
	}

	return NULL;
}
EXPORT_SYMBOL_GPL(drm_gem_chunks_find);

/**
 * __drm_gem_chunk_page_iter_start - Set up a page iterator
 * @iter: the iterator
 * @chunks: the chunk list
 * @nr_chunks: number of entries in @chunks
 * @pgoffset: page index to start at
 *
 * Internal, use drm_gem_chunk_for_each_page().
 *
 * Returns:
 * @iter.
 */
struct drm_gem_chunk_page_iter *
__drm_gem_chunk_page_iter_start(struct drm_gem_chunk_page_iter *iter,
				const struct drm_gem_chunk *chunks,
				unsigned int nr_chunks, unsigned long pgoffset)
{
	iter->__chunk = chunks;
	iter->__nr_left = nr_chunks;
	iter->__pgoff = pgoffset;
	iter->__index = pgoffset;
	iter->__advance = 0;

	return iter;
}
EXPORT_SYMBOL_GPL(__drm_gem_chunk_page_iter_start);

/**
 * __drm_gem_chunk_page_iter_next - Step a page iterator
 * @iter: the iterator
 *
 * Internal, use drm_gem_chunk_for_each_page().
 *
 * Returns:
 * True if the iterator points at the next page, false at the end.
 */
bool __drm_gem_chunk_page_iter_next(struct drm_gem_chunk_page_iter *iter)
{
	if (!iter->__nr_left)
		return false;

	iter->__pgoff += iter->__advance;
	iter->__index += iter->__advance;
	iter->__advance = 1;

	for (;;) {
		const struct drm_gem_chunk *chunk = iter->__chunk;

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
EXPORT_SYMBOL_GPL(__drm_gem_chunk_page_iter_next);

/**
 * __drm_gem_chunk_dma_iter_next - Step a DMA range iterator
 * @iter: the iterator
 *
 * Internal, use drm_gem_chunk_for_each_dma_range().
 *
 * Returns:
 * True if the iterator points at the next range, false at the end.
 */
bool __drm_gem_chunk_dma_iter_next(struct drm_gem_chunk_dma_iter *iter)
{
	const struct drm_gem_chunk *chunk = iter->__next;

	if (!iter->__nr_left)
		return false;

	iter->__addr = chunk->dma_addr;
	iter->__len = drm_gem_chunk_size(chunk);

	while (--iter->__nr_left) {
		chunk++;
		if (chunk->dma_addr != iter->__addr + iter->__len)
			break;
		iter->__len += drm_gem_chunk_size(chunk);
	}
	iter->__next = iter->__nr_left ? chunk : NULL;

	return true;
}
EXPORT_SYMBOL_GPL(__drm_gem_chunk_dma_iter_next);

/*
 * Native allocation
 */

/* Pages allocated by the helper and not freed yet, shown in debugfs */
static atomic_long_t drm_gem_chunk_pages = ATOMIC_LONG_INIT(0);

static struct page *drm_gem_chunk_alloc_block(unsigned int order)
{
	gfp_t gfp = GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT | __GFP_NOWARN;

	/*
	 * High orders are an optimisation: give up early and fall back to
	 * smaller blocks rather than reclaim or compact hard. Single pages
	 * are worth trying hard for, but never the OOM killer.
	 */
	if (order)
		gfp |= __GFP_NORETRY | __GFP_NOMEMALLOC;
	else
		gfp |= __GFP_RETRY_MAYFAIL;

	return alloc_pages(gfp, order);
}

static void __drm_gem_chunk_free_chunks(struct drm_gem_chunk *chunks,
					unsigned int nr_chunks)
{
	const struct drm_gem_chunk *chunk;
	unsigned long i;

	drm_gem_chunk_for_each(chunk, chunks, nr_chunks) {
		for (i = 0; i < chunk->npages; i++)
			__free_page(chunk->page + i);
		atomic_long_sub(chunk->npages, &drm_gem_chunk_pages);
		cond_resched();
	}
	kvfree(chunks);
}

static int __drm_gem_chunk_alloc_chunks(size_t size, unsigned int max_order,
					unsigned long max_run,
					struct drm_gem_chunk **out,
					unsigned int *nr_out)
{
	unsigned long left = size >> PAGE_SHIFT;
	unsigned int order = max_order, nr = 0, cap = 4;
	struct drm_gem_chunk *chunks, *last = NULL, *tmp;

	chunks = kvmalloc_array(cap, sizeof(*chunks), GFP_KERNEL);
	if (!chunks)
		return -ENOMEM;

	while (left) {
		unsigned long n;
		struct page *page;

		order = min_t(unsigned int, order, ilog2(left));
		page = drm_gem_chunk_alloc_block(order);
		if (!page) {
			if (!order)
				goto err_free;
			order--;
			continue;
		}
		n = 1UL << order;
		atomic_long_add(n, &drm_gem_chunk_pages);
		if (order)
			split_page(page, order);

		if (last && last->npages + n <= max_run &&
		    drm_gem_chunk_pages_follow(last, page)) {
			last->npages += n;
		} else {
			if (nr == cap) {
				tmp = kvrealloc(chunks, array_size(2 * cap, sizeof(*chunks)),
						GFP_KERNEL);
				if (!tmp) {
					atomic_long_sub(n, &drm_gem_chunk_pages);
					while (n--)
						__free_page(page + n);
					goto err_free;
				}
				chunks = tmp;
				cap *= 2;
			}
			last = &chunks[nr++];
			*last = (struct drm_gem_chunk){ page, DMA_MAPPING_ERROR, n };
		}
		left -= n;
		cond_resched();
	}

	if (nr < cap) {
		tmp = kvrealloc(chunks, array_size(nr, sizeof(*chunks)), GFP_KERNEL);
		if (tmp)
			chunks = tmp;
	}

	*out = chunks;
	*nr_out = nr;

	return 0;

err_free:
	__drm_gem_chunk_free_chunks(chunks, nr);
	return -ENOMEM;
}

#ifdef CONFIG_X86
static int drm_gem_chunk_set_caching(struct drm_gem_chunk *chunks,
				     unsigned int nr_chunks, bool wc)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr_chunks; i++) {
		struct drm_gem_chunk *chunk = &chunks[i];
		unsigned long addr, done, n;

		if (PageHighMem(chunk->page))
			continue;

		addr = (unsigned long)page_address(chunk->page);
		for (done = 0; done < chunk->npages; done += n) {
			n = min_t(unsigned long, chunk->npages - done, INT_MAX);
			if (!wc) {
				set_memory_wb(addr + (done << PAGE_SHIFT), n);
				continue;
			}
			ret = set_memory_wc(addr + (done << PAGE_SHIFT), n);
			if (ret) {
				if (done)
					set_memory_wb(addr, done);
				drm_gem_chunk_set_caching(chunks, i, false);
				return ret;
			}
		}
	}

	return 0;
}
#else
static int drm_gem_chunk_set_caching(struct drm_gem_chunk *chunks,
				     unsigned int nr_chunks, bool wc)
{
	return 0;
}
#endif

static int drm_gem_chunk_populate_locked(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;
	struct device *dev = obj->dev->dev;
	unsigned long max_run = ULONG_MAX;
	struct drm_gem_chunk *chunks;
	unsigned int nr;
	int ret;

	dma_resv_assert_held(obj->resv);

	if (cobj->chunks)
		return 0;

	/* Keep every run mappable in one piece for our own device. */
	if (dev)
		max_run = max_t(unsigned long, dma_max_mapping_size(dev) >> PAGE_SHIFT, 1);

	ret = __drm_gem_chunk_alloc_chunks(obj->size, DRM_GEM_CHUNK_MAX_ORDER,
					   max_run, &chunks, &nr);
	if (ret) {
		drm_dbg_kms(obj->dev, "Failed to allocate %zu bytes\n", obj->size);
		return ret;
	}

	if (cobj->map_wc) {
		ret = drm_gem_chunk_set_caching(chunks, nr, true);
		if (ret) {
			__drm_gem_chunk_free_chunks(chunks, nr);
			return ret;
		}
	}

	cobj->lookup_idx = 0;
	cobj->lookup_first = 0;
	cobj->nr_chunks = nr;
	WRITE_ONCE(cobj->chunks, chunks);

	return 0;
}

static void drm_gem_chunk_dma_unmap_chunks(struct device *dev,
					   struct drm_gem_chunk *chunks,
					   unsigned int nr_chunks)
{
	struct drm_gem_chunk *chunk;

	drm_gem_chunk_for_each(chunk, chunks, nr_chunks) {
		dma_unmap_page(dev, chunk->dma_addr, drm_gem_chunk_size(chunk),
			       DMA_BIDIRECTIONAL);
		chunk->dma_addr = DMA_MAPPING_ERROR;
	}
}

static void drm_gem_chunk_depopulate_locked(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;

	dma_resv_assert_held(obj->resv);

	if (!cobj->chunks)
		return;

	if (cobj->dma_mapped)
		drm_gem_chunk_dma_unmap_chunks(obj->dev->dev, cobj->chunks,
					       cobj->nr_chunks);
	cobj->dma_mapped = false;

	if (cobj->map_wc)
		drm_gem_chunk_set_caching(cobj->chunks, cobj->nr_chunks, false);

	__drm_gem_chunk_free_chunks(cobj->chunks, cobj->nr_chunks);
	cobj->chunks = NULL;
	cobj->nr_chunks = 0;
}

/*
 * Object lifecycle
 */

static int drm_gem_chunk_check_size(size_t size)
{
	if (!size || !PAGE_ALIGNED(size))
		return -EINVAL;
	/* A chunk list holds at most UINT_MAX chunks, one page each. */
	if (size >> PAGE_SHIFT > UINT_MAX)
		return -EINVAL;

	return 0;
}

/**
 * drm_gem_chunk_init - Initialize an allocated chunk GEM object
 * @dev: DRM device
 * @cobj: chunk GEM object to initialize
 * @size: Buffer size in bytes, a non-zero multiple of %PAGE_SIZE
 *
 * Initializes a chunk GEM object allocated by the caller, e.g. in
 * &drm_driver.gem_create_object, without allocating its backing storage.
 * Sets the default &drm_gem_object_funcs unless the caller set its own.
 *
 * Returns:
 * 0 on success, -EINVAL if @size is zero, not page aligned or too large, or
 * another negative error code on failure.
 */
int drm_gem_chunk_init(struct drm_device *dev,
		       struct drm_gem_chunk_object *cobj, size_t size)
{
	struct drm_gem_object *obj = &cobj->base;
	int ret;

	ret = drm_gem_chunk_check_size(size);
	if (ret)
		return ret;

	if (!obj->funcs)
		obj->funcs = &drm_gem_chunk_funcs;

	drm_gem_private_object_init(dev, obj, size);

	ret = drm_gem_create_mmap_offset(obj);
	if (ret) {
		drm_gem_object_release(obj);
		return ret;
	}

	return 0;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_init);

static struct drm_gem_chunk_object *
__drm_gem_chunk_create(struct drm_device *dev, size_t size)
{
	struct drm_gem_chunk_object *cobj;
	struct drm_gem_object *obj;
	int ret;

	ret = drm_gem_chunk_check_size(size);
	if (ret)
		return ERR_PTR(ret);

	if (dev->driver->gem_create_object) {
		obj = dev->driver->gem_create_object(dev, size);
		if (IS_ERR(obj))
			return ERR_CAST(obj);
		cobj = to_drm_gem_chunk_obj(obj);
	} else {
		cobj = kzalloc_obj(*cobj);
		if (!cobj)
			return ERR_PTR(-ENOMEM);
		obj = &cobj->base;
	}

	ret = drm_gem_chunk_init(dev, cobj, size);
	if (ret) {
		kfree(obj);
		return ERR_PTR(ret);
	}

	return cobj;
}

/**
 * drm_gem_chunk_create - Allocate a chunk GEM object of the given size
 * @dev: DRM device
 * @size: Size of the object, a non-zero multiple of %PAGE_SIZE
 *
 * Creates a chunk GEM object, through &drm_driver.gem_create_object if the
 * driver has one. The backing storage is allocated on first use.
 *
 * Returns:
 * A struct drm_gem_chunk_object * on success or an ERR_PTR()-encoded
 * negative error code on failure: -EINVAL if @size is zero, not page aligned
 * or too large, -ENOMEM if memory is short.
 */
struct drm_gem_chunk_object *drm_gem_chunk_create(struct drm_device *dev,
						  size_t size)
{
	return __drm_gem_chunk_create(dev, size);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_create);

/**
 * drm_gem_chunk_release - Release the resources of a chunk GEM object
 * @cobj: chunk GEM object
 *
 * Frees the backing storage, undoes the DMA mapping, detaches imports and
 * cleans up the GEM object state, but does not free the memory of the object
 * itself. For drivers that embed the object and free it themselves.
 */
void drm_gem_chunk_release(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;

	if (drm_gem_is_imported(obj)) {
		drm_prime_gem_destroy(obj, cobj->sgt);
		cobj->sgt = NULL;
		kvfree(cobj->chunks);
		cobj->chunks = NULL;
		cobj->nr_chunks = 0;
	} else {
		dma_resv_lock(obj->resv, NULL);

		drm_WARN_ON(obj->dev, refcount_read(&cobj->vmap_use_count));
		drm_WARN_ON(obj->dev, refcount_read(&cobj->pages_pin_count));
		drm_WARN_ON(obj->dev, refcount_read(&cobj->pages_use_count));

		if (cobj->vaddr && is_vmalloc_addr(cobj->vaddr))
			vunmap(cobj->vaddr);
		cobj->vaddr = NULL;

		drm_gem_chunk_depopulate_locked(cobj);

		dma_resv_unlock(obj->resv);
	}

	drm_gem_object_release(obj);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_release);

/**
 * drm_gem_chunk_free - Free a chunk GEM object
 * @cobj: chunk GEM object to free
 *
 * Releases the object's resources with drm_gem_chunk_release() and frees the
 * memory of the object itself.
 */
void drm_gem_chunk_free(struct drm_gem_chunk_object *cobj)
{
	drm_gem_chunk_release(cobj);
	kfree(cobj);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_free);

static int drm_gem_chunk_get_pages_locked(struct drm_gem_chunk_object *cobj)
{
	int ret;

	dma_resv_assert_held(cobj->base.resv);

	if (refcount_inc_not_zero(&cobj->pages_use_count))
		return 0;

	ret = drm_gem_chunk_populate_locked(cobj);
	if (ret)
		return ret;

	refcount_set(&cobj->pages_use_count, 1);

	return 0;
}

static void drm_gem_chunk_put_pages_locked(struct drm_gem_chunk_object *cobj)
{
	dma_resv_assert_held(cobj->base.resv);

	if (drm_WARN_ON_ONCE(cobj->base.dev, !refcount_read(&cobj->pages_use_count)))
		return;

	/* The chunks stay allocated until the object is freed. */
	if (!refcount_dec_not_one(&cobj->pages_use_count))
		refcount_set(&cobj->pages_use_count, 0);
}

/*
 * Pinning
 */

/**
 * drm_gem_chunk_pin_locked - Pin the backing storage of a chunk GEM object
 * @cobj: chunk GEM object, native (not imported)
 *
 * Allocates the backing storage if needed and pins it. The caller holds the
 * object's reservation lock.
 *
 * Returns:
 * 0 on success, -EINVAL for imported objects, or -ENOMEM.
 */
int drm_gem_chunk_pin_locked(struct drm_gem_chunk_object *cobj)
{
	int ret;

	dma_resv_assert_held(cobj->base.resv);

	if (drm_WARN_ON(cobj->base.dev, drm_gem_is_imported(&cobj->base)))
		return -EINVAL;

	if (refcount_inc_not_zero(&cobj->pages_pin_count))
		return 0;

	ret = drm_gem_chunk_get_pages_locked(cobj);
	if (!ret)
		refcount_set(&cobj->pages_pin_count, 1);

	return ret;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_pin_locked);

/**
 * drm_gem_chunk_unpin_locked - Unpin the backing storage of a chunk GEM object
 * @cobj: chunk GEM object
 *
 * Drops a pin taken with drm_gem_chunk_pin_locked(). The caller holds the
 * object's reservation lock.
 */
void drm_gem_chunk_unpin_locked(struct drm_gem_chunk_object *cobj)
{
	dma_resv_assert_held(cobj->base.resv);

	if (refcount_dec_and_test(&cobj->pages_pin_count))
		drm_gem_chunk_put_pages_locked(cobj);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_unpin_locked);

/**
 * drm_gem_chunk_pin - Pin the backing storage of a chunk GEM object
 * @cobj: chunk GEM object, native (not imported)
 *
 * Like drm_gem_chunk_pin_locked(), but takes the reservation lock.
 *
 * Returns:
 * 0 on success, -EINTR or -ERESTARTSYS if interrupted while waiting for the
 * lock, -EINVAL for imported objects, or -ENOMEM.
 */
int drm_gem_chunk_pin(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;
	int ret;

	if (refcount_inc_not_zero(&cobj->pages_pin_count))
		return 0;

	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		return ret;
	ret = drm_gem_chunk_pin_locked(cobj);
	dma_resv_unlock(obj->resv);

	return ret;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_pin);

/**
 * drm_gem_chunk_unpin - Unpin the backing storage of a chunk GEM object
 * @cobj: chunk GEM object
 *
 * Like drm_gem_chunk_unpin_locked(), but takes the reservation lock.
 */
void drm_gem_chunk_unpin(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;

	if (refcount_dec_not_one(&cobj->pages_pin_count))
		return;

	dma_resv_lock(obj->resv, NULL);
	drm_gem_chunk_unpin_locked(cobj);
	dma_resv_unlock(obj->resv);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_unpin);

/*
 * Kernel mappings
 */

static void *drm_gem_chunk_vmap_chunks(struct drm_gem_chunk_object *cobj)
{
	unsigned long npages = cobj->base.size >> PAGE_SHIFT;
	struct page *first = cobj->chunks[0].page;
	pgprot_t prot = PAGE_KERNEL;
	struct page **pages;
	void *vaddr = NULL;

	/*
	 * A single chunk in the linear map needs no new mapping. On x86 the
	 * linear map of write-combined chunks is write-combined too.
	 */
	if (cobj->nr_chunks == 1 && !PageHighMem(first) &&
	    (!cobj->map_wc || IS_ENABLED(CONFIG_X86)))
		return page_address(first);

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;

	if (!drm_gem_chunks_to_pages(cobj->chunks, cobj->nr_chunks, pages, npages)) {
		if (cobj->map_wc)
			prot = pgprot_writecombine(prot);
		vaddr = vmap(pages, npages, VM_MAP, prot);
	}
	kvfree(pages);

	return vaddr;
}

/**
 * drm_gem_chunk_vmap_locked - Map a chunk GEM object into kernel address space
 * @cobj: chunk GEM object
 * @map: Returns the kernel virtual address of the object's backing storage
 *
 * Makes sure a contiguous kernel mapping of the whole object exists. For
 * native objects the backing storage is pinned and mapped (write-combined if
 * &drm_gem_chunk_object.map_wc is set); a single chunk is used through the
 * linear map. Imported objects are mapped by the exporter with
 * dma_buf_vmap(). The caller holds the object's reservation lock. Release
 * the mapping with drm_gem_chunk_vunmap_locked().
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
int drm_gem_chunk_vmap_locked(struct drm_gem_chunk_object *cobj,
			      struct iosys_map *map)
{
	struct drm_gem_object *obj = &cobj->base;
	void *vaddr;
	int ret;

	dma_resv_assert_held(obj->resv);

	if (drm_gem_is_imported(obj))
		return dma_buf_vmap(obj->import_attach->dmabuf, map);

	if (refcount_inc_not_zero(&cobj->vmap_use_count)) {
		iosys_map_set_vaddr(map, cobj->vaddr);
		return 0;
	}

	ret = drm_gem_chunk_pin_locked(cobj);
	if (ret)
		return ret;

	vaddr = drm_gem_chunk_vmap_chunks(cobj);
	if (!vaddr) {
		drm_dbg_kms(obj->dev, "Failed to vmap chunks\n");
		drm_gem_chunk_unpin_locked(cobj);
		return -ENOMEM;
	}

	cobj->vaddr = vaddr;
	refcount_set(&cobj->vmap_use_count, 1);
	iosys_map_set_vaddr(map, vaddr);

	return 0;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_vmap_locked);

/**
 * drm_gem_chunk_vunmap_locked - Release a kernel mapping of a chunk GEM object
 * @cobj: chunk GEM object
 * @map: Kernel virtual address where the object was mapped
 *
 * Releases a mapping acquired with drm_gem_chunk_vmap_locked(). The mapping
 * is removed when its use count drops to zero. The caller holds the object's
 * reservation lock.
 */
void drm_gem_chunk_vunmap_locked(struct drm_gem_chunk_object *cobj,
				 struct iosys_map *map)
{
	struct drm_gem_object *obj = &cobj->base;

	dma_resv_assert_held(obj->resv);

	if (drm_gem_is_imported(obj)) {
		dma_buf_vunmap(obj->import_attach->dmabuf, map);
		return;
	}

	if (refcount_dec_and_test(&cobj->vmap_use_count)) {
		if (is_vmalloc_addr(cobj->vaddr))
			vunmap(cobj->vaddr);
		cobj->vaddr = NULL;
		drm_gem_chunk_unpin_locked(cobj);
	}
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_vunmap_locked);

/**
 * drm_gem_chunk_vmap - Map a chunk GEM object into kernel address space
 * @cobj: chunk GEM object
 * @map: Returns the kernel virtual address of the object's backing storage
 *
 * Like drm_gem_chunk_vmap_locked(), but takes the reservation lock.
 *
 * Returns:
 * 0 on success, -EINTR or -ERESTARTSYS if interrupted while waiting for the
 * lock, or another negative error code on failure.
 */
int drm_gem_chunk_vmap(struct drm_gem_chunk_object *cobj,
		       struct iosys_map *map)
{
	struct drm_gem_object *obj = &cobj->base;
	int ret;

	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		return ret;
	ret = drm_gem_chunk_vmap_locked(cobj, map);
	dma_resv_unlock(obj->resv);

	return ret;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_vmap);

/**
 * drm_gem_chunk_vunmap - Release a kernel mapping of a chunk GEM object
 * @cobj: chunk GEM object
 * @map: Kernel virtual address where the object was mapped
 *
 * Like drm_gem_chunk_vunmap_locked(), but takes the reservation lock.
 */
void drm_gem_chunk_vunmap(struct drm_gem_chunk_object *cobj,
			  struct iosys_map *map)
{
	struct drm_gem_object *obj = &cobj->base;

	dma_resv_lock(obj->resv, NULL);
	drm_gem_chunk_vunmap_locked(cobj, map);
	dma_resv_unlock(obj->resv);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_vunmap);

/*
 * DMA mapping
 */

/**
 * drm_gem_chunk_dma_map_locked - Map a chunk GEM object for its device
 * @cobj: chunk GEM object
 *
 * Allocates the backing storage of a native object if needed and maps every
 * chunk for &drm_device.dev, filling &drm_gem_chunk.dma_addr. The mapping is
 * made once and kept until the object is freed; later calls return at once.
 * Objects imported with drm_gem_chunk_prime_import_sg_table() are mapped
 * already. The caller holds the object's reservation lock. Afterwards, walk
 * &drm_gem_chunk_object.chunks, e.g. with drm_gem_chunk_for_each_dma_range().
 *
 * Returns:
 * 0 on success, -EINVAL for imports without mapping, -ENOMEM if memory is
 * short, or -EIO if a chunk cannot be mapped.
 */
int drm_gem_chunk_dma_map_locked(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;
	struct device *dev = obj->dev->dev;
	struct drm_gem_chunk *chunk;
	int ret;

	dma_resv_assert_held(obj->resv);

	if (cobj->dma_mapped)
		return 0;
	if (drm_gem_is_imported(obj))
		return -EINVAL;

	ret = drm_gem_chunk_populate_locked(cobj);
	if (ret)
		return ret;

	drm_gem_chunk_for_each(chunk, cobj->chunks, cobj->nr_chunks) {
		dma_addr_t addr;

		addr = dma_map_page(dev, chunk->page, 0, drm_gem_chunk_size(chunk),
				    DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dev, addr)) {
			drm_gem_chunk_dma_unmap_chunks(dev, cobj->chunks,
						       chunk - cobj->chunks);
			return -EIO;
		}
		chunk->dma_addr = addr;
	}

	cobj->dma_mapped = true;

	return 0;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_dma_map_locked);

/**
 * drm_gem_chunk_dma_map - Map a chunk GEM object for its device
 * @cobj: chunk GEM object
 *
 * Like drm_gem_chunk_dma_map_locked(), but takes the reservation lock.
 *
 * Returns:
 * 0 on success, -EINTR or -ERESTARTSYS if interrupted while waiting for the
 * lock, or an error code of drm_gem_chunk_dma_map_locked().
 */
int drm_gem_chunk_dma_map(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;
	int ret;

	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		return ret;
	ret = drm_gem_chunk_dma_map_locked(cobj);
	dma_resv_unlock(obj->resv);

	return ret;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_dma_map);

/**
 * drm_gem_chunk_page_at - Look up the page at a byte offset of a chunk GEM object
 * @cobj: chunk GEM object with its backing storage allocated
 * @offset: byte offset into the object
 *
 * For CPU access to single pages, e.g. fbdev deferred I/O. The chunk list of
 * an object does not change between its allocation (first pin, vmap, mmap or
 * DMA mapping) and the freeing of the object, so the caller needs no lock as
 * long as it holds such a use. The lookup walks the chunk list.
 *
 * Returns:
 * The page holding byte @offset, or NULL if @offset is past the end of the
 * object, the backing storage is not allocated, or the memory has no
 * &struct page (imports).
 */
struct page *drm_gem_chunk_page_at(struct drm_gem_chunk_object *cobj,
				   size_t offset)
{
	const struct drm_gem_chunk *chunk, *chunks = READ_ONCE(cobj->chunks);
	unsigned long pgoff = offset >> PAGE_SHIFT, first;

	if (!chunks || offset >= cobj->base.size)
		return NULL;

	chunk = drm_gem_chunks_find(chunks, cobj->nr_chunks, pgoff, &first);
	if (!chunk || !chunk->page)
		return NULL;

	return chunk->page + (pgoff - first);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_page_at);

/*
 * Dumb buffers
 */

/**
 * drm_gem_chunk_create_with_handle - Allocate a chunk GEM object and a handle
 * @file_priv: DRM file to create the handle for
 * @dev: DRM device
 * @size: Size of the object, a non-zero multiple of %PAGE_SIZE
 * @handle: Returns the GEM handle on success
 *
 * Allocates an object with drm_gem_chunk_create() and returns a GEM handle
 * to it; the handle holds the only reference.
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
int drm_gem_chunk_create_with_handle(struct drm_file *file_priv,
				     struct drm_device *dev, size_t size,
				     u32 *handle)
{
	struct drm_gem_chunk_object *cobj;
	int ret;

	cobj = drm_gem_chunk_create(dev, size);
	if (IS_ERR(cobj))
		return PTR_ERR(cobj);

	ret = drm_gem_handle_create(file_priv, &cobj->base, handle);
	/* drop the reference from allocation, the handle holds it now */
	drm_gem_object_put(&cobj->base);

	return ret;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_create_with_handle);

/**
 * drm_gem_chunk_dumb_create - Create a dumb buffer backed by a chunk list
 * @file: DRM file to create the dumb buffer for
 * @dev: DRM device
 * @args: IOCTL data
 *
 * Computes the pitch and size of the dumb buffer with drm_mode_size_dumb()
 * and creates the object. Drivers for hardware without additional pitch or
 * size restrictions use this as their &drm_driver.dumb_create callback;
 * others adjust @args first.
 *
 * Returns:
 * 0 on success, -EINVAL on an invalid or overflowing pitch or size, or
 * another negative error code on failure.
 */
int drm_gem_chunk_dumb_create(struct drm_file *file, struct drm_device *dev,
			      struct drm_mode_create_dumb *args)
{
	int ret;

	ret = drm_mode_size_dumb(dev, args, 0, 0);
	if (ret)
		return ret;

	if (overflows_type(args->size, size_t))
		return -EINVAL;

	return drm_gem_chunk_create_with_handle(file, dev, args->size,
						&args->handle);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_dumb_create);

/*
 * Userspace mappings
 */

static const struct drm_gem_chunk *
drm_gem_chunk_lookup_locked(struct drm_gem_chunk_object *cobj,
			    unsigned long pgoff, unsigned long *first)
{
	const struct drm_gem_chunk *chunks = cobj->chunks;
	unsigned int i = cobj->lookup_idx;
	unsigned long start = cobj->lookup_first;

	dma_resv_assert_held(cobj->base.resv);

	/* Faults map whole chunks, so they mostly hit the next chunk. */
	if (i >= cobj->nr_chunks) {
		i = 0;
		start = 0;
	}
	while (pgoff < start) {
		i--;
		start -= chunks[i].npages;
	}
	while (pgoff - start >= chunks[i].npages) {
		start += chunks[i].npages;
		if (++i == cobj->nr_chunks)
			return NULL;
	}

	cobj->lookup_idx = i;
	cobj->lookup_first = start;
	*first = start;

	return &chunks[i];
}

static vm_fault_t drm_gem_chunk_insert_ptes(struct vm_fault *vmf,
					    const struct drm_gem_chunk *chunk,
					    unsigned long idx)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long pfn = page_to_pfn(chunk->page);
	unsigned long lo, hi, i;
	vm_fault_t ret;

	ret = vmf_insert_pfn(vma, vmf->address, pfn + idx);
	if (ret != VM_FAULT_NOPAGE)
		return ret;

	/* Map the rest of the chunk, as far as it lies inside the VMA. */
	lo = idx - min(idx, (vmf->address - vma->vm_start) >> PAGE_SHIFT);
	hi = idx + min(chunk->npages - idx, (vma->vm_end - vmf->address) >> PAGE_SHIFT);
	for (i = lo; i < hi; i++) {
		unsigned long addr = vmf->address - (idx << PAGE_SHIFT) + (i << PAGE_SHIFT);

		if (i == idx)
			continue;
		if (vmf_insert_pfn(vma, addr, pfn + i) != VM_FAULT_NOPAGE)
			break;
	}

	return ret;
}

#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
static vm_fault_t drm_gem_chunk_insert_pmd(struct vm_fault *vmf,
					   const struct drm_gem_chunk *chunk,
					   unsigned long idx)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long start = ALIGN_DOWN(vmf->address, PMD_SIZE);
	unsigned long before = (vmf->address - start) >> PAGE_SHIFT;
	unsigned long pfn;

	/* The whole PMD must lie inside the VMA and the chunk, aligned. */
	if (start < vma->vm_start || start + PMD_SIZE > vma->vm_end ||
	    before > idx || chunk->npages - (idx - before) < (1UL << PMD_ORDER))
		return VM_FAULT_FALLBACK;

	pfn = page_to_pfn(chunk->page) + idx - before;
	if (!IS_ALIGNED(pfn, 1UL << PMD_ORDER))
		return VM_FAULT_FALLBACK;

	return vmf_insert_pfn_pmd(vmf, pfn, vmf->flags & FAULT_FLAG_WRITE);
}
#else
static vm_fault_t drm_gem_chunk_insert_pmd(struct vm_fault *vmf,
					   const struct drm_gem_chunk *chunk,
					   unsigned long idx)
{
	return VM_FAULT_FALLBACK;
}
#endif

static vm_fault_t drm_gem_chunk_any_fault(struct vm_fault *vmf,
					  unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct drm_gem_object *obj = vma->vm_private_data;
	struct drm_gem_chunk_object *cobj = to_drm_gem_chunk_obj(obj);
	unsigned long pgoff = vmf->pgoff - drm_vma_node_start(&obj->vma_node);
	const struct drm_gem_chunk *chunk;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long first;

	if (order && order != PMD_ORDER)
		return VM_FAULT_FALLBACK;

	dma_resv_lock(obj->resv, NULL);

	if (pgoff >= obj->size >> PAGE_SHIFT ||
	    drm_WARN_ON_ONCE(obj->dev, !cobj->chunks))
		goto out;

	chunk = drm_gem_chunk_lookup_locked(cobj, pgoff, &first);
	if (drm_WARN_ON_ONCE(obj->dev, !chunk || !chunk->page))
		goto out;

	if (order)
		ret = drm_gem_chunk_insert_pmd(vmf, chunk, pgoff - first);
	else
		ret = drm_gem_chunk_insert_ptes(vmf, chunk, pgoff - first);

out:
	dma_resv_unlock(obj->resv);

	return ret;
}

static vm_fault_t drm_gem_chunk_fault(struct vm_fault *vmf)
{
	return drm_gem_chunk_any_fault(vmf, 0);
}

static void drm_gem_chunk_vm_open(struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = vma->vm_private_data;
	struct drm_gem_chunk_object *cobj = to_drm_gem_chunk_obj(obj);

	dma_resv_lock(obj->resv, NULL);
	/* The mapping being copied holds a use already (fork, split). */
	drm_WARN_ON_ONCE(obj->dev, !refcount_inc_not_zero(&cobj->pages_use_count));
	dma_resv_unlock(obj->resv);

	drm_gem_vm_open(vma);
}

static void drm_gem_chunk_vm_close(struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = vma->vm_private_data;
	struct drm_gem_chunk_object *cobj = to_drm_gem_chunk_obj(obj);

	dma_resv_lock(obj->resv, NULL);
	drm_gem_chunk_put_pages_locked(cobj);
	dma_resv_unlock(obj->resv);

	drm_gem_vm_close(vma);
}

/*
 * VM operations for chunk GEM objects.
 *
 * The fault handler maps the whole chunk holding the faulting page (with
 * PMD entries where a chunk holds an aligned 2 MiB run), so that touching a
 * buffer takes one fault per chunk instead of one per page. Use it as
 * &drm_gem_object_funcs.vm_ops.
 */
const struct vm_operations_struct drm_gem_chunk_vm_ops = {
	.fault = drm_gem_chunk_fault,
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	.huge_fault = drm_gem_chunk_any_fault,
#endif
	.open = drm_gem_chunk_vm_open,
	.close = drm_gem_chunk_vm_close,
};
EXPORT_SYMBOL_GPL(drm_gem_chunk_vm_ops);

/**
 * drm_gem_chunk_mmap - Memory-map a chunk GEM object
 * @cobj: chunk GEM object
 * @vma: VMA for the area to be mapped
 *
 * Sets up a userspace mapping of a native object: the backing storage is
 * allocated and pages are mapped on fault by &drm_gem_chunk_vm_ops,
 * write-combined if &drm_gem_chunk_object.map_wc is set. Mappings of
 * imported objects are forwarded to the exporter with dma_buf_mmap().
 *
 * Returns:
 * 0 on success, -EINVAL for private (copy-on-write) mappings, or another
 * negative error code on failure.
 */
int drm_gem_chunk_mmap(struct drm_gem_chunk_object *cobj,
		       struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = &cobj->base;
	int ret;

	if (drm_gem_is_imported(obj)) {
		unsigned long pgoff = vma->vm_pgoff - drm_vma_node_start(&obj->vma_node);

		/* Don't leave our vm_ops behind if the exporter sets none. */
		vma->vm_private_data = NULL;
		vma->vm_ops = NULL;

		ret = dma_buf_mmap(obj->import_attach->dmabuf, vma, pgoff);

		/* Drop the reference drm_gem_mmap_obj() acquired. */
		if (!ret)
			drm_gem_object_put(obj);

		return ret;
	}

	if (vma_is_cow_mapping(vma))
		return -EINVAL;

	dma_resv_lock(obj->resv, NULL);
	ret = drm_gem_chunk_get_pages_locked(cobj);
	dma_resv_unlock(obj->resv);
	if (ret)
		return ret;

	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = vma_get_page_prot(vma);
	if (cobj->map_wc)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);

	return 0;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_mmap);

/**
 * drm_gem_chunk_print_info - Print &drm_gem_chunk_object info for debugfs
 * @cobj: chunk GEM object
 * @p: DRM printer
 * @indent: Tab indentation level
 */
void drm_gem_chunk_print_info(const struct drm_gem_chunk_object *cobj,
			      struct drm_printer *p, unsigned int indent)
{
	const struct drm_gem_object *obj = &cobj->base;

	/* drm_gem_print_info() already said whether the object is imported. */
	if (drm_gem_is_imported(obj) && !cobj->nr_chunks)
		drm_printf_indent(p, indent,
				  "chunk object: %zu pages, no chunk list (CPU access through the exporter)\n",
				  obj->size >> PAGE_SHIFT);
	else
		drm_printf_indent(p, indent,
				  "chunk object: %u chunks, %zu pages, %zu bytes of chunk list\n",
				  cobj->nr_chunks, obj->size >> PAGE_SHIFT,
				  cobj->nr_chunks * sizeof(*cobj->chunks));
	drm_printf_indent(p, indent, "dma_mapped=%s\n",
			  cobj->dma_mapped ? "yes" : "no");
	if (drm_gem_is_imported(obj))
		return;

	drm_printf_indent(p, indent, "map_wc=%s\n", cobj->map_wc ? "yes" : "no");
	drm_printf_indent(p, indent, "pages_pin_count=%u\n",
			  refcount_read(&cobj->pages_pin_count));
	drm_printf_indent(p, indent, "pages_use_count=%u\n",
			  refcount_read(&cobj->pages_use_count));
	drm_printf_indent(p, indent, "vmap_use_count=%u\n",
			  refcount_read(&cobj->vmap_use_count));
	drm_printf_indent(p, indent, "vaddr=%p\n", cobj->vaddr);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_print_info);

/*
 * PRIME
 */

/* A table of @cobj's chunks in segments that @dev can map. */
static struct sg_table *drm_gem_chunk_sgt_for(struct drm_gem_chunk_object *cobj,
					      struct device *dev)
{
	struct drm_gem_object *obj = &cobj->base;
	const struct drm_gem_chunk *chunks = READ_ONCE(cobj->chunks);

	if (drm_WARN_ON(obj->dev, drm_gem_is_imported(obj) || !chunks))
		return ERR_PTR(-EINVAL);

	return drm_gem_chunks_to_sgt(chunks, cobj->nr_chunks,
				     min_t(size_t, dma_max_mapping_size(dev),
					   dma_get_max_seg_size(dev)));
}

/**
 * drm_gem_chunk_get_sg_table - Build a scatter/gather table for a chunk GEM object
 * @cobj: chunk GEM object, native, with its backing storage pinned
 *
 * Builds a new, unmapped sg_table from the chunks of @cobj. Runs longer than
 * a scatterlist entry, dma_max_mapping_size() or the maximum segment size of
 * the object's device are split. PRIME export does not use this: it builds
 * a table for each importing device, see drm_gem_chunk_prime_export().
 * Drivers that need device addresses for their own device use
 * drm_gem_chunk_dma_map() instead.
 *
 * Returns:
 * The table on success, ERR_PTR(-EINVAL) if the object is imported or has
 * no backing storage, or ERR_PTR(-ENOMEM).
 */
struct sg_table *drm_gem_chunk_get_sg_table(struct drm_gem_chunk_object *cobj)
{
	return drm_gem_chunk_sgt_for(cobj, cobj->base.dev->dev);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_get_sg_table);

/*
 * The exporter does not know its importers: a table built once for the
 * exporting device can hold segments longer than an importer can map (the
 * DMA-API debugging code reports those). Each attachment gets its own.
 */
static struct sg_table *drm_gem_chunk_map_dma_buf(struct dma_buf_attachment *attach,
						  enum dma_data_direction dir)
{
	struct drm_gem_object *obj = attach->dmabuf->priv;
	struct sg_table *sgt;
	int ret;

	if (WARN_ON(dir == DMA_NONE))
		return ERR_PTR(-EINVAL);

	/* drm_gem_map_attach() pinned the chunks. */
	sgt = drm_gem_chunk_sgt_for(to_drm_gem_chunk_obj(obj), attach->dev);
	if (IS_ERR(sgt))
		return sgt;

	ret = dma_map_sgtable(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret) {
		sg_free_table(sgt);
		kfree(sgt);
		return ERR_PTR(ret);
	}

	return sgt;
}

static const struct dma_buf_ops drm_gem_chunk_dmabuf_ops = {
	.attach = drm_gem_map_attach,
	.detach = drm_gem_map_detach,
	.map_dma_buf = drm_gem_chunk_map_dma_buf,
	.unmap_dma_buf = drm_gem_unmap_dma_buf,
	.release = drm_gem_dmabuf_release,
	.mmap = drm_gem_dmabuf_mmap,
	.vmap = drm_gem_dmabuf_vmap,
	.vunmap = drm_gem_dmabuf_vunmap,
};

/**
 * drm_gem_chunk_prime_export - Export a chunk GEM object as a dma-buf
 * @obj: GEM object, a native chunk object
 * @flags: flags of the new dma-buf file (O_CLOEXEC, O_RDWR)
 *
 * The &drm_gem_object_funcs.export of chunk objects. Works like
 * drm_gem_prime_export(), except that each importing device gets an sg_table
 * whose segments respect its own maximum segment size, built from the
 * chunks when the attachment is mapped.
 *
 * Returns:
 * The dma-buf on success or an ERR_PTR()-encoded negative error code.
 */
struct dma_buf *drm_gem_chunk_prime_export(struct drm_gem_object *obj, int flags)
{
	struct dma_buf_export_info exp_info = {
		.exp_name = KBUILD_MODNAME,
		.owner = obj->dev->driver->fops->owner,
		.ops = &drm_gem_chunk_dmabuf_ops,
		.size = obj->size,
		.flags = flags,
		.priv = obj,
		.resv = obj->resv,
	};

	return drm_gem_dmabuf_export(obj->dev, &exp_info);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_prime_export);

/* Whether @dma_buf was exported from a GEM object of @dev. */
static bool drm_gem_chunk_is_own_dma_buf(struct drm_device *dev, struct dma_buf *dma_buf)
{
	struct drm_gem_object *obj = dma_buf->priv;

	if (dma_buf->ops == &drm_gem_chunk_dmabuf_ops)
		return obj->dev == dev;

	return drm_gem_is_prime_exported_dma_buf(dev, dma_buf);
}

/**
 * drm_gem_chunk_prime_import - Import a dma-buf and map it for the device
 * @dev: Device to import into
 * @dma_buf: dma-buf object to import
 *
 * Like drm_gem_prime_import(), but also recognizes dma-bufs exported from
 * chunk objects of @dev, which it returns with an extra reference instead of
 * importing them again. Drivers whose devices need device addresses of
 * imported buffers use this as their &drm_driver.gem_prime_import callback,
 * with drm_gem_chunk_prime_import_sg_table() as
 * &drm_driver.gem_prime_import_sg_table.
 *
 * Returns:
 * A pointer to the GEM object or an ERR_PTR()-encoded negative error code on
 * failure.
 */
struct drm_gem_object *drm_gem_chunk_prime_import(struct drm_device *dev,
						  struct dma_buf *dma_buf)
{
	struct drm_gem_object *obj;

	if (drm_gem_chunk_is_own_dma_buf(dev, dma_buf)) {
		obj = dma_buf->priv;
		drm_gem_object_get(obj);
		return obj;
	}

	return drm_gem_prime_import(dev, dma_buf);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_prime_import);

/**
 * drm_gem_chunk_prime_import_sg_table - Import a mapped dma-buf attachment as chunks
 * @dev: Device to import into
 * @attach: DMA-BUF attachment
 * @sgt: Scatter/gather table of the attachment, mapped for @dev
 *
 * Translates the DMA side of @sgt into page-less chunks, merging
 * DMA-contiguous segments, with drm_gem_chunks_from_sgt(); sg_page() is
 * never read. The table stays mapped until the object is freed. Drivers
 * whose device needs device addresses of imported buffers use this as their
 * &drm_driver.gem_prime_import_sg_table callback.
 *
 * Returns:
 * A pointer to a newly created GEM object or an ERR_PTR()-encoded negative
 * error code on failure: -EINVAL if the table is not page aligned or smaller
 * than the dma-buf.
 */
struct drm_gem_object *
drm_gem_chunk_prime_import_sg_table(struct drm_device *dev,
				    struct dma_buf_attachment *attach,
				    struct sg_table *sgt)
{
	size_t size = PAGE_ALIGN(attach->dmabuf->size);
	struct drm_gem_chunk_object *cobj;
	const struct drm_gem_chunk *chunk;
	struct drm_gem_chunk *chunks;
	unsigned long npages = 0;
	unsigned int nr;
	int ret;

	chunks = drm_gem_chunks_from_sgt(sgt, &nr);
	if (IS_ERR(chunks))
		return ERR_CAST(chunks);

	drm_gem_chunk_for_each(chunk, chunks, nr)
		npages += chunk->npages;
	if (npages < size >> PAGE_SHIFT) {
		ret = -EINVAL;
		goto err_free;
	}

	cobj = __drm_gem_chunk_create(dev, size);
	if (IS_ERR(cobj)) {
		ret = PTR_ERR(cobj);
		goto err_free;
	}

	cobj->map_wc = false;
	cobj->chunks = chunks;
	cobj->nr_chunks = nr;
	cobj->sgt = sgt;
	cobj->dma_mapped = true;

	drm_dbg_prime(dev, "size = %zu, %u chunks\n", size, nr);

	return &cobj->base;

err_free:
	kvfree(chunks);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_prime_import_sg_table);

/**
 * drm_gem_chunk_prime_import_no_map - Import a dma-buf without mapping it
 * @dev: Device to import into
 * @dma_buf: dma-buf object to import
 *
 * Attaches to @dma_buf without mapping the attachment. The object has no
 * chunks; CPU access goes through the exporter (dma_buf_vmap(),
 * dma_buf_mmap()). Importing a dma-buf exported from an object of @dev
 * returns that object with an extra reference. Drivers that only access
 * buffers with the CPU use this as their &drm_driver.gem_prime_import
 * callback, see %DRM_GEM_CHUNK_DRIVER_OPS.
 *
 * Returns:
 * A pointer to the GEM object or an ERR_PTR()-encoded negative error code on
 * failure.
 */
struct drm_gem_object *
drm_gem_chunk_prime_import_no_map(struct drm_device *dev,
				  struct dma_buf *dma_buf)
{
	struct dma_buf_attachment *attach;
	struct drm_gem_chunk_object *cobj;
	struct drm_gem_object *obj;
	size_t size;
	int ret;

	if (drm_gem_chunk_is_own_dma_buf(dev, dma_buf)) {
		/*
		 * Importing a dma-buf exported from our own object takes a
		 * reference on the object instead of the dma-buf.
		 */
		obj = dma_buf->priv;
		drm_gem_object_get(obj);
		return obj;
	}

	attach = dma_buf_attach(dma_buf, dev->dev);
	if (IS_ERR(attach))
		return ERR_CAST(attach);

	get_dma_buf(dma_buf);

	size = PAGE_ALIGN(dma_buf->size);

	cobj = __drm_gem_chunk_create(dev, size);
	if (IS_ERR(cobj)) {
		ret = PTR_ERR(cobj);
		goto err_detach;
	}

	cobj->map_wc = false;
	cobj->base.import_attach = attach;
	cobj->base.resv = dma_buf->resv;

	drm_dbg_prime(dev, "size = %zu\n", size);

	return &cobj->base;

err_detach:
	dma_buf_detach(dma_buf, attach);
	dma_buf_put(dma_buf);

	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_prime_import_no_map);

/*
 * Debugfs
 */

static struct dentry *drm_gem_chunk_debugfs_root;

static int drm_gem_chunk_pages_get(void *data, u64 *val)
{
	*val = atomic_long_read(&drm_gem_chunk_pages);

	return 0;
}

/* Signed, so that an accounting bug shows as a negative count. */
DEFINE_DEBUGFS_ATTRIBUTE_SIGNED(drm_gem_chunk_pages_fops, drm_gem_chunk_pages_get,
				NULL, "%lld\n");

static int __init drm_gem_chunk_module_init(void)
{
	drm_gem_chunk_debugfs_root = debugfs_create_dir("drm_gem_chunk", NULL);
	debugfs_create_file_unsafe("pages", 0444, drm_gem_chunk_debugfs_root, NULL,
				   &drm_gem_chunk_pages_fops);

	return 0;
}
module_init(drm_gem_chunk_module_init);

static void __exit drm_gem_chunk_module_exit(void)
{
	debugfs_remove_recursive(drm_gem_chunk_debugfs_root);
}
module_exit(drm_gem_chunk_module_exit);

/*
 * KUnit helpers
 */

#if IS_ENABLED(CONFIG_KUNIT)
int drm_gem_chunk_alloc_chunks(size_t size, unsigned int max_order,
			       struct drm_gem_chunk **chunks,
			       unsigned int *nr_chunks)
{
	int ret;

	ret = drm_gem_chunk_check_size(size);
	if (ret)
		return ret;

	return __drm_gem_chunk_alloc_chunks(size,
					    min(max_order, DRM_GEM_CHUNK_MAX_ORDER),
					    ULONG_MAX, chunks, nr_chunks);
}
EXPORT_SYMBOL_IF_KUNIT(drm_gem_chunk_alloc_chunks);

void drm_gem_chunk_free_chunks(struct drm_gem_chunk *chunks,
			       unsigned int nr_chunks)
{
	__drm_gem_chunk_free_chunks(chunks, nr_chunks);
}
EXPORT_SYMBOL_IF_KUNIT(drm_gem_chunk_free_chunks);

long drm_gem_chunk_nr_pages(void)
{
	return atomic_long_read(&drm_gem_chunk_pages);
}
EXPORT_SYMBOL_IF_KUNIT(drm_gem_chunk_nr_pages);
#endif

MODULE_DESCRIPTION("DRM GEM helpers for objects backed by chunk lists");
MODULE_IMPORT_NS("DMA_BUF");
MODULE_LICENSE("GPL");
