// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test suite for GEM objects backed by chunk lists
 */

#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mman.h>
#include <linux/pgtable.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>

#include <kunit/device.h>
#include <kunit/test.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_chunk_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_mode.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

#include "drm_chunk_kunit.h"

MODULE_IMPORT_NS("DMA_BUF");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

#define TEST_SIZE		SZ_1M
#define TEST_BYTE		0xae
#define TEST_BIG_SIZE		SZ_64M

/*
 * Wrappers to avoid cast warnings when passing action functions
 * directly to kunit_add_action().
 */
KUNIT_DEFINE_ACTION_WRAPPER(kfree_wrapper, kfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(sg_free_table_wrapper, sg_free_table,
			    struct sg_table *);
KUNIT_DEFINE_ACTION_WRAPPER(drm_gem_chunk_unpin_wrapper, drm_gem_chunk_unpin,
			    struct drm_gem_chunk_object *);
KUNIT_DEFINE_ACTION_WRAPPER(drm_gem_object_put_wrapper, drm_gem_object_put,
			    struct drm_gem_object *);
KUNIT_DEFINE_ACTION_WRAPPER(dma_buf_put_wrapper, dma_buf_put, struct dma_buf *);
KUNIT_DEFINE_ACTION_WRAPPER(fput_wrapper, fput, struct file *);

/*
 * Files put from a kthread are released from a work item: release them, and
 * what their release puts in turn, before the test ends.
 */
static void drm_gem_chunk_test_flush_fput(void *unused)
{
	int i;

	for (i = 0; i < 3; i++)
		flush_delayed_fput();
}

DEFINE_DRM_GEM_FOPS(drm_gem_chunk_test_fops);

static const struct drm_driver drm_gem_chunk_test_driver = {
	.driver_features = DRIVER_GEM,
	.fops = &drm_gem_chunk_test_fops,
	.gem_prime_import_sg_table = drm_gem_chunk_prime_import_sg_table,
	DRM_GEM_CHUNK_DRIVER_OPS,
};

static struct drm_device *drm_gem_chunk_test_alloc_drm(struct kunit *test,
						       const char *name,
						       const struct drm_driver *driver)
{
	struct drm_device *drm;
	struct device *dev;
	int ret;

	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);

	/* Device addresses above 4 GiB must be fine for every test. */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	KUNIT_ASSERT_EQ(test, ret, 0);

	drm = __drm_kunit_helper_alloc_drm_device_with_driver(test, dev, sizeof(*drm),
							      0, driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm);

	return drm;
}

static struct drm_gem_chunk_object *drm_gem_chunk_test_create(struct kunit *test,
							      struct drm_device *drm,
							      size_t size)
{
	struct drm_gem_chunk_object *cobj;
	int ret;

	cobj = drm_gem_chunk_create(drm, size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cobj);

	ret = kunit_add_action_or_reset(test, drm_gem_object_put_wrapper, &cobj->base);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return cobj;
}

static struct drm_file *drm_gem_chunk_test_file(struct kunit *test,
						struct drm_device *drm)
{
	struct file *file;
	int ret;

	file = mock_drm_getfile(drm->primary, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);

	ret = kunit_add_action_or_reset(test, drm_gem_chunk_test_flush_fput, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, fput_wrapper, file);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return file->private_data;
}

/*
 * Test creating a chunk GEM object. The test case succeeds if the object
 * has the requested size, the default object functions and an mmap offset,
 * and no backing storage yet (allocation is lazy).
 */
static void drm_gem_chunk_test_obj_create(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;

	cobj = drm_gem_chunk_test_create(test, drm, TEST_SIZE);
	KUNIT_EXPECT_EQ(test, cobj->base.size, TEST_SIZE);
	KUNIT_EXPECT_NOT_NULL(test, cobj->base.funcs);
	KUNIT_EXPECT_NULL(test, cobj->base.filp);
	KUNIT_EXPECT_NULL(test, cobj->chunks);
	KUNIT_EXPECT_EQ(test, cobj->nr_chunks, 0);
	KUNIT_EXPECT_NE(test, drm_vma_node_offset_addr(&cobj->base.vma_node), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_object_status(&cobj->base), 0);
}

struct drm_gem_chunk_test_size_case {
	const char *name;
	size_t size;
};

static const struct drm_gem_chunk_test_size_case drm_gem_chunk_test_size_cases[] = {
	{ "zero", 0 },
	{ "one byte", 1 },
	{ "page plus one", PAGE_SIZE + 1 },
	{ "page minus one", PAGE_SIZE - 1 },
	{ "SIZE_MAX", SIZE_MAX },
	{ "SIZE_MAX page aligned", SIZE_MAX & PAGE_MASK },
};

KUNIT_ARRAY_PARAM_DESC(drm_gem_chunk_test_size, drm_gem_chunk_test_size_cases, name);

/*
 * Test that invalid sizes are rejected. The test case succeeds if creating
 * an object of zero, non-page-aligned or overflowing size fails with
 * -EINVAL.
 */
static void drm_gem_chunk_test_obj_create_invalid(struct kunit *test)
{
	const struct drm_gem_chunk_test_size_case *params = test->param_value;
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;

	cobj = drm_gem_chunk_create(drm, params->size);
	KUNIT_EXPECT_EQ(test, PTR_ERR(cobj), -EINVAL);
}

struct drm_gem_chunk_test_wrapper {
	struct drm_gem_chunk_object cobj;
	unsigned int magic;
};

static struct drm_gem_object *drm_gem_chunk_test_create_object(struct drm_device *dev,
							       size_t size)
{
	struct drm_gem_chunk_test_wrapper *w;

	w = kzalloc_obj(*w);
	if (!w)
		return ERR_PTR(-ENOMEM);
	w->magic = 0xc0ffee;
	w->cobj.map_wc = true;

	return &w->cobj.base;
}

/*
 * Test that &drm_driver.gem_create_object is respected. The test case
 * succeeds if the object is allocated by the driver hook, gets the default
 * object functions, and its write-combined backing storage can be mapped,
 * written and read back.
 */
static void drm_gem_chunk_test_obj_create_hook(struct kunit *test)
{
	static const struct drm_driver driver = {
		.driver_features = DRIVER_GEM,
		.fops = &drm_gem_chunk_test_fops,
		.gem_create_object = drm_gem_chunk_test_create_object,
	};
	struct drm_gem_chunk_test_wrapper *w;
	struct drm_gem_chunk_object *cobj;
	struct drm_device *drm;
	struct iosys_map map;
	int ret;

	drm = drm_gem_chunk_test_alloc_drm(test, "drm-gem-chunk-hook", &driver);
	cobj = drm_gem_chunk_test_create(test, drm, TEST_SIZE);
	w = container_of(cobj, struct drm_gem_chunk_test_wrapper, cobj);
	KUNIT_EXPECT_EQ(test, w->magic, 0xc0ffee);
	KUNIT_EXPECT_NOT_NULL(test, cobj->base.funcs);
	KUNIT_EXPECT_TRUE(test, cobj->map_wc);

	ret = drm_gem_chunk_vmap(cobj, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	iosys_map_memset(&map, 0, TEST_BYTE, TEST_SIZE);
	KUNIT_EXPECT_EQ(test, iosys_map_rd(&map, TEST_SIZE - 1, u8), TEST_BYTE);
	drm_gem_chunk_vunmap(cobj, &map);
}

/*
 * Test the native allocation of a 64 MiB object its device maps, after an
 * object of the same size was filled and freed, so that its memory most
 * likely comes back. The test case succeeds, on any machine however
 * fragmented, if the chunks cover the object exactly, none is longer than
 * its DMA device can map in one piece, and every page is zeroed.
 */
static void drm_gem_chunk_test_alloc_big(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	size_t max_run = drm_chunks_max_run(drm_dev_dma_dev(drm));
	struct drm_gem_chunk_object *cobj;
	const struct drm_chunk *chunk;
	unsigned long longest = 0;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, TEST_BIG_SIZE);
	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	drm_chunk_kunit_fill(cobj->chunks, cobj->nr_chunks, TEST_BYTE);
	drm_gem_chunk_unpin(cobj);
	kunit_release_action(test, drm_gem_object_put_wrapper, &cobj->base);

	cobj = drm_gem_chunk_test_create(test, drm, TEST_BIG_SIZE);
	cobj->device_dma = true;
	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_chunk_unpin_wrapper, cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);

	drm_chunk_for_each(chunk, cobj->chunks, cobj->nr_chunks)
		longest = max(longest, chunk->npages);
	kunit_info(test, "64 MiB object: %u chunks, longest %lu KiB\n",
		   cobj->nr_chunks, longest << (PAGE_SHIFT - 10));

	KUNIT_EXPECT_EQ(test, drm_chunk_kunit_npages(cobj->chunks, cobj->nr_chunks),
			TEST_BIG_SIZE >> PAGE_SHIFT);
	KUNIT_EXPECT_LE(test, longest << PAGE_SHIFT, max_run);
	KUNIT_EXPECT_EQ(test, drm_chunk_kunit_nonzero_pages(cobj->chunks, cobj->nr_chunks), 0);
}

/*
 * Test the count of pages the helper holds. The test case succeeds if
 * creating objects allocates nothing, their first pin adds their pages to
 * the count, unpinning keeps them, and freeing them (one of them
 * write-combined) brings the count back.
 */
static void drm_gem_chunk_test_nr_pages(struct kunit *test)
{
	const size_t size = SZ_4M + PAGE_SIZE, wc_size = SZ_1M;
	const long npages = (size + wc_size) >> PAGE_SHIFT;
	struct drm_gem_chunk_object *cobj, *wc;
	struct drm_device *drm = test->priv;
	long before;
	int ret;

	before = drm_chunks_nr_pages();
	cobj = drm_gem_chunk_test_create(test, drm, size);
	wc = drm_gem_chunk_test_create(test, drm, wc_size);
	wc->map_wc = true;
	KUNIT_EXPECT_EQ(test, drm_chunks_nr_pages(), before);

	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	drm_gem_chunk_unpin(cobj);
	ret = drm_gem_chunk_pin(wc);
	KUNIT_ASSERT_EQ(test, ret, 0);
	drm_gem_chunk_unpin(wc);
	KUNIT_EXPECT_EQ(test, drm_chunks_nr_pages(), before + npages);

	kunit_release_action(test, drm_gem_object_put_wrapper, &wc->base);
	kunit_release_action(test, drm_gem_object_put_wrapper, &cobj->base);
	KUNIT_EXPECT_EQ(test, drm_chunks_nr_pages(), before);
}

