import type { BackendStorage } from '../../storage-adapters/index.js';
import { splitKey } from '../invites/records.js';
import type { Conversion } from './convert.js';

/** Writing a conversion into the configured storage (any adapter), for the import at start and the data CLI. */

/** Keys of per-guild namespaces are `<guildId>` or `<guildId>:<id>`. */
const guildOf = (key: string) => (key.includes(':') ? splitKey(key)[0] : key);

/** Servers of the conversion for which the target already holds data, in any of the namespaces it writes. */
export async function serversWithData(storage: BackendStorage, conversion: Conversion): Promise<string[]> {
	const found = new Set<string>();
	for (const namespace of conversion.namespaces.keys()) {
		for await (const [key] of storage.iterate(namespace)) {
			const guildId = guildOf(key);
			if (conversion.guildIds.has(guildId)) found.add(guildId);
		}
	}
	return [...found].sort();
}

/** Deletes what the target holds for these servers in the namespaces the conversion writes (`--replace`, after a backup). */
export async function clearServers(storage: BackendStorage, conversion: Conversion, guildIds: Set<string>): Promise<void> {
	for (const namespace of conversion.namespaces.keys()) {
		const doomed: string[] = [];
		for await (const [key] of storage.iterate(namespace)) if (guildIds.has(guildOf(key))) doomed.push(key);
		const keyv = storage.namespace(namespace);
		for (let start = 0; start < doomed.length; start += 1000) await keyv.deleteMany(doomed.slice(start, start + 1000));
	}
}

/** Records wrapped as stored entries at a time: the whole history is never held twice. */
const WRITE_CHUNK = 10_000;

/** Writes every converted record as it is (sets, never increments: writing the same conversion twice changes nothing). */
export async function writeConversion(storage: BackendStorage, conversion: Conversion): Promise<void> {
	for (const [namespace, entries] of conversion.namespaces) {
		for (let start = 0; start < entries.length; start += WRITE_CHUNK) {
			await storage.importEntries(
				namespace,
				entries.slice(start, start + WRITE_CHUNK).map(([key, value]) => [key, { value }])
			);
		}
	}
}
