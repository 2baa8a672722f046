/** Runs once before all tests; database templates are prepared in test/db.ts on first use. */
export default function setup(): void {}