#ifdef CONFIG_X86
/* The caching bits of the kernel's mapping at @vaddr, as in a 4 KiB PTE */
static unsigned long drm_gem_chunk_test_caching(const void *vaddr)
{
	unsigned int level;
	pgprot_t prot;
	pte_t *pte;

	pte = lookup_address((unsigned long)vaddr, &level);
	if (!pte)
		return ~0UL;
	prot = pte_pgprot(*pte);
	if (level != PG_LEVEL_4K)
		prot = pgprot_large_2_4k(prot);

	return pgprot_val(prot) & _PAGE_CACHE_MASK;
}

/* The number of pages of a chunk list whose linear map is not in @mode */
static unsigned long drm_gem_chunk_test_not_cached(const struct drm_chunk *chunks,
						   unsigned int nr_chunks,
						   enum page_cache_mode mode)
{
	struct drm_chunk_page_iter iter;
	unsigned long n = 0;

	drm_chunk_for_each_page(&iter, chunks, nr_chunks, 0)
		if (drm_gem_chunk_test_caching(page_address(drm_chunk_page_iter_page(&iter))) !=
		    cachemode2protval(mode))
			n++;

	return n;
}

/*
 * Test the caching of the kernel's mappings of an object's memory (x86):
 * a write-combined object's pages are write-combined in the linear map too
 * while it holds them, and the page allocator must get them back
 * write-back. The test case succeeds if every page of a write-combined
 * object of several chunks is mapped write-combined in the linear map once
 * its storage is allocated and in its vmap, and write-back in the linear
 * map once the object is freed, and the pages of an object that is not
 * write-combined stay write-back.
 */
static void drm_gem_chunk_test_wc_linear_map(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj, *wc;
	unsigned long offset, not_wc = 0;
	struct drm_chunk *chunks;
	struct iosys_map map;
	unsigned int nr;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_1M);
	wc = drm_gem_chunk_test_create(test, drm, SZ_4M + PAGE_SIZE);
	wc->map_wc = true;

	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_chunk_unpin_wrapper, cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = drm_gem_chunk_pin(wc);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_chunk_unpin_wrapper, wc);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_EXPECT_EQ(test, drm_gem_chunk_test_not_cached(cobj->chunks, cobj->nr_chunks,
							    _PAGE_CACHE_MODE_WB), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_test_not_cached(wc->chunks, wc->nr_chunks,
							    _PAGE_CACHE_MODE_WC), 0);

	ret = drm_gem_chunk_vmap(wc, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_GT(test, wc->nr_chunks, 1);
	for (offset = 0; offset < wc->base.size; offset += PAGE_SIZE)
		if (drm_gem_chunk_test_caching(map.vaddr + offset) !=
		    cachemode2protval(_PAGE_CACHE_MODE_WC))
			not_wc++;
	KUNIT_EXPECT_EQ_MSG(test, not_wc, 0, "pages of the vmap not write-combined");
	drm_gem_chunk_vunmap(wc, &map);

	nr = wc->nr_chunks;
	chunks = kunit_kmalloc_array(test, nr, sizeof(*chunks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, chunks);
	memcpy(chunks, wc->chunks, array_size(nr, sizeof(*chunks)));
	kunit_release_action(test, drm_gem_chunk_unpin_wrapper, wc);
	kunit_release_action(test, drm_gem_object_put_wrapper, &wc->base);

	KUNIT_EXPECT_EQ(test, drm_gem_chunk_test_not_cached(chunks, nr, _PAGE_CACHE_MODE_WB), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_test_not_cached(cobj->chunks, cobj->nr_chunks,
							    _PAGE_CACHE_MODE_WB), 0);
}
#else
static void drm_gem_chunk_test_wc_linear_map(struct kunit *test)
{
	kunit_skip(test, "only x86 makes the linear map of write-combined objects write-combined");
}
#endif

/*
 * Test pinning a chunk GEM object. The test case succeeds if the first pin
 * allocates the backing storage, pins and uses are counted, and the storage
 * stays allocated after the last unpin.
 */
static void drm_gem_chunk_test_pin(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, TEST_SIZE);

	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, cobj->chunks);
	KUNIT_EXPECT_GE(test, cobj->nr_chunks, 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_pin_count), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_use_count), 1);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_object_status(&cobj->base),
			DRM_GEM_OBJECT_RESIDENT);

	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_pin_count), 2);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_use_count), 1);

	drm_gem_chunk_unpin(cobj);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_pin_count), 1);
	drm_gem_chunk_unpin(cobj);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_pin_count), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_use_count), 0);
	KUNIT_EXPECT_NOT_NULL(test, cobj->chunks);
}

/*
 * Test pinning through the GEM object functions, as PRIME attach does. The
 * test case succeeds if &drm_gem_object_funcs.pin and .unpin, called with
 * the reservation lock held, reach the helper and update the pin count.
 */
static void drm_gem_chunk_test_pin_funcs(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, TEST_SIZE);

	dma_resv_lock(cobj->base.resv, NULL);
	ret = cobj->base.funcs->pin(&cobj->base);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_pin_count), 1);
	if (!ret)
		cobj->base.funcs->unpin(&cobj->base);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_pin_count), 0);
	dma_resv_unlock(cobj->base.resv);
}

/*
 * Test creating a kernel mapping of a chunk GEM object. The test case
 * succeeds if the mapping is counted, pins the object, lets a test pattern
 * be written and read back, and is released with the last vunmap.
 */
static void drm_gem_chunk_test_vmap(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	struct iosys_map map, map2;
	int ret, i;

	cobj = drm_gem_chunk_test_create(test, drm, TEST_SIZE);
	KUNIT_EXPECT_NULL(test, cobj->vaddr);

	ret = drm_gem_chunk_vmap(cobj, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, cobj->vaddr);
	KUNIT_ASSERT_FALSE(test, iosys_map_is_null(&map));
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->vmap_use_count), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_pin_count), 1);

	ret = drm_gem_chunk_vmap(cobj, &map2);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_PTR_EQ(test, map2.vaddr, map.vaddr);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->vmap_use_count), 2);
	drm_gem_chunk_vunmap(cobj, &map2);

	iosys_map_memset(&map, 0, TEST_BYTE, TEST_SIZE);
	for (i = 0; i < TEST_SIZE; i += 997)
		KUNIT_EXPECT_EQ(test, iosys_map_rd(&map, i, u8), TEST_BYTE);

	drm_gem_chunk_vunmap(cobj, &map);
	KUNIT_EXPECT_NULL(test, cobj->vaddr);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->vmap_use_count), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_pin_count), 0);
}

/*
 * Test that the kernel mapping of a large object maps the chunks in order,
 * through drm_gem_vmap() as drm_gem_fb_vmap() does. The test case succeeds
 * if a value written at every page through the mapping is found in the page
 * that drm_gem_chunk_page_at() returns for that offset.
 */
static void drm_gem_chunk_test_vmap_pages(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	struct iosys_map map;
	size_t offset;
	u32 *vaddr;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_8M);

	ret = drm_gem_vmap(&cobj->base, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);

	for (offset = 0; offset < SZ_8M; offset += PAGE_SIZE)
		iosys_map_wr(&map, offset + 8, u32, offset / PAGE_SIZE + 1);

	for (offset = 0; offset < SZ_8M; offset += PAGE_SIZE) {
		struct page *page = drm_gem_chunk_page_at(cobj, offset + 8);

		KUNIT_ASSERT_NOT_NULL(test, page);
		vaddr = kmap_local_page(page);
		KUNIT_EXPECT_EQ(test, vaddr[2], offset / PAGE_SIZE + 1);
		kunmap_local(vaddr);
	}

	drm_gem_vunmap(&cobj->base, &map);
}

/*
 * Test looking up pages by byte offset. The test case succeeds if there is
 * no page before the backing storage exists or past the end of the object,
 * and every offset maps to the page the page iterator visits at its index.
 */
static void drm_gem_chunk_test_page_at(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	struct drm_chunk_page_iter iter;
	unsigned long n = 0;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_4M);
	KUNIT_EXPECT_NULL(test, drm_gem_chunk_page_at(cobj, 0));

	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_chunk_unpin_wrapper, cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);

	drm_chunk_for_each_page(&iter, cobj->chunks, cobj->nr_chunks, 0) {
		unsigned long idx = drm_chunk_page_iter_index(&iter);

		KUNIT_EXPECT_EQ(test, idx, n);
		KUNIT_EXPECT_PTR_EQ(test, drm_gem_chunk_page_at(cobj, idx * PAGE_SIZE),
				    drm_chunk_page_iter_page(&iter));
		KUNIT_EXPECT_PTR_EQ(test, drm_gem_chunk_page_at(cobj, idx * PAGE_SIZE + 100),
				    drm_chunk_page_iter_page(&iter));
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, SZ_4M >> PAGE_SHIFT);
	KUNIT_EXPECT_NOT_NULL(test, drm_gem_chunk_page_at(cobj, SZ_4M - 1));
	KUNIT_EXPECT_NULL(test, drm_gem_chunk_page_at(cobj, SZ_4M));
}

/*
 * Test mapping a chunk GEM object for its device. The test case succeeds if
 * every chunk gets the device address of its pages (identity on the mock
 * device), a second call keeps the mapping, and the object is freed while
 * still mapped without complaint.
 */
static void drm_gem_chunk_test_dma_map(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	const struct drm_chunk *chunk;
	dma_addr_t first;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_4M);
	KUNIT_EXPECT_FALSE(test, cobj->dma_mapped);

	ret = drm_gem_chunk_dma_map(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, cobj->dma_mapped);
	KUNIT_ASSERT_NOT_NULL(test, cobj->chunks);
	first = cobj->chunks[0].dma_addr;

	drm_chunk_for_each(chunk, cobj->chunks, cobj->nr_chunks) {
		KUNIT_EXPECT_NE(test, chunk->dma_addr, DMA_MAPPING_ERROR);
		if (!is_swiotlb_force_bounce(drm->dev))
			KUNIT_EXPECT_EQ(test, chunk->dma_addr,
					phys_to_dma(drm->dev, page_to_phys(chunk->page)));
	}

	ret = drm_gem_chunk_dma_map(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, cobj->chunks[0].dma_addr, first);
}

/*
 * Test freeing objects with mappings outstanding. The test case succeeds if
 * an object that is DMA-mapped, was pinned, kernel-mapped and exported as a
 * scatter/gather table, and an object whose backing storage was never
 * allocated, are both freed cleanly.
 */
