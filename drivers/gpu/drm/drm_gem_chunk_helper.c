// SPDX-License-Identifier: GPL-2.0
/*
 * GEM objects backed by chunk lists
 *
 * Follows the structure and kernel-doc of drm_gem_shmem_helper.c:
 * Copyright 2018 Noralf Trønnes
 */

#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/iosys-map.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/vmalloc.h>

#include <kunit/visibility.h>

#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include <drm/drm.h>
#include <drm/drm_chunk.h>
#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_dumb_buffers.h>
#include <drm/drm_gem_chunk_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

/**
 * DOC: overview
 *
 * This library provides GEM objects whose backing storage is a chunk list
 * of &struct drm_chunk (see "Chunk Lists Function Reference"): runs of
 * pages for native objects, page-less runs of device addresses for
 * imports. It offers a driver what the shmem helper does (objects, dumb
 * buffers, pin, vmap, mmap, PRIME import and export, debugfs output) and
 * DMA mapping of an object for the DRM device's own DMA device.
 *
 * An object is a &struct drm_gem_chunk_object, which embeds the &struct
 * drm_gem_object. Functions that operate on it receive the chunk object.
 * For the callbacks in &struct drm_gem_object_funcs, see the likewise named
 * functions with an _object_ infix (e.g. drm_gem_chunk_object_vmap() wraps
 * drm_gem_chunk_vmap_locked()); they perform the type conversion. Objects
 * get these callbacks unless the driver sets its own, so a driver that uses
 * the defaults selects DRM_GEM_CHUNK_HELPER in Kconfig and fills its
 * &struct drm_driver with two macros, the second for fbdev emulation
 * (drm_fbdev_chunk.c)::
 *
 *	static const struct drm_driver foo_driver = {
 *		.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC,
 *		DRM_GEM_CHUNK_DRIVER_OPS,
 *		DRM_FBDEV_CHUNK_DRIVER_OPS,
 *		...
 *	};
 *
 * Userspace mappings are filled on fault by drm_gem_chunk_vm_ops, the
 * &drm_gem_object_funcs.vm_ops of chunk objects: a fault maps what the
 * faulting chunk holds of the PMD-aligned window (2 MiB on x86-64) around
 * the faulting address, with one PMD entry where the chunk holds the whole
 * aligned window, so that touching a buffer of long chunks takes one fault
 * per window instead of one per page.
 * GEM offset and dma-buf mappings of 2 MiB or more get 2 MiB-aligned
 * addresses, so that the PMD entries line up. Kernel and userspace mappings
 * are write-combined when &drm_gem_chunk_object.map_wc is set.
 *
 * Idle objects are evicted to swap under memory pressure and restored on
 * their next use, and drivers with a madvise interface can purge them, see
 * the Reclaim section.
 */

/**
 * DOC: allocation
 *
 * A native object, one the driver created rather than imported, allocates
 * its backing storage on first use: the first pin, vmap, mmap or DMA
 * mapping. drm_chunks_alloc() allocates it in blocks of up to the PMD
 * order, merged when adjacent. For an object that the DMA device of the
 * &drm_device (drm_dev_dma_dev()) maps, &drm_gem_chunk_object.device_dma,
 * no run is longer than drm_chunks_max_run() of that device: every chunk
 * can then be mapped for it in one piece, even where its mappings bounce
 * through swiotlb. Other objects, those of drivers whose device never maps
 * them (a display that copies from them with the CPU, a virtual device),
 * are not held to a limit of a device that does not use them: a device
 * without a DMA mask of its own keeps the 32-bit default, and in a machine
 * with memory above 4 GiB swiotlb would cap its runs at 256 KiB, too short
 * for a PMD mapping.
 *
 * The memory comes from &drm_gem_chunk_object.gfp: %GFP_HIGHUSER unless
 * the driver chose other flags when it created the object, in
 * &drm_driver.gem_create_object (e.g. %GFP_KERNEL | %__GFP_DMA32 for a
 * device that reaches only the first 4 GiB). It is charged to the memory
 * cgroup of the allocating task as kernel memory (%__GFP_ACCOUNT), where
 * shmem-backed GEM memory is charged as shmem. On x86, the pages of
 * write-combined objects are made write-combined in the kernel's linear
 * map too.
 *
 * Once allocated, the chunks stay while somebody uses them: a pin, a
 * kernel or userspace mapping, or a DMA mapping. An object without any such
 * use is idle, and memory pressure can evict it (see the Reclaim section):
 * its next use then allocates fresh chunks, whose runs may differ.
 */

/**
 * DOC: Reclaim
 *
 * The chunks are unmovable pages, which the core mm cannot swap out itself.
 * The helper does it for them: every device with chunk objects gets a
 * shrinker, created with its first object, and two &drm_gem_lru lists of
 * idle objects. An object is in one of these states:
 *
 * - unpopulated: no backing storage yet;
 * - in use: resident, and pinned, vmapped (which includes scanout and fbdev
 *   emulation), mapped into userspace, attached by an importer (which pins)
 *   or DMA-mapped for the device (until the object is freed);
 * - idle: resident and none of the above; on the idle list, or on the
 *   purgeable list when the driver marked its contents unneeded with
 *   drm_gem_chunk_madvise_locked();
 * - evicted: its contents are in a shmem file, &drm_gem_chunk_object.backup,
 *   whose pages the core mm swaps out like any shmem page, and its chunks
 *   are freed;
 * - purged: its contents are gone, see drm_gem_chunk_purge_locked().
 *
 * The shrinker purges purgeable objects first, then, while swap space is
 * left, evicts idle ones: it copies their pages into the backup one
 * allocation block at a time, starts writing each backup folio out to swap,
 * and frees the block, so that eviction needs no more memory than a block
 * (2 MiB) at any time. A block whose backup cannot be allocated stops the
 * eviction; the object stays idle and partly evicted, with the first
 * &drm_gem_chunk_object.backup_pages pages in the backup and the rest in
 * its chunks, and the next scan goes on from there.
 *
 * The next use of an evicted (or partly evicted) object restores it, under
 * its reservation lock: whatever populates the object (pin, vmap, mmap,
 * drm_gem_chunk_dma_map(), and through the pin an importer's attachment)
 * allocates a fresh chunk list and copies the contents back from the backup,
 * swapping them in as needed. If that fails, the new chunks are freed, the
 * backup stays as it was, and the use fails with the error (-ENOMEM
 * usually); nothing is lost.
 *
 * Locking: the state is protected by the object's reservation lock; the
 * lists by &drm_device.gem_lru_mutex, which is taken inside the reservation
 * lock and never held across an allocation. The shrinker takes reservation
 * locks with trylocks only (drm_gem_lru_scan()), so reclaim never waits for
 * an object's lock, and skips objects whose fences have not signalled. It
 * needs %__GFP_FS and %__GFP_IO (it locks and writes shmem folios) and
 * stops otherwise.
 *
 * Eviction never races with the lockless readers of the chunk list (page
 * faults, drm_gem_chunk_page_at(), the sync calls): each of them runs only
 * while its caller holds a use, a userspace mapping or a DMA mapping, and an
 * object with any use is never evicted. So the fault path of a resident
 * object needs no lock and no retry: the list it loads with acquire
 * semantics stays until the mapping goes, as before. A userspace mapping
 * keeps its object resident, as the shmem helper's mappings keep their
 * pages; mmap() of an evicted object restores it, and fails with the error
 * of the restore.
 *
 * What keeps an object from being reclaimed: any use above, fences that have
 * not signalled, &drm_gem_chunk_object.no_reclaim (a driver's per-object
 * opt-out), no swap space (for eviction; purging needs none), and being an
 * import (its memory is the exporter's). virtio-gpu's resources stay
 * resident while the host has them attached: they are DMA-mapped.
 *
 * A driver with a madvise interface converts from the shmem helper as
 * panfrost would: its ioctl calls drm_gem_chunk_madvise_locked() where it
 * called drm_gem_shmem_madvise_locked(), and its own shrinker
 * (panfrost_gem_shrinker.c) goes away, since the helper's purges objects
 * marked purgeable that are idle and not exported, which is what
 * drm_gem_shmem_is_purgeable() checked. A purged object keeps its handle,
 * but every later use fails with -EFAULT, and its mmap offset is gone.
 *
 * The shrinker is not memory-cgroup aware: a cgroup at its memory.max
 * reclaims its shmem pages and anonymous memory, but not the chunk objects
 * it allocated, which only global memory pressure evicts.
 *
 * debugfs shows, per device, the pages of chunk objects that are resident,
 * idle, evicted and purged (the file chunk_reclaim in the device's
 * directory; writing to it evicts every idle object of the device at once,
 * for tests), and drm_gem_chunk_print_info() the state of each object.
 */

