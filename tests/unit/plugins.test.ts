import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { definePlugin, PLUGIN_MARK } from '../../src/plugins/api.js';
import { foreignCopies, locatePlugin, moduleFormat } from '../../src/plugins/loader.js';
import { CORE_PLUGIN, scopedStorage } from '../../src/plugins/registry.js';
import { CORE_NAMESPACES } from '../../src/lib/storage.js';
import type { Storage } from '../../src/storage-adapters/types.js';

let root: string;

beforeEach(() => {
	root = mkdtempSync(join(tmpdir(), 'supreme-plugin-unit-'));
});

afterEach(() => {
	rmSync(root, { recursive: true, force: true });
});

/** Writes files below `root`: { 'a/package.json': {...}, 'a/index.js': '' }. */
function files(tree: Record<string, string | object>): void {
	for (const [path, content] of Object.entries(tree)) {
		mkdirSync(join(root, path, '..'), { recursive: true });
		writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
	}
}

describe('PLUGIN_FAILURE', () => {
	const config = (env: Record<string, string>) => loadConfig({ DISCORD_TOKEN: 'token-for-tests', ...env }, root);

	it('defaults to skip and accepts abort', () => {
		expect(config({}).pluginFailure).toBe('skip');
		expect(config({ PLUGIN_FAILURE: 'abort' }).pluginFailure).toBe('abort');
		expect(config({ PLUGIN_FAILURE: 'ABORT' }).pluginFailure).toBe('abort');
	});

	it('refuses anything else, naming the key and the choices', () => {
		expect(() => config({ PLUGIN_FAILURE: 'ignore' })).toThrow(ConfigError);
		expect(() => config({ PLUGIN_FAILURE: 'ignore' })).toThrow('PLUGIN_FAILURE must be one of skip, abort (got "ignore")');
	});

	it('is read from bot.config.json too', () => {
		files({ 'bot.config.json': { PLUGIN_FAILURE: 'abort', PLUGINS: ['./plugins/a', 'some-package'] } });
		const loaded = config({});
		expect(loaded.pluginFailure).toBe('abort');
		expect(loaded.plugins).toEqual([join(root, 'plugins/a'), 'some-package']);
	});
});

describe('definePlugin', () => {
	it('marks and freezes a valid description', () => {
		const plugin = definePlugin({ name: 'member-notes', namespaces: ['member-notes'] });
		expect(plugin[PLUGIN_MARK]).toBe(true);
		expect(Object.isFrozen(plugin)).toBe(true);
		expect(plugin.namespaces).toEqual(['member-notes']);
	});

	it.each([
		[{ name: 'Bad Name' }, 'name must be 1-64 lowercase letters'],
		[{ name: 'core' }, '"core" is the bot\'s own'],
		[{ name: 'a', namespaces: ['has space'] }, 'namespace "has space" of a'],
		[{ name: 'a', namespaces: ['x', 'x'] }, 'declares a namespace twice'],
		[{ name: 'a', register: 'nope' }, 'register of a must be a function']
	])('refuses %j', (definition, message) => {
		expect(() => definePlugin(definition as never)).toThrow(message);
	});

	it('describes the core with the core namespaces', () => {
		expect(CORE_PLUGIN.name).toBe('core');
		expect(CORE_PLUGIN.namespaces).toEqual([...CORE_NAMESPACES]);
	});
});