static void drm_gem_chunk_test_free_mapped(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj, *unused;
	struct iosys_map map;
	struct sg_table *sgt;
	int ret;

	cobj = drm_gem_chunk_create(drm, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cobj);
	/* Mapped for the device after its storage exists: say so at once. */
	cobj->device_dma = true;
	unused = drm_gem_chunk_create(drm, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, unused);

	ret = drm_gem_chunk_vmap(cobj, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = drm_gem_chunk_dma_map(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	sgt = drm_gem_chunk_get_sg_table(cobj);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	sg_free_table(sgt);
	kfree(sgt);
	drm_gem_chunk_vunmap(cobj, &map);

	drm_gem_object_put(&cobj->base);
	drm_gem_object_put(&unused->base);
}

/*
 * Test building a scatter/gather table of a pinned object. The test case
 * succeeds if the table lists the pages of the object in order, is as long
 * as the object, and splits the chunks only as far as the device's maximum
 * segment size requires.
 */
static void drm_gem_chunk_test_get_sg_table(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	unsigned int max_seg = dma_get_max_seg_size(drm->dev);
	struct drm_gem_chunk_object *cobj;
	struct sg_page_iter piter;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned long n = 0;
	unsigned int i;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_4M);

	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_chunk_unpin_wrapper, cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);

	sgt = drm_gem_chunk_object_get_sg_table(&cobj->base);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	ret = kunit_add_action_or_reset(test, kfree_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, sg_free_table_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_EXPECT_LE(test, sgt->orig_nents, cobj->nr_chunks + SZ_4M / max_seg);
	for_each_sgtable_sg(sgt, sg, i)
		KUNIT_EXPECT_LE(test, sg->length, max_seg);
	for_each_sgtable_page(sgt, &piter, 0) {
		KUNIT_EXPECT_PTR_EQ(test, sg_page_iter_page(&piter),
				    drm_gem_chunk_page_at(cobj, n * PAGE_SIZE));
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, SZ_4M >> PAGE_SHIFT);
}

struct drm_gem_chunk_test_printer {
	char buf[512];
	size_t len;
};

static void drm_gem_chunk_test_printfn(struct drm_printer *p, struct va_format *vaf)
{
	struct drm_gem_chunk_test_printer *out = p->arg;

	out->len += vscnprintf(out->buf + out->len, sizeof(out->buf) - out->len,
			       vaf->fmt, *vaf->va);
}

/*
 * Test the debugfs information of a chunk GEM object. The test case
 * succeeds if the output says it is a chunk object, with its number of
 * chunks and pages, and whether it is imported and DMA-mapped.
 */
static void drm_gem_chunk_test_print_info(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_test_printer out = { };
	struct drm_printer p = {
		.printfn = drm_gem_chunk_test_printfn,
		.arg = &out,
	};
	struct drm_gem_chunk_object *cobj;
	char expected[96];
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, TEST_SIZE);
	ret = drm_gem_chunk_dma_map(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);

	drm_gem_chunk_object_print_info(&p, 1, &cobj->base);
	kunit_info(test, "%s", out.buf);

	snprintf(expected, sizeof(expected),
		 "chunk object: %u chunks, %lu pages, %zu bytes of chunk list",
		 cobj->nr_chunks, (unsigned long)TEST_SIZE >> PAGE_SHIFT,
		 cobj->nr_chunks * sizeof(struct drm_chunk));
	KUNIT_EXPECT_NOT_NULL(test, strstr(out.buf, expected));
	KUNIT_EXPECT_NOT_NULL(test, strstr(out.buf, "dma_mapped=yes"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(out.buf, "pages_pin_count=0"));
}

struct drm_gem_chunk_test_dumb_case {
	const char *name;
	u32 width, height, bpp;
	int ret;
	u32 pitch;
	u64 size;
};

static const struct drm_gem_chunk_test_dumb_case drm_gem_chunk_test_dumb_cases[] = {
	{ "1024x768x32", 1024, 768, 32, 0, 4096, 4096 * 768 },
	{ "odd size", 3, 5, 24, 0, 9, PAGE_SIZE },
	{ "zero width", 0, 768, 32, -EINVAL },
	{ "pitch overflow", 0x40000000, 1, 32, -EINVAL },
	{ "size overflow", 0x10000, 0x10000, 32, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(drm_gem_chunk_test_dumb, drm_gem_chunk_test_dumb_cases, name);

/*
 * Test creating dumb buffers. The test case succeeds if valid requests get
 * the expected pitch, a page-aligned size and a handle to a chunk object of
 * that size, and overflowing pitches or sizes fail with -EINVAL.
 */
static void drm_gem_chunk_test_dumb_create(struct kunit *test)
{
	const struct drm_gem_chunk_test_dumb_case *params = test->param_value;
	struct drm_device *drm = test->priv;
	struct drm_mode_create_dumb args = {
		.width = params->width,
		.height = params->height,
		.bpp = params->bpp,
	};
	struct drm_gem_object *obj;
	struct drm_file *file;
	int ret;

	file = drm_gem_chunk_test_file(test, drm);

	ret = drm_gem_chunk_dumb_create(file, drm, &args);
	KUNIT_ASSERT_EQ(test, ret, params->ret);
	if (ret)
		return;

	KUNIT_EXPECT_EQ(test, args.pitch, params->pitch);
	KUNIT_EXPECT_EQ(test, args.size, params->size);

	obj = drm_gem_object_lookup(file, args.handle);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_EXPECT_EQ(test, obj->size, params->size);
	KUNIT_EXPECT_PTR_EQ(test, obj->funcs->vm_ops, &drm_gem_chunk_vm_ops);
	drm_gem_object_put(obj);
}

/*
 * A new chunk object of @size with a handle in a new file, mapped shared
 * and writable through its GEM offset: returns the address.
 */
static unsigned long drm_gem_chunk_test_mmap_new(struct kunit *test, size_t size,
						 struct drm_gem_chunk_object **cobj,
						 struct drm_file **file)
{
	struct drm_device *drm = test->priv;
	unsigned long addr;
	u32 handle;
	int ret;

	*file = drm_gem_chunk_test_file(test, drm);
	*cobj = drm_gem_chunk_test_create(test, drm, size);
	ret = drm_gem_handle_create(*file, &(*cobj)->base, &handle);
	KUNIT_ASSERT_EQ(test, ret, 0);

	addr = kunit_vm_mmap(test, (*file)->filp, 0, size, PROT_READ | PROT_WRITE,
			     MAP_SHARED, drm_vma_node_offset_addr(&(*cobj)->base.vma_node));
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));

	return addr;
}

/*
 * Test mapping a chunk GEM object to userspace and faulting it in. The test
 * case succeeds if the mapping holds a use of the backing storage, and a
 * value written through the user mapping at every page is found in the page
 * of the chunk list at that offset, so the faults mapped the right pfns.
 */
static void drm_gem_chunk_test_mmap_fault(struct kunit *test)
{
	struct drm_gem_chunk_object *cobj;
	struct drm_file *file;
	unsigned long addr, i;
	u32 *vaddr, val;
	int ret;

	addr = drm_gem_chunk_test_mmap_new(test, SZ_4M, &cobj, &file);
	KUNIT_ASSERT_NE(test, addr, 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_use_count), 1);
	KUNIT_ASSERT_NOT_NULL(test, cobj->chunks);

	for (i = 0; i < SZ_4M / PAGE_SIZE; i++) {
		ret = put_user((u32)i + 1, (u32 __user *)(addr + i * PAGE_SIZE + 4));
		KUNIT_ASSERT_EQ(test, ret, 0);
	}

	for (i = 0; i < SZ_4M / PAGE_SIZE; i++) {
		vaddr = kmap_local_page(drm_gem_chunk_page_at(cobj, i * PAGE_SIZE));
		KUNIT_EXPECT_EQ(test, vaddr[1], i + 1);
		vaddr[2] = ~i;
		kunmap_local(vaddr);

		ret = get_user(val, (u32 __user *)(addr + i * PAGE_SIZE + 8));
		KUNIT_ASSERT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ(test, val, ~(u32)i);
	}

	/* Mapping past the end of the object is refused. */
	addr = kunit_vm_mmap(test, file->filp, 0, SZ_8M, PROT_READ, MAP_SHARED,
			     drm_vma_node_offset_addr(&cobj->base.vma_node));
	KUNIT_EXPECT_TRUE(test, IS_ERR_VALUE(addr));
}

/* Whether @addr of @mm is mapped by a PMD entry (a huge page) */
static bool drm_gem_chunk_test_pmd_mapped(struct mm_struct *mm, unsigned long addr)
{
	bool leaf = false;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;

	mmap_read_lock(mm);
	pgd = pgd_offset(mm, addr);
	if (pgd_present(*pgd)) {
		p4d = p4d_offset(pgd, addr);
		if (p4d_present(*p4d)) {
			pud = pud_offset(p4d, addr);
			if (pud_present(*pud) && !pud_leaf(*pud))
				leaf = pmd_leaf(pmdp_get(pmd_offset(pud, addr)));
		}
	}
	mmap_read_unlock(mm);

	return leaf;
}

/*
 * Test the huge fault path: a GEM offset mapping of a 4 MiB object, which
 * gets a 2 MiB-aligned address, touched in its first chunk, a 2 MiB block
 * or more. The test case succeeds if the mapping is 2 MiB aligned, the
 * first touch maps the whole aligned window with one PMD entry, and the
 * value written through it is in the chunk's first page. It is skipped
 * without PMD pfnmaps, or where the allocator handed out no 2 MiB block for
 * the first run.
 */
static void drm_gem_chunk_test_mmap_pmd(struct kunit *test)
{
	struct drm_gem_chunk_object *cobj;
	const struct drm_chunk *chunk;
	struct drm_file *file;
	unsigned long addr;
	u32 *vaddr;
	int ret;

	if (!IS_ENABLED(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) ||
	    !IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		kunit_skip(test, "no PMD pfnmaps in this kernel");

	addr = drm_gem_chunk_test_mmap_new(test, SZ_4M, &cobj, &file);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(addr, PMD_SIZE));
	KUNIT_ASSERT_NOT_NULL(test, cobj->chunks);
	chunk = &cobj->chunks[0];
	if (chunk->npages < PMD_SIZE >> PAGE_SHIFT ||
	    !IS_ALIGNED(page_to_pfn(chunk->page), PMD_SIZE >> PAGE_SHIFT))
		kunit_skip(test, "first run of %lu pages, no 2 MiB block", chunk->npages);

	KUNIT_EXPECT_FALSE(test, drm_gem_chunk_test_pmd_mapped(current->mm, addr));
	ret = put_user(0x600d, (u32 __user *)(addr + 8));
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, drm_gem_chunk_test_pmd_mapped(current->mm, addr));

	vaddr = kmap_local_page(chunk->page);
	KUNIT_EXPECT_EQ(test, vaddr[2], 0x600d);
	kunmap_local(vaddr);
}

