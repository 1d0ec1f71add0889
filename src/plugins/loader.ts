/**
 * Loads the plugins named in PLUGINS, before the client is created: each module is found, checked (ESM, same
 * framework copy as the bot), imported and validated; its `register` and pieces are wired through Sapphire's own
 * plugin hooks (a preLogin hook per plugin, pieces via container.stores.registerPath). See docs/plugins.md.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { register as registerModuleHooks } from 'node:module';
import { dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { container, SapphireClient, type Piece, type Store } from '@sapphire/framework';
import i18next from 'i18next';
import type { Config } from '../config.js';
import { PIECES_DIRECTORY } from '../lib/client.js';
import { isLanguage } from '../lib/i18n/languages.js';
import { addSecret, describeError } from '../lib/secrets.js';
import { StartupError } from '../lib/storage.js';
import { describePluginProblem, type SupremePlugin } from './api.js';
import { CORE_PLUGIN, pluginContext, pluginRegistry, type LoadedPlugin } from './registry.js';

export type PluginFailureMode = 'skip' | 'abort';

/** The bot's own folder (dist/..): package names resolve from its node_modules first. */
const BOT_DIRECTORY = fileURLToPath(new URL('../../', import.meta.url));
/** Packages a plugin must share with the bot: a second copy has its own hook registry, classes and container. */
const SHARED_PACKAGES = ['@sapphire/framework', 'discord.js'];

/** A plugin that cannot be loaded; the message names the plugin and says what to do. */
export class PluginLoadError extends Error {
	public override readonly name = 'PluginLoadError';
}

// --- finding the module ---

export interface PluginLocation {
	/** The module file to import. */
	file: string;
	/** How Node will load it: only 'module' (ESM) is accepted. */
	format: 'module' | 'commonjs';
}

/**
 * Where a PLUGINS entry points. Paths (already absolute: the config resolves them against the working directory)
 * name a module file or a package folder. Package names resolve from the bot's own install (its node_modules, as
 * a plain import would), then from the working directory's node_modules (and their parents).
 */
export function locatePlugin(specifier: string, cwd = process.cwd(), botDirectory = BOT_DIRECTORY): PluginLocation {
	if (isAbsolute(specifier)) {
		if (!existsSync(specifier)) throw new PluginLoadError(`${specifier} does not exist`);
		const file = statSync(specifier).isDirectory() ? folderEntry(specifier) : specifier;
		return { file, format: moduleFormat(file) };
	}
	const { name, subpath } = splitPackageSpecifier(specifier);
	const searched: string[] = [];
	for (const base of [botDirectory, cwd]) {
		const directory = findPackageDirectory(name, base);
		if (directory) {
			const file = packageEntry(directory, subpath);
			return { file, format: moduleFormat(file) };
		}
		searched.push(join(base, 'node_modules'));
	}
	throw new PluginLoadError(`package ${name} is not installed (looked in ${[...new Set(searched)].join(' and ')} and their parent folders)`);
}

function splitPackageSpecifier(specifier: string): { name: string; subpath: string } {
	const parts = specifier.split('/');
	const length = specifier.startsWith('@') ? 2 : 1;
	return { name: parts.slice(0, length).join('/'), subpath: parts.length > length ? `./${parts.slice(length).join('/')}` : '.' };
}

/** A folder named by path: its package.json's entry, else its index.js or index.mjs. */
function folderEntry(directory: string): string {
	if (existsSync(join(directory, 'package.json'))) return packageEntry(directory, '.');
	const index = ['index.js', 'index.mjs'].map((name) => join(directory, name)).find((file) => existsSync(file));
	if (!index) throw new PluginLoadError(`${directory} has neither a package.json nor an index.js`);
	return index;
}

/** Node's node_modules lookup: `<dir>/node_modules/<name>` from `from` up to the root; the real path (symlinks followed). */
export function findPackageDirectory(name: string, from: string): string | null {
	for (let directory = resolve(from); ; directory = dirname(directory)) {
		const candidate = join(directory, 'node_modules', name);
		if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
		if (dirname(directory) === directory) return null;
	}
}

function readPackageJson(directory: string): Record<string, unknown> {
	try {
		return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as Record<string, unknown>;
	} catch (error) {
		throw new PluginLoadError(`${join(directory, 'package.json')} cannot be read: ${describeError(error)}`);
	}
}

/** The conditions Node's `import` matches in "exports", in its own order of preference. */
const IMPORT_CONDITIONS = new Set(['node', 'import', 'default']);

