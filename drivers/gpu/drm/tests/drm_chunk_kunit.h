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
#include <linux/scatterlist.h>
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
 * Hand one byte over from the CPU to @dev and one back, with @sync. Where
 * the mapping bounces (always in the swiotlb=force boot), the device must
 * not see the CPU's write before the sync.
 */
static inline void drm_chunk_kunit_handover(struct kunit *test, struct device *dev,
					    u8 *cpu, dma_addr_t addr,
					    void (*sync)(void *arg, bool for_cpu),
					    void *arg)
{
	u8 *device = drm_chunk_kunit_device_view(dev, addr);
	bool bounced = device != cpu;

	kunit_info(test, "mapping %s\n", bounced ? "bounced" : "direct");
	if (is_swiotlb_force_bounce(dev))
		KUNIT_EXPECT_TRUE(test, bounced);

	cpu[0] = 0x5a;
	if (bounced)
		KUNIT_EXPECT_NE(test, device[0], 0x5a);
	sync(arg, false);
	KUNIT_EXPECT_EQ(test, device[0], 0x5a);

	device[1] = 0xa5;
	sync(arg, true);
	KUNIT_EXPECT_EQ(test, cpu[1], 0xa5);
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