/*
 * Test that private (copy-on-write) mappings are refused. The test case
 * succeeds if drm_gem_chunk_mmap() fails with -EINVAL for a VMA without
 * VM_SHARED and the object gains no use.
 */
static void drm_gem_chunk_test_mmap_cow(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	struct drm_file *file;
	unsigned long addr;
	u32 handle;
	int ret;

	file = drm_gem_chunk_test_file(test, drm);
	cobj = drm_gem_chunk_test_create(test, drm, TEST_SIZE);

	ret = drm_gem_handle_create(file, &cobj->base, &handle);
	KUNIT_ASSERT_EQ(test, ret, 0);

	addr = kunit_vm_mmap(test, file->filp, 0, TEST_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE, drm_vma_node_offset_addr(&cobj->base.vma_node));
	KUNIT_EXPECT_TRUE(test, IS_ERR_VALUE(addr));
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_use_count), 0);
}

/* A dma-buf exporter of device memory: DMA-only tables, mangled pages */
struct drm_gem_chunk_test_exporter {
	struct drm_chunk chunks[4];
	unsigned int nr_chunks;
	size_t max_segment;
	unsigned int maps;
};

/* A table of the exporter's ranges, split at its maximum segment (0: none) */
static struct sg_table *
drm_gem_chunk_test_exporter_sgt(const struct drm_gem_chunk_test_exporter *exp)
{
	size_t max = exp->max_segment ?: SZ_1G, done, len;
	const struct drm_chunk *chunk;
	unsigned int nents = 0;
	struct scatterlist *sg;
	struct sg_table *sgt;

	drm_chunk_for_each(chunk, exp->chunks, exp->nr_chunks)
		nents += DIV_ROUND_UP(drm_chunk_size(chunk), max);

	sgt = kzalloc_obj(*sgt);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	if (sg_alloc_table(sgt, nents, GFP_KERNEL)) {
		kfree(sgt);
		return ERR_PTR(-ENOMEM);
	}

	sg = sgt->sgl;
	drm_chunk_for_each(chunk, exp->chunks, exp->nr_chunks) {
		for (done = 0; done < drm_chunk_size(chunk); done += len) {
			len = min(drm_chunk_size(chunk) - done, max);
			sg_dma_address(sg) = chunk->dma_addr + done;
			sg_dma_len(sg) = len;
			sg = sg_next(sg);
		}
	}

	return sgt;
}

static struct sg_table *drm_gem_chunk_test_map_dma_buf(struct dma_buf_attachment *attach,
						       enum dma_data_direction dir)
{
	struct drm_gem_chunk_test_exporter *exp = attach->dmabuf->priv;
	struct sg_table *sgt;

	sgt = drm_gem_chunk_test_exporter_sgt(exp);
	if (!IS_ERR(sgt)) {
		drm_chunk_kunit_mangle_sgt(sgt);
		exp->maps++;
	}

	return sgt;
}

static void drm_gem_chunk_test_unmap_dma_buf(struct dma_buf_attachment *attach,
					     struct sg_table *sgt,
					     enum dma_data_direction dir)
{
	struct drm_gem_chunk_test_exporter *exp = attach->dmabuf->priv;

	drm_chunk_kunit_mangle_sgt(sgt);
	sg_free_table(sgt);
	kfree(sgt);
	exp->maps--;
}

static void drm_gem_chunk_test_release_dma_buf(struct dma_buf *dma_buf)
{
}

static const struct dma_buf_ops drm_gem_chunk_test_dma_buf_ops = {
	.map_dma_buf = drm_gem_chunk_test_map_dma_buf,
	.unmap_dma_buf = drm_gem_chunk_test_unmap_dma_buf,
	.release = drm_gem_chunk_test_release_dma_buf,
};

/*
 * Hand @dma_buf over to the test: put at its end, with the deferred fput
 * flushed so that the release callback has run when the test is over.
 */
static struct dma_buf *drm_gem_chunk_test_own_dma_buf(struct kunit *test,
						      struct dma_buf *dma_buf)
{
	int ret;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dma_buf);

	ret = kunit_add_action_or_reset(test, drm_gem_chunk_test_flush_fput, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, dma_buf_put_wrapper, dma_buf);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return dma_buf;
}

static struct dma_buf *drm_gem_chunk_test_export(struct kunit *test,
						 struct drm_gem_chunk_test_exporter *exp,
						 size_t size)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);

	exp_info.ops = &drm_gem_chunk_test_dma_buf_ops;
	exp_info.size = size;
	exp_info.flags = O_RDWR;
	exp_info.priv = exp;

	/* The release callback does not touch @exp, which is on the stack. */
	return drm_gem_chunk_test_own_dma_buf(test, dma_buf_export(&exp_info));
}

/*
 * Test importing a dma-buf of device memory whose table holds only device
 * addresses, through drm_gem_prime_import_dev() and
 * drm_gem_chunk_prime_import_sg_table(). The test case succeeds if the
 * object is imported, has page-less chunks with DMA-contiguous segments
 * (split by the exporter and across 4 GiB) merged, no page for CPU lookups,
 * and the attachment is unmapped when the object is freed.
 */
static void drm_gem_chunk_test_prime_import_pageless(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_test_exporter exp = {
		.chunks = {
			{ NULL, SZ_4G - SZ_1M, SZ_2M >> PAGE_SHIFT },
			{ NULL, SZ_8G, SZ_1M >> PAGE_SHIFT },
		},
		.nr_chunks = 2,
		.max_segment = SZ_64K,
	};
	struct drm_gem_chunk_object *cobj;
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;

	dma_buf = drm_gem_chunk_test_export(test, &exp, SZ_2M + SZ_1M);

	obj = drm_gem_prime_import_dev(drm, dma_buf, drm->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	KUNIT_EXPECT_EQ(test, exp.maps, 1);
	cobj = to_drm_gem_chunk_obj(obj);

	KUNIT_EXPECT_TRUE(test, drm_gem_is_imported(obj));
	KUNIT_EXPECT_TRUE(test, cobj->dma_mapped);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_dma_map(cobj), 0);
	KUNIT_ASSERT_EQ(test, cobj->nr_chunks, 2);
	KUNIT_EXPECT_NULL(test, cobj->chunks[0].page);
	KUNIT_EXPECT_EQ(test, cobj->chunks[0].dma_addr, SZ_4G - SZ_1M);
	KUNIT_EXPECT_EQ(test, cobj->chunks[0].npages, SZ_2M >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, cobj->chunks[1].dma_addr, SZ_8G);
	KUNIT_EXPECT_EQ(test, cobj->chunks[1].npages, SZ_1M >> PAGE_SHIFT);
	KUNIT_EXPECT_NULL(test, drm_gem_chunk_page_at(cobj, 0));
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_object_status(obj), 0);

	drm_gem_object_put(obj);
	KUNIT_EXPECT_EQ(test, exp.maps, 0);
}

/*
 * Test that an attachment smaller than its dma-buf is refused. The test
 * case succeeds if drm_gem_chunk_prime_import_sg_table() fails with
 * -EINVAL and the attachment is unmapped again.
 */
static void drm_gem_chunk_test_prime_import_short(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_test_exporter exp = {
		.chunks = { { NULL, SZ_1M, SZ_64K >> PAGE_SHIFT } },
		.nr_chunks = 1,
	};
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;

	dma_buf = drm_gem_chunk_test_export(test, &exp, SZ_128K);

	obj = drm_gem_prime_import_dev(drm, dma_buf, drm->dev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(obj), -EINVAL);
	KUNIT_EXPECT_EQ(test, exp.maps, 0);
}

static struct dma_buf *drm_gem_chunk_test_prime_export(struct kunit *test,
						       struct drm_gem_chunk_object *cobj)
{
	return drm_gem_chunk_test_own_dma_buf(test,
					      cobj->base.funcs->export(&cobj->base, O_RDWR));
}

/*
 * Test exporting a chunk object and importing it into another device
 * without mapping, as vkms does. The test case succeeds if the import has
 * no chunks, reads through its kernel mapping (the exporter's, also through
 * drm_gem_vmap() as drm_gem_fb_vmap() does) what was written through the
 * exporter's, and shows no use counts of its own in its debugfs information.
 */
static void drm_gem_chunk_test_prime_import_no_map(struct kunit *test)
{
	struct drm_device *drm = test->priv, *drm2;
	struct drm_gem_chunk_test_printer out = { };
	struct drm_printer p = {
		.printfn = drm_gem_chunk_test_printfn,
		.arg = &out,
	};
	struct drm_gem_chunk_object *cobj, *imported;
	struct iosys_map map, map2;
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;
	int ret;

	drm2 = drm_gem_chunk_test_alloc_drm(test, "drm-gem-chunk-importer",
					    &drm_gem_chunk_test_driver);
	cobj = drm_gem_chunk_test_create(test, drm, SZ_4M);
	dma_buf = drm_gem_chunk_test_prime_export(test, cobj);

	obj = drm_gem_chunk_prime_import_no_map(drm2, dma_buf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	ret = kunit_add_action_or_reset(test, drm_gem_object_put_wrapper, obj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	imported = to_drm_gem_chunk_obj(obj);
	KUNIT_EXPECT_PTR_NE(test, imported, cobj);
	KUNIT_EXPECT_TRUE(test, drm_gem_is_imported(obj));
	KUNIT_EXPECT_NULL(test, imported->chunks);
	KUNIT_EXPECT_PTR_EQ(test, obj->resv, cobj->base.resv);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_dma_map(imported), -EINVAL);

	ret = drm_gem_chunk_vmap(cobj, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	iosys_map_memset(&map, 0, TEST_BYTE, SZ_4M);

	ret = drm_gem_vmap(obj, &map2);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, iosys_map_rd(&map2, 0, u8), TEST_BYTE);
	KUNIT_EXPECT_EQ(test, iosys_map_rd(&map2, SZ_4M - 1, u8), TEST_BYTE);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->vmap_use_count), 2);
	drm_gem_vunmap(obj, &map2);
	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->vmap_use_count), 1);
	drm_gem_chunk_vunmap(cobj, &map);

	drm_gem_chunk_print_info(imported, &p, 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(out.buf, "no chunk list (CPU access"));
	/* The exporter owns the storage: no use counts of our own to show. */
	KUNIT_EXPECT_NULL(test, strstr(out.buf, "pages_use_count"));
}

