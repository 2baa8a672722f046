import { expect, it } from 'vitest';
import { cancelCheckout } from '../src/checkout/repository.ts';
import { migrate } from '../src/db/migrate.ts';
import { describeEachDb } from './db.ts';
import { storeWithKey } from './helpers.ts';

/**
 * Migration 0018 on a database that has commits: their effects and evaluations move to
 * checkout_commit_bodies, and a commit made before it can still be cancelled (cancel reads what
 * it took from the moved effects) and answers with its evaluation as stored.
 */
describeEachDb('checkout commit bodies migration', (getDb) => {
  it('moves the stored effects and evaluations, and an older commit is still cancelled from them', async () => {
    const db = getDb();
    const { storeId } = await storeWithKey(db, 'bodies-migration');
    // The schema as it was before 0018: the bodies inline in checkout_commits.
    await db.exec(`
      drop table checkout_commit_bodies;
      alter table checkout_commits add column effects json not null, add column evaluation json not null;
      delete from schema_migrations where version = '0018_checkout_commit_bodies';`);
    // What the order took: a single-use code and part of a gift card's balance (cancel gives them back).
    await db.query(
      `with p as (insert into promotions (store_id, id, config) values ($1, 'old', '{}') returning store_id, id)
       insert into promotion_codes (store_id, code, promotion_id, redeemed_at, balance_minor)
       select store_id, c.code, id, c.redeemed_at, c.balance from p,
         (values ('OLD-CODE', now(), null::int8), ('OLD-GIFT', null, 300)) as c(code, redeemed_at, balance)`,
      [storeId],
    );
    const effects = [
      { type: 'redeem_code', code: 'OLD-CODE', promotionId: 'old' },
      { type: 'debit_gift_card', code: 'OLD-GIFT', promotionId: 'old', amountMinor: 700 },
    ];
    const evaluation = {
      currency: 'EUR',
      total_minor: 4200,
      discounts: [{ promotion_id: 'old', amount_minor: 300 }],
    };
    await db.query(
      `insert into checkout_commits (store_id, order_external_id, state, customer_id, effects, evaluation)
       values ($1, 'before-0018', 'committed', null, $2::json, $3::json)`,
      [storeId, JSON.stringify(effects), JSON.stringify(evaluation)],
    );

    expect((await migrate(db)).applied).toEqual(['0018_checkout_commit_bodies']);

    const moved = await db.query<{ effects: unknown; evaluation: unknown }>(
      'select effects, evaluation from checkout_commit_bodies where store_id = $1 and order_external_id = $2',
      [storeId, 'before-0018'],
    );
    expect(moved.rows).toEqual([{ effects, evaluation }]);
    const columns = await db.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_name = 'checkout_commits'
       and column_name in ('effects', 'evaluation')`,
    );
    expect(columns.rows).toEqual([]);

    const cancelled = await cancelCheckout(db, storeId, 'before-0018', Date.now());
    expect(cancelled).toMatchObject({ state: 'cancelled', orderExternalId: 'before-0018', evaluation });
    const codes = await db.query<{ code: string; redeemed: boolean; balance: number | null }>(
      `select code, redeemed_at is not null as redeemed, balance_minor::int as balance from promotion_codes
       where store_id = $1 order by code`,
      [storeId],
    );
    expect(codes.rows).toEqual([
      { code: 'OLD-CODE', redeemed: false, balance: null },
      { code: 'OLD-GIFT', redeemed: false, balance: 1000 },
    ]);
  });
});