/**
 * DOC: DMA
 *
 * drm_gem_chunk_dma_map() maps the chunks of a native object for the DMA
 * device of the &drm_device, for both directions, and hands the memory to
 * the device. The mapping is made once, on the first call, and kept until
 * the object is freed, so later calls return at once. The device addresses
 * are in &drm_gem_chunk_object.chunks; a driver that programs its device
 * with address ranges walks them like this::
 *
 *	struct drm_chunk_dma_iter iter;
 *	int ret;
 *
 *	ret = drm_gem_chunk_dma_map(cobj);
 *	if (ret)
 *		return ret;
 *
 *	drm_chunk_for_each_dma_range(&iter, cobj->chunks, cobj->nr_chunks)
 *		foo_add_range(foo, drm_chunk_dma_iter_address(&iter),
 *			      drm_chunk_dma_iter_length(&iter));
 *
 * A device that is not cache coherent, or whose mappings bounce through
 * swiotlb, needs the memory handed over after that:
 * drm_gem_chunk_sync_for_device() after the CPU wrote and before the device
 * reads, drm_gem_chunk_sync_for_cpu() after the device wrote and before the
 * CPU reads.
 *
 * A device that takes a list of address ranges (descriptors, memory
 * entries) needs as few as possible: it maps with
 * drm_gem_chunk_dma_map_contiguous() instead. Behind an IOMMU that supports
 * the two-step DMA API, the chunks are linked into one range of device
 * addresses, whatever the physical fragmentation; without one, or for a
 * device that needs syncs, each chunk is mapped on its own as
 * drm_gem_chunk_dma_map() does. dma_use_iova() on
 * &drm_gem_chunk_object.dma_iova tells which way it went, and
 * drm_gem_chunk_dma_ranges() counts the entries the device needs for a
 * given longest entry. The sync pair does nothing for a linked object.
 *
 * Imports are mapped by their own path, see the PRIME section: an object
 * imported with a mapping has its device addresses already, an object
 * imported without one has none and cannot be mapped (-EINVAL).
 */

/**
 * DOC: PRIME
 *
 * Chunk objects are exported with drm_gem_chunk_prime_export(), their
 * &drm_gem_object_funcs.export. The exporter does not know its importers,
 * so it builds no table up front: when an importer maps its attachment, a
 * scatter/gather table of the chunks is built for that importer's device
 * and mapped for it, with runs longer than the device's maximum segment
 * size or dma_max_mapping_size() split. An attachment is mapped once at a
 * time: mapping it again before unmapping fails with -EBUSY. Every importer thus gets segments
 * it can map, however long the chunks are. DMA_BUF_IOCTL_SYNC
 * (dma_buf_begin_cpu_access() and dma_buf_end_cpu_access()) hands the
 * memory back and forth for every mapped attachment, as the system dma-buf
 * heap does, once the fences of the reservation that the access conflicts
 * with have signalled (the end of a CPU access waits uninterruptibly).
 *
 * Unmapping an attachment also hands the memory back to the CPU, again as
 * the system heap does: what the importer's device wrote since the last
 * sync reaches the memory. For an importer that mapped it
 * %DMA_FROM_DEVICE or %DMA_BIDIRECTIONAL through swiotlb, that copy also
 * overwrites CPU writes made meanwhile outside of a CPU access, e.g. through
 * the GEM mmap of the exporter; CPU writes bracketed by DMA_BUF_IOCTL_SYNC
 * reach the device and stay. The DMA mapping of an object for its own
 * device is undone without a sync when the object is freed
 * (%DMA_ATTR_SKIP_CPU_SYNC): the memory is not used again.
 *
 * There are two ways to import:
 *
 * - drm_gem_chunk_prime_import_no_map(), the &drm_driver.gem_prime_import
 *   of %DRM_GEM_CHUNK_DRIVER_OPS, attaches to the dma-buf without mapping
 *   the attachment. The object has no chunk list. This suits drivers that
 *   access buffers only with the CPU.
 * - Drivers whose device needs the device addresses of imported buffers set
 *   &drm_driver.gem_prime_import to drm_gem_chunk_prime_import() and
 *   &drm_driver.gem_prime_import_sg_table to
 *   drm_gem_chunk_prime_import_sg_table(). The attachment is mapped once,
 *   for the lifetime of the object, and its table is translated into
 *   page-less chunks (&drm_chunk.page is NULL), merging DMA-contiguous
 *   segments. Only the DMA side of the exporter's table is read, never
 *   sg_page(): exporters need not provide pages. The object counts as
 *   DMA-mapped, so the driver walks its device addresses as for a native
 *   object.
 *
 * In both cases CPU access (vmap, mmap) goes through the exporter
 * (dma_buf_vmap(), dma_buf_mmap()), and drm_gem_chunk_page_at() finds no
 * page. Importing a dma-buf exported from a chunk object of the same device
 * returns that object with an extra reference, and exporting an imported
 * object again returns the original dma-buf.
 */

/**
 * DOC: locking
 *
 * The state of an object is protected by its reservation lock,
 * &drm_gem_object.resv (the dma-buf's for imports). Functions with a
 * _locked suffix expect the caller to hold it, and lockdep checks that they
 * do. Their twins without the suffix take it themselves, interruptibly where
 * they return an error:
 *
 * - drm_gem_chunk_pin_locked() and drm_gem_chunk_unpin_locked(),
 * - drm_gem_chunk_vmap_locked() and drm_gem_chunk_vunmap_locked(),
 * - drm_gem_chunk_dma_map_locked() and
 *   drm_gem_chunk_dma_map_contiguous_locked().
 *
 * The &drm_gem_object_funcs callbacks pin, unpin, vmap and vunmap wrap the
 * _locked variants: the GEM core calls them with the lock held.
 * drm_gem_chunk_pin() and drm_gem_chunk_unpin() skip the lock while the pin
 * count stays above zero. drm_gem_chunk_mmap(), the opening and closing of
 * userspace mappings, drm_gem_chunk_release() and the CPU access hooks of
 * exported dma-bufs take the lock themselves.
 *
 * The chunk list of an object does not change between its allocation and
 * the freeing of the object. It is published with release semantics, and
 * these paths read it without the lock:
 *
 * - Page faults. They never wait for the reservation lock, so threads
 *   faulting in a buffer do not serialize on it, and a fault does not wait
 *   for the other users of the object's lock.
 * - drm_gem_chunk_page_at(), while the caller holds a use of the storage (a
 *   pin, a vmap or a userspace mapping).
 * - drm_gem_chunk_sync_for_cpu(), drm_gem_chunk_sync_for_device() and
 *   drm_gem_chunk_dma_ranges(), once the object is DMA-mapped: the mapping
 *   lasts until the object is freed.
 */

/**
 * DOC: converting from the shmem helper
 *
 * A driver on the shmem helper that uses its defaults changes a few lines.
 * In Kconfig it selects DRM_GEM_CHUNK_HELPER instead of
 * DRM_GEM_SHMEM_HELPER; it includes <drm/drm_gem_chunk_helper.h> and
 * <drm/drm_fbdev_chunk.h> instead of <drm/drm_gem_shmem_helper.h> and
 * <drm/drm_fbdev_shmem.h>; and its &struct drm_driver takes the chunk
 * helper's macros::
 *
 *	 static const struct drm_driver foo_driver = {
 *		...
 *	-	DRM_GEM_SHMEM_DRIVER_OPS,
 *	-	DRM_FBDEV_SHMEM_DRIVER_OPS,
 *	+	DRM_GEM_CHUNK_DRIVER_OPS,
 *	+	DRM_FBDEV_CHUNK_DRIVER_OPS,
 *	 };
 *
 * A driver that allocates its objects in &drm_driver.gem_create_object
 * allocates a &struct drm_gem_chunk_object instead of a &struct
 * drm_gem_shmem_object, and converts with to_drm_gem_chunk_obj(). The
 * functions keep their names with chunk for shmem: drm_gem_chunk_create(),
 * drm_gem_chunk_free(), drm_gem_chunk_pin(), drm_gem_chunk_vmap_locked(),
 * drm_gem_chunk_object_mmap(), drm_gem_chunk_vm_ops and so on.
 * What has no counterpart:
 *
 * - The page array, &drm_gem_shmem_object.pages: drm_gem_chunk_page_at()
 *   looks up the page at an offset, drm_chunk_for_each_page() walks them.
 * - drm_gem_shmem_get_pages_sgt() and the table it keeps in
 *   &drm_gem_shmem_object.sgt, used for the device addresses: map with
 *   drm_gem_chunk_dma_map() and walk the chunks (see the DMA section);
 *   dma_sync_sgtable_for_cpu() and dma_sync_sgtable_for_device() on that
 *   table become drm_gem_chunk_sync_for_cpu() and
 *   drm_gem_chunk_sync_for_device().
 * - The huge tmpfs mount of drm_gem_huge_mnt_create(): the memory is not
 *   shmem, and long runs come from the page allocator.
 * - The driver's own shrinker for purging: the helper's does it (see the
 *   Reclaim section).
 *
 * For the memory itself two things change: an idle object is swapped out by
 * the helper's shrinker rather than by shmem's page reclaim, and the memory
 * cgroup charges it differently (see the allocation section).
 */

