import { z } from 'zod';

export const DEMOGRAPHICS = ['shonen', 'shojo', 'seinen', 'josei', 'kodomo'] as const;
export const DemographicSchema = z.enum(DEMOGRAPHICS);
export type Demographic = z.infer<typeof DemographicSchema>;

/**
 * The fields of a product that a prompt, a cached answer or a search result needs; everything else
 * about a product stays in the catalog.
 */
export const ProductSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  creator: z.string().nullable(),
  priceJpy: z.number().int().nonnegative(),
  inStock: z.boolean(),
  demographic: DemographicSchema.nullable(),
  nextVolumeDate: z.string().nullable(),
});
export type ProductSummary = z.infer<typeof ProductSummarySchema>;

/** Pre-filters of a product search; each one narrows the candidates before similarity ranks them. */
export const ProductFiltersSchema = z.object({
  category: z.literal('manga').optional(),
  language: z.enum(['ja', 'en']).optional(),
  inStock: z.boolean().optional(),
  maxPriceJpy: z.number().int().positive().optional(),
  minPriceJpy: z.number().int().nonnegative().optional(),
  demographic: DemographicSchema.optional(),
  genre: z.string().min(1).optional(),
  /** Only products with a next volume announced (new releases). */
  upcomingRelease: z.boolean().optional(),
});
export type ProductFilters = z.infer<typeof ProductFiltersSchema>;