function conditionalTarget(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) {
		for (const item of value) {
			const target = conditionalTarget(item);
			if (target !== null) return target;
		}
		return null;
	}
	if (typeof value === 'object' && value !== null) {
		for (const [condition, target] of Object.entries(value)) {
			if (!IMPORT_CONDITIONS.has(condition)) continue;
			const found = conditionalTarget(target);
			if (found !== null) return found;
		}
	}
	return null;
}

/** The file a package folder exports at `subpath` for an ESM import ("exports", else "main", else index.js). */
function packageEntry(directory: string, subpath: string): string {
	const pkg = readPackageJson(directory);
	const name = typeof pkg.name === 'string' ? pkg.name : directory;
	if (pkg.exports !== undefined && pkg.exports !== null) {
		const exports = pkg.exports as unknown;
		const bySubpath = typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports as object).some((key) => key.startsWith('.'));
		const entry = bySubpath ? (exports as Record<string, unknown>)[subpath] : subpath === '.' ? exports : undefined;
		const target = conditionalTarget(entry);
		if (target === null) {
			const requireOnly = JSON.stringify(entry ?? null).includes('"require"');
			throw new PluginLoadError(
				requireOnly
					? `${name} exports only a CommonJS entry ("require") at ${subpath}; plugins must be ES modules (an "import" or "default" entry)`
					: `${name} exports nothing at ${subpath} for import`
			);
		}
		return join(directory, target);
	}
	if (subpath !== '.') return join(directory, subpath);
	const main = typeof pkg.main === 'string' ? pkg.main : 'index.js';
	for (const candidate of [main, `${main}.js`, join(main, 'index.js')]) {
		const file = join(directory, candidate);
		if (existsSync(file) && statSync(file).isFile()) return file;
	}
	throw new PluginLoadError(`${name} has no entry file (${join(directory, main)} does not exist; is it built?)`);
}

/** What Node makes of a file: .mjs and .cjs say so; .js follows the nearest package.json's "type". */
export function moduleFormat(file: string): 'module' | 'commonjs' {
	const extension = extname(file);
	if (extension === '.mjs') return 'module';
	if (extension === '.cjs') return 'commonjs';
	if (extension !== '.js') throw new PluginLoadError(`${file} is not a JavaScript module (.js or .mjs); build the plugin first`);
	for (let directory = dirname(file); ; directory = dirname(directory)) {
		if (existsSync(join(directory, 'package.json'))) return readPackageJson(directory).type === 'module' ? 'module' : 'commonjs';
		if (dirname(directory) === directory) return 'commonjs';
	}
}

/** Copies of the shared packages the plugin would import that are not the bot's own (name -> [theirs, ours]). */
export function foreignCopies(file: string, botDirectory = BOT_DIRECTORY): Array<{ name: string; theirs: string; ours: string }> {
	const copies: Array<{ name: string; theirs: string; ours: string }> = [];
	for (const name of SHARED_PACKAGES) {
		const ours = findPackageDirectory(name, botDirectory);
		const theirs = findPackageDirectory(name, dirname(file));
		// Not found from the plugin: its import fails on its own, with Node's message.
		if (ours && theirs && ours !== theirs) copies.push({ name, theirs, ours });
	}
	return copies;
}

// --- loading ---

export interface LoadPluginsOptions {
	cwd?: string;
	botDirectory?: string;
}

/**
 * Imports every plugin of `config.plugins` and registers its hooks on SapphireClient.plugins; call it before
 * createClient. A plugin that fails is reported and skipped (PLUGIN_FAILURE=skip) or stops the bot (abort: throws
 * PluginLoadError). Two plugins, or a plugin and the core, claiming one name or namespace always stop it.
 */
