// scripts/build.mjs --if-stale, the check `npm start`, `npm run data` and `npm install` run: it builds when a source is
// newer than the last build or sources were added or removed, and never otherwise. Run on a small project shaped like
// ours (the same tsconfig files and source folders) so each build takes a second, not the bot's full tsc.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve('.');
let project: string;

function check(extraEnv: Record<string, string> = {}): { built: boolean; code: number | null; stderr: string } {
	const run = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
		cwd: project,
		encoding: 'utf8',
		env: { PATH: process.env.PATH ?? '', ...extraEnv }
	});
	return { built: run.stderr.includes('Building the bot'), code: run.status, stderr: run.stderr };
}

function write(path: string, text: string): void {
	mkdirSync(join(project, path, '..'), { recursive: true });
	writeFileSync(join(project, path), text);
}

function inTheFuture(path: string): void {
	const later = new Date(Date.now() + 5_000);
	utimesSync(join(project, path), later, later);
}

beforeAll(() => {
	project = mkdtempSync(join(tmpdir(), 'supreme-build-check-'));
	cpSync(join(REPO, 'scripts'), join(project, 'scripts'), { recursive: true });
	mkdirSync(join(project, 'node_modules'));
	symlinkSync(join(REPO, 'node_modules/typescript'), join(project, 'node_modules/typescript'));
	symlinkSync(join(REPO, 'node_modules/esbuild'), join(project, 'node_modules/esbuild'));
	write('package.json', '{ "type": "module" }\n');
	write(
		'tsconfig.json',
		JSON.stringify({
			compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: [] }
		})
	);
	write(
		'tsconfig.build.json',
		JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] })
	);
	write(
		'tsconfig.plugin-api.json',
		JSON.stringify({
			extends: './tsconfig.build.json',
			compilerOptions: { declaration: true, emitDeclarationOnly: true },
			include: [],
			files: ['src/api.ts']
		})
	);
	write(
		'examples/plugins/member-notes/tsconfig.json',
		JSON.stringify({ extends: '../../../tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] })
	);
	write('examples/plugins/member-notes/src/index.ts', 'export const plugin = 1;\n');
	write('src/api.ts', 'export const api = 1;\n');
	write('src/index.ts', 'export const bot = 1;\n');
	write('src/commands/old.ts', 'export const old = 1;\n');
	// The dashboard's pages: type-checked by tsc, bundled by esbuild, with each language's dashboard texts.
	write('web/tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['src'] }));
	write('web/src/main.tsx', 'export const page = 1;\n');
	write('web/styles/main.css', 'body { margin: 0; }\n');
	write('web/favicon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
	write('web/index.html', '<!doctype html><script src="app.js"></script>\n');
	write('src/languages/en-US/dashboard.json', '{}\n');
});

afterAll(() => {
	rmSync(project, { recursive: true, force: true });
});

describe('the build check (scripts/build.mjs --if-stale)', () => {
	it('builds a fresh clone (no dist/), then does nothing while the sources are unchanged', () => {
		const first = check();
		expect(first).toMatchObject({ built: true, code: 0 });
		expect(first.stderr).toContain('dist/ does not exist');
		expect(existsSync(join(project, 'dist/index.js'))).toBe(true);
		expect(existsSync(join(project, 'dist/api.d.ts'))).toBe(true);
		expect(existsSync(join(project, 'examples/plugins/member-notes/dist/index.js'))).toBe(true);
		expect(check()).toMatchObject({ built: false, code: 0 });
	});

	it('rebuilds when a source is newer than the build, naming it', () => {
		write('src/index.ts', 'export const bot = 2;\n');
		inTheFuture('src/index.ts');
		const run = check();
		expect(run).toMatchObject({ built: true, code: 0 });
		expect(run.stderr).toContain('src/index.ts changed');
		inTheFuture('dist/.build-stamp.json');
		expect(check().built).toBe(false);
	});

	it('rebuilds from clean when a source was removed, so a deleted command does not live on in dist/', () => {
		expect(existsSync(join(project, 'dist/commands/old.js'))).toBe(true);
		rmSync(join(project, 'src/commands/old.ts'));
		const run = check();
		expect(run).toMatchObject({ built: true, code: 0 });
		expect(run.stderr).toContain('source files were added or removed');
		expect(existsSync(join(project, 'dist/commands/old.js'))).toBe(false);
	});

	it('says what to do when a build is needed and TypeScript is not installed (a production install)', () => {
		write('src/index.ts', 'export const bot = 3;\n');
		inTheFuture('src/index.ts');
		inTheFuture('src/api.ts');
		rmSync(join(project, 'node_modules/typescript'));
		try {
			const run = check();
			expect(run.code).toBe(1);
			expect(run.stderr).toContain('TypeScript is not installed');
			expect(run.stderr).toContain('npm prune --omit=dev');
		} finally {
			symlinkSync(join(REPO, 'node_modules/typescript'), join(project, 'node_modules/typescript'));
		}
	});

	it('does nothing in an install without sources (a shipped dist/)', () => {
		rmSync(join(project, 'src'), { recursive: true });
		rmSync(join(project, 'examples'), { recursive: true });
		rmSync(join(project, 'web'), { recursive: true });
		rmSync(join(project, 'node_modules/typescript'));
		expect(check()).toMatchObject({ built: false, code: 0 });
	});
});
