import type { BackendStorage } from '../../storage-adapters/index.js';
import { splitKey } from '../invites/records.js';
import { LEGACY_TARGET_NAMESPACES, LegacyConverter, type Conversion, type ConversionReport, type LegacyRecord } from './convert.js';
import type { LegacyData } from './format.js';

/** Writing a conversion into the configured storage (any adapter), for the import at start and the data CLI. */

/** Keys of per-guild namespaces are `<guildId>` or `<guildId>:<id>`. */
const guildOf = (key: string) => (key.includes(':') ? splitKey(key)[0] : key);

/** Every server for which the target holds data in a namespace an import writes. */
async function serversInTarget(storage: BackendStorage): Promise<Set<string>> {
	const found = new Set<string>();
	for (const namespace of LEGACY_TARGET_NAMESPACES) for await (const [key] of storage.iterate(namespace)) found.add(guildOf(key));
	return found;
}

/** Servers of the conversion for which the target already holds data, in any of the namespaces it writes. */
export async function serversWithData(storage: BackendStorage, conversion: Conversion): Promise<string[]> {
	const held = await serversInTarget(storage);
	return [...conversion.guildIds].filter((guildId) => held.has(guildId)).sort();
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

/** Records per adapter batch write: large enough to share the flushes, small enough that a batch is a few MB at most. */
const WRITE_BATCH = 1000;

/** Collects records per namespace and writes each batch once it is full, with the adapter's batch write. */
class BatchWriter {
	private readonly batches = new Map<string, Array<[string, { value: unknown }]>>();

	public constructor(private readonly storage: BackendStorage) {}

	public async add([namespace, key, value]: LegacyRecord): Promise<void> {
		let batch = this.batches.get(namespace);
		if (!batch) this.batches.set(namespace, (batch = []));
		batch.push([key, { value }]);
		if (batch.length >= WRITE_BATCH) await this.write(namespace);
	}

	public async flush(): Promise<void> {
		for (const namespace of this.batches.keys()) await this.write(namespace);
	}

	private async write(namespace: string): Promise<void> {
		const batch = this.batches.get(namespace);
		if (!batch?.length) return;
		this.batches.set(namespace, []);
		await this.storage.importEntries(namespace, batch);
	}
}

/** Writes every converted record as it is (sets, never increments: writing the same conversion twice changes nothing). */
export async function writeConversion(storage: BackendStorage, conversion: Conversion): Promise<void> {
	const writer = new BatchWriter(storage);
	for (const [namespace, entries] of conversion.namespaces) for (const [key, value] of entries) await writer.add([namespace, key, value]);
	await writer.flush();
}

/** Runs a conversion for its report and servers only. */
function exhaust(records: Iterable<LegacyRecord>): void {
	const iterator = records[Symbol.iterator]();
	while (!iterator.next().done);
}

export type ImportOutcome = { imported: true; report: ConversionReport } | { imported: false; overlapping: string[]; report: ConversionReport };

/**
 * The import at start: reads, converts and writes the old data one part (file) at a time, in batches, so that neither
 * the whole folder nor the whole conversion is ever held (`parts` is called again for each pass). With `refuseOverlap`,
 * nothing is written when the target already holds data for one of the servers: a target with data gets a first pass
 * that only finds the servers (an empty one, the usual case, needs none).
 */
export async function importLegacy(
	storage: BackendStorage,
	parts: () => AsyncIterable<LegacyData>,
	importedAt: number,
	options: { refuseOverlap: boolean; beforeWriting?: () => Promise<void> }
): Promise<ImportOutcome> {
	if (options.refuseOverlap) {
		const held = await serversInTarget(storage);
		if (held.size > 0) {
			const scan = new LegacyConverter(importedAt);
			for await (const part of parts()) exhaust(scan.records(part));
			exhaust(scan.finish());
			const overlapping = [...scan.guildIds].filter((guildId) => held.has(guildId)).sort();
			if (overlapping.length > 0) return { imported: false, overlapping, report: scan.report };
		}
	}
	await options.beforeWriting?.();
	const converter = new LegacyConverter(importedAt);
	const writer = new BatchWriter(storage);
	for await (const part of parts()) for (const record of converter.records(part)) await writer.add(record);
	for (const record of converter.finish()) await writer.add(record);
	await writer.flush();
	return { imported: true, report: converter.report };
}