export async function loadPlugins(
	config: Pick<Config, 'plugins' | 'pluginFailure' | 'discordToken'>,
	options: LoadPluginsOptions = {}
): Promise<readonly LoadedPlugin[]> {
	if (config.plugins.length === 0) return [];
	addSecret(config.discordToken);
	// Before any plugin is imported: `supreme-bot/plugin` must resolve to this very bot.
	registerModuleHooks(new URL('./resolve-hooks.js', import.meta.url), { data: { apiUrl: new URL('./api.js', import.meta.url).href } });

	const failed = (specifier: string, name: string | null, error: string) => {
		if (config.pluginFailure === 'abort') {
			throw new PluginLoadError(
				`Plugin ${name ?? specifier} failed to load: ${error} (PLUGIN_FAILURE=abort stops the bot; skip starts it without the plugin)`
			);
		}
		pluginRegistry.fail({ specifier, name, error });
	};

	for (const specifier of config.plugins) {
		let location: PluginLocation;
		try {
			location = locatePlugin(specifier, options.cwd, options.botDirectory);
		} catch (error) {
			failed(specifier, null, describeError(error));
			continue;
		}
		if (location.format === 'commonjs') {
			failed(
				specifier,
				null,
				`${location.file} is a CommonJS module: it would get the CommonJS copy of @sapphire/framework, whose hooks never run in this ESM bot. Publish the plugin as an ES module ("type": "module" in its package.json, or .mjs files)`
			);
			continue;
		}
		const copies = foreignCopies(location.file, options.botDirectory);
		if (copies.length > 0) {
			const list = copies.map((copy) => `${copy.name} from ${copy.theirs} (the bot uses ${copy.ours})`).join('; ');
			failed(
				specifier,
				null,
				`it would load its own copy of ${list}: its pieces and hooks would never reach the bot. Declare these as peerDependencies and install the plugin next to the bot, without its own copies`
			);
			continue;
		}

		let plugin: SupremePlugin;
		try {
			const module = (await import(pathToFileURL(location.file).href)) as { default?: unknown };
			const problem = describePluginProblem(module.default);
			if (problem !== null) throw new PluginLoadError(`${location.file} does not default-export a plugin: ${problem}`);
			plugin = module.default as SupremePlugin;
		} catch (error) {
			failed(specifier, null, describeError(error));
			continue;
		}
		assertNoClash(plugin, specifier);
		pluginRegistry.add({ plugin, specifier, file: location.file, piecesPath: null, error: null });
	}

	registerPluginHooks(config.pluginFailure);
	return pluginRegistry.plugins();
}

function resolvePluginPath(path: string | URL, file: string): string {
	return path instanceof URL ? fileURLToPath(path) : resolve(dirname(file), path);
}

/**
 * A plugin's language files, `<locale>/<plugin name>.json`, added to the bot's i18next (@sapphire/plugin-i18next
 * reads only the bot's own languages folder at its init; its `backend.paths` would add patterns but not namespaces,
 * which it learns by walking that folder, so the bundles are added here, after its init: i18next.addResourceBundle).
 * A language the bot does not speak, or a file for another namespace, is refused: the plugin fails to load.
 */
function addPluginLanguages(plugin: SupremePlugin, folder: string): void {
	if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new PluginLoadError(`languages ${folder} is not a folder`);
	if (container.i18n.namespaces.has(plugin.name))
		throw new PluginLoadError(`its language namespace "${plugin.name}" is taken (by the bot or another plugin)`);
	for (const locale of readdirSync(folder)) {
		if (!isLanguage(locale)) throw new PluginLoadError(`languages/${locale}: not a language the bot speaks (see LANGUAGES)`);
		for (const file of readdirSync(join(folder, locale))) {
			if (file !== `${plugin.name}.json`)
				throw new PluginLoadError(`languages/${locale}/${file}: a plugin's language file is named after it (${plugin.name}.json)`);
			const resources = JSON.parse(readFileSync(join(folder, locale, file), 'utf8')) as Record<string, unknown>;
			i18next.addResourceBundle(locale, plugin.name, resources, true, true);
		}
	}
	container.i18n.namespaces.add(plugin.name);
}

/** A name or namespace already taken is a configuration error, never skipped: the bot does not start. */
function assertNoClash(plugin: SupremePlugin, specifier: string): void {
	const same = pluginRegistry.plugins().find((entry) => entry.plugin.name === plugin.name);
	if (same) {
		throw new StartupError(
			`Plugin name clash: "${plugin.name}" is the name of both ${same.specifier} and ${specifier}; remove one of them from PLUGINS`
		);
	}
	const owners = pluginRegistry.namespaceOwners();
	for (const namespace of plugin.namespaces ?? []) {
		const owner = owners.get(namespace);
		if (owner === undefined) continue;
		const other = owner === CORE_PLUGIN.name ? 'the core (built-in features)' : `plugin ${owner}`;
		throw new StartupError(
			`Storage namespace clash: "${namespace}" is claimed by plugin ${plugin.name} (${specifier}) and by ${other}; a namespace has one owner`
		);
	}
}