/*
 * Test importing a dma-buf exported by the same device. The test case
 * succeeds if the import returns the exported object itself with one more
 * reference.
 */
static void drm_gem_chunk_test_prime_self_import(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;
	unsigned int refs;

	cobj = drm_gem_chunk_test_create(test, drm, TEST_SIZE);
	dma_buf = drm_gem_chunk_test_prime_export(test, cobj);
	refs = kref_read(&cobj->base.refcount);

	obj = drm_gem_chunk_prime_import_no_map(drm, dma_buf);
	KUNIT_ASSERT_PTR_EQ(test, obj, &cobj->base);
	KUNIT_EXPECT_EQ(test, kref_read(&obj->refcount), refs + 1);
	drm_gem_object_put(obj);
}

/*
 * Test exporting a chunk object and importing it with mapping into another
 * device. The test case succeeds if the exporter is pinned while attached,
 * the importer's table respects its maximum segment size, the import's
 * page-less chunks cover the object at the device addresses the exporter's
 * own DMA mapping has (identity on the mock devices), exporting the import
 * again returns the original dma-buf, and the exporting device importing
 * its own dma-buf gets its object back.
 */
static void drm_gem_chunk_test_prime_import_mapped(struct kunit *test)
{
	struct drm_device *drm = test->priv, *drm2;
	struct drm_chunk_dma_iter iter;
	dma_addr_t addrs[64];
	size_t lens[64];
	struct scatterlist *sg;
	unsigned int n = 0, i = 0;
	struct drm_gem_chunk_object *cobj, *imported;
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf, *again;
	struct drm_file *file;
	u32 handle;
	int ret;

	drm2 = drm_gem_chunk_test_alloc_drm(test, "drm-gem-chunk-importer",
					    &drm_gem_chunk_test_driver);
	cobj = drm_gem_chunk_test_create(test, drm, SZ_4M);
	ret = drm_gem_chunk_dma_map(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	dma_buf = drm_gem_chunk_test_prime_export(test, cobj);

	obj = drm_gem_prime_import_dev(drm2, dma_buf, drm2->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	ret = kunit_add_action_or_reset(test, drm_gem_object_put_wrapper, obj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	imported = to_drm_gem_chunk_obj(obj);

	KUNIT_EXPECT_EQ(test, refcount_read(&cobj->pages_pin_count), 1);
	KUNIT_EXPECT_TRUE(test, imported->dma_mapped);
	KUNIT_ASSERT_NOT_NULL(test, imported->sgt);
	/* The exporter split its 2 MiB chunks for what the importer can map. */
	for_each_sgtable_dma_sg(imported->sgt, sg, i)
		KUNIT_EXPECT_LE(test, sg_dma_len(sg), dma_get_max_seg_size(drm2->dev));
	/* The size of the table an importer really gets, for the benchmark. */
	kunit_info(test, "4 MiB object of %u chunks: importer's table %u entries, %u segments of at most %u bytes\n",
		   cobj->nr_chunks, imported->sgt->orig_nents, imported->sgt->nents,
		   dma_get_max_seg_size(drm2->dev));
	i = 0;
	KUNIT_EXPECT_EQ(test, drm_chunk_kunit_npages(imported->chunks, imported->nr_chunks),
			SZ_4M >> PAGE_SHIFT);
	KUNIT_EXPECT_NULL(test, imported->chunks[0].page);

	/* Without bouncing, both sides see the same device address ranges. */
	drm_chunk_for_each_dma_range(&iter, imported->chunks, imported->nr_chunks) {
		KUNIT_ASSERT_LT(test, n, ARRAY_SIZE(addrs));
		addrs[n] = drm_chunk_dma_iter_address(&iter);
		lens[n++] = drm_chunk_dma_iter_length(&iter);
	}
	drm_chunk_for_each_dma_range(&iter, cobj->chunks, cobj->nr_chunks) {
		if (is_swiotlb_force_bounce(drm->dev))
			break;
		KUNIT_ASSERT_LT(test, i, n);
		KUNIT_EXPECT_EQ(test, drm_chunk_dma_iter_address(&iter), addrs[i]);
		KUNIT_EXPECT_EQ(test, drm_chunk_dma_iter_length(&iter), lens[i]);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, is_swiotlb_force_bounce(drm->dev) ? 0 : n);

	file = drm_gem_chunk_test_file(test, drm2);
	ret = drm_gem_handle_create(file, obj, &handle);
	KUNIT_ASSERT_EQ(test, ret, 0);
	again = drm_gem_prime_handle_to_dmabuf(drm2, file, handle, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, again);
	KUNIT_EXPECT_PTR_EQ(test, again, dma_buf);
	dma_buf_put(again);

	/* A device importing its own export gets its object back. */
	obj = drm_gem_chunk_prime_import(drm, dma_buf);
	KUNIT_ASSERT_PTR_EQ(test, obj, &cobj->base);
	drm_gem_object_put(obj);
}

/* The highest address a device with a 32-bit DMA mask reaches */
static const u64 drm_gem_chunk_test_4g = DMA_BIT_MASK(32);

/* A device with a 32-bit DMA mask and 16 KiB segments */
static struct device *drm_gem_chunk_test_dev32(struct kunit *test, const char *name)
{
	return drm_chunk_kunit_device(test, name, drm_gem_chunk_test_4g, SZ_16K);
}

/*
 * Test a driver whose DMA device is not its parent device (USB displays),
 * here one with a 32-bit DMA mask and 16 KiB segments. The test case
 * succeeds if the object's runs are no longer than that device can map in
 * one piece, dma_map() maps them for that device (addresses below 4 GiB),
 * and get_sg_table() splits them to its segment size.
 */
static void drm_gem_chunk_test_dma_dev(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct device *dma_dev = drm_gem_chunk_test_dev32(test, "drm-gem-chunk-dma-dev");
	struct drm_gem_chunk_object *cobj;
	const struct drm_chunk *chunk;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int ret;

	drm_dev_set_dma_dev(drm, dma_dev);
	cobj = drm_gem_chunk_test_create(test, drm, SZ_8M);
	ret = drm_gem_chunk_dma_map(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);

	drm_chunk_for_each(chunk, cobj->chunks, cobj->nr_chunks) {
		KUNIT_EXPECT_LE(test, drm_chunk_size(chunk), drm_chunks_max_run(dma_dev));
		KUNIT_EXPECT_LE(test, chunk->dma_addr + drm_chunk_size(chunk) - 1,
				drm_gem_chunk_test_4g);
	}

	sgt = drm_gem_chunk_get_sg_table(cobj);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	for_each_sgtable_sg(sgt, sg, i)
		KUNIT_EXPECT_LE(test, sg->length, SZ_16K);
	sg_free_table(sgt);
	kfree(sgt);
}

static struct drm_gem_object *drm_gem_chunk_test_create_dma32(struct drm_device *dev,
							      size_t size)
{
	struct drm_gem_chunk_object *cobj;

	cobj = kzalloc_obj(*cobj);
	if (!cobj)
		return ERR_PTR(-ENOMEM);
	cobj->gfp = GFP_KERNEL | __GFP_DMA32;

	return &cobj->base;
}

/*
 * Test that the DMA limits of a device bind only the objects it maps: on a
 * device with a 32-bit DMA mask (whose mappings bounce where memory lies
 * above 4 GiB, and with swiotlb=force), an object the device maps has runs
 * no longer than the device maps in one piece, and one it never maps, as
 * bochs, cirrus-qemu and simpledrm never map theirs, has longer runs. The
 * test case succeeds if the second holds a run longer than the device's
 * limit (it is skipped where the device maps 2 MiB in one piece), which
 * drm_gem_chunk_dma_map() then refuses with -EIO, and
 * drm_gem_chunk_dma_map() of a fresh object marks it and keeps its runs
 * within the limit.
 */
static void drm_gem_chunk_test_device_dma(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct device *dma_dev = drm_gem_chunk_test_dev32(test, "drm-gem-chunk-cpu-only");
	size_t max_run = drm_chunks_max_run(dma_dev);
	struct drm_gem_chunk_object *cpu_only, *mapped;
	const struct drm_chunk *chunk;
	size_t longest = 0;
	int ret;

	if (max_run >= SZ_2M)
		kunit_skip(test, "32-bit DMA does not bounce here: no limit below 2 MiB");

	drm_dev_set_dma_dev(drm, dma_dev);
	cpu_only = drm_gem_chunk_test_create(test, drm, SZ_8M);
	KUNIT_EXPECT_FALSE(test, cpu_only->device_dma);
	ret = drm_gem_chunk_pin(cpu_only);
	KUNIT_ASSERT_EQ(test, ret, 0);
	drm_chunk_for_each(chunk, cpu_only->chunks, cpu_only->nr_chunks)
		longest = max(longest, drm_chunk_size(chunk));
	drm_gem_chunk_unpin(cpu_only);
	kunit_info(test, "8 MiB CPU-only object: %u chunks, longest %zu KiB, device limit %zu KiB\n",
		   cpu_only->nr_chunks, longest >> 10, max_run >> 10);
	KUNIT_EXPECT_GT(test, longest, max_run);
	/* Its runs are too long for the device now: mapping fails cleanly. */
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_dma_map(cpu_only), -EIO);
	KUNIT_EXPECT_FALSE(test, cpu_only->dma_mapped);

	mapped = drm_gem_chunk_test_create(test, drm, SZ_8M);
	ret = drm_gem_chunk_dma_map(mapped);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, mapped->device_dma);
	drm_chunk_for_each(chunk, mapped->chunks, mapped->nr_chunks)
		KUNIT_EXPECT_LE(test, drm_chunk_size(chunk), max_run);
}

/*
 * Test the GFP flags a driver chooses in &drm_driver.gem_create_object:
 * memory below 4 GiB for a device that reaches only that far (the guests
 * have memory above 4 GiB, which the default flags reach). The test case
 * succeeds if the object keeps the driver's flags and every page of its
 * backing storage is below 4 GiB.
 */
static void drm_gem_chunk_test_gfp(struct kunit *test)
{
	static const struct drm_driver driver = {
		.driver_features = DRIVER_GEM,
		.fops = &drm_gem_chunk_test_fops,
		.gem_create_object = drm_gem_chunk_test_create_dma32,
	};
	struct drm_gem_chunk_object *cobj;
	struct drm_chunk_page_iter iter;
	struct drm_device *drm;
	unsigned long n = 0, above = 0;
	int ret;

	drm = drm_gem_chunk_test_alloc_drm(test, "drm-gem-chunk-dma32", &driver);
	cobj = drm_gem_chunk_test_create(test, drm, SZ_4M);
	KUNIT_EXPECT_EQ(test, cobj->gfp, GFP_KERNEL | __GFP_DMA32);

	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	drm_chunk_for_each_page(&iter, cobj->chunks, cobj->nr_chunks, 0) {
		struct page *page = drm_chunk_page_iter_page(&iter);

		if (page_to_phys(page) + PAGE_SIZE - 1 > drm_gem_chunk_test_4g)
			above++;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, SZ_4M >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ_MSG(test, above, 0, "pages above 4 GiB");
	drm_gem_chunk_unpin(cobj);
}

/*
 * Test looking up pages in a long chunk list (more than one stride of the
 * lookup index), as fbdev and the fault handler do. The test case succeeds
 * if every page offset of a 32 MiB object in 256 KiB runs maps to the page
 * the chunk list holds there.
 */
static void drm_gem_chunk_test_page_at_long(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct device *dma_dev = drm_gem_chunk_test_dev32(test, "drm-gem-chunk-long");
	struct drm_gem_chunk_object *cobj;
	struct drm_chunk_page_iter iter;
	unsigned long n = 0;
	int ret;

	if (drm_chunks_max_run(dma_dev) > SZ_256K)
		kunit_skip(test, "32-bit DMA does not bounce here: no short runs");

	drm_dev_set_dma_dev(drm, dma_dev);
	cobj = drm_gem_chunk_test_create(test, drm, SZ_32M);
	cobj->device_dma = true;
	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_chunk_unpin_wrapper, cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_GT(test, cobj->nr_chunks, 64);

	drm_chunk_for_each_page(&iter, cobj->chunks, cobj->nr_chunks, 0) {
		KUNIT_EXPECT_PTR_EQ(test, drm_gem_chunk_page_at(cobj, n * PAGE_SIZE),
				    drm_chunk_page_iter_page(&iter));
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, SZ_32M >> PAGE_SHIFT);
	KUNIT_EXPECT_NULL(test, drm_gem_chunk_page_at(cobj, SZ_32M));
}

static void drm_gem_chunk_test_sync_object(void *arg, bool for_cpu)
{
	if (for_cpu)
		drm_gem_chunk_sync_for_cpu(arg, DMA_BIDIRECTIONAL);
	else
		drm_gem_chunk_sync_for_device(arg, DMA_BIDIRECTIONAL);
}

/*
 * Test handing a DMA-mapped object between the CPU and its device with
 * drm_gem_chunk_sync_for_device() and drm_gem_chunk_sync_for_cpu(). The
 * test case succeeds if a CPU write is seen by the device only after the
 * first, and a device write by the CPU after the second.
 */
static void drm_gem_chunk_test_sync(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_64K);
	cobj->gfp = GFP_KERNEL;
	ret = drm_gem_chunk_dma_map(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);

	drm_chunk_kunit_handover(test, drm_dev_dma_dev(drm),
				 page_address(cobj->chunks[0].page),
				 cobj->chunks[0].dma_addr, drm_chunk_size(&cobj->chunks[0]),
				 drm_gem_chunk_test_sync_object, cobj);
}

/*
 * Test asking for one contiguous device range on a device without an IOMMU
 * (the mock device has none). The test case succeeds if
 * drm_gem_chunk_dma_map_contiguous() falls back to mapping chunk by chunk
 * (IOVA state unused, identity addresses on the mock device),
 * drm_gem_chunk_dma_ranges() counts what drm_chunk_for_each_dma_range()
 * reports and, split at one page, one range a page, an unmapped object has
 * no ranges, a second call keeps the mapping, the sync pair hands the memory
 * over, print_info says how the object is mapped, and the object is freed
 * while mapped without complaint.
 */
static void drm_gem_chunk_test_dma_map_contiguous(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	struct drm_gem_chunk_test_printer out = { };
	struct drm_printer p = {
		.printfn = drm_gem_chunk_test_printfn,
		.arg = &out,
	};
	struct drm_chunk_dma_iter iter;
	const struct drm_chunk *chunk;
	unsigned int ranges = 0;
	char expected[64];
	dma_addr_t first;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_4M);
	cobj->gfp = GFP_KERNEL;
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_dma_ranges(cobj, 0), 0);

	ret = drm_gem_chunk_dma_map_contiguous(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, cobj->dma_mapped);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&cobj->dma_iova));
	drm_chunk_for_each(chunk, cobj->chunks, cobj->nr_chunks) {
		KUNIT_EXPECT_NE(test, chunk->dma_addr, DMA_MAPPING_ERROR);
		if (!is_swiotlb_force_bounce(drm->dev))
			KUNIT_EXPECT_EQ(test, chunk->dma_addr,
					phys_to_dma(drm->dev, page_to_phys(chunk->page)));
	}

	drm_chunk_for_each_dma_range(&iter, cobj->chunks, cobj->nr_chunks)
		ranges++;
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_dma_ranges(cobj, 0), ranges);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_dma_ranges(cobj, PAGE_SIZE), SZ_4M >> PAGE_SHIFT);
	kunit_info(test, "4 MiB: %u chunks, %u device ranges\n", cobj->nr_chunks, ranges);

	first = cobj->chunks[0].dma_addr;
	ret = drm_gem_chunk_dma_map_contiguous(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, cobj->chunks[0].dma_addr, first);

	drm_chunk_kunit_handover(test, drm_dev_dma_dev(drm),
				 page_address(cobj->chunks[0].page),
				 cobj->chunks[0].dma_addr, drm_chunk_size(&cobj->chunks[0]),
				 drm_gem_chunk_test_sync_object, cobj);

	drm_gem_chunk_print_info(cobj, &p, 0);
	snprintf(expected, sizeof(expected), "dma_ranges=%u (mapped per chunk)", ranges);
	KUNIT_EXPECT_NOT_NULL(test, strstr(out.buf, expected));
}

