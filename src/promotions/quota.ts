/**
 * How much of a limited promotion's limit a use shard is granted at a time (checkout takes each
 * use from its connection's shard), and which shards give a cancelled order's uses back. A
 * dimension without a limit is null throughout.
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

/** Per promotion id, what a use shard counts: uses, and the discount spent on them in minor units. */
export type ShardUses = Record<string, readonly [uses: number, spentMinor: number]>;

/** A row of `promotion_use_counts`: a shard and its counts. */
export interface UseShard {
  shard: number;
  uses: ShardUses;
}

/** A use a cancelled order gives back: its promotion and the discount it gave. */
export interface ReleasedUse {
  promotionId: string;
  discountMinor: number;
}

/** Where a released use came back from: a shard, or its promotion's row (null); and the part of its discount the shards gave back. */
export interface UseGivenBack<U> {
  use: U;
  shard: number | null;
  minor: number;
}

/**
 * Gives released uses back, in order, to the shards that counted them. A use comes off a shard
 * holding one of its promotion's uses (one whose spend covers its discount first), or off the
 * promotion's row (null) when none does: an edit folded the shards onto it. Its discount comes off
 * that shard's spend, then other shards' (shards' spend counts only as its sum, so spend left in a
 * shard whose uses are gone goes too); the rest (`discountMinor - minor`) off the row.
 * Returns the new counts of the shards it changed, in the input's order; the input stays as it is.
 */
export function giveBackUses<U extends ReleasedUse>(
  shards: readonly UseShard[],
  uses: readonly U[],
): { shards: UseShard[]; back: UseGivenBack<U>[] } {
  const counts = shards.map((r) => ({ shard: r.shard, uses: { ...r.uses } }));
  const touched = new Set<number>();
  const back = uses.map((use) => {
    const id = use.promotionId;
    const holding = counts.filter((r) => (r.uses[id]?.[0] ?? 0) > 0);
    const pick = holding.find((r) => r.uses[id][1] >= use.discountMinor) ?? holding[0] ?? null;
    if (pick !== null) pick.uses[id] = [pick.uses[id][0] - 1, pick.uses[id][1]];
    let minor = 0;
    for (const r of pick === null ? counts : [pick, ...counts.filter((x) => x !== pick)]) {
      const spent = r.uses[id]?.[1] ?? 0;
      const take = Math.min(spent, use.discountMinor - minor);
      if (take > 0 || r === pick) {
        r.uses[id] = [r.uses[id][0], spent - take];
        touched.add(r.shard);
      }
      minor += take;
      if (minor === use.discountMinor) break;
    }
    return { use, shard: pick?.shard ?? null, minor };
  });
  return { shards: counts.filter((r) => touched.has(r.shard)), back };
}
