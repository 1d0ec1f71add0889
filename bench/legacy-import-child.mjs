// The measured side of bench/legacy-import.ts: plain JavaScript on the built code (dist/), as `npm start` runs it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [adapter, dataDir, dist] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { LegacyImportAtStart } = await load('lib/legacy/startup.js');
const { openStorage } = await load('storage-adapters/index.js');
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const lines = [];
const logger = { info: (line) => lines.push(line), warn: (line) => lines.push(line), error: (line) => lines.push(line) };
const config = { dataDir, backupDir: join(dataDir, 'backups'), backupKeep: 20, storageAdapter: adapter, sqlitePath: join(dataDir, 'bot.sqlite') };
const started = performance.now();
const prepared = await LegacyImportAtStart.prepare(config, logger);
const storage = await openStorage({
	adapter,
	dataDir,
	sqlitePath: config.sqlitePath,
	redisUrl: 'redis://127.0.0.1:1',
	backupDir: config.backupDir,
	backupKeep: 20
});
await prepared?.apply(storage);
await storage.close();
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const done = lines.find((line) => line.includes('import done'));
if (!done) throw new Error(`the import did not finish: ${lines.join('\n')}`);
const summary = done.slice(done.indexOf('): ') + 3, done.indexOf('): ') + 80);
process.stdout.write(JSON.stringify({ seconds, peakMb: peak / 1024 / 1024, beforeMb: before / 1024 / 1024, summary }));
