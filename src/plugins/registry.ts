/**
 * What the bot knows about its plugins: the core's own declaration, the plugins loaded from PLUGINS and the ones that
 * failed. /data-status reads it; the core plugin declares every namespace listed here right after opening storage.
 */
import { container } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import type { Keyv } from 'keyv';
import { CORE_NAMESPACES } from '../lib/storage.js';
import type { Storage } from '../storage-adapters/types.js';
import { PLUGIN_MARK, type PluginContext, type PluginStorage, type SupremePlugin } from './api.js';

/** The built-in features, described like any plugin: their namespaces are declared through the same path. */
export const CORE_PLUGIN: SupremePlugin = Object.freeze({
	name: 'core',
	namespaces: Object.freeze([...CORE_NAMESPACES]),
	[PLUGIN_MARK]: true as const
});

export interface LoadedPlugin {
	readonly plugin: SupremePlugin;
	/** As written in PLUGINS (a package name or an absolute path). */
	readonly specifier: string;
	/** The module file that was imported. */
	readonly file: string;
	/** The pieces folder, once registered. */
	piecesPath: string | null;
	/** Set when `register` threw and the plugin was skipped. */
	error: string | null;
}

export interface PluginFailure {
	specifier: string;
	/** Known once the module was imported and described itself. */
	name: string | null;
	error: string;
}

const loaded: LoadedPlugin[] = [];
const failures: PluginFailure[] = [];

export const pluginRegistry = {
	/** The plugins imported from PLUGINS, in order (including ones whose register failed: see `error`). */
	plugins(): readonly LoadedPlugin[] {
		return loaded;
	},
	/** Plugins that never loaded, and plugins whose register threw. */
	failures(): readonly PluginFailure[] {
		return [
			...failures,
			...loaded
				.filter((entry) => entry.error !== null)
				.map((entry) => ({ specifier: entry.specifier, name: entry.plugin.name, error: entry.error! }))
		];
	},
	/** Every declared namespace with its owner: the core's first, then each plugin's. */
	namespaceOwners(): Map<string, string> {
		const owners = new Map<string, string>();
		for (const plugin of [CORE_PLUGIN, ...loaded.map((entry) => entry.plugin)]) {
			for (const namespace of plugin.namespaces ?? []) if (!owners.has(namespace)) owners.set(namespace, plugin.name);
		}
		return owners;
	},
	namespaces(): string[] {
		return [...this.namespaceOwners().keys()];
	},
	add(entry: LoadedPlugin): void {
		loaded.push(entry);
	},
	fail(failure: PluginFailure): void {
		failures.push(failure);
	},
	/** For tests that load plugins in-process. */
	clear(): void {
		loaded.length = 0;
		failures.length = 0;
	}
};

/** Declares every namespace of the core and the plugins on an opened storage (the core plugin calls it before the startup backup). */
export function declareNamespaces(storage: Storage): void {
	const { declare } = storage as Storage & { declare?: (name: string) => void };
	for (const namespace of pluginRegistry.namespaces()) declare?.call(storage, namespace);
}

/** A view of the storage limited to `namespaces`: the plugin cannot read or write another feature's data by mistake. */
export function scopedStorage(storage: () => Storage, owner: string, namespaces: readonly string[]): PluginStorage {
	const allowed = new Set(namespaces);
	const check = (namespace: string) => {
		if (!allowed.has(namespace)) {
			throw new Error(`Plugin ${owner} used namespace "${namespace}", which it did not declare (declared: ${namespaces.join(', ') || 'none'})`);
		}
	};
	return {
		namespace<T>(name: string): Keyv<T> {
			check(name);
			return storage().namespace<T>(name);
		},
		update(namespace, key, fn) {
			check(namespace);
			return storage().update(namespace, key, fn);
		},
		entries(namespace) {
			check(namespace);
			return storage().entries(namespace);
		}
	};
}

/** The context handed to a plugin's hooks; the logger prefixes lines with the plugin's name. */
export function pluginContext(plugin: SupremePlugin): PluginContext {
	const prefix = `Plugin ${plugin.name}: `;
	const { logger } = container;
	return {
		name: plugin.name,
		client: container.client,
		storage: scopedStorage(() => container.storage, plugin.name, plugin.namespaces ?? []),
		fetchT: (target) => fetchT(target as Parameters<typeof fetchT>[0]),
		logger: {
			has: (level) => logger.has(level),
			trace: (...values) => logger.trace(prefix, ...values),
			debug: (...values) => logger.debug(prefix, ...values),
			info: (...values) => logger.info(prefix, ...values),
			warn: (...values) => logger.warn(prefix, ...values),
			error: (...values) => logger.error(prefix, ...values),
			fatal: (...values) => logger.fatal(prefix, ...values),
			write: (level, ...values) => logger.write(level, prefix, ...values)
		}
	};
}

export interface StatusSection {
	title: string;
	lines: string[];
}

/** How many plugin sections /data-status shows: an embed holds 25 fields and the built-in ones come first. */
const MAX_PLUGIN_SECTIONS = 10;

/**
 * /data-status sections: one listing the plugins (only when PLUGINS names any), then each working plugin's own lines.
 * A plugin whose statusLines throws shows the error instead; it never fails the command.
 */
export async function pluginStatusSections(guildId: string): Promise<StatusSection[]> {
	const working = loaded.filter((entry) => entry.error === null);
	const broken = pluginRegistry.failures();
	if (working.length === 0 && broken.length === 0) return [];
	const sections: StatusSection[] = [
		{
			title: 'Plugins',
			lines: [
				...working.map(
					(entry) =>
						`${entry.plugin.name}${entry.plugin.version ? ` ${entry.plugin.version}` : ''}: loaded${entry.plugin.namespaces?.length ? ` (data: ${entry.plugin.namespaces.join(', ')})` : ''}`
				),
				...broken.map((failure) => `**${failure.name ?? failure.specifier}: not loaded**: ${failure.error}`)
			]
		}
	];
	for (const entry of working.filter((candidate) => candidate.plugin.statusLines).slice(0, MAX_PLUGIN_SECTIONS)) {
		let lines: string[];
		try {
			lines = (await entry.plugin.statusLines!(guildId, pluginContext(entry.plugin))).map(String);
		} catch (error) {
			lines = [`status unavailable: ${error instanceof Error ? error.message : String(error)}`];
		}
		sections.push({ title: entry.plugin.name, lines });
	}
	return sections;
}