static void drm_gem_chunk_test_sync_dma_buf(void *arg, bool for_cpu)
{
	if (for_cpu)
		dma_buf_begin_cpu_access(arg, DMA_BIDIRECTIONAL);
	else
		dma_buf_end_cpu_access(arg, DMA_BIDIRECTIONAL);
}

/*
 * Test the helper's own dma-buf exporter with an importer whose device has
 * a 32-bit DMA mask and 16 KiB segments. The test case succeeds if the
 * importer's table has segments of at most 16 KiB below 4 GiB covering the
 * object, a second map of the attachment is refused with -EBUSY, mapping it
 * hands the CPU's writes to the importer, and
 * dma_buf_end_cpu_access() and dma_buf_begin_cpu_access() hand the memory
 * over in both directions.
 */
static void drm_gem_chunk_test_prime_export_importer(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct device *dev = drm_gem_chunk_test_dev32(test, "drm-gem-chunk-importer32");
	struct dma_buf_attachment *attach;
	struct drm_gem_chunk_object *cobj;
	struct dma_buf *dma_buf;
	struct scatterlist *sg;
	struct sg_table *sgt;
	struct iosys_map map;
	size_t len = 0;
	unsigned int i;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_1M);
	cobj->gfp = GFP_KERNEL;
	ret = drm_gem_chunk_vmap(cobj, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	memset(map.vaddr, 0x11, SZ_1M);

	dma_buf = drm_gem_chunk_test_prime_export(test, cobj);
	attach = dma_buf_attach(dma_buf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);

	for_each_sgtable_dma_sg(sgt, sg, i) {
		KUNIT_EXPECT_LE(test, sg_dma_len(sg), SZ_16K);
		KUNIT_EXPECT_LE(test, sg_dma_address(sg) + sg_dma_len(sg) - 1,
				drm_gem_chunk_test_4g);
		len += sg_dma_len(sg);
	}
	KUNIT_EXPECT_EQ(test, len, SZ_1M);
	/* The syncs know one table per attachment: a second map is refused. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL)),
			-EBUSY);
	/* Mapping handed the CPU's writes to the device. */
	KUNIT_EXPECT_EQ(test, drm_chunk_kunit_device_view(dev, sg_dma_address(sgt->sgl))[8],
			0x11);

	drm_chunk_kunit_handover(test, dev, page_address(cobj->chunks[0].page),
				 sg_dma_address(sgt->sgl), sg_dma_len(sgt->sgl),
				 drm_gem_chunk_test_sync_dma_buf, dma_buf);

	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(dma_buf, attach);
	drm_gem_chunk_vunmap(cobj, &map);
}

static const char *drm_gem_chunk_test_fence_name(struct dma_fence *fence)
{
	return "drm-gem-chunk-test";
}

static const struct dma_fence_ops drm_gem_chunk_test_fence_ops = {
	.get_driver_name = drm_gem_chunk_test_fence_name,
	.get_timeline_name = drm_gem_chunk_test_fence_name,
};

/* The fences outlive the test case in the reservation of its object. */
static DEFINE_SPINLOCK(drm_gem_chunk_test_fence_lock);

/* A device access of @dma_buf that has not finished: an unsignalled fence */
static struct dma_fence *drm_gem_chunk_test_fence(struct kunit *test,
						  struct dma_buf *dma_buf,
						  enum dma_resv_usage usage)
{
	struct dma_fence *fence;
	int ret;

	/* Freed by its last put, with kfree_rcu(): not a kunit allocation. */
	fence = kzalloc_obj(*fence);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_fence_init(fence, &drm_gem_chunk_test_fence_ops,
		       &drm_gem_chunk_test_fence_lock, dma_fence_context_alloc(1), 1);

	dma_resv_lock(dma_buf->resv, NULL);
	ret = dma_resv_reserve_fences(dma_buf->resv, 1);
	if (!ret)
		dma_resv_add_fence(dma_buf->resv, fence, usage);
	dma_resv_unlock(dma_buf->resv);
	if (ret)
		dma_fence_put(fence);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return fence;
}

struct drm_gem_chunk_test_cpu_access {
	struct dma_buf *dma_buf;
	enum dma_data_direction dir;
	bool begin;
	struct completion done;
	int ret;
};

static int drm_gem_chunk_test_cpu_access_fn(void *arg)
{
	struct drm_gem_chunk_test_cpu_access *access = arg;

	if (access->begin)
		access->ret = dma_buf_begin_cpu_access(access->dma_buf, access->dir);
	else
		access->ret = dma_buf_end_cpu_access(access->dma_buf, access->dir);
	complete(&access->done);

	return 0;
}

