/**
 * How much of a limited promotion's limit a use shard is granted at a time (checkout takes each
 * use from its connection's shard). A dimension without a limit is null throughout.
 */

/** What a promotion's row has not handed out: uses, and budget in minor units. */
export interface Free {
  uses: number | null;
  minor: number | null;
}

/** A grant is a 128th of what is left: shards share a limit without one holding most of it. */
const QUOTA_SHARE = 128;
/** At most 1,000 uses (and as many discounts' budget) at a time. */
const QUOTA_MAX_USES = 1000;

/** Whether `free` covers one use with this discount. */
export function coversUse(free: Free, discountMinor: number): boolean {
  return (free.uses === null || free.uses >= 1) && (free.minor === null || free.minor >= discountMinor);
}

/**
 * The quota to grant for an order's use (`coversUse` must hold): at least that use, at most what
 * is free; near the end of a limit, one use at a time, so none is stranded in a shard.
 */
export function quotaGrant(free: Free, discountMinor: number): Free {
  const share = (n: number) => Math.floor(n / QUOTA_SHARE);
  return {
    uses:
      free.uses === null
        ? null
        : Math.min(free.uses, Math.max(1, Math.min(QUOTA_MAX_USES, share(free.uses)))),
    minor:
      free.minor === null
        ? null
        : Math.min(
            free.minor,
            Math.max(discountMinor, Math.min(discountMinor * QUOTA_MAX_USES, share(free.minor))),
          ),
  };
}
