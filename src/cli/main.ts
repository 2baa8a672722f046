import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { readLock } from '../db/data-dir-lock.ts';
import { createProgressBar, formatImportReport } from '../imports/progress.ts';
import { ComebackError } from '../kernel/errors.ts';
import { FILE_FORMATS, type FileFormat, IMPORT_KINDS, type ImportKind } from '../orders/formats/types.ts';
import { STAFF_ROLES, type StaffRole } from '../staff/rules.ts';
import { registerAnalyzeCommand } from './analyze.ts';
import { promptPassword, readPasswordFromStdin } from './password-input.ts';

// Commands load the database, server and import code only when they run: `--help`, `--version`
// and `analyze` start without them.
const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;
const openTarget: typeof import('./target.ts').openTarget = async (...args) =>
  (await import('./target.ts')).openTarget(...args);

function usageError(message: string): ComebackError {
  return new ComebackError('VALIDATION_FAILED', message);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

const program = new Command()
  .name('comeback')
  .description('Comeback: the repeat-sales engine for online stores.')
  .version(VERSION)
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Environment: PORT (3000), HOST (127.0.0.1), COMEBACK_DATA_DIR (./.comeback), DATABASE_URL (PostgreSQL
instead of the embedded database), LOG_LEVEL (info), COMEBACK_DEMO (auto|off).`,
  );

program
  .command('serve')
  .description(
    'Run the API, the worker and the status page; migrates the database and loads the demo store on first start',
  )
  .action(async () => {
    const { startServer } = await import('../main.ts');
    const server = await startServer(loadConfig());
    const stop = async () => {
      await server.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('migrate')
  .description('Apply database migrations (the server also does on start)')
  .action(async () => {
    const config = loadConfig();
    const { openDatabase } = await import('../db/open.ts');
    const { migrate } = await import('../db/migrate.ts');
    const opened = await openDatabase(config, 'comeback migrate').catch((err) => {
      if (err instanceof ComebackError && err.code === 'DATA_DIR_LOCKED' && readLock(config.dataDir)?.url) {
        // The running server migrated the directory when it started: nothing is pending.
        process.stdout.write(
          'The running server holds the database and migrated it on start: nothing to do.\n',
        );
        process.exit(0);
      }
      throw err;
    });
    const result = await migrate(opened.db);
    await opened.close();
    process.stdout.write(
      `Database at version ${result.current}${result.applied.length ? '' : ' (up to date)'}\n`,
    );
  });

program
  .command('demo')
  .description('Create or refresh the "demo" store with 2 years of realistic synthetic data')
  .option('--customers <n>', 'number of customers', positiveInt, 5000)
  .option('--seed <n>', 'random seed (same seed and day → same store)', positiveInt, 42)
  .action(async (opts: { customers: number; seed: number }) => {
    const target = await openTarget(loadConfig(), 'comeback demo');
    try {
      const bar = createProgressBar();
      const result = await target.loadDemo(opts.customers, opts.seed, (done, total) =>
        bar.update({ rowsRead: done, bytesRead: done, totalBytes: total, records: done, rejected: 0 }),
      );
      bar.stop();
      const counts = Object.entries(result.counts)
        .map(([k, v]) => `  ${k.padEnd(10)} ${v.toLocaleString('en-US')}`)
        .join('\n');
      process.stdout.write(
        `Demo store ${result.created ? 'created' : 'refreshed'} (slug: demo)\n${counts}\n`,
      );
      if (result.apiKey) process.stdout.write(`API key for the demo store:\n${result.apiKey}\n`);
    } finally {
      await target.close();
    }
  });

program
  .command('import')
  .description('Import a CSV file into a store: streaming, with a progress bar and a report of rejected rows')
  .addArgument(new Command().createArgument('<kind>', 'what the file holds').choices(IMPORT_KINDS))
  .argument('<file>', 'path of the CSV file')
  .requiredOption('--store <slug>', 'the store to import into')
  .addOption(
    new Option('--format <format>', 'file layout (docs/import.md)').choices(FILE_FORMATS).default('generic'),
  )
  .addOption(
    new Option('--locale <locale>', 'number format: en 1,234.50 · de 1.234,50')
      .choices(['en', 'de'])
      .default('en'),
  )
  .option('--currency <code>', "currency when the file has none (default: the store's)")
  .option('--dry-run', 'parse and validate only; write nothing', false)
  .option('--rejects <path>', 'where to write rejected rows (default: FILE.rejects.csv)')
  .action(
    async (
      kind: ImportKind,
      file: string,
      opts: {
        store: string;
        format: FileFormat;
        locale: 'en' | 'de';
        currency?: string;
        dryRun: boolean;
        rejects?: string;
      },
    ) => {
      const path = await import('node:path');
      const { defaultRejectsPath } = await import('../imports/run-import.ts');
      const abs = path.resolve(file);
      const target = await openTarget(loadConfig(), 'comeback import');
      const bar = createProgressBar();
      try {
        const report = await target.importFile(opts.store, {
          file: abs,
          kind,
          format: opts.format,
          dryRun: opts.dryRun,
          locale: opts.locale,
          currency: opts.currency,
          rejectsPath: opts.rejects ? path.resolve(opts.rejects) : defaultRejectsPath(abs),
          onProgress: (p) => bar.update(p),
        });
        bar.stop();
        process.stdout.write(`${formatImportReport(report)}\n`);
      } finally {
        bar.stop();
        await target.close();
      }
    },
  );

const keys = program.command('keys').description('API keys of a store');
keys
  .command('create')
  .description('Create an API key; prints the key alone on the last line (shown once, stored hashed)')
  .requiredOption('--store <slug>', 'the store')
  .option('--name <name>', 'a label for the key', '')
  .action(async (opts: { store: string; name: string }) => {
    const target = await openTarget(loadConfig(), 'comeback keys create');
    try {
      const { key, secret } = await target.createKey(opts.store, opts.name);
      process.stderr.write(
        `Created key ${key.id} (prefix ${key.prefix}) for store ${opts.store}. Keep it secret; it is not shown again.\n`,
      );
      process.stdout.write(`${secret}\n`);
    } finally {
      await target.close();
    }
  });
keys
  .command('list')
  .description("List a store's API keys (prefixes only)")
  .requiredOption('--store <slug>', 'the store')
  .action(async (opts: { store: string }) => {
    const target = await openTarget(loadConfig(), 'comeback keys list');
    try {
      const list = await target.listKeys(opts.store);
      for (const k of list) {
        process.stdout.write(
          `${k.id}  ${k.prefix}…  ${k.name || '-'}  created ${new Date(k.created_at).toISOString()}${k.revoked_at ? '  REVOKED' : ''}\n`,
        );
      }
      if (list.length === 0)
        process.stdout.write('No keys yet: comeback keys create --store ' + opts.store + '\n');
    } finally {
      await target.close();
    }
  });
keys
  .command('revoke')
  .description('Revoke an API key by its id or prefix; requests with it get 401 from then on')
  .argument('<key>', 'key id (key_…) or prefix (cb_…)')
  .requiredOption('--store <slug>', 'the store')
  .action(async (key: string, opts: { store: string }) => {
    const target = await openTarget(loadConfig(), 'comeback keys revoke');
    try {
      const k = await target.revokeKey(opts.store, key);
      process.stdout.write(`Revoked ${k.id} (${k.prefix})\n`);
    } finally {
      await target.close();
    }
  });

const stores = program.command('stores').description('Stores (tenants) in this Comeback');
stores
  .command('create')
  .description('Create a store')
  .argument('<slug>', 'short name: lower-case letters, digits, dashes')
  .option('--name <name>', 'display name')
  .option('--currency <code>', 'ISO 4217 currency', 'EUR')
  .option('--timezone <tz>', 'IANA time zone for display and quiet hours', 'UTC')
  .action(async (slug: string, opts: { name?: string; currency: string; timezone: string }) => {
    const target = await openTarget(loadConfig(), 'comeback stores create');
    try {
      const s = await target.createStore({
        slug,
        name: opts.name,
        currency: opts.currency.toUpperCase(),
        timezone: opts.timezone,
      });
      process.stdout.write(
        `Created store ${s.slug} (${s.id}). Next: comeback keys create --store ${s.slug}\n`,
      );
    } finally {
      await target.close();
    }
  });
stores
  .command('list')
  .description('List stores')
  .action(async () => {
    const target = await openTarget(loadConfig(), 'comeback stores list');
    try {
      for (const s of await target.listStores())
        process.stdout.write(`${s.slug}  ${s.name}  ${s.currency}  ${s.id}\n`);
    } finally {
      await target.close();
    }
  });

const users = program.command('users').description('Dashboard users (staff) of a store');
users
  .command('create')
  .description('Add a dashboard user; the password is asked for, or read from stdin with --password-stdin')
  .requiredOption('--store <slug>', 'the store')
  .requiredOption('--email <email>', 'their email, which is also their login')
  .addOption(
    new Option(
      '--role <role>',
      'owner: everything · marketer: no settings or API keys · account_manager: own customers',
    )
      .choices(STAFF_ROLES)
      .makeOptionMandatory(),
  )
  .option('--password-stdin', 'read the password from the first line of stdin', false)
  .action(async (opts: { store: string; email: string; role: StaffRole; passwordStdin: boolean }) => {
    let password: string;
    if (opts.passwordStdin) password = await readPasswordFromStdin();
    else {
      password = await promptPassword(`Password for ${opts.email}: `);
      if ((await promptPassword('Again: ')) !== password) throw usageError('The passwords differ');
    }
    const { validateNewUser } = await import('../staff/repository.ts');
    validateNewUser({ email: opts.email, role: opts.role, password });
    const target = await openTarget(loadConfig(), 'comeback users create');
    try {
      const user = await target.createUser(opts.store, { email: opts.email, role: opts.role, password });
      process.stdout.write(`Created ${user.role} ${user.email} (${user.id}) for store ${opts.store}\n`);
    } finally {
      await target.close();
    }
  });

program
  .command('loyalty')
  .description("Loyalty: run a store's daily job now (expiry, reminders, tiers, certificates, referrals)")
  .command('run')
  .description(
    "Run the store's loyalty job now; every step is idempotent, so running it twice changes nothing",
  )
  .requiredOption('--store <slug>', 'the store')
  .action(async (opts: { store: string }) => {
    const target = await openTarget(loadConfig(), 'comeback loyalty run');
    try {
      const out = await target.runLoyalty(opts.store);
      if (out.summary === null) process.stdout.write(`Store ${opts.store} has no loyalty program\n`);
      else process.stdout.write(`${JSON.stringify({ run_id: out.run_id, ...out.summary }, null, 2)}\n`);
    } finally {
      await target.close();
    }
  });

registerAnalyzeCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ComebackError) {
    process.stderr.write(`comeback: ${err.message}\n`);
    for (const d of err.details) process.stderr.write(`  ${d.path}: ${d.message}\n`);
    process.exit(1);
  }
  throw err;
}
