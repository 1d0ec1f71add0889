/**
 * The plugin API: what a third-party plugin imports (as `supreme-bot/plugin`) to describe itself.
 * Types only, plus `definePlugin`, so the module stays free of the bot's internals; see docs/plugins.md.
 */
import type { ILogger, SapphireClient } from '@sapphire/framework';
import type { TFunction } from 'i18next';

/** What `fetchT` resolves with: `t('<plugin name>:key', { variables })`. */
export type { TFunction };
import type { Keyv } from 'keyv';
import type { UpdateFn } from '../storage-adapters/types.js';

/** Marks a value made by definePlugin; a registered symbol, so it is the same in every copy of this module. */
export const PLUGIN_MARK: unique symbol = Symbol.for('supreme-bot.plugin') as never;

/** Plugin names and namespaces: lowercase, digits and dashes, so they read well in logs, status and file names. */
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

/** Storage limited to the namespaces the plugin declared: a typo or another feature's namespace is refused. */
export interface PluginStorage {
	/** A Keyv instance (JSON values) for one of the plugin's namespaces. Errors reach the caller. */
	namespace<T = unknown>(name: string): Keyv<T>;
	/** Atomic read-modify-write of one key; returning undefined from `fn` deletes it. */
	update<T>(namespace: string, key: string, fn: UpdateFn<T>): Promise<T | undefined>;
	/** Every live entry of one of the plugin's namespaces. */
	entries<T = unknown>(namespace: string): Promise<Array<[string, T]>>;
}

/** What `register` and `statusLines` receive. */
export interface PluginContext {
	/** The plugin's name, as declared. */
	readonly name: string;
	readonly client: SapphireClient;
	readonly storage: PluginStorage;
	/** The bot's logger; lines are prefixed with the plugin's name. */
	readonly logger: ILogger;
	/**
	 * The translator of a server's language (the one the bot speaks there: /language, else its Community language,
	 * else DEFAULT_LANGUAGE), for an interaction or a guild. Keys of the plugin's own files: `t('<plugin name>:key')`.
	 */
	readonly fetchT: (target: { readonly guild: unknown } | { readonly id: string; readonly preferredLocale: string }) => Promise<TFunction>;
}

export interface PluginDefinition {
	/** Unique among the loaded plugins and not "core": lowercase letters, digits and dashes. */
	name: string;
	version?: string;
	/**
	 * Storage namespaces the plugin owns. Declared before the bot's storage is used: they are in every backup,
	 * restore, /data-status and the data CLI, and no other plugin (nor the core) may claim them.
	 */
	namespaces?: readonly string[];
	/**
	 * A folder holding Sapphire piece folders (`commands/`, `listeners/`, `preconditions/`, `interaction-handlers/`),
	 * registered with `container.stores.registerPath` once `register` succeeded. Usually `new URL('./pieces/', import.meta.url)`.
	 */
	piecesPath?: string | URL;
	/**
	 * A folder of language files, `<locale>/<namespace>.json` like the bot's own (src/languages): the namespace is the
	 * plugin's name (`member-notes.json`), so no plugin can overwrite the bot's words or another plugin's. Loaded into
	 * the bot's i18next before `register`. Usually `new URL('../languages/', import.meta.url)`.
	 */
	languages?: string | URL;
	/** Runs before login, after storage is open and the built-in features started; a throw fails only this plugin. */
	register?(context: PluginContext): void | Promise<void>;
	/** Lines for /data-status in one server (a section titled by the plugin's name); keep them few and short. */
	statusLines?(guildId: string, context: PluginContext): string[] | Promise<string[]>;
}

export type SupremePlugin = Readonly<PluginDefinition> & { readonly [PLUGIN_MARK]: true };

/** Checks a plugin description and marks it; a plugin module default-exports the result. */
export function definePlugin(definition: PluginDefinition): SupremePlugin {
	const problem = describePluginProblem(definition);
	if (problem !== null) throw new TypeError(`Invalid plugin definition: ${problem}`);
	return Object.freeze({ ...definition, namespaces: Object.freeze([...(definition.namespaces ?? [])]), [PLUGIN_MARK]: true as const });
}

/** Why `value` is not a usable plugin description, or null. Shared by definePlugin and the loader (plain objects are accepted too). */
export function describePluginProblem(value: unknown): string | null {
	if (typeof value !== 'object' || value === null) return 'expected an object made with definePlugin({ name, ... })';
	const definition = value as Partial<Record<keyof PluginDefinition, unknown>>;
	if (typeof definition.name !== 'string' || !NAME.test(definition.name)) {
		return `name must be 1-64 lowercase letters, digits or dashes (got ${JSON.stringify(definition.name)})`;
	}
	if (definition.name === 'core') return 'the name "core" is the bot\'s own';
	const namespaces = definition.namespaces ?? [];
	if (!Array.isArray(namespaces)) return `namespaces of ${definition.name} must be a list of names`;
	for (const namespace of namespaces) {
		if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
			return `namespace ${JSON.stringify(namespace)} of ${definition.name}: use 1-64 letters, digits, "_" or "-"`;
		}
	}
	if (new Set(namespaces).size !== namespaces.length) return `${definition.name} declares a namespace twice`;
	for (const folder of ['piecesPath', 'languages'] as const) {
		const path = definition[folder];
		if (path !== undefined && typeof path !== 'string' && !(path instanceof URL))
			return `${folder} of ${definition.name} must be a path or a file: URL`;
	}
	for (const hook of ['register', 'statusLines'] as const) {
		if (definition[hook] !== undefined && typeof definition[hook] !== 'function') return `${hook} of ${definition.name} must be a function`;
	}
	return null;
}