function registerPluginHooks(mode: PluginFailureMode): void {
	SapphireClient.plugins.registerPostInitializationHook(function installPieceClashCheck(this: SapphireClient) {
		for (const store of this.stores.values()) watchForReplacedPieces(store as unknown as Store<Piece>);
	}, 'Plugins-PieceClashCheck');

	SapphireClient.plugins.registerPreLoginHook(function reportPluginFailures() {
		for (const failure of pluginRegistry.failures()) {
			container.logger.error(`Plugin ${failure.name ?? failure.specifier} failed to load and was skipped: ${failure.error}`);
		}
	}, 'Plugins-Report');

	for (const entry of pluginRegistry.plugins()) {
		const { plugin } = entry;
		// One Sapphire hook per plugin, after the core's (storage open, features started).
		SapphireClient.plugins.registerPreLoginHook(async function registerPlugin(this: SapphireClient) {
			const piecesPath =
				plugin.piecesPath === undefined
					? null
					: plugin.piecesPath instanceof URL
						? fileURLToPath(plugin.piecesPath)
						: resolve(dirname(entry.file), plugin.piecesPath);
			try {
				if (piecesPath !== null && !(existsSync(piecesPath) && statSync(piecesPath).isDirectory())) {
					throw new PluginLoadError(`piecesPath ${piecesPath} is not a folder`);
				}
				if (plugin.languages !== undefined) addPluginLanguages(plugin, resolvePluginPath(plugin.languages, entry.file));
				await plugin.register?.(pluginContext(plugin));
			} catch (error) {
				const message = describeError(error);
				if (mode === 'abort')
					throw new StartupError(
						`Plugin ${plugin.name} failed to load: ${message} (PLUGIN_FAILURE=abort stops the bot; skip starts it without the plugin)`
					);
				entry.error = message;
				container.logger.error(`Plugin ${plugin.name} failed to load and was skipped: ${message}`);
				return;
			}
			// Only now: a plugin whose register failed must not have commands running without their setup.
			if (piecesPath !== null) {
				this.stores.registerPath(piecesPath);
				entry.piecesPath = piecesPath;
			}
			const namespaces = plugin.namespaces?.length ? `, namespaces: ${plugin.namespaces.join(', ')}` : '';
			container.logger.info(`Plugin loaded: ${plugin.name}${plugin.version ? ` ${plugin.version}` : ''} (${entry.file}${namespaces})`);
		}, `Plugin-${plugin.name}`);
	}
}

// --- same-named pieces ---

/** Who a piece belongs to, by the folder it was loaded from: the longest matching root wins. */
function ownerOf(piece: Piece): { owner: string; plugin: boolean } {
	const roots: Array<{ root: string; owner: string; plugin: boolean }> = [{ root: PIECES_DIRECTORY, owner: 'the core', plugin: false }];
	for (const entry of pluginRegistry.plugins())
		if (entry.piecesPath) roots.push({ root: entry.piecesPath, owner: `plugin ${entry.plugin.name}`, plugin: true });
	const { full } = piece.location;
	const match = roots
		.filter(({ root }) => full.startsWith(root.endsWith(sep) ? root : `${root}${sep}`))
		.sort((a, b) => b.root.length - a.root.length)[0];
	return match ?? { owner: 'a piece added with loadPiece', plugin: true };
}

const watched = new WeakSet<object>();

/**
 * Sapphire replaces a piece when another of the same name is inserted, without a word. Every insert goes through
 * the store strategy's onLoad, so a name that is already taken by another file stops the startup when a plugin is
 * on either side (a clash inside the core is only logged: it is our own bug, and the core must still start).
 */
function watchForReplacedPieces(store: Store<Piece>): void {
	const { strategy } = store;
	if (watched.has(strategy)) return;
	watched.add(strategy);
	const onLoad = strategy.onLoad.bind(strategy);
	strategy.onLoad = (target: Store<Piece>, piece: Piece) => {
		const previous = target.get(piece.name);
		// The same file inserted again is a reload, not a clash.
		if (previous && previous !== piece && previous.location.full !== piece.location.full) {
			const [first, second] = [ownerOf(previous), ownerOf(piece)];
			const kind = target.name.replace(/s$/, '').replace(/-/g, ' ');
			const message = `Piece name clash: ${kind} "${piece.name}" is claimed by ${first.owner} (${previous.location.full}) and by ${second.owner} (${piece.location.full}); Sapphire would keep only one. Rename one (its file name or its name option)`;
			if (first.plugin || second.plugin) throw new StartupError(message);
			container.logger.warn(message);
		}
		onLoad(target, piece);
	};
}
