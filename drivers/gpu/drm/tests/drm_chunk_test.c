// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit test suite for chunk lists
 */

#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include <kunit/test.h>

#include <drm/drm_chunk.h>

#include "drm_chunk_kunit.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

/* A fake page frame for lists that are never dereferenced */
#define TEST_FAKE_PFN		0x100000UL

KUNIT_DEFINE_ACTION_WRAPPER(kfree_wrapper, kfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(kvfree_wrapper, kvfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(sg_free_table_wrapper, sg_free_table,
			    struct sg_table *);

static struct page **drm_chunk_test_alloc_pages(struct kunit *test,
						unsigned int order)
{
	unsigned long i, n = 1UL << order;
	struct page **pages, *page;

	pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);

	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	for (i = 0; i < n; i++)
		pages[i] = page + i;

	return pages;
}

static void drm_chunk_test_free_block(void *ptr)
{
	struct page **pages = ptr;

	__free_pages(pages[0], 3);
}

/* A DMA-only table, as an exporter of device memory hands out */
static struct sg_table *drm_chunk_test_dma_sgt(struct kunit *test,
					       const dma_addr_t *addrs,
					       const unsigned int *lens,
					       unsigned int n)
{
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int ret;

	sgt = kunit_kzalloc(test, sizeof(*sgt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sgt);

	ret = sg_alloc_table(sgt, n, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = kunit_add_action_or_reset(test, sg_free_table_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);

	for_each_sgtable_dma_sg(sgt, sg, i) {
		sg_dma_address(sg) = addrs[i];
		sg_dma_len(sg) = lens[i];
	}

	return sgt;
}

/*
 * Test filling a page array from a chunk list. The test case succeeds if a
 * page-less chunk list cannot be turned into pages (-EINVAL), a too small
 * page array is reported with -ENOSPC, and a large enough one holds the
 * pages of the chunk in order.
 */
static void drm_chunk_test_to_pages(struct kunit *test)
{
	struct drm_chunk pageless = { NULL, SZ_1M, 4 };
	struct drm_chunk chunk = { pfn_to_page(TEST_FAKE_PFN), DMA_MAPPING_ERROR, 4 };
	struct page *pages[4];

	KUNIT_EXPECT_EQ(test, drm_chunks_to_pages(&pageless, 1, pages, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_chunks_to_pages(&chunk, 1, pages, 3), -ENOSPC);
	KUNIT_EXPECT_EQ(test, drm_chunks_to_pages(&chunk, 1, pages, 4), 0);
	KUNIT_EXPECT_PTR_EQ(test, pages[3], pfn_to_page(TEST_FAKE_PFN + 3));
}

struct drm_chunk_test_sgt_case {
	const char *name;
	dma_addr_t addrs[4];
	unsigned int lens[4];
	unsigned int n;
	int nr_chunks;	/* or a negative error code */
	dma_addr_t first_addr;
	unsigned long first_npages;
};

static const struct drm_chunk_test_sgt_case drm_chunk_test_sgt_cases[] = {
	{ "adjacent", { SZ_1M, SZ_1M + SZ_64K, SZ_1M + SZ_128K }, { SZ_64K, SZ_64K, SZ_4K },
	  3, 1, SZ_1M, (SZ_128K + SZ_4K) >> PAGE_SHIFT },
	{ "gap", { SZ_1M, SZ_2M }, { SZ_64K, SZ_64K }, 2, 2, SZ_1M, SZ_64K >> PAGE_SHIFT },
	{ "crossing 4 GiB", { SZ_4G - SZ_1M, SZ_4G }, { SZ_1M, SZ_2M }, 2, 1,
	  SZ_4G - SZ_1M, (SZ_2M + SZ_1M) >> PAGE_SHIFT },
	{ "above 4 GiB", { SZ_4G * 3, SZ_4G * 3 + SZ_2G }, { SZ_2G, SZ_2G }, 2, 1,
	  SZ_4G * 3, SZ_4G >> PAGE_SHIFT },
	{ "backwards", { SZ_2M, SZ_1M }, { SZ_1M, SZ_1M }, 2, 2, SZ_2M, SZ_1M >> PAGE_SHIFT },
	{ "empty segment", { SZ_1M, 0, SZ_1M + SZ_4K }, { SZ_4K, 0, SZ_4K }, 3, 1,
	  SZ_1M, 2 },
	{ "unaligned address", { SZ_1M + 512 }, { SZ_4K }, 1, -EINVAL },
	{ "unaligned length", { SZ_1M }, { SZ_4K + 1 }, 1, -EINVAL },
	{ "no segment", { 0 }, { 0 }, 1, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(drm_chunk_test_sgt, drm_chunk_test_sgt_cases, name);

/*
 * Test translating DMA-only scatter/gather tables into chunk lists, with
 * mangled page pointers. The test case succeeds if DMA-contiguous segments
 * (also across the 4 GiB boundary) are merged, gaps and backward steps start
 * a new chunk, unaligned tables are rejected with -EINVAL, and sg_page() is
 * never read.
 */
static void drm_chunk_test_from_sgt(struct kunit *test)
{
	const struct drm_chunk_test_sgt_case *params = test->param_value;
	struct drm_chunk *chunks;
	struct sg_table *sgt;
	unsigned int nr;
	int ret;

	sgt = drm_chunk_test_dma_sgt(test, params->addrs, params->lens, params->n);
	drm_chunk_kunit_mangle_sgt(sgt);
	chunks = drm_chunks_from_sgt(sgt, &nr);
	drm_chunk_kunit_mangle_sgt(sgt);

	if (params->nr_chunks < 0) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(chunks), params->nr_chunks);
		return;
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chunks);
	ret = kunit_add_action_or_reset(test, kvfree_wrapper, chunks);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_EXPECT_EQ(test, nr, params->nr_chunks);
	KUNIT_EXPECT_NULL(test, chunks[0].page);
	KUNIT_EXPECT_EQ(test, chunks[0].dma_addr, params->first_addr);
	KUNIT_EXPECT_EQ(test, chunks[0].npages, params->first_npages);
}

/*
 * Test splitting a run longer than a scatterlist entry can hold. The test
 * case succeeds if a 5 GiB chunk becomes one entry of 4 GiB minus a page and
 * one of the rest, the second starting at the right page.
 */
static void drm_chunk_test_to_sgt_split_limit(struct kunit *test)
{
	struct drm_chunk chunk = {
		pfn_to_page(TEST_FAKE_PFN), DMA_MAPPING_ERROR,
		(SZ_4G + SZ_1G) / PAGE_SIZE,
	};
	const size_t max = UINT_MAX & PAGE_MASK;
	struct scatterlist *sg;
	struct sg_table *sgt;
	int ret;

	sgt = drm_chunks_to_sgt(&chunk, 1, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	ret = kunit_add_action_or_reset(test, kfree_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, sg_free_table_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_ASSERT_EQ(test, sgt->orig_nents, 2);
	sg = sgt->sgl;
	KUNIT_EXPECT_EQ(test, sg->length, max);
	KUNIT_EXPECT_EQ(test, sg->offset, 0);
	KUNIT_EXPECT_PTR_EQ(test, sg_page(sg), chunk.page);
	sg = sg_next(sg);
	KUNIT_EXPECT_EQ(test, sg->length, SZ_1G + PAGE_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, sg_page(sg), chunk.page + (max >> PAGE_SHIFT));
	KUNIT_EXPECT_TRUE(test, sg_is_last(sg));
}

struct drm_chunk_test_split_case {
	const char *name;
	unsigned long npages[3];
	unsigned int nr_chunks;
	size_t max_segment;
	unsigned int nents;
};

static const struct drm_chunk_test_split_case drm_chunk_test_split_cases[] = {
	{ "no split", { 16, 1 }, 2, SZ_64K, 2 },
	{ "exact multiple", { 32 }, 1, SZ_64K, 2 },
	{ "remainder", { 33, 2 }, 2, SZ_64K, 4 },
	{ "unaligned limit", { 4 }, 1, PAGE_SIZE + 1, 4 },
	{ "tiny limit", { 3 }, 1, 1, 3 },
	{ "default limit", { 1024, 1024, 1 }, 3, 0, 3 },
};

KUNIT_ARRAY_PARAM_DESC(drm_chunk_test_split, drm_chunk_test_split_cases, name);

/*
 * Test splitting chunks into scatterlist entries of at most max_segment
 * bytes. The test case succeeds if the number of entries is right, every
 * entry respects the limit, and the total length is kept.
 */
static void drm_chunk_test_to_sgt_split(struct kunit *test)
{
	const struct drm_chunk_test_split_case *params = test->param_value;
	struct drm_chunk chunks[3];
	size_t max = params->max_segment & PAGE_MASK;
	unsigned long total = 0, pfn = TEST_FAKE_PFN;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;

	if (!params->max_segment)
		max = UINT_MAX & PAGE_MASK;
	else if (!max)
		max = PAGE_SIZE;

	for (i = 0; i < params->nr_chunks; i++) {
		chunks[i].page = pfn_to_page(pfn);
		chunks[i].dma_addr = DMA_MAPPING_ERROR;
		chunks[i].npages = params->npages[i];
		/* gaps on both sides, so that no two chunks could be one */
		pfn += chunks[i].npages + 1;
		total += chunks[i].npages << PAGE_SHIFT;
	}

	sgt = drm_chunks_to_sgt(chunks, params->nr_chunks, params->max_segment);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, sgt->orig_nents, params->nents);
	for_each_sgtable_sg(sgt, sg, i) {
		KUNIT_EXPECT_LE(test, sg->length, max);
		total -= sg->length;
	}
	KUNIT_EXPECT_EQ(test, total, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

/*
 * Test the error cases of the scatter/gather table conversions. The test
 * case succeeds if empty lists and, for page tables, page-less chunks are
 * rejected with -EINVAL.
 */
static void drm_chunk_test_to_sgt_errors(struct kunit *test)
{
	struct drm_chunk pageless = { NULL, SZ_1M, 4 };

	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_chunks_to_sgt(&pageless, 1, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_chunks_to_sgt(&pageless, 0, 0)), -EINVAL);
}

/*
 * Test the round trip chunks -> sg_table -> DMA mapping -> chunks with real
 * pages. The test case succeeds if the table lists the pages of the chunks
 * in order and the chunks translated back from the mapped table cover the
 * same number of pages at the device addresses of the pages.
 */
static void drm_chunk_test_sgt_roundtrip(struct kunit *test)
{
	struct device *dev = test->priv;
	struct drm_chunk chunks[2], *back;
	struct sg_page_iter piter;
	struct page **block, *pages[5];
	struct sg_table *sgt;
	unsigned int nr, nr_back, i = 0;
	int ret;

	block = drm_chunk_test_alloc_pages(test, 3);
	ret = kunit_add_action_or_reset(test, drm_chunk_test_free_block, block);
	KUNIT_ASSERT_EQ(test, ret, 0);

	pages[0] = block[0];
	pages[1] = block[1];
	pages[2] = block[4];
	pages[3] = block[5];
	pages[4] = block[6];
	chunks[0] = (struct drm_chunk){ block[0], DMA_MAPPING_ERROR, 2 };
	chunks[1] = (struct drm_chunk){ block[4], DMA_MAPPING_ERROR, 3 };
	nr = 2;

	sgt = drm_chunks_to_sgt(chunks, nr, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	ret = kunit_add_action_or_reset(test, kfree_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, sg_free_table_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);

	for_each_sgtable_page(sgt, &piter, 0)
		KUNIT_EXPECT_PTR_EQ(test, sg_page_iter_page(&piter), pages[i++]);
	KUNIT_EXPECT_EQ(test, i, 5);

	ret = dma_map_sgtable(dev, sgt, DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_EQ(test, ret, 0);

	back = drm_chunks_from_sgt(sgt, &nr_back);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, back);
	if (!IS_ERR(back)) {
		KUNIT_EXPECT_GE(test, nr_back, 1);
		KUNIT_EXPECT_LE(test, nr_back, nr);
		KUNIT_EXPECT_EQ(test, drm_chunk_kunit_npages(back, nr_back), 5);
		KUNIT_EXPECT_EQ(test, back[0].dma_addr, sg_dma_address(sgt->sgl));
		kvfree(back);
	}

	dma_unmap_sgtable(dev, sgt, DMA_BIDIRECTIONAL, 0);
}

/*
 * Test that runs never merge across a zone boundary. The test case looks for
 * two populated zones of a node that are physically adjacent (ZONE_DMA and
 * ZONE_DMA32 on x86-64, lowmem and highmem on 32-bit), and succeeds if a run
 * ending at the last page of the first is not continued by the first page
 * of the second, while the page before it is continued by it. Skipped where
 * no two zones touch.
 */
static void drm_chunk_test_zone_boundary(struct kunit *test)
{
	pg_data_t *pgdat = NODE_DATA(first_online_node);
	struct zone *zone, *next, *last = pgdat->node_zones + MAX_NR_ZONES;
	struct drm_chunk run;
	unsigned long end;

	for (zone = pgdat->node_zones; zone < last; zone++) {
		if (!populated_zone(zone))
			continue;
		for (next = zone + 1; next < last && !populated_zone(next); next++)
			;
		end = zone_end_pfn(zone);
		if (next < last && next->zone_start_pfn == end && end - zone->zone_start_pfn >= 2 &&
		    pfn_valid(end - 2) && pfn_valid(end))
			goto found;
	}
	kunit_skip(test, "no two populated zones touch here");

found:
	kunit_info(test, "%s ends at pfn %#lx, where %s starts\n", zone->name, end, next->name);
	KUNIT_ASSERT_PTR_EQ(test, page_zone(pfn_to_page(end - 1)), zone);
	KUNIT_ASSERT_PTR_EQ(test, page_zone(pfn_to_page(end)), next);

	run = (struct drm_chunk){ pfn_to_page(end - 2), DMA_MAPPING_ERROR, 1 };
	KUNIT_EXPECT_TRUE(test, drm_chunk_pages_follow(&run, pfn_to_page(end - 1)));
	run.npages = 2;
	KUNIT_EXPECT_FALSE(test, drm_chunk_pages_follow(&run, pfn_to_page(end)));
}

/*
 * Test looking up the chunk holding a page. The test case succeeds if the
 * first and last pages of every chunk are found in the right chunk with the
 * right start index, and lookups past the end return NULL.
 */
static void drm_chunk_test_find(struct kunit *test)
{
	const struct drm_chunk chunks[] = {
		{ NULL, SZ_1M, 3 }, { NULL, SZ_4M, 1 }, { NULL, SZ_8M, 5 },
	};
	unsigned long first;

	KUNIT_EXPECT_PTR_EQ(test, drm_chunks_find(chunks, 3, 0, &first), &chunks[0]);
	KUNIT_EXPECT_EQ(test, first, 0);
	KUNIT_EXPECT_PTR_EQ(test, drm_chunks_find(chunks, 3, 2, &first), &chunks[0]);
	KUNIT_EXPECT_PTR_EQ(test, drm_chunks_find(chunks, 3, 3, &first), &chunks[1]);
	KUNIT_EXPECT_EQ(test, first, 3);
	KUNIT_EXPECT_PTR_EQ(test, drm_chunks_find(chunks, 3, 4, &first), &chunks[2]);
	KUNIT_EXPECT_EQ(test, first, 4);
	KUNIT_EXPECT_PTR_EQ(test, drm_chunks_find(chunks, 3, 8, &first), &chunks[2]);
	KUNIT_EXPECT_NULL(test, drm_chunks_find(chunks, 3, 9, &first));
	KUNIT_EXPECT_NULL(test, drm_chunks_find(chunks, 0, 0, &first));
}

struct drm_chunk_test_iter_case {
	const char *name;
	unsigned long pgoffset;
	unsigned int count;
	unsigned long first_index;
};

static const struct drm_chunk_test_iter_case drm_chunk_test_iter_cases[] = {
	{ "from start", 0, 6, 0 },
	{ "inside first chunk", 1, 5, 1 },
	{ "inside page-less chunk", 3, 4, 5 },
	{ "last page", 8, 1, 8 },
	{ "past end", 9, 0, 0 },
};

KUNIT_ARRAY_PARAM_DESC(drm_chunk_test_iter, drm_chunk_test_iter_cases, name);

/*
 * Test the page iterator on a list with a page-less chunk in the middle.
 * The test case succeeds if the iterator starts at the given page, skips
 * the page-less chunk while counting its pages in the index, and returns
 * the right page for every index.
 */
static void drm_chunk_test_page_iter(struct kunit *test)
{
	const struct drm_chunk_test_iter_case *params = test->param_value;
	const struct drm_chunk chunks[] = {
		{ pfn_to_page(TEST_FAKE_PFN), DMA_MAPPING_ERROR, 2 },
		{ NULL, SZ_1M, 3 },
		{ pfn_to_page(TEST_FAKE_PFN + 100), DMA_MAPPING_ERROR, 4 },
	};
	struct drm_chunk_page_iter iter;
	unsigned int count = 0;
	unsigned long index, expected;

	drm_chunk_for_each_page(&iter, chunks, ARRAY_SIZE(chunks), params->pgoffset) {
		index = drm_chunk_page_iter_index(&iter);
		if (!count)
			KUNIT_EXPECT_EQ(test, index, params->first_index);
		KUNIT_EXPECT_TRUE(test, index < 2 || index >= 5);
		expected = index < 2 ? TEST_FAKE_PFN + index : TEST_FAKE_PFN + 100 + index - 5;
		KUNIT_EXPECT_EQ(test, page_to_pfn(drm_chunk_page_iter_page(&iter)), expected);
		count++;
	}
	KUNIT_EXPECT_EQ(test, count, params->count);
}

/*
 * Test the DMA range iterator. The test case succeeds if chunks that follow
 * each other in device address space (also across 4 GiB) are reported as
 * one range, and a gap starts a new range.
 */
static void drm_chunk_test_dma_iter(struct kunit *test)
{
	const struct drm_chunk chunks[] = {
		{ pfn_to_page(TEST_FAKE_PFN), SZ_4G - SZ_8K, 2 },
		{ pfn_to_page(TEST_FAKE_PFN + 10), SZ_4G, 3 },
		{ NULL, SZ_8G, 1 },
		{ NULL, SZ_8G + SZ_4K, 1 },
	};
	const dma_addr_t addrs[] = { SZ_4G - SZ_8K, SZ_8G };
	const size_t lens[] = { 5 * PAGE_SIZE, 2 * PAGE_SIZE };
	struct drm_chunk_dma_iter iter;
	unsigned int i = 0;

	drm_chunk_for_each_dma_range(&iter, chunks, ARRAY_SIZE(chunks)) {
		KUNIT_ASSERT_LT(test, i, ARRAY_SIZE(addrs));
		KUNIT_EXPECT_EQ(test, drm_chunk_dma_iter_address(&iter), addrs[i]);
		KUNIT_EXPECT_EQ(test, drm_chunk_dma_iter_length(&iter), lens[i]);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, ARRAY_SIZE(addrs));

	i = 0;
	drm_chunk_for_each_dma_range(&iter, chunks, 0)
		i++;
	KUNIT_EXPECT_EQ(test, i, 0);
}

struct drm_chunk_test_run_case {
	const char *name;
	size_t max_run;
	size_t size;
};

static const struct drm_chunk_test_run_case drm_chunk_test_run_cases[] = {
	{ "single pages", SZ_4K, SZ_1M },
	{ "16 KiB runs", SZ_16K, SZ_1M + SZ_4K },
	{ "256 KiB runs (swiotlb)", SZ_256K, SZ_4M - SZ_4K },
	{ "odd runs", SZ_256K + SZ_8K, SZ_4M },
	{ "2 MiB runs", SZ_2M, SZ_8M + SZ_4K },
	{ "no limit", SIZE_MAX, SZ_64M },
};

KUNIT_ARRAY_PARAM_DESC(drm_chunk_test_run, drm_chunk_test_run_cases, name);

/*
 * Check that @chunk is whole blocks as the page allocator handed them out:
 * at the first page of each block a page in use (not free, not inside
 * another block), a block of that page's compound order inside the chunk,
 * and no order above the block before it, @order (an order that failed is
 * not tried again).
 */
static void drm_chunk_test_check_blocks(struct kunit *test, const struct drm_chunk *chunk,
					unsigned int *order)
{
	unsigned long i, n;

	for (i = 0; i < chunk->npages; i += n) {
		struct page *page = chunk->page + i;
		unsigned int o = compound_order(page);

		KUNIT_EXPECT_FALSE_MSG(test, PageTail(page), "page %lu of a chunk", i);
		KUNIT_EXPECT_GT_MSG(test, page_ref_count(page), 0, "page %lu of a chunk", i);
		KUNIT_EXPECT_LE(test, o, *order);
		n = 1UL << o;
		KUNIT_ASSERT_LE(test, n, chunk->npages - i);
		*order = o;
	}
}

/*
 * Test the allocator with a longest run, as a device behind swiotlb needs.
 * The memory of a list of the same size, dirtied and freed first, is most
 * likely handed out again. The test case succeeds, on any machine however
 * fragmented, if the chunks cover the size exactly, no chunk is longer than
 * the longest run, every chunk is whole blocks of the page allocator in
 * falling orders, no two successive chunks could have been merged, every
 * page is zeroed, and freeing gives every page back.
 */
static void drm_chunk_test_alloc(struct kunit *test)
{
	const struct drm_chunk_test_run_case *params = test->param_value;
	size_t run = min(params->max_run & PAGE_MASK, params->size);
	long before = drm_chunks_nr_pages();
	unsigned int nr, i, order = MAX_PAGE_ORDER;
	const struct drm_chunk *chunk;
	struct drm_chunk *chunks;
	unsigned long longest = 0;

	chunks = drm_chunks_alloc(params->size, params->max_run, GFP_HIGHUSER, &nr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chunks);
	drm_chunk_kunit_fill(chunks, nr, 0xa5);
	drm_chunks_free(chunks, nr);

	chunks = drm_chunks_alloc(params->size, params->max_run, GFP_HIGHUSER, &nr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chunks);

	KUNIT_EXPECT_EQ(test, drm_chunk_kunit_npages(chunks, nr),
			params->size >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, drm_chunks_nr_pages(), before + (long)(params->size >> PAGE_SHIFT));
	drm_chunk_for_each(chunk, chunks, nr) {
		longest = max(longest, chunk->npages);
		KUNIT_EXPECT_LE(test, drm_chunk_size(chunk), run);
		KUNIT_EXPECT_EQ(test, chunk->dma_addr, DMA_MAPPING_ERROR);
		drm_chunk_test_check_blocks(test, chunk, &order);
	}
	KUNIT_EXPECT_EQ(test, drm_chunk_kunit_nonzero_pages(chunks, nr), 0);
	for (i = 0; i + 1 < nr; i++) {
		size_t merged = drm_chunk_size(&chunks[i]) + drm_chunk_size(&chunks[i + 1]);
		bool follows = page_to_pfn(chunks[i].page) + chunks[i].npages ==
			       page_to_pfn(chunks[i + 1].page);

		KUNIT_EXPECT_TRUE(test, !follows || merged > run);
	}
	kunit_info(test, "%zu KiB: %u chunks, longest %lu KiB\n", params->size >> 10, nr,
		   longest << (PAGE_SHIFT - 10));

	drm_chunks_free(chunks, nr);
	KUNIT_EXPECT_EQ(test, drm_chunks_nr_pages(), before);
}

/*
 * Test the error cases of drm_chunks_alloc(). The test case succeeds if a
 * zero, unaligned or too large size, a run shorter than a page and movable
 * memory are rejected with -EINVAL.
 */
static void drm_chunk_test_alloc_errors(struct kunit *test)
{
	unsigned int nr;

	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_chunks_alloc(0, SZ_2M, GFP_KERNEL, &nr)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_chunks_alloc(SZ_4K + 1, SZ_2M, GFP_KERNEL, &nr)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_chunks_alloc((size_t)UINT_MAX * PAGE_SIZE + PAGE_SIZE,
						       SZ_2M, GFP_KERNEL, &nr)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_chunks_alloc(SZ_1M, PAGE_SIZE - 1, GFP_KERNEL, &nr)),
			-EINVAL);
}

/*
 * Test mapping a list for devices whose limits differ: no limit, a 32-bit
 * DMA mask (bounced above 4 GiB) and, in the swiotlb=force boot, every
 * mapping bounced. The test case succeeds if a list allocated with
 * drm_chunks_max_run() of the device maps in one piece per chunk, every
 * address is within the device's mask, and unmapping resets the addresses.
 */
static void drm_chunk_test_dma_map(struct kunit *test)
{
	static const u64 masks[] = { DMA_BIT_MASK(64), DMA_BIT_MASK(32) };
	static const char * const names[] = { "drm-chunk-test-64", "drm-chunk-test-32" };
	const struct drm_chunk *chunk;
	struct drm_chunk *chunks;
	unsigned int nr, i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		struct device *dev = drm_chunk_kunit_device(test, names[i], masks[i], UINT_MAX);

		chunks = drm_chunks_alloc(SZ_8M, drm_chunks_max_run(dev), GFP_HIGHUSER, &nr);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chunks);
		kunit_info(test, "%s: 8 MiB in %u chunks\n", names[i], nr);

		ret = drm_chunks_dma_map(dev, chunks, nr, DMA_BIDIRECTIONAL, 0);
		KUNIT_EXPECT_EQ(test, ret, 0);
		if (!ret) {
			drm_chunk_for_each(chunk, chunks, nr)
				KUNIT_EXPECT_LE(test, chunk->dma_addr + drm_chunk_size(chunk) - 1,
						masks[i]);
			drm_chunks_dma_unmap(dev, chunks, nr, DMA_BIDIRECTIONAL, 0);
			drm_chunk_for_each(chunk, chunks, nr)
				KUNIT_EXPECT_EQ(test, chunk->dma_addr, DMA_MAPPING_ERROR);
		}
		drm_chunks_free(chunks, nr);
	}

	chunks = drm_chunks_alloc(SZ_1M, SZ_1M, GFP_HIGHUSER, &nr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chunks);
	chunks[0].page = NULL;
	KUNIT_EXPECT_EQ(test, drm_chunks_dma_map(test->priv, chunks, nr, DMA_TO_DEVICE, 0),
			-EINVAL);
	kvfree(chunks);
}

struct drm_chunk_test_mapped {
	struct device *dev;
	struct drm_chunk *chunks;
	unsigned int nr;
};

static void drm_chunk_test_sync_list(void *arg, bool for_cpu)
{
	struct drm_chunk_test_mapped *m = arg;

	if (for_cpu)
		drm_chunks_sync_for_cpu(m->dev, m->chunks, m->nr, DMA_BIDIRECTIONAL);
	else
		drm_chunks_sync_for_device(m->dev, m->chunks, m->nr, DMA_BIDIRECTIONAL);
}

/*
 * Test handing a mapped list between the CPU and a device, with no DMA
 * limit and with a 32-bit DMA mask (whose mappings of memory above 4 GiB
 * bounce). The test case succeeds if, wherever the mapping bounces (every
 * mapping in the swiotlb=force boot), a CPU write is not seen by the device
 * before drm_chunks_sync_for_device() and is seen after it, and a device
 * write is seen by the CPU after drm_chunks_sync_for_cpu().
 */
static void drm_chunk_test_sync(struct kunit *test)
{
	struct device *devs[] = {
		test->priv,
		drm_chunk_kunit_device(test, "drm-chunk-test-32", DMA_BIT_MASK(32), UINT_MAX),
	};
	struct drm_chunk_test_mapped m;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		m.dev = devs[i];
		m.chunks = drm_chunks_alloc(SZ_64K, drm_chunks_max_run(m.dev), GFP_KERNEL, &m.nr);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m.chunks);
		ret = drm_chunks_dma_map(m.dev, m.chunks, m.nr, DMA_BIDIRECTIONAL, 0);
		KUNIT_ASSERT_EQ(test, ret, 0);

		drm_chunk_kunit_handover(test, m.dev, page_address(m.chunks[0].page),
					 m.chunks[0].dma_addr, drm_chunk_size(&m.chunks[0]),
					 drm_chunk_test_sync_list, &m);

		drm_chunks_dma_unmap(m.dev, m.chunks, m.nr, DMA_BIDIRECTIONAL, 0);
		drm_chunks_free(m.chunks, m.nr);
	}
}

/*
 * Test linking a list into one device range on devices without an IOMMU
 * (the mock devices have none): drm_chunks_dma_link() must fall back to
 * mapping chunk by chunk. The test case succeeds if the link returns 0 with
 * an unused IOVA state, every chunk gets the address drm_chunks_dma_map()
 * would give it, the list hands memory over with the sync pair as a mapped
 * list does, unlinking resets the addresses and the state, and a page-less
 * chunk is refused with -EINVAL.
 */
static void drm_chunk_test_dma_link_fallback(struct kunit *test)
{
	struct drm_chunk_test_mapped m = { .dev = test->priv };
	struct dma_iova_state state;
	const struct drm_chunk *chunk;
	struct drm_chunk_dma_iter iter;
	unsigned int ranges = 0;
	struct page *page;
	int ret;

	m.chunks = drm_chunks_alloc(SZ_4M, drm_chunks_max_run(m.dev), GFP_KERNEL, &m.nr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m.chunks);

	ret = drm_chunks_dma_link(m.dev, &state, m.chunks, m.nr, DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&state));
	drm_chunk_for_each(chunk, m.chunks, m.nr) {
		KUNIT_EXPECT_NE(test, chunk->dma_addr, DMA_MAPPING_ERROR);
		if (!is_swiotlb_force_bounce(m.dev))
			KUNIT_EXPECT_EQ(test, chunk->dma_addr,
					phys_to_dma(m.dev, page_to_phys(chunk->page)));
	}
	drm_chunk_for_each_dma_range(&iter, m.chunks, m.nr)
		ranges++;
	KUNIT_EXPECT_LE(test, ranges, m.nr);
	kunit_info(test, "4 MiB: %u chunks, %u device ranges\n", m.nr, ranges);

	drm_chunk_kunit_handover(test, m.dev, page_address(m.chunks[0].page),
				 m.chunks[0].dma_addr, drm_chunk_size(&m.chunks[0]),
				 drm_chunk_test_sync_list, &m);

	drm_chunks_dma_unlink(m.dev, &state, m.chunks, m.nr, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&state));
	drm_chunk_for_each(chunk, m.chunks, m.nr)
		KUNIT_EXPECT_EQ(test, chunk->dma_addr, DMA_MAPPING_ERROR);

	page = m.chunks[m.nr - 1].page;
	m.chunks[m.nr - 1].page = NULL;
	KUNIT_EXPECT_EQ(test, drm_chunks_dma_link(m.dev, &state, m.chunks, m.nr,
						  DMA_TO_DEVICE, 0), -EINVAL);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&state));
	drm_chunk_for_each(chunk, m.chunks, m.nr)
		KUNIT_EXPECT_EQ(test, chunk->dma_addr, DMA_MAPPING_ERROR);
	m.chunks[m.nr - 1].page = page;

	drm_chunks_free(m.chunks, m.nr);
}