/*
 * Start or end a CPU access of @dma_buf in a thread while @fence is pending,
 * and return whether the access waited for it: still unfinished 100 ms
 * later, finished once @device_done ran and the fence signalled.
 */
static bool drm_gem_chunk_test_cpu_access_waits(struct kunit *test,
						struct dma_buf *dma_buf,
						enum dma_data_direction dir,
						bool begin, struct dma_fence *fence,
						void (*device_done)(void *arg),
						void *arg)
{
	struct drm_gem_chunk_test_cpu_access access = {
		.dma_buf = dma_buf, .dir = dir, .begin = begin,
	};
	struct task_struct *thread;
	bool waited;

	init_completion(&access.done);
	thread = kthread_run(drm_gem_chunk_test_cpu_access_fn, &access,
			     "drm-gem-chunk-sync");
	if (IS_ERR(thread)) {
		dma_fence_signal(fence);
		KUNIT_FAIL(test, "no thread: %pe", thread);
		return false;
	}

	waited = !wait_for_completion_timeout(&access.done, msecs_to_jiffies(100));
	device_done(arg);
	dma_fence_signal(fence);
	/* The thread uses @access: it must be done before this returns. */
	if (waited)
		wait_for_completion(&access.done);
	KUNIT_EXPECT_EQ(test, access.ret, 0);

	return waited;
}

/* What the device wrote and read once its fence signals */
struct drm_gem_chunk_test_device_access {
	u8 *device;
	u8 wrote, read;
};

static void drm_gem_chunk_test_device_done(void *arg)
{
	struct drm_gem_chunk_test_device_access *dev_access = arg;

	dev_access->device[0] = dev_access->wrote;
	dev_access->read = dev_access->device[1];
}

/*
 * Test DMA_BUF_IOCTL_SYNC of the helper's exporter while a device access of
 * an importer (a 32-bit device, whose mapping bounces where memory lies
 * above 4 GiB and always with swiotlb=force) is still pending behind a
 * fence. The test case succeeds if the start of a CPU read waits for the
 * device's write fence and then shows the CPU what the device wrote before
 * it signalled, and the end of a CPU write waits for the device's read
 * fence, so that the device read what it had mapped until then and sees the
 * CPU's write afterwards.
 */
static void drm_gem_chunk_test_prime_sync_fenced(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct device *dev = drm_gem_chunk_test_dev32(test, "drm-gem-chunk-fenced");
	struct drm_gem_chunk_test_device_access dev_access = { };
	struct dma_buf_attachment *attach;
	struct drm_gem_chunk_object *cobj;
	struct dma_fence *fence;
	struct dma_buf *dma_buf;
	struct sg_table *sgt;
	struct iosys_map map;
	u8 *cpu;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_64K);
	cobj->gfp = GFP_KERNEL;
	ret = drm_gem_chunk_vmap(cobj, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	cpu = map.vaddr;
	memset(cpu, 0x11, SZ_64K);

	dma_buf = drm_gem_chunk_test_prime_export(test, cobj);
	attach = dma_buf_attach(dma_buf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	dev_access.device = drm_chunk_kunit_device_view(dev, sg_dma_address(sgt->sgl));
	kunit_info(test, "mapping %s\n", dev_access.device != cpu ? "bounced" : "direct");

	/* The device writes; the CPU starts to read before it is done. */
	fence = drm_gem_chunk_test_fence(test, dma_buf, DMA_RESV_USAGE_WRITE);
	dev_access.wrote = 0x3c;
	KUNIT_EXPECT_TRUE(test, drm_gem_chunk_test_cpu_access_waits(test, dma_buf,
								    DMA_FROM_DEVICE, true, fence,
								    drm_gem_chunk_test_device_done,
								    &dev_access));
	KUNIT_EXPECT_EQ(test, cpu[0], 0x3c);
	dma_fence_put(fence);

	/* The CPU writes and ends its access while the device still reads. */
	cpu[1] = 0x5a;
	fence = drm_gem_chunk_test_fence(test, dma_buf, DMA_RESV_USAGE_READ);
	KUNIT_EXPECT_TRUE(test, drm_gem_chunk_test_cpu_access_waits(test, dma_buf,
								    DMA_TO_DEVICE, false, fence,
								    drm_gem_chunk_test_device_done,
								    &dev_access));
	KUNIT_EXPECT_EQ(test, dev_access.read, dev_access.device == cpu ? 0x5a : 0x11);
	KUNIT_EXPECT_EQ(test, dev_access.device[1], 0x5a);
	dma_fence_put(fence);

	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(dma_buf, attach);
	drm_gem_chunk_vunmap(cobj, &map);
}

/*
 * Test freeing an object made by drm_gem_chunk_prime_import_sg_table()
 * before import_attach is set, as a driver's import wrapper does when it
 * fails after the import. The test case succeeds if the object is freed
 * without touching the attachment's table (no unmap of the exporter's
 * addresses, no page freed), which the caller then unmaps itself.
 */
static void drm_gem_chunk_test_prime_import_freed_early(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_test_exporter exp = {
		.chunks = { { NULL, SZ_4G, SZ_1M >> PAGE_SHIFT } },
		.nr_chunks = 1,
		.max_segment = SZ_64K,
	};
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;
	struct sg_table *sgt;

	dma_buf = drm_gem_chunk_test_export(test, &exp, SZ_1M);
	attach = dma_buf_attach(dma_buf, drm->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);

	obj = drm_gem_chunk_prime_import_sg_table(drm, attach, sgt);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	KUNIT_EXPECT_FALSE(test, drm_gem_is_imported(obj));
	drm_gem_object_put(obj);
	KUNIT_EXPECT_EQ(test, exp.maps, 1);

	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, exp.maps, 0);
	dma_buf_detach(dma_buf, attach);
}

/*
 * Reclaim. The shrinker of the test device is driven through
 * drm_gem_chunk_reclaim_count() and drm_gem_chunk_reclaim_scan(), which call
 * its count and scan as memory pressure would, with swap space assumed.
 */

/* A pattern that differs for every word of the object */
static u32 drm_gem_chunk_test_word(size_t i)
{
	return (u32)(i * 2654435761u) ^ 0x5a5a5a5a;
}

static void drm_gem_chunk_test_fill(struct kunit *test,
				    struct drm_gem_chunk_object *cobj)
{
	struct iosys_map map;
	size_t i;
	int ret;

	ret = drm_gem_chunk_vmap(cobj, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	for (i = 0; i < cobj->base.size / sizeof(u32); i++)
		((u32 *)map.vaddr)[i] = drm_gem_chunk_test_word(i);
	drm_gem_chunk_vunmap(cobj, &map);
}

/* The number of words of the object that do not hold the pattern */
static size_t drm_gem_chunk_test_check(struct kunit *test,
				       struct drm_gem_chunk_object *cobj)
{
	struct iosys_map map;
	size_t i, bad = 0;
	int ret;

	ret = drm_gem_chunk_vmap(cobj, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	for (i = 0; i < cobj->base.size / sizeof(u32); i++)
		bad += ((u32 *)map.vaddr)[i] != drm_gem_chunk_test_word(i);
	drm_gem_chunk_vunmap(cobj, &map);

	return bad;
}

/*
 * Test evicting an idle object and restoring it, for a multi-chunk object
 * and a write-combined one. The test case succeeds if the shrinker counts
 * both objects' pages, its scan evicts both (their chunks freed, every page
 * in the backup, no longer resident for fdinfo), and the next vmap restores
 * every word of their contents.
 */
static void drm_gem_chunk_test_evict_restore(struct kunit *test)
{
	const size_t size = SZ_4M + 3 * PAGE_SIZE, wc_size = SZ_1M;
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj, *wc;
	long before;

	cobj = drm_gem_chunk_test_create(test, drm, size);
	wc = drm_gem_chunk_test_create(test, drm, wc_size);
	wc->map_wc = true;
	drm_gem_chunk_test_fill(test, cobj);
	drm_gem_chunk_test_fill(test, wc);
	KUNIT_EXPECT_GT(test, cobj->nr_chunks, 1);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_reclaim_count(drm),
			(size + wc_size) >> PAGE_SHIFT);

	before = drm_chunks_nr_pages();
	KUNIT_EXPECT_GE(test, drm_gem_chunk_reclaim_scan(drm, ULONG_MAX),
			(size + wc_size) >> PAGE_SHIFT);
	KUNIT_EXPECT_NULL(test, cobj->chunks);
	KUNIT_EXPECT_NULL(test, wc->chunks);
	KUNIT_EXPECT_EQ(test, cobj->backup_pages, size >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, wc->backup_pages, wc_size >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, drm_chunks_nr_pages(),
			before - (long)((size + wc_size) >> PAGE_SHIFT));
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_object_status(&cobj->base), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_reclaim_count(drm), 0);

	KUNIT_EXPECT_EQ(test, drm_gem_chunk_test_check(test, cobj), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_test_check(test, wc), 0);
	KUNIT_EXPECT_EQ(test, cobj->backup_pages, 0);
	KUNIT_EXPECT_TRUE(test, wc->map_wc);
	KUNIT_EXPECT_EQ(test, drm_chunks_nr_pages(), before);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_object_status(&cobj->base),
			DRM_GEM_OBJECT_RESIDENT);

	/* A restored object is idle again, and can go again. */
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_reclaim_count(drm),
			(size + wc_size) >> PAGE_SHIFT);
}

/*
 * Test that objects in use are never evicted: pinned, vmapped, mapped into
 * userspace (a use of the storage) and DMA-mapped. The test case succeeds if
 * the shrinker counts none of them, its scan frees nothing, and each keeps
 * its chunks.
 */