describe('finding a plugin module', () => {
	it('reads a package folder\'s "exports" with the import conditions, else main, else index.js', () => {
		files({
			'conditional/package.json': { type: 'module', exports: { '.': { require: './cjs.cjs', import: './esm.js' } } },
			'conditional/esm.js': '',
			'main/package.json': { type: 'module', main: 'lib/entry.js' },
			'main/lib/entry.js': '',
			'bare/index.js': ''
		});
		expect(locatePlugin(join(root, 'conditional'), root, root)).toEqual({ file: join(root, 'conditional/esm.js'), format: 'module' });
		expect(locatePlugin(join(root, 'main'), root, root).file).toBe(join(root, 'main/lib/entry.js'));
		// bare/ has no package.json: the nearest one up is the test's temp dir... none, so CommonJS by Node's rules.
		expect(locatePlugin(join(root, 'bare'), root, root)).toEqual({ file: join(root, 'bare/index.js'), format: 'commonjs' });
	});

	it('says when a package only offers CommonJS', () => {
		files({ 'old/package.json': { exports: { require: './index.cjs' } } });
		expect(() => locatePlugin(join(root, 'old'), root, root)).toThrow('exports only a CommonJS entry ("require")');
	});

	it("resolves a package name from the bot's node_modules first, then the working directory's", () => {
		files({
			'bot/node_modules/shared-plugin/package.json': { type: 'module', exports: './bot.js' },
			'bot/node_modules/shared-plugin/bot.js': '',
			'cwd/node_modules/shared-plugin/package.json': { type: 'module', exports: './cwd.js' },
			'cwd/node_modules/shared-plugin/cwd.js': '',
			'cwd/node_modules/@scope/only-here/package.json': { type: 'module', exports: { '.': './a.js', './extra': './b.js' } },
			'cwd/node_modules/@scope/only-here/b.js': ''
		});
		const bot = join(root, 'bot');
		const cwd = join(root, 'cwd');
		expect(locatePlugin('shared-plugin', cwd, bot).file).toBe(join(bot, 'node_modules/shared-plugin/bot.js'));
		expect(locatePlugin('@scope/only-here/extra', cwd, bot).file).toBe(join(cwd, 'node_modules/@scope/only-here/b.js'));
		expect(() => locatePlugin('missing-plugin', cwd, bot)).toThrow(
			`package missing-plugin is not installed (looked in ${join(bot, 'node_modules')} and ${join(cwd, 'node_modules')}`
		);
	});

	it('tells ES modules from CommonJS the way Node does', () => {
		files({ 'esm/package.json': { type: 'module' }, 'cjs/package.json': {} });
		expect(moduleFormat(join(root, 'esm/a.js'))).toBe('module');
		expect(moduleFormat(join(root, 'cjs/a.js'))).toBe('commonjs');
		expect(moduleFormat(join(root, 'cjs/a.mjs'))).toBe('module');
		expect(moduleFormat(join(root, 'esm/a.cjs'))).toBe('commonjs');
		expect(() => moduleFormat(join(root, 'esm/a.ts'))).toThrow('build the plugin first');
	});

	it('finds a plugin that would load its own copy of the framework', () => {
		files({
			'bot/node_modules/@sapphire/framework/package.json': { name: '@sapphire/framework' },
			'bot/node_modules/discord.js/package.json': { name: 'discord.js' },
			'plugin/node_modules/@sapphire/framework/package.json': { name: '@sapphire/framework' },
			'plugin/index.js': ''
		});
		const copies = foreignCopies(join(root, 'plugin/index.js'), join(root, 'bot'));
		expect(copies).toEqual([
			{
				name: '@sapphire/framework',
				theirs: join(root, 'plugin/node_modules/@sapphire/framework'),
				ours: join(root, 'bot/node_modules/@sapphire/framework')
			}
		]);
		// A plugin inside the bot's folder shares the bot's copies.
		expect(foreignCopies(join(root, 'bot/plugins/x/index.js'), join(root, 'bot'))).toEqual([]);
	});
});

describe('plugin storage', () => {
	it('refuses namespaces the plugin did not declare, before touching storage', () => {
		const storage = scopedStorage(() => ({}) as Storage, 'member-notes', ['member-notes']);
		expect(() => storage.namespace('invites')).toThrow(
			'Plugin member-notes used namespace "invites", which it did not declare (declared: member-notes)'
		);
		expect(() => storage.entries('settings')).toThrow('did not declare');
	});
});