static int drm_chunk_test_init(struct kunit *test)
{
	/* Device addresses above 4 GiB must be fine for every test. */
	test->priv = drm_chunk_kunit_device(test, "drm-chunk-test", DMA_BIT_MASK(64),
					    UINT_MAX);

	return 0;
}

static struct kunit_case drm_chunk_test_cases[] = {
	KUNIT_CASE(drm_chunk_test_to_pages),
	KUNIT_CASE_PARAM(drm_chunk_test_from_sgt, drm_chunk_test_sgt_gen_params),
	KUNIT_CASE(drm_chunk_test_to_sgt_split_limit),
	KUNIT_CASE_PARAM(drm_chunk_test_to_sgt_split, drm_chunk_test_split_gen_params),
	KUNIT_CASE(drm_chunk_test_to_sgt_errors),
	KUNIT_CASE(drm_chunk_test_sgt_roundtrip),
	KUNIT_CASE(drm_chunk_test_zone_boundary),
	KUNIT_CASE(drm_chunk_test_find),
	KUNIT_CASE_PARAM(drm_chunk_test_page_iter, drm_chunk_test_iter_gen_params),
	KUNIT_CASE(drm_chunk_test_dma_iter),
	KUNIT_CASE_PARAM(drm_chunk_test_alloc, drm_chunk_test_run_gen_params),
	KUNIT_CASE(drm_chunk_test_alloc_errors),
	KUNIT_CASE(drm_chunk_test_dma_map),
	KUNIT_CASE(drm_chunk_test_sync),
	KUNIT_CASE(drm_chunk_test_dma_link_fallback),
	{}
};

static struct kunit_suite drm_chunk_test_suite = {
	.name = "drm_chunk",
	.init = drm_chunk_test_init,
	.test_cases = drm_chunk_test_cases
};

kunit_test_suite(drm_chunk_test_suite);

MODULE_DESCRIPTION("KUnit test suite for chunk lists");
MODULE_LICENSE("GPL");