/* Chunks per entry of the lookup index of long chunk lists */
#define DRM_GEM_CHUNK_INDEX_STRIDE	64

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

#ifdef CONFIG_X86
static int drm_gem_chunk_set_caching(struct drm_chunk *chunks,
				     unsigned int nr_chunks, bool wc)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr_chunks; i++) {
		struct drm_chunk *chunk = &chunks[i];
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
static int drm_gem_chunk_set_caching(struct drm_chunk *chunks,
				     unsigned int nr_chunks, bool wc)
{
	return 0;
}
#endif

/* Page offsets of every DRM_GEM_CHUNK_INDEX_STRIDE-th chunk of a long list */
static unsigned long *drm_gem_chunk_build_index(const struct drm_chunk *chunks,
						unsigned int nr_chunks)
{
	unsigned long *index, start = 0;
	unsigned int i;

	if (nr_chunks <= DRM_GEM_CHUNK_INDEX_STRIDE)
		return NULL;

	index = kvmalloc_array(DIV_ROUND_UP(nr_chunks, DRM_GEM_CHUNK_INDEX_STRIDE),
			       sizeof(*index), GFP_KERNEL);
	if (!index)
		return ERR_PTR(-ENOMEM);

	for (i = 0; i < nr_chunks; i++) {
		if (i % DRM_GEM_CHUNK_INDEX_STRIDE == 0)
			index[i / DRM_GEM_CHUNK_INDEX_STRIDE] = start;
		start += chunks[i].npages;
	}

	return index;
}

/*
 * The chunk holding page @pgoff of a published chunk list, found without
 * locks: a binary search over the index, then drm_chunks_find() over at most
 * a stride of chunks.
 */
static const struct drm_chunk *
drm_gem_chunk_lookup(const struct drm_gem_chunk_object *cobj,
		     const struct drm_chunk *chunks, unsigned long pgoff,
		     unsigned long *first)
{
	const unsigned long *index = cobj->index;
	unsigned int i = 0, nr = cobj->nr_chunks;
	const struct drm_chunk *chunk;
	unsigned long start = 0;

	if (index) {
		unsigned int lo = 0, hi = DIV_ROUND_UP(nr, DRM_GEM_CHUNK_INDEX_STRIDE);

		while (hi - lo > 1) {
			unsigned int mid = lo + (hi - lo) / 2;

			if (index[mid] <= pgoff)
				lo = mid;
			else
				hi = mid;
		}
		i = lo * DRM_GEM_CHUNK_INDEX_STRIDE;
		start = index[lo];
	}

	chunk = drm_chunks_find(chunks + i, nr - i, pgoff - start, first);
	if (chunk)
		*first += start;

	return chunk;
}

/*
 * Publishes a chunk list: lockless readers load @chunks with acquire
 * semantics and then see @nr_chunks and @index.
 */
static void drm_gem_chunk_publish(struct drm_gem_chunk_object *cobj,
				  struct drm_chunk *chunks, unsigned int nr,
				  unsigned long *index)
{
	cobj->nr_chunks = nr;
	cobj->index = index;
	/* Pairs with smp_load_acquire() in the lockless lookups. */
	smp_store_release(&cobj->chunks, chunks);
}

/*
 * Reclaim
 */

/* The reclaim state of a device's chunk objects, see the Reclaim section. */
struct drm_gem_chunk_reclaim {
	struct drm_device *dev;
	struct list_head node;
	struct shrinker *shrinker;
	/* Resident objects without a use, by whether they may be purged */
	struct drm_gem_lru idle;
	struct drm_gem_lru purgeable;
	/* Pages of native objects, for debugfs */
	atomic_long_t resident;
	atomic_long_t evicted;
	atomic_long_t purged;
	/* Pages copied out and back since the device was created */
	atomic_long_t nr_evicted;
	atomic_long_t nr_restored;
};

/* One per device with chunk objects, created with its first object */
static LIST_HEAD(drm_gem_chunk_reclaims);
static DEFINE_MUTEX(drm_gem_chunk_reclaims_lock);

static bool drm_gem_chunk_is_native(const struct drm_gem_chunk_object *cobj)
{
	return !drm_gem_is_imported(&cobj->base) && !cobj->sgt;
}

/* Resident, or partly evicted, and nobody uses the storage. */
static bool drm_gem_chunk_is_idle(const struct drm_gem_chunk_object *cobj)
{
	return cobj->chunks && drm_gem_chunk_is_native(cobj) &&
	       !refcount_read(&cobj->pages_use_count) && !cobj->dma_mapped &&
	       !cobj->no_reclaim;
}

/**
 * drm_gem_chunk_is_purgeable - Whether a chunk GEM object may be purged now
 * @cobj: chunk GEM object
 *
 * An object may be purged when the driver marked its contents unneeded with
 * drm_gem_chunk_madvise_locked(), nobody uses its storage (no pin, kernel,
 * userspace or DMA mapping) and it is not exported. The caller holds the
 * object's reservation lock.
 *
 * Returns:
 * True if drm_gem_chunk_purge_locked() may be called for @cobj.
 */
bool drm_gem_chunk_is_purgeable(const struct drm_gem_chunk_object *cobj)
{
	dma_resv_assert_held(cobj->base.resv);

	return cobj->madv > 0 && drm_gem_chunk_is_native(cobj) &&
	       !refcount_read(&cobj->pages_use_count) && !cobj->dma_mapped &&
	       !cobj->base.dma_buf;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_is_purgeable);

/*
 * Puts the object on the list its state calls for, or takes it off. An
 * object that a scan of drm_gem_lru_scan() holds on its private list stays
 * there: the scan puts it back when it is done.
 */
static void drm_gem_chunk_update_reclaim_locked(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_chunk_reclaim *reclaim = cobj->reclaim;
	struct drm_gem_object *obj = &cobj->base;
	struct drm_gem_lru *lru = NULL;

	dma_resv_assert_held(obj->resv);

	if (!reclaim)
		return;

	if (drm_gem_chunk_is_purgeable(cobj) && (cobj->chunks || cobj->backup_pages))
		lru = &reclaim->purgeable;
	else if (drm_gem_chunk_is_idle(cobj) && cobj->madv >= 0)
		lru = &reclaim->idle;

	/* Only the holder of the reservation lock puts an object on a list. */
	if (!lru) {
		if (READ_ONCE(obj->lru))
			drm_gem_lru_remove(obj);
		return;
	}

	mutex_lock(&obj->dev->gem_lru_mutex);
	if (obj->lru != lru &&
	    (!obj->lru || obj->lru == &reclaim->idle || obj->lru == &reclaim->purgeable))
		drm_gem_lru_move_tail_locked(lru, obj);
	mutex_unlock(&obj->dev->gem_lru_mutex);
}

static void drm_gem_chunk_account(struct drm_gem_chunk_object *cobj,
				  long resident, long evicted)
{
	if (!cobj->reclaim)
		return;

	atomic_long_add(resident, &cobj->reclaim->resident);
	atomic_long_add(evicted, &cobj->reclaim->evicted);
}

/*
 * Copies @n pages from @page on into the backup at page index @idx, and
 * starts writing the backup folios out to swap, as ttm_backup.c does.
 */
static int drm_gem_chunk_backup_pages(struct address_space *mapping,
				      pgoff_t idx, struct page *page,
				      unsigned long n)
{
	/* Don't dip into the reserves, nor retry hard: the next scan will. */
	gfp_t gfp = mapping_gfp_mask(mapping) | __GFP_NORETRY | __GFP_NOWARN |
		    __GFP_NOMEMALLOC;
	unsigned long i, j, nr;

	for (i = 0; i < n; i += nr) {
		struct folio *folio;
		int ret;

		folio = shmem_read_folio_gfp(mapping, idx + i, gfp);
		if (IS_ERR(folio))
			return PTR_ERR(folio);

		nr = min_t(unsigned long, n - i, folio_next_index(folio) - (idx + i));
		folio_lock(folio);
		for (j = 0; j < nr; j++)
			copy_highpage(folio_file_page(folio, idx + i + j), page + i + j);
		folio_mark_dirty(folio);

		if (!folio_mapped(folio) && folio_clear_dirty_for_io(folio)) {
			folio_set_reclaim(folio);
			ret = shmem_write_folio(folio);
			if (!folio_test_writeback(folio))
				folio_clear_reclaim(folio);
			if (ret == AOP_WRITEPAGE_ACTIVATE)
				folio_unlock(folio);
		} else {
			folio_unlock(folio);
		}
		folio_put(folio);
	}

	return 0;
}

/*
 * Moves the contents of an idle object into its backup, block by block from
 * the start, freeing each block once it is copied. Stops at the first block
 * that cannot be backed up, leaving the object partly evicted. Returns the
 * number of pages freed, or a negative error code if none were.
 */
static long drm_gem_chunk_evict_locked(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;
	struct address_space *mapping;
	unsigned int i, done = 0;
	unsigned long freed = 0;
	int ret = 0;

	dma_resv_assert_held(obj->resv);

	if (drm_WARN_ON(obj->dev, !drm_gem_chunk_is_idle(cobj)))
		return -EBUSY;

	if (!cobj->backup) {
		struct file *backup;

		backup = shmem_file_setup("drm chunk backup", obj->size,
					  mk_vma_flags(VMA_NORESERVE_BIT));
		if (IS_ERR(backup))
			return PTR_ERR(backup);
		cobj->backup = backup;
	}
	mapping = cobj->backup->f_mapping;

	for (i = 0; i < cobj->nr_chunks; i++) {
		struct drm_chunk *chunk = &cobj->chunks[i];

		while (chunk->npages) {
			struct drm_chunk block = {
				.page = chunk->page,
				.npages = 1UL << compound_order(chunk->page),
			};
			unsigned long n;

			ret = drm_gem_chunk_backup_pages(mapping, cobj->backup_pages,
							 block.page, block.npages);
			if (ret)
				goto out;

			/* Back to write-back caching before the allocator has it. */
			if (cobj->map_wc)
				drm_gem_chunk_set_caching(&block, 1, false);
			n = drm_chunk_free_first_block(chunk);
			cobj->backup_pages += n;
			freed += n;
		}
		done++;
	}

out:
	/*
	 * What is left of the list, without the chunks that went entirely. Its
	 * index goes with the first block: only users of the storage look the
	 * chunks up, there are none, and a restore builds a new one.
	 */
	if (freed) {
		kvfree(cobj->index);
		cobj->index = NULL;
	}
	cobj->nr_chunks -= done;
	memmove(cobj->chunks, cobj->chunks + done,
		array_size(cobj->nr_chunks, sizeof(*cobj->chunks)));
	if (!cobj->nr_chunks) {
		kvfree(cobj->chunks);
		cobj->chunks = NULL;
	}
	drm_gem_chunk_account(cobj, -(long)freed, freed);
	if (cobj->reclaim)
		atomic_long_add(freed, &cobj->reclaim->nr_evicted);
	drm_gem_chunk_update_reclaim_locked(cobj);

	return freed ? freed : ret;
}

/*
 * Fills the fresh chunk list @chunks of a (partly) evicted object: the
 * first &drm_gem_chunk_object.backup_pages pages from the backup, swapping
 * them in, the rest from what is left of the old list.
 */
static int drm_gem_chunk_restore_pages(struct drm_gem_chunk_object *cobj,
				       const struct drm_chunk *chunks,
				       unsigned int nr_chunks)
{
	struct address_space *mapping = cobj->backup->f_mapping;
	const struct drm_chunk *src = cobj->chunks;
	struct drm_chunk_page_iter iter;
	unsigned long src_off = 0;

	drm_chunk_for_each_page(&iter, chunks, nr_chunks, 0) {
		unsigned long idx = drm_chunk_page_iter_index(&iter);
		struct page *dst = drm_chunk_page_iter_page(&iter);
		struct folio *folio;

		if (idx >= cobj->backup_pages) {
			copy_highpage(dst, src->page + src_off);
			if (++src_off == src->npages) {
				src++;
				src_off = 0;
			}
			continue;
		}

		if (fatal_signal_pending(current))
			return -EINTR;

		folio = shmem_read_folio_gfp(mapping, idx, mapping_gfp_mask(mapping));
		if (IS_ERR(folio))
			return PTR_ERR(folio);
		copy_highpage(dst, folio_file_page(folio, idx));
		folio_put(folio);

		if (!(idx % PTRS_PER_PTE))
			cond_resched();
	}

	return 0;
}

/* Drops the contents of the backup, keeping the file for the next eviction. */
static void drm_gem_chunk_drop_backup(struct drm_gem_chunk_object *cobj)
{
	if (!cobj->backup_pages)
		return;

	shmem_truncate_range(file_inode(cobj->backup), 0, (loff_t)-1);
	drm_gem_chunk_account(cobj, 0, -(long)cobj->backup_pages);
	cobj->backup_pages = 0;
}

/* Purgeable objects go first: they need no swap space and no copy. */
static bool drm_gem_chunk_try_purge(struct drm_gem_object *obj,
				    struct ww_acquire_ctx *ticket)
{
	struct drm_gem_chunk_object *cobj = to_drm_gem_chunk_obj(obj);

	if (!drm_gem_chunk_is_purgeable(cobj) ||
	    !dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
		return false;

	drm_gem_chunk_purge_locked(cobj);

	return true;
}

static bool drm_gem_chunk_try_evict(struct drm_gem_object *obj,
				    struct ww_acquire_ctx *ticket)
{
	struct drm_gem_chunk_object *cobj = to_drm_gem_chunk_obj(obj);

	if (!drm_gem_chunk_is_idle(cobj) || cobj->madv ||
	    !dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
		return false;

	/*
	 * drm_gem_lru_scan() expects an object it was told about to have
	 * left the list: only an eviction that went through counts.
	 */
	return drm_gem_chunk_evict_locked(cobj) > 0 && !cobj->chunks;
}

static unsigned long __drm_gem_chunk_scan(struct drm_gem_chunk_reclaim *reclaim,
					  unsigned long nr_to_scan, bool can_swap)
{
	unsigned long remaining = 0, freed;

	freed = drm_gem_lru_scan(reclaim->dev, &reclaim->purgeable, nr_to_scan,
				 &remaining, drm_gem_chunk_try_purge, NULL);
	if (freed < nr_to_scan && can_swap)
		freed += drm_gem_lru_scan(reclaim->dev, &reclaim->idle,
					  nr_to_scan - freed, &remaining,
					  drm_gem_chunk_try_evict, NULL);

	return freed;
}

static unsigned long __drm_gem_chunk_count(struct drm_gem_chunk_reclaim *reclaim,
					   bool can_swap)
{
	/* A hint, read without the lock, as msm and panthor do. */
	unsigned long count = READ_ONCE(reclaim->purgeable.count);

	if (can_swap)
		count += READ_ONCE(reclaim->idle.count);

	return count;
}

static unsigned long drm_gem_chunk_shrinker_count(struct shrinker *shrinker,
						  struct shrink_control *sc)
{
	unsigned long count = __drm_gem_chunk_count(shrinker->private_data,
						    get_nr_swap_pages() > 0);

	return count ? count : SHRINK_EMPTY;
}

static unsigned long drm_gem_chunk_shrinker_scan(struct shrinker *shrinker,
						 struct shrink_control *sc)
{
	unsigned long freed;

	/* Backing up locks shmem folios and writes them out. */
	if ((sc->gfp_mask & (__GFP_FS | __GFP_IO)) != (__GFP_FS | __GFP_IO))
		return SHRINK_STOP;

	freed = __drm_gem_chunk_scan(shrinker->private_data, sc->nr_to_scan,
				     get_nr_swap_pages() > 0);

	return freed ? freed : SHRINK_STOP;
}

static int drm_gem_chunk_reclaim_show(struct seq_file *m, void *data)
{
	struct drm_gem_chunk_reclaim *reclaim = m->private;

	seq_printf(m, "resident: %ld\n", atomic_long_read(&reclaim->resident));
	seq_printf(m, "idle: %ld\n", READ_ONCE(reclaim->idle.count));
	seq_printf(m, "purgeable: %ld\n", READ_ONCE(reclaim->purgeable.count));
	seq_printf(m, "evicted: %ld\n", atomic_long_read(&reclaim->evicted));
	seq_printf(m, "purged: %ld\n", atomic_long_read(&reclaim->purged));
	seq_printf(m, "total_evicted: %ld\n", atomic_long_read(&reclaim->nr_evicted));
	seq_printf(m, "total_restored: %ld\n", atomic_long_read(&reclaim->nr_restored));

	return 0;
}

static int drm_gem_chunk_reclaim_open(struct inode *inode, struct file *file)
{
	return single_open(file, drm_gem_chunk_reclaim_show, inode->i_private);
}

/* Scans as direct reclaim enters the shrinkers, swap space or not. */
static unsigned long drm_gem_chunk_scan_as_reclaim(struct drm_gem_chunk_reclaim *reclaim,
						   unsigned long nr_to_scan)
{
	unsigned int noreclaim;
	unsigned long freed;

	fs_reclaim_acquire(GFP_KERNEL);
	noreclaim = memalloc_noreclaim_save();
	freed = __drm_gem_chunk_scan(reclaim, nr_to_scan, true);
	memalloc_noreclaim_restore(noreclaim);
	fs_reclaim_release(GFP_KERNEL);

	return freed;
}

/*
 * A write reclaims every idle object of the device at once, as i915's
 * drop_caches does for its own, so that tests can evict without filling the
 * memory first. Without swap space the backup stays in memory.
 */
static ssize_t drm_gem_chunk_reclaim_write(struct file *file,
					   const char __user *buf, size_t len,
					   loff_t *ppos)
{
	struct seq_file *m = file->private_data;

	drm_gem_chunk_scan_as_reclaim(m->private, ULONG_MAX);

	return len;
}

static const struct file_operations drm_gem_chunk_reclaim_fops = {
	.owner = THIS_MODULE,
	.open = drm_gem_chunk_reclaim_open,
	.read = seq_read,
	.write = drm_gem_chunk_reclaim_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static void drm_gem_chunk_reclaim_fini(struct drm_device *dev, void *data)
{
	struct drm_gem_chunk_reclaim *reclaim = data;

	mutex_lock(&drm_gem_chunk_reclaims_lock);
	list_del(&reclaim->node);
	mutex_unlock(&drm_gem_chunk_reclaims_lock);

	shrinker_free(reclaim->shrinker);
	kfree(reclaim);
}

static struct drm_gem_chunk_reclaim *drm_gem_chunk_reclaim_find(struct drm_device *dev)
{
	struct drm_gem_chunk_reclaim *reclaim;

	lockdep_assert_held(&drm_gem_chunk_reclaims_lock);

	list_for_each_entry(reclaim, &drm_gem_chunk_reclaims, node)
		if (reclaim->dev == dev)
			return reclaim;

	return NULL;
}

/* The reclaim state of @dev, created with its first chunk object. */
static struct drm_gem_chunk_reclaim *drm_gem_chunk_reclaim_get(struct drm_device *dev)
{
	struct drm_gem_chunk_reclaim *reclaim;
	int ret;

	mutex_lock(&drm_gem_chunk_reclaims_lock);
	reclaim = drm_gem_chunk_reclaim_find(dev);
	if (reclaim)
		goto out_unlock;

	reclaim = kzalloc_obj(*reclaim);
	if (!reclaim) {
		reclaim = ERR_PTR(-ENOMEM);
		goto out_unlock;
	}
	reclaim->dev = dev;
	drm_gem_lru_init(&reclaim->idle);
	drm_gem_lru_init(&reclaim->purgeable);

	reclaim->shrinker = shrinker_alloc(0, "drm-chunk-%s", dev->unique);
	if (!reclaim->shrinker) {
		kfree(reclaim);
		reclaim = ERR_PTR(-ENOMEM);
		goto out_unlock;
	}
	reclaim->shrinker->count_objects = drm_gem_chunk_shrinker_count;
	reclaim->shrinker->scan_objects = drm_gem_chunk_shrinker_scan;
	reclaim->shrinker->private_data = reclaim;

	ret = drmm_add_action(dev, drm_gem_chunk_reclaim_fini, reclaim);
	if (ret) {
		shrinker_free(reclaim->shrinker);
		kfree(reclaim);
		reclaim = ERR_PTR(ret);
		goto out_unlock;
	}
	list_add(&reclaim->node, &drm_gem_chunk_reclaims);

	/* Teach lockdep that reclaim takes the LRU lock. */
	fs_reclaim_acquire(GFP_KERNEL);
	might_lock(&dev->gem_lru_mutex);
	fs_reclaim_release(GFP_KERNEL);

	shrinker_register(reclaim->shrinker);
	if (dev->debugfs_root)
		debugfs_create_file("chunk_reclaim", 0644, dev->debugfs_root,
				    reclaim, &drm_gem_chunk_reclaim_fops);

out_unlock:
	mutex_unlock(&drm_gem_chunk_reclaims_lock);

	return reclaim;
}

static int drm_gem_chunk_populate_locked(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;
	struct device *dma_dev = drm_dev_dma_dev(obj->dev);
	struct drm_chunk *chunks;
	unsigned long *index;
	unsigned int nr;
	int ret;

	dma_resv_assert_held(obj->resv);

	if (cobj->chunks && !cobj->backup_pages)
		return 0;
	if (cobj->madv < 0)
		return -EFAULT;

	/*
	 * Keep every run mappable in one piece for our own device if it maps
	 * the object; importers get tables split for their devices anyway.
	 */
	chunks = drm_chunks_alloc(obj->size,
				  drm_chunks_max_run(cobj->device_dma ? dma_dev : NULL),
				  cobj->gfp | __GFP_ACCOUNT, &nr);
	if (IS_ERR(chunks)) {
		drm_dbg_kms(obj->dev, "Failed to allocate %zu bytes\n", obj->size);
		return PTR_ERR(chunks);
	}

	/* An evicted object: its contents come back before anyone sees them. */
	if (cobj->backup_pages) {
		ret = drm_gem_chunk_restore_pages(cobj, chunks, nr);
		if (ret) {
			drm_dbg_kms(obj->dev, "Failed to restore %zu bytes (%d)\n",
				    obj->size, ret);
			goto err_free;
		}
	}

	index = drm_gem_chunk_build_index(chunks, nr);
	if (IS_ERR(index)) {
		ret = PTR_ERR(index);
		goto err_free;
	}

	if (cobj->map_wc) {
		ret = drm_gem_chunk_set_caching(chunks, nr, true);
		if (ret)
			goto err_free_index;
	}

	if (cobj->backup_pages) {
		/* What was left of a partly evicted object. */
		drm_gem_chunk_account(cobj, -(long)(obj->size >> PAGE_SHIFT) +
				      cobj->backup_pages, 0);
		drm_chunks_free(cobj->chunks, cobj->nr_chunks);
		if (cobj->reclaim)
			atomic_long_add(cobj->backup_pages, &cobj->reclaim->nr_restored);
		drm_gem_chunk_drop_backup(cobj);
	}
	drm_gem_chunk_account(cobj, obj->size >> PAGE_SHIFT, 0);
	drm_gem_chunk_publish(cobj, chunks, nr, index);

	return 0;

err_free_index:
	kvfree(index);
err_free:
	drm_chunks_free(chunks, nr);
	return ret;
}

static void drm_gem_chunk_depopulate_locked(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;

	dma_resv_assert_held(obj->resv);

	if (!cobj->chunks)
		return;

	/*
	 * Undoes drm_chunks_dma_map() too, when the link fell back to it. The
	 * memory is freed next: nothing of it goes back to the CPU, so no
	 * bounce buffer is copied back and no cache invalidated for it.
	 */
	if (cobj->dma_mapped)
		drm_chunks_dma_unlink(drm_dev_dma_dev(obj->dev), &cobj->dma_iova,
				      cobj->chunks, cobj->nr_chunks,
				      DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	cobj->dma_mapped = false;

	if (cobj->map_wc)
		drm_gem_chunk_set_caching(cobj->chunks, cobj->nr_chunks, false);

	drm_gem_chunk_account(cobj, -(long)(obj->size >> PAGE_SHIFT) +
			      cobj->backup_pages, 0);
	drm_chunks_free(cobj->chunks, cobj->nr_chunks);
	kvfree(cobj->index);
	cobj->index = NULL;
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
 * Sets the default &drm_gem_object_funcs and &drm_gem_chunk_object.gfp
 * unless the caller set its own.
 *
 * Returns:
 * 0 on success, -EINVAL if @size is zero, not page aligned or too large or
 * &drm_gem_chunk_object.gfp has %__GFP_MOVABLE, or another negative error
 * code on failure.
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
	if (!cobj->gfp)
		cobj->gfp = GFP_HIGHUSER;
	if (drm_WARN_ON(dev, cobj->gfp & __GFP_MOVABLE))
		return -EINVAL;

	cobj->reclaim = drm_gem_chunk_reclaim_get(dev);
	if (IS_ERR(cobj->reclaim)) {
		ret = PTR_ERR(cobj->reclaim);
		cobj->reclaim = NULL;
		return ret;
	}

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

	/*
	 * An object made by drm_gem_chunk_prime_import_sg_table() is freed
	 * before import_attach is set when a driver's wrapper fails after
	 * the import: the caller then unmaps the table itself.
	 */
	if (drm_gem_is_imported(obj) || cobj->sgt) {
		if (drm_gem_is_imported(obj))
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

		if (READ_ONCE(obj->lru))
			drm_gem_lru_remove(obj);
		drm_gem_chunk_depopulate_locked(cobj);
		if (cobj->backup) {
			drm_gem_chunk_drop_backup(cobj);
			fput(cobj->backup);
			cobj->backup = NULL;
		}
		if (cobj->madv < 0 && cobj->reclaim)
			atomic_long_sub(obj->size >> PAGE_SHIFT, &cobj->reclaim->purged);

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
	drm_gem_chunk_update_reclaim_locked(cobj);

	return 0;
}

static void drm_gem_chunk_put_pages_locked(struct drm_gem_chunk_object *cobj)
{
	dma_resv_assert_held(cobj->base.resv);

	if (drm_WARN_ON_ONCE(cobj->base.dev, !refcount_read(&cobj->pages_use_count)))
		return;

	/* The last use makes the object idle: reclaim may take it from here. */
	if (!refcount_dec_not_one(&cobj->pages_use_count)) {
		refcount_set(&cobj->pages_use_count, 0);
		drm_gem_chunk_update_reclaim_locked(cobj);
	}
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

	if (!drm_chunks_to_pages(cobj->chunks, cobj->nr_chunks, pages, npages)) {
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

/* Whether every run of @cobj maps in one piece for @dev */
static bool drm_gem_chunk_runs_fit(const struct drm_gem_chunk_object *cobj,
				   struct device *dev)
{
	size_t max_run = drm_chunks_max_run(dev);
	const struct drm_chunk *chunk;

	drm_chunk_for_each(chunk, cobj->chunks, cobj->nr_chunks)
		if (drm_chunk_size(chunk) > max_run)
			return false;

	return true;
}

/* Native objects only: populates, then maps per chunk or into one range. */
static int drm_gem_chunk_map_dma_locked(struct drm_gem_chunk_object *cobj,
					bool contiguous)
{
	struct drm_gem_object *obj = &cobj->base;
	struct device *dev = drm_dev_dma_dev(obj->dev);
	int ret;

	dma_resv_assert_held(obj->resv);

	if (cobj->dma_mapped)
		return 0;
	if (drm_gem_is_imported(obj))
		return -EINVAL;

	/* Storage allocated here is in runs the device maps in one piece. */
	if (!cobj->chunks)
		cobj->device_dma = true;
	ret = drm_gem_chunk_populate_locked(cobj);
	if (ret)
		return ret;
	if (!cobj->device_dma && !drm_gem_chunk_runs_fit(cobj, dev)) {
		drm_dbg_kms(obj->dev, "Runs too long for the device: no device_dma at creation\n");
		return -EIO;
	}

	if (contiguous)
		ret = drm_chunks_dma_link(dev, &cobj->dma_iova, cobj->chunks,
					  cobj->nr_chunks, DMA_BIDIRECTIONAL, 0);
	else
		ret = drm_chunks_dma_map(dev, cobj->chunks, cobj->nr_chunks,
					 DMA_BIDIRECTIONAL, 0);
	if (!ret)
		cobj->dma_mapped = true;
	/* The device keeps the object resident from here on. */
	drm_gem_chunk_update_reclaim_locked(cobj);

	return ret;
}

/**
 * drm_gem_chunk_dma_map_locked - Map a chunk GEM object for its device
 * @cobj: chunk GEM object
 *
 * Allocates the backing storage of a native object if needed, in runs the
 * device maps in one piece (&drm_gem_chunk_object.device_dma), and maps
 * every chunk for the DMA device of the &drm_device (drm_dev_dma_dev()),
 * filling &drm_chunk.dma_addr and handing the memory to the device. Storage
 * allocated before without &drm_gem_chunk_object.device_dma can hold runs
 * the device cannot map in one piece, and then fails with -EIO: set it when
 * the object is created. The mapping is
 * made once and kept until the object is freed; later calls return at once,
 * so use drm_gem_chunk_sync_for_device() and drm_gem_chunk_sync_for_cpu()
 * to hand the memory back and forth afterwards. Objects imported with
 * drm_gem_chunk_prime_import_sg_table() are mapped already. The caller holds
 * the object's reservation lock. Afterwards, walk
 * &drm_gem_chunk_object.chunks, e.g. with drm_chunk_for_each_dma_range().
 *
 * Returns:
 * 0 on success, -EINVAL for imports without mapping, -ENOMEM if memory is
 * short, or -EIO if a chunk cannot be mapped (one longer than the device
 * maps in one piece included).
 */
int drm_gem_chunk_dma_map_locked(struct drm_gem_chunk_object *cobj)
{
	return drm_gem_chunk_map_dma_locked(cobj, false);
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
 * drm_gem_chunk_dma_map_contiguous_locked - Map a chunk GEM object into one device range
 * @cobj: chunk GEM object
 *
 * Like drm_gem_chunk_dma_map_locked(), but asks for one contiguous range of
 * device addresses for the whole object: behind an IOMMU that supports the
 * two-step DMA API, the chunks are linked into a single IOVA range with
 * drm_chunks_dma_link(), so that a device that takes a list of address
 * ranges (descriptors, memory entries) needs one whatever the physical
 * fragmentation. Without an IOMMU, or where the IOMMU cannot give one range,
 * each chunk is mapped on its own as drm_gem_chunk_dma_map_locked() does;
 * an object that is mapped already stays as it is.
 * &drm_gem_chunk_object.dma_iova tells which way it went, and
 * drm_gem_chunk_dma_ranges() counts the ranges. The caller holds the
 * object's reservation lock.
 *
 * Returns:
 * 0 on success, also at once for an object imported with a mapping, whose
 * attachment holds its device addresses already; -EINVAL for an import
 * without mapping, -ENOMEM if memory is short, or -EIO if a chunk cannot be
 * mapped.
 */
int drm_gem_chunk_dma_map_contiguous_locked(struct drm_gem_chunk_object *cobj)
{
	return drm_gem_chunk_map_dma_locked(cobj, true);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_dma_map_contiguous_locked);

/**
 * drm_gem_chunk_dma_map_contiguous - Map a chunk GEM object into one device range
 * @cobj: chunk GEM object
 *
 * Like drm_gem_chunk_dma_map_contiguous_locked(), but takes the reservation
 * lock.
 *
 * Returns:
 * 0 on success, -EINTR or -ERESTARTSYS if interrupted while waiting for the
 * lock, or an error code of drm_gem_chunk_dma_map_contiguous_locked().
 */
int drm_gem_chunk_dma_map_contiguous(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;
	int ret;

	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		return ret;
	ret = drm_gem_chunk_dma_map_contiguous_locked(cobj);
	dma_resv_unlock(obj->resv);

	return ret;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_dma_map_contiguous);

/**
 * drm_gem_chunk_dma_ranges - Count the device address ranges of a mapped object
 * @cobj: chunk GEM object, mapped with drm_gem_chunk_dma_map() or
 *	drm_gem_chunk_dma_map_contiguous(), or imported with a mapping
 * @max_len: longest range the device takes in one entry, in bytes, a
 *	multiple of %PAGE_SIZE; 0 for no limit
 *
 * Counts the ranges drm_chunk_for_each_dma_range() reports, each split into
 * pieces of at most @max_len: the number of entries a device that takes a
 * list of address ranges needs for the object. Needs no lock once the object
 * is mapped: the mapping lasts until the object is freed.
 *
 * Returns:
 * The number of ranges, or 0 if the object is not mapped.
 */
unsigned int drm_gem_chunk_dma_ranges(const struct drm_gem_chunk_object *cobj,
				      size_t max_len)
{
	struct drm_chunk_dma_iter iter;
	unsigned long n = 0;

	if (!cobj->dma_mapped)
		return 0;

	drm_chunk_for_each_dma_range(&iter, cobj->chunks, cobj->nr_chunks) {
		size_t len = drm_chunk_dma_iter_length(&iter);

		n += max_len ? DIV_ROUND_UP(len, max_len) : 1;
	}

	return min_t(unsigned long, n, UINT_MAX);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_dma_ranges);

/**
 * drm_gem_chunk_sync_for_cpu - Hand a DMA-mapped chunk GEM object to the CPU
 * @cobj: chunk GEM object, native, mapped with drm_gem_chunk_dma_map() or
 *	drm_gem_chunk_dma_map_contiguous()
 * @dir: %DMA_FROM_DEVICE or %DMA_BIDIRECTIONAL: what the device wrote
 *
 * Call before the CPU reads what the device wrote, when the device is not
 * cache coherent or its mappings bounce through swiotlb. Needs no lock: the
 * mapping lasts until the object is freed.
 */
void drm_gem_chunk_sync_for_cpu(struct drm_gem_chunk_object *cobj,
				enum dma_data_direction dir)
{
	struct drm_gem_object *obj = &cobj->base;

	if (drm_WARN_ON_ONCE(obj->dev, !cobj->dma_mapped || drm_gem_is_imported(obj)))
		return;
	/* Only devices that need no handover are linked into one range. */
	if (dma_use_iova(&cobj->dma_iova))
		return;

	drm_chunks_sync_for_cpu(drm_dev_dma_dev(obj->dev), cobj->chunks,
				cobj->nr_chunks, dir);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_sync_for_cpu);

/**
 * drm_gem_chunk_sync_for_device - Hand a DMA-mapped chunk GEM object to its device
 * @cobj: chunk GEM object, native, mapped with drm_gem_chunk_dma_map() or
 *	drm_gem_chunk_dma_map_contiguous()
 * @dir: %DMA_TO_DEVICE or %DMA_BIDIRECTIONAL: what the CPU wrote
 *
 * Call after the CPU wrote and before the device reads, when the device is
 * not cache coherent or its mappings bounce through swiotlb. Needs no lock:
 * the mapping lasts until the object is freed.
 */
void drm_gem_chunk_sync_for_device(struct drm_gem_chunk_object *cobj,
				   enum dma_data_direction dir)
{
	struct drm_gem_object *obj = &cobj->base;

	if (drm_WARN_ON_ONCE(obj->dev, !cobj->dma_mapped || drm_gem_is_imported(obj)))
		return;
	/* Only devices that need no handover are linked into one range. */
	if (dma_use_iova(&cobj->dma_iova))
		return;

	drm_chunks_sync_for_device(drm_dev_dma_dev(obj->dev), cobj->chunks,
				   cobj->nr_chunks, dir);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_sync_for_device);

/**
 * drm_gem_chunk_page_at - Look up the page at a byte offset of a chunk GEM object
 * @cobj: chunk GEM object with its backing storage allocated
 * @offset: byte offset into the object
 *
 * For CPU access to single pages, e.g. fbdev deferred I/O. The chunk list of
 * an object does not change between its allocation (first pin, vmap, mmap or
 * DMA mapping) and the freeing of the object, so the caller needs no lock as
 * long as it holds such a use.
 *
 * Returns:
 * The page holding byte @offset, or NULL if @offset is past the end of the
 * object, the backing storage is not allocated, or the memory has no
 * &struct page (imports).
 */
struct page *drm_gem_chunk_page_at(struct drm_gem_chunk_object *cobj,
				   size_t offset)
{
	unsigned long pgoff = offset >> PAGE_SHIFT, first;
	const struct drm_chunk *chunk, *chunks;

	/* Pairs with smp_store_release() in drm_gem_chunk_publish(). */
	chunks = smp_load_acquire(&cobj->chunks);
	if (!chunks || offset >= cobj->base.size)
		return NULL;

	chunk = drm_gem_chunk_lookup(cobj, chunks, pgoff, &first);
	if (!chunk || !chunk->page)
		return NULL;

	return chunk->page + (pgoff - first);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_page_at);

/*
 * Purging
 */

/**
 * drm_gem_chunk_madvise_locked - Tell whether the contents of a chunk GEM object are needed
 * @cobj: chunk GEM object, native
 * @madv: 0 if the contents are needed again, above 0 if they may be
 *	discarded under memory pressure
 *
 * The counterpart of drm_gem_shmem_madvise_locked(), for drivers with a
 * madvise ioctl. An idle object marked with @madv above 0 goes on the
 * purgeable list, which the helper's shrinker purges before it evicts
 * anything (see drm_gem_chunk_purge_locked()). A purged object stays purged.
 * The caller holds the object's reservation lock.
 *
 * Returns:
 * 1 if the object still has its contents, 0 if it was purged.
 */
int drm_gem_chunk_madvise_locked(struct drm_gem_chunk_object *cobj, int madv)
{
	dma_resv_assert_held(cobj->base.resv);

	if (cobj->madv >= 0)
		cobj->madv = madv;
	drm_gem_chunk_update_reclaim_locked(cobj);

	return cobj->madv >= 0;
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_madvise_locked);

/**
 * drm_gem_chunk_purge_locked - Discard the contents of a chunk GEM object
 * @cobj: chunk GEM object, purgeable (drm_gem_chunk_is_purgeable())
 *
 * Frees the chunks and the backup of an object that its driver marked
 * purgeable with drm_gem_chunk_madvise_locked() and removes its mmap
 * offset, as drm_gem_shmem_purge_locked() does. The handle stays valid, but
 * every later use of the storage (pin, vmap, mmap, DMA mapping) fails with
 * -EFAULT. The helper's shrinker calls this for idle purgeable objects; a
 * driver may call it too. The caller holds the object's reservation lock.
 */
void drm_gem_chunk_purge_locked(struct drm_gem_chunk_object *cobj)
{
	struct drm_gem_object *obj = &cobj->base;

	dma_resv_assert_held(obj->resv);

	if (drm_WARN_ON(obj->dev, !drm_gem_chunk_is_purgeable(cobj)))
		return;

	drm_vma_node_unmap(&obj->vma_node, obj->dev->anon_inode->i_mapping);
	drm_gem_free_mmap_offset(obj);

	drm_gem_chunk_depopulate_locked(cobj);
	if (cobj->backup) {
		drm_gem_chunk_drop_backup(cobj);
		fput(cobj->backup);
		cobj->backup = NULL;
	}

	cobj->madv = -1;
	if (cobj->reclaim)
		atomic_long_add(obj->size >> PAGE_SHIFT, &cobj->reclaim->purged);
	drm_gem_chunk_update_reclaim_locked(cobj);
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_purge_locked);

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

/*
 * Maps the pages of @chunk that lie in the PMD-aligned window of the
 * faulting address and inside the VMA: one fault then maps up to 2 MiB,
 * without holding anything long however large the chunk is.
 */
static vm_fault_t drm_gem_chunk_insert_ptes(struct vm_fault *vmf,
					    const struct drm_chunk *chunk,
					    unsigned long idx)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long win = ALIGN_DOWN(vmf->address, PMD_SIZE);
	unsigned long start = max(win, vma->vm_start);
	unsigned long end = min(win + PMD_SIZE, vma->vm_end);
	/* where page 0 of the chunk is, or would be, mapped */
	unsigned long base = vmf->address - (idx << PAGE_SHIFT);
	unsigned long pfn = page_to_pfn(chunk->page);
	unsigned long lo, hi, i;
	vm_fault_t ret;

	ret = vmf_insert_pfn(vma, vmf->address, pfn + idx);
	if (ret != VM_FAULT_NOPAGE)
		return ret;

	lo = idx - min((vmf->address - start) >> PAGE_SHIFT, idx);
	hi = idx + min((end - vmf->address) >> PAGE_SHIFT, chunk->npages - idx);
	for (i = lo; i < hi; i++) {
		if (i == idx)
			continue;
		if (vmf_insert_pfn(vma, base + (i << PAGE_SHIFT), pfn + i) != VM_FAULT_NOPAGE)
			break;
	}

	return ret;
}

#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
static vm_fault_t drm_gem_chunk_insert_pmd(struct vm_fault *vmf,
					   const struct drm_chunk *chunk,
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
					   const struct drm_chunk *chunk,
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
	const struct drm_chunk *chunk, *chunks;
	unsigned long first;

	if (order && order != PMD_ORDER)
		return VM_FAULT_FALLBACK;

	/*
	 * The mapping holds a use: the list is published and stays. Pairs
	 * with smp_store_release() in drm_gem_chunk_publish().
	 */
	chunks = smp_load_acquire(&cobj->chunks);
	if (pgoff >= obj->size >> PAGE_SHIFT || drm_WARN_ON_ONCE(obj->dev, !chunks))
		return VM_FAULT_SIGBUS;

	chunk = drm_gem_chunk_lookup(cobj, chunks, pgoff, &first);
	if (drm_WARN_ON_ONCE(obj->dev, !chunk || !chunk->page))
		return VM_FAULT_SIGBUS;

	if (order)
		return drm_gem_chunk_insert_pmd(vmf, chunk, pgoff - first);

	return drm_gem_chunk_insert_ptes(vmf, chunk, pgoff - first);
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
	/* dma_use_iova() takes no const state. */
	struct dma_iova_state iova = cobj->dma_iova;

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
	if (cobj->dma_mapped)
		drm_printf_indent(p, indent, "dma_ranges=%u (%s)\n",
				  drm_gem_chunk_dma_ranges(cobj, 0),
				  dma_use_iova(&iova) ? "one IOVA range" :
				  "mapped per chunk");
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
	drm_printf_indent(p, indent, "reclaim=%s\n",
			  cobj->madv < 0 ? "purged" :
			  cobj->backup_pages && !cobj->chunks ? "evicted" :
			  cobj->backup_pages ? "partly evicted" :
			  !cobj->chunks ? "unpopulated" :
			  READ_ONCE(obj->lru) ? "idle" : "in use");
	drm_printf_indent(p, indent, "madv=%d\n", cobj->madv);
	drm_printf_indent(p, indent, "backup_pages=%lu\n", cobj->backup_pages);
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
	const struct drm_chunk *chunks = READ_ONCE(cobj->chunks);

	if (drm_WARN_ON(obj->dev, drm_gem_is_imported(obj) || !chunks))
		return ERR_PTR(-EINVAL);

	return drm_chunks_to_sgt(chunks, cobj->nr_chunks,
				 min_t(size_t, dma_max_mapping_size(dev),
				       dma_get_max_seg_size(dev)));
}

/**
 * drm_gem_chunk_get_sg_table - Build a scatter/gather table for a chunk GEM object
 * @cobj: chunk GEM object, native, with its backing storage pinned
 *
 * Builds a new, unmapped sg_table from the chunks of @cobj. Runs longer than
 * a scatterlist entry, dma_max_mapping_size() or the maximum segment size of
 * the DMA device of the &drm_device (drm_dev_dma_dev()) are split. PRIME
 * export does not use this: it builds a table for each importing device, see
 * drm_gem_chunk_prime_export(). Drivers that need device addresses for their
 * own device use drm_gem_chunk_dma_map() instead.
 *
 * Returns:
 * The table on success, ERR_PTR(-EINVAL) if the object is imported or has
 * no backing storage, or ERR_PTR(-ENOMEM).
 */
struct sg_table *drm_gem_chunk_get_sg_table(struct drm_gem_chunk_object *cobj)
{
	return drm_gem_chunk_sgt_for(cobj, drm_dev_dma_dev(cobj->base.dev));
}
EXPORT_SYMBOL_GPL(drm_gem_chunk_get_sg_table);

/*
 * The exporter does not know its importers: a table built once for the
 * exporting device can hold segments longer than an importer can map (the
 * DMA-API debugging code reports those). Each attachment gets its own, kept
 * in &dma_buf_attachment.priv while mapped so that CPU access can sync it.
 * An attachment is mapped once at a time, as the system heap's are: a
 * second table would be missed by the syncs.
 */
static struct sg_table *drm_gem_chunk_map_dma_buf(struct dma_buf_attachment *attach,
						  enum dma_data_direction dir)
{
	struct drm_gem_object *obj = attach->dmabuf->priv;
	struct sg_table *sgt;
	int ret;

	if (WARN_ON(dir == DMA_NONE))
		return ERR_PTR(-EINVAL);
	if (attach->priv)
		return ERR_PTR(-EBUSY);

	/* drm_gem_map_attach() pinned the chunks. */
	sgt = drm_gem_chunk_sgt_for(to_drm_gem_chunk_obj(obj), attach->dev);
	if (IS_ERR(sgt))
		return sgt;

	/* Hands the CPU's writes to the importer's device. */
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret) {
		sg_free_table(sgt);
		kfree(sgt);
		return ERR_PTR(ret);
	}
	attach->priv = sgt;

	return sgt;
}

static void drm_gem_chunk_unmap_dma_buf(struct dma_buf_attachment *attach,
					struct sg_table *sgt,
					enum dma_data_direction dir)
{
	/*
	 * Hands the device's writes back to the CPU, as the system heap's
	 * unmap does: the memory outlives the mapping. See the PRIME section
	 * for what this means for CPU writes made outside of a CPU access.
	 */
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
	attach->priv = NULL;
}

/*
 * DMA_BUF_IOCTL_SYNC and dma_buf_begin/end_cpu_access(): hand the memory
 * over between the CPU and every importer that has it mapped, once the
 * devices are done with it. dma_buf_begin_cpu_access() waits for the
 * fences only after calling this, and dma_buf_end_cpu_access() not at all:
 * a sync before the wait would copy a bounce buffer back, or invalidate the
 * caches, while a device still writes, or hand the CPU's writes to a device
 * still reading. The end of CPU access cannot fail for its callers
 * (drm_gem_fb_end_cpu_access() ignores the result), so it waits without
 * being interruptible.
 */
static int drm_gem_chunk_dmabuf_sync(struct dma_buf *dma_buf,
				     enum dma_data_direction dir, bool for_cpu)
{
	/* As __dma_buf_begin_cpu_access(): a CPU that writes waits for readers. */
	bool write = dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE;
	struct dma_buf_attachment *attach;
	long timeout;
	int ret = 0;

	if (for_cpu) {
		ret = dma_resv_lock_interruptible(dma_buf->resv, NULL);
		if (ret)
			return ret;
	} else {
		dma_resv_lock(dma_buf->resv, NULL);
	}

	timeout = dma_resv_wait_timeout(dma_buf->resv, dma_resv_usage_rw(write),
					for_cpu, MAX_SCHEDULE_TIMEOUT);
	if (timeout < 0) {
		ret = timeout;
		goto out_unlock;
	}

	list_for_each_entry(attach, &dma_buf->attachments, node) {
		struct sg_table *sgt = attach->priv;

		if (!sgt)
			continue;
		if (for_cpu)
			dma_sync_sgtable_for_cpu(attach->dev, sgt, dir);
		else
			dma_sync_sgtable_for_device(attach->dev, sgt, dir);
	}

out_unlock:
	dma_resv_unlock(dma_buf->resv);

	return ret;
}

static int drm_gem_chunk_begin_cpu_access(struct dma_buf *dma_buf,
					  enum dma_data_direction dir)
{
	return drm_gem_chunk_dmabuf_sync(dma_buf, dir, true);
}

static int drm_gem_chunk_end_cpu_access(struct dma_buf *dma_buf,
					enum dma_data_direction dir)
{
	return drm_gem_chunk_dmabuf_sync(dma_buf, dir, false);
}

static const struct dma_buf_ops drm_gem_chunk_dmabuf_ops = {
	.attach = drm_gem_map_attach,
	.detach = drm_gem_map_detach,
	.map_dma_buf = drm_gem_chunk_map_dma_buf,
	.unmap_dma_buf = drm_gem_chunk_unmap_dma_buf,
	.begin_cpu_access = drm_gem_chunk_begin_cpu_access,
	.end_cpu_access = drm_gem_chunk_end_cpu_access,
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
		/*
		 * What drm_gem_prime_export() names its dma-bufs (it is built
		 * into drm.ko): fdinfo and /sys/kernel/dmabuf show the exporter
		 * name to tools and people, and it stays as the shmem helper's
		 * drivers had it.
		 */
		.exp_name = "drm",
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
 * DMA-contiguous segments, with drm_chunks_from_sgt(); sg_page() is
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
	const struct drm_chunk *chunk;
	struct drm_chunk *chunks;
	unsigned long npages = 0;
	unsigned int nr;
	int ret;

	chunks = drm_chunks_from_sgt(sgt, &nr);
	if (IS_ERR(chunks))
		return ERR_CAST(chunks);

	drm_chunk_for_each(chunk, chunks, nr)
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

	attach = dma_buf_attach(dma_buf, drm_dev_dma_dev(dev));
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

#if IS_ENABLED(CONFIG_KUNIT)
static struct drm_gem_chunk_reclaim *drm_gem_chunk_reclaim_lookup(struct drm_device *dev)
{
	struct drm_gem_chunk_reclaim *reclaim;

	mutex_lock(&drm_gem_chunk_reclaims_lock);
	reclaim = drm_gem_chunk_reclaim_find(dev);
	mutex_unlock(&drm_gem_chunk_reclaims_lock);

	return reclaim;
}

/*
 * The shrinker's count and scan for @dev, as reclaim calls them, with swap
 * space assumed (KUnit boots have none; the backup lives in memory then).
 */
unsigned long drm_gem_chunk_reclaim_count(struct drm_device *dev)
{
	struct drm_gem_chunk_reclaim *reclaim = drm_gem_chunk_reclaim_lookup(dev);

	return reclaim ? __drm_gem_chunk_count(reclaim, true) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(drm_gem_chunk_reclaim_count);

unsigned long drm_gem_chunk_reclaim_scan(struct drm_device *dev,
					 unsigned long nr_to_scan)
{
	struct drm_gem_chunk_reclaim *reclaim = drm_gem_chunk_reclaim_lookup(dev);

	return reclaim ? drm_gem_chunk_scan_as_reclaim(reclaim, nr_to_scan) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(drm_gem_chunk_reclaim_scan);
#endif

MODULE_DESCRIPTION("DRM GEM helpers for objects backed by chunk lists");
MODULE_IMPORT_NS("DMA_BUF");
MODULE_LICENSE("GPL");
