#!/usr/bin/env node
/**
 * `npm run build` (node scripts/build.mjs): a clean build of dist/ (the bot, the plugin API types, the example plugin,
 * the dashboard's pages in dist/dashboard/).
 * `node scripts/build.mjs --if-stale`: the same, only when a source is newer than the last build or a source was added
 * or removed since (a deleted command must not live on in dist/). `npm install` runs this check (prepare), and
 * scripts/run.mjs runs it in the bot's own process before `npm start`, `npm run data`, `npm run start:sharded`: a
 * restart costs a directory walk instead of a TypeScript build.
 *
 * Plain JavaScript on purpose: it runs where TypeScript is not installed (a production install with a shipped build).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Written after a successful build: the sources it was made from. */
const STAMP = join(ROOT, 'dist', '.build-stamp.json');
const SOURCE_DIRECTORIES = ['src', 'examples/plugins/member-notes/src', 'web'];
const SOURCE_FILES = [
	'package.json',
	'tsconfig.json',
	'tsconfig.build.json',
	'tsconfig.plugin-api.json',
	'examples/plugins/member-notes/tsconfig.json'
];
/** web/tsconfig.json emits nothing: tsc type-checks the pages, esbuild bundles them (buildDashboard). */
const PROJECTS = ['tsconfig.build.json', 'tsconfig.plugin-api.json', 'examples/plugins/member-notes/tsconfig.json', 'web/tsconfig.json'];
const OUTPUTS = ['dist', 'examples/plugins/member-notes/dist'];
/** Language folders (src/languages/<locale>/<namespace>.json) and where the built code reads them. */
const LANGUAGE_FOLDERS = [['src/languages', 'dist/languages']];
/** Where the dashboard's files go: the API serves this folder at / (src/routes). */
const DASHBOARD_OUTPUT = 'dist/dashboard';
/** The namespaces of the bot's language files that the dashboard's pages read. */
const DASHBOARD_NAMESPACES = ['dashboard'];

/** Every source file with its mtime, sorted by path. */
function sources() {
	const found = [];
	const walk = (directory) => {
		for (const entry of readdirSync(directory, { withFileTypes: true })) {
			const path = join(directory, entry.name);
			if (entry.isDirectory()) walk(path);
			else if (entry.isFile()) found.push(path);
		}
	};
	for (const directory of SOURCE_DIRECTORIES) if (existsSync(join(ROOT, directory))) walk(join(ROOT, directory));
	for (const file of SOURCE_FILES) if (existsSync(join(ROOT, file))) found.push(join(ROOT, file));
	return found.map((path) => ({ path: relative(ROOT, path), mtimeMs: statSync(path).mtimeMs })).sort((a, b) => a.path.localeCompare(b.path));
}

/** Why dist/ is out of date, or null when it is current. */
function staleReason(current) {
	if (!existsSync(STAMP)) return existsSync(join(ROOT, 'dist')) ? 'dist/ was not built by this script' : 'dist/ does not exist';
	let stamp;
	try {
		stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
	} catch {
		return 'the build stamp is unreadable';
	}
	const builtAt = statSync(STAMP).mtimeMs;
	const newer = current.find((source) => source.mtimeMs > builtAt);
	if (newer) return `${newer.path} changed`;
	if (JSON.stringify(stamp.sources) !== JSON.stringify(current.map((source) => source.path))) return 'source files were added or removed';
	return null;
}

export function build(current = sources()) {
	let tsc;
	try {
		tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
	} catch {
		process.stderr.write(
			'The bot needs building but TypeScript is not installed (a production install without dev dependencies).\n' +
				'Build where dev dependencies are installed (npm ci && npm run build), then run npm prune --omit=dev, or ship dist/ with the install.\n'
		);
		process.exit(1);
	}
	// A source saved while tsc runs is newer than the stamp, so the next check builds again.
	const startedAt = new Date();
	for (const output of OUTPUTS) rmSync(join(ROOT, output), { recursive: true, force: true });
	for (const project of PROJECTS) {
		// tsc reports on stdout; here it goes to stderr, so `npm run -s data -- export > file` stays clean.
		const run = spawnSync(process.execPath, [tsc, '-p', project], { cwd: ROOT, stdio: ['ignore', 2, 2] });
		if (run.status !== 0) process.exit(run.status ?? 1);
	}
	mkdirSync(join(ROOT, 'dist'), { recursive: true });
	// tsc copies no JSON that nothing imports: the language files are read at run time (@sapphire/plugin-i18next).
	for (const [from, to] of LANGUAGE_FOLDERS) if (existsSync(join(ROOT, from))) cpSync(join(ROOT, from), join(ROOT, to), { recursive: true });
	buildDashboard();
	writeFileSync(STAMP, `${JSON.stringify({ sources: current.map((source) => source.path) })}\n`);
	utimesSync(STAMP, startedAt, startedAt);
}

/**
 * The dashboard: one JavaScript and one CSS file (esbuild; the CSP allows no inline script or style), the static
 * page, and each language's dashboard texts as locales/<language>.json, read by the pages at run time.
 */
function buildDashboard() {
	const output = join(ROOT, DASHBOARD_OUTPUT);
	mkdirSync(join(output, 'locales'), { recursive: true });
	const require = createRequire(import.meta.url);
	const esbuild = require('esbuild');
	const common = { bundle: true, minify: true, sourcemap: true, logLevel: 'warning', absWorkingDir: ROOT, legalComments: 'none' };
	esbuild.buildSync({
		...common,
		entryPoints: ['web/src/main.tsx'],
		outfile: join(output, 'app.js'),
		format: 'esm',
		target: ['es2022'],
		jsx: 'automatic',
		jsxImportSource: 'preact',
		tsconfig: 'web/tsconfig.json'
	});
	esbuild.buildSync({ ...common, entryPoints: ['web/styles/main.css'], outfile: join(output, 'app.css') });
	cpSync(join(ROOT, 'web', 'favicon.svg'), join(output, 'favicon.svg'));
	const languages = join(ROOT, 'src/languages');
	for (const language of readdirSync(languages)) {
		const texts = {};
		for (const namespace of DASHBOARD_NAMESPACES) {
			const file = join(languages, language, `${namespace}.json`);
			if (existsSync(file)) texts[namespace] = JSON.parse(readFileSync(file, 'utf8'));
		}
		writeFileSync(join(output, 'locales', `${language}.json`), JSON.stringify(texts));
	}
	// The server lets browsers cache assets for an hour: the page names them with a version of this build, so a new
	// build is fetched at once (the bundle reads the version from the page for the language files).
	const version = createHash('sha256');
	for (const file of ['app.js', 'app.css', ...readdirSync(join(output, 'locales')).map((name) => `locales/${name}`)])
		version.update(readFileSync(join(output, file)));
	const stamp = version.digest('hex').slice(0, 12);
	const page = readFileSync(join(ROOT, 'web', 'index.html'), 'utf8')
		.replaceAll('{{version}}', stamp)
		.replace(/(href|src)="(app\.(?:css|js)|favicon\.svg)"/g, `$1="$2?v=${stamp}"`);
	writeFileSync(join(output, 'index.html'), page);
}

/**
 * Builds when dist/ is out of date. An install without src/ (a packaged or copied build) has nothing to build from:
 * its dist/ is what ships.
 */
export function buildIfStale() {
	const current = sources();
	if (current.every((source) => source.path.endsWith('.json'))) return;
	const reason = staleReason(current);
	if (reason === null) return;
	process.stderr.write(`Building the bot (${reason})...\n`);
	build(current);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	if (process.argv.includes('--if-stale')) buildIfStale();
	else build();
}