static void drm_gem_chunk_test_evict_in_use(struct kunit *test)
{
	struct drm_gem_chunk_object *pinned, *vmapped, *mapped, *dma;
	struct drm_device *drm = test->priv;
	struct iosys_map map;
	struct drm_file *file;
	unsigned long addr;
	u32 handle;
	int ret;

	file = drm_gem_chunk_test_file(test, drm);
	pinned = drm_gem_chunk_test_create(test, drm, SZ_1M);
	vmapped = drm_gem_chunk_test_create(test, drm, SZ_1M);
	mapped = drm_gem_chunk_test_create(test, drm, SZ_1M);
	dma = drm_gem_chunk_test_create(test, drm, SZ_1M);

	ret = drm_gem_chunk_pin(pinned);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_chunk_unpin_wrapper, pinned);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = drm_gem_chunk_vmap(vmapped, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = drm_gem_chunk_dma_map(dma);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = drm_gem_handle_create(file, &mapped->base, &handle);
	KUNIT_ASSERT_EQ(test, ret, 0);
	addr = kunit_vm_mmap(test, file->filp, 0, SZ_1M, PROT_READ | PROT_WRITE,
			     MAP_SHARED, drm_vma_node_offset_addr(&mapped->base.vma_node));
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));

	KUNIT_EXPECT_EQ(test, drm_gem_chunk_reclaim_count(drm), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_reclaim_scan(drm, ULONG_MAX), 0);
	KUNIT_EXPECT_NOT_NULL(test, pinned->chunks);
	KUNIT_EXPECT_NOT_NULL(test, vmapped->chunks);
	KUNIT_EXPECT_NOT_NULL(test, mapped->chunks);
	KUNIT_EXPECT_NOT_NULL(test, dma->chunks);

	drm_gem_chunk_vunmap(vmapped, &map);
	/* The vunmapped object is idle now; the others stay in use. */
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_reclaim_count(drm), SZ_1M >> PAGE_SHIFT);
}

/*
 * Test a restore that cannot allocate its chunks. The test case succeeds if
 * the use fails with -ENOMEM, the object stays evicted with its backup
 * whole and no page kept, and once memory can be had again the next use
 * restores every word.
 */
static void drm_gem_chunk_test_restore_fails(struct kunit *test)
{
	/* More than ZONE_DMA holds: an allocation from it must fail. */
	const size_t size = SZ_32M;
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	long before;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, size);
	drm_gem_chunk_test_fill(test, cobj);
	KUNIT_ASSERT_GE(test, drm_gem_chunk_reclaim_scan(drm, ULONG_MAX),
			size >> PAGE_SHIFT);
	KUNIT_ASSERT_NULL(test, cobj->chunks);

	before = drm_chunks_nr_pages();
	cobj->gfp = GFP_KERNEL | __GFP_DMA;
	ret = drm_gem_chunk_pin(cobj);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_NULL(test, cobj->chunks);
	KUNIT_EXPECT_EQ(test, cobj->backup_pages, size >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, drm_chunks_nr_pages(), before);

	cobj->gfp = GFP_HIGHUSER;
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_test_check(test, cobj), 0);
}

/*
 * Test madvise and purge, as a panfrost-style driver uses them. The test
 * case succeeds if an object marked purgeable is purgeable only while idle
 * and not exported, the shrinker purges it (chunks freed, mmap offset gone)
 * even without swap, later uses fail with -EFAULT, the handle's object
 * stays, and a purged object cannot be marked needed again.
 */
static void drm_gem_chunk_test_purge(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_chunk_object *cobj;
	struct iosys_map map;
	long before;
	int ret;

	cobj = drm_gem_chunk_test_create(test, drm, SZ_2M);
	drm_gem_chunk_test_fill(test, cobj);
	before = drm_chunks_nr_pages();

	ret = drm_gem_chunk_pin(cobj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	dma_resv_lock(cobj->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_madvise_locked(cobj, 1), 1);
	KUNIT_EXPECT_FALSE(test, drm_gem_chunk_is_purgeable(cobj));
	dma_resv_unlock(cobj->base.resv);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_object_status(&cobj->base),
			DRM_GEM_OBJECT_RESIDENT | DRM_GEM_OBJECT_PURGEABLE);
	drm_gem_chunk_unpin(cobj);

	dma_resv_lock(cobj->base.resv, NULL);
	KUNIT_EXPECT_TRUE(test, drm_gem_chunk_is_purgeable(cobj));
	dma_resv_unlock(cobj->base.resv);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_reclaim_count(drm), SZ_2M >> PAGE_SHIFT);

	KUNIT_EXPECT_GE(test, drm_gem_chunk_reclaim_scan(drm, 1), SZ_2M >> PAGE_SHIFT);
	KUNIT_EXPECT_NULL(test, cobj->chunks);
	KUNIT_EXPECT_EQ(test, cobj->madv, -1);
	KUNIT_EXPECT_EQ(test, drm_vma_node_offset_addr(&cobj->base.vma_node), 0);
	KUNIT_EXPECT_EQ(test, drm_chunks_nr_pages(), before - (long)(SZ_2M >> PAGE_SHIFT));

	KUNIT_EXPECT_EQ(test, drm_gem_chunk_pin(cobj), -EFAULT);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_vmap(cobj, &map), -EFAULT);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_dma_map(cobj), -EFAULT);
	dma_resv_lock(cobj->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_madvise_locked(cobj, 0), 0);
	dma_resv_unlock(cobj->base.resv);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_reclaim_count(drm), 0);
}

/*
 * Test that an exported object is never purged but may be evicted: an
 * importer may attach at any time and must find the contents. The test case
 * succeeds if the exported object marked purgeable is not purgeable, and
 * once marked needed again the scan evicts it and an attachment's map
 * restores it.
 */
static void drm_gem_chunk_test_evict_exported(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct dma_buf_attachment *attach;
	struct drm_gem_chunk_object *cobj;
	struct dma_buf *dma_buf;
	struct drm_file *file;
	struct sg_table *sgt;
	u32 handle;
	int ret;

	file = drm_gem_chunk_test_file(test, drm);
	cobj = drm_gem_chunk_test_create(test, drm, SZ_1M);
	drm_gem_chunk_test_fill(test, cobj);
	ret = drm_gem_handle_create(file, &cobj->base, &handle);
	KUNIT_ASSERT_EQ(test, ret, 0);
	/* As DRM_IOCTL_PRIME_HANDLE_TO_FD exports. */
	dma_buf = drm_gem_prime_handle_to_dmabuf(drm, file, handle, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dma_buf);
	ret = kunit_add_action_or_reset(test, dma_buf_put_wrapper, dma_buf);
	KUNIT_ASSERT_EQ(test, ret, 0);

	dma_resv_lock(cobj->base.resv, NULL);
	drm_gem_chunk_madvise_locked(cobj, 1);
	KUNIT_EXPECT_FALSE(test, drm_gem_chunk_is_purgeable(cobj));
	drm_gem_chunk_madvise_locked(cobj, 0);
	dma_resv_unlock(cobj->base.resv);

	KUNIT_EXPECT_GE(test, drm_gem_chunk_reclaim_scan(drm, ULONG_MAX),
			SZ_1M >> PAGE_SHIFT);
	KUNIT_ASSERT_NULL(test, cobj->chunks);

	attach = dma_buf_attach(dma_buf, drm->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_NOT_NULL(test, cobj->chunks);
	KUNIT_EXPECT_EQ(test, drm_gem_chunk_reclaim_count(drm), 0);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(dma_buf, attach);

	KUNIT_EXPECT_EQ(test, drm_gem_chunk_test_check(test, cobj), 0);
}

static int drm_gem_chunk_test_init(struct kunit *test)
{
	test->priv = drm_gem_chunk_test_alloc_drm(test, "drm-gem-chunk-test",
						  &drm_gem_chunk_test_driver);

	return 0;
}

static struct kunit_case drm_gem_chunk_test_cases[] = {
	KUNIT_CASE(drm_gem_chunk_test_obj_create),
	KUNIT_CASE_PARAM(drm_gem_chunk_test_obj_create_invalid,
			 drm_gem_chunk_test_size_gen_params),
	KUNIT_CASE(drm_gem_chunk_test_obj_create_hook),
	KUNIT_CASE(drm_gem_chunk_test_alloc_big),
	KUNIT_CASE(drm_gem_chunk_test_nr_pages),
	KUNIT_CASE(drm_gem_chunk_test_wc_linear_map),
	KUNIT_CASE(drm_gem_chunk_test_pin),
	KUNIT_CASE(drm_gem_chunk_test_pin_funcs),
	KUNIT_CASE(drm_gem_chunk_test_vmap),
	KUNIT_CASE(drm_gem_chunk_test_vmap_pages),
	KUNIT_CASE(drm_gem_chunk_test_page_at),
	KUNIT_CASE(drm_gem_chunk_test_dma_map),
	KUNIT_CASE(drm_gem_chunk_test_free_mapped),
	KUNIT_CASE(drm_gem_chunk_test_get_sg_table),
	KUNIT_CASE(drm_gem_chunk_test_print_info),
	KUNIT_CASE_PARAM(drm_gem_chunk_test_dumb_create, drm_gem_chunk_test_dumb_gen_params),
	KUNIT_CASE(drm_gem_chunk_test_mmap_fault),
	KUNIT_CASE(drm_gem_chunk_test_mmap_pmd),
	KUNIT_CASE(drm_gem_chunk_test_mmap_cow),
	KUNIT_CASE(drm_gem_chunk_test_prime_import_pageless),
	KUNIT_CASE(drm_gem_chunk_test_prime_import_short),
	KUNIT_CASE(drm_gem_chunk_test_prime_import_no_map),
	KUNIT_CASE(drm_gem_chunk_test_prime_self_import),
	KUNIT_CASE(drm_gem_chunk_test_prime_import_mapped),
	KUNIT_CASE(drm_gem_chunk_test_dma_dev),
	KUNIT_CASE(drm_gem_chunk_test_device_dma),
	KUNIT_CASE(drm_gem_chunk_test_gfp),
	KUNIT_CASE(drm_gem_chunk_test_page_at_long),
	KUNIT_CASE(drm_gem_chunk_test_sync),
	KUNIT_CASE(drm_gem_chunk_test_dma_map_contiguous),
	KUNIT_CASE(drm_gem_chunk_test_prime_export_importer),
	KUNIT_CASE(drm_gem_chunk_test_prime_sync_fenced),
	KUNIT_CASE(drm_gem_chunk_test_prime_import_freed_early),
	KUNIT_CASE(drm_gem_chunk_test_evict_restore),
	KUNIT_CASE(drm_gem_chunk_test_evict_in_use),
	KUNIT_CASE(drm_gem_chunk_test_restore_fails),
	KUNIT_CASE(drm_gem_chunk_test_purge),
	KUNIT_CASE(drm_gem_chunk_test_evict_exported),
	{}
};

static struct kunit_suite drm_gem_chunk_test_suite = {
	.name = "drm_gem_chunk_helper",
	.init = drm_gem_chunk_test_init,
	.test_cases = drm_gem_chunk_test_cases
};

kunit_test_suite(drm_gem_chunk_test_suite);

MODULE_DESCRIPTION("KUnit test suite for GEM objects backed by chunk lists");
MODULE_LICENSE("GPL");
