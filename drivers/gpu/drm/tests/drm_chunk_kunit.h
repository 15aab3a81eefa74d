/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the KUnit suites of chunk lists and of the GEM chunk helper share:
 * mock DMA devices with limits, the check that a mapped buffer is handed
 * over between the CPU and such a device, and small list helpers.
 */

#ifndef DRM_CHUNK_KUNIT_H
#define DRM_CHUNK_KUNIT_H

#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/string.h>
#include <linux/swiotlb.h>

#include <kunit/device.h>
#include <kunit/test.h>

#include <drm/drm_chunk.h>

/* A device for DMA mapping, with @mask and a @max_seg maximum segment */
static inline struct device *drm_chunk_kunit_device(struct kunit *test,
						    const char *name, u64 mask,
						    unsigned int max_seg)
{
	struct device_dma_parameters *parms;
	struct device *dev;
	int ret;

	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);

	ret = dma_set_mask_and_coherent(dev, mask);
	KUNIT_ASSERT_EQ(test, ret, 0);

	parms = kunit_kzalloc(test, sizeof(*parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, parms);
	dev->dma_parms = parms;
	dma_set_max_seg_size(dev, max_seg);

	return dev;
}

/* The memory a device sees at @addr: the bounce buffer under swiotlb. */
static inline u8 *drm_chunk_kunit_device_view(struct device *dev, dma_addr_t addr)
{
	return phys_to_virt(dma_to_phys(dev, addr));
}

/*
 * Hand bytes over from the CPU to @dev and back, with @sync, at both ends
 * of the @len bytes mapped at @addr, where the mapping bounces through
 * swiotlb: always in the swiotlb=force boot, and for a device whose DMA
 * mask does not reach the memory. The device must not see the CPU's writes
 * before the sync to the device and must see them after; the CPU must see
 * the device's writes after the sync back. A mapping that does not bounce
 * is the CPU's memory itself: there is nothing to hand over and nothing is
 * checked. Returns whether it bounced.
 */
static inline bool drm_chunk_kunit_handover(struct kunit *test, struct device *dev,
					    u8 *cpu, dma_addr_t addr, size_t len,
					    void (*sync)(void *arg, bool for_cpu),
					    void *arg)
{
	phys_addr_t phys = dma_to_phys(dev, addr);
	bool bounced = swiotlb_find_pool(dev, phys);
	u8 *device = phys_to_virt(phys);

	kunit_info(test, "mapping %s\n", bounced ? "bounced" : "direct: no handover to check");
	if (!bounced && (is_swiotlb_force_bounce(dev) ||
			 phys_to_dma(dev, virt_to_phys(cpu)) > dma_get_mask(dev))) {
		KUNIT_FAIL(test, "the mapping must bounce through swiotlb, and it does not");
		return false;
	}
	if (!bounced) {
		KUNIT_EXPECT_PTR_EQ(test, device, cpu);
		return false;
	}
	KUNIT_EXPECT_PTR_NE(test, device, cpu);
	KUNIT_ASSERT_GE(test, len, 4);

	cpu[0] = 0x5a;
	cpu[len - 1] = 0x5b;
	KUNIT_EXPECT_NE(test, device[0], 0x5a);
	KUNIT_EXPECT_NE(test, device[len - 1], 0x5b);
	sync(arg, false);
	KUNIT_EXPECT_EQ(test, device[0], 0x5a);
	KUNIT_EXPECT_EQ(test, device[len - 1], 0x5b);

	device[1] = 0xa5;
	device[len - 2] = 0xa6;
	sync(arg, true);
	KUNIT_EXPECT_EQ(test, cpu[1], 0xa5);
	KUNIT_EXPECT_EQ(test, cpu[len - 2], 0xa6);

	return true;
}

/* Fill every page of a chunk list with @byte */
static inline void drm_chunk_kunit_fill(const struct drm_chunk *chunks,
					unsigned int nr_chunks, int byte)
{
	struct drm_chunk_page_iter iter;
	void *vaddr;

	drm_chunk_for_each_page(&iter, chunks, nr_chunks, 0) {
		vaddr = kmap_local_page(drm_chunk_page_iter_page(&iter));
		memset(vaddr, byte, PAGE_SIZE);
		kunmap_local(vaddr);
	}
}

/* The number of pages of a chunk list that are not all zeroes */
static inline unsigned long drm_chunk_kunit_nonzero_pages(const struct drm_chunk *chunks,
							  unsigned int nr_chunks)
{
	struct drm_chunk_page_iter iter;
	unsigned long n = 0;
	void *vaddr;

	drm_chunk_for_each_page(&iter, chunks, nr_chunks, 0) {
		vaddr = kmap_local_page(drm_chunk_page_iter_page(&iter));
		if (memchr_inv(vaddr, 0, PAGE_SIZE))
			n++;
		kunmap_local(vaddr);
	}

	return n;
}

/* The number of pages a chunk list holds */
static inline unsigned long drm_chunk_kunit_npages(const struct drm_chunk *chunks,
						   unsigned int nr_chunks)
{
	const struct drm_chunk *chunk;
	unsigned long n = 0;

	drm_chunk_for_each(chunk, chunks, nr_chunks)
		n += chunk->npages;

	return n;
}

/*
 * Mangle the page pointers of a table like CONFIG_DMABUF_DEBUG does, so that
 * any sg_page() user crashes, keeping the chain and end markers.
 */
static inline void drm_chunk_kunit_mangle_sgt(struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
		sg->page_link ^= ~0xffUL;
}

#endif /* DRM_CHUNK_KUNIT_H */
