#!/usr/bin/env node
/**
 * `node scripts/run.mjs <entry> [args...]`: builds when a source is newer than dist/ (a quick check, see build.mjs), then
 * runs the built entry in this same process, with the argv it would have had as `node <entry> [args...]`. One node
 * process instead of a check process and a bot process: `npm start` costs little more than `node dist/index.js`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale } from './build.mjs';

const [entry] = process.argv.splice(2, 1);
if (!entry) {
	process.stderr.write('usage: node scripts/run.mjs <built entry> [args...]\n');
	process.exit(2);
}
buildIfStale();
process.argv[1] = resolve(entry);
await import(pathToFileURL(process.argv[1]).href);
