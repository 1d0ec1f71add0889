import type { RedisClientType } from '@keyv/redis';
import { GROUP_SEPARATOR, GROUPED_NAMESPACES, groupOf } from '../grouped.js';

/**
 * Redis keeps no key order, so reading one group of a grouped namespace (one giveaway's entries) by SCAN MATCH walks
 * the whole keyspace. Instead, each group has a set of its members' names, `<prefix>group:<namespace>:<group>`, that
 * every write of a key changes in the same atomic step (MULTI, or the compare-and-set script). A group read is then
 * SSCAN of that set and MGET of its keys: the size of the group, whatever the rest of the keyspace holds.
 *
 * The sets are meta keys (no `::` after the namespace), so backups, counts and restores never take them for data; a
 * restore rebuilds them in the same script that swaps the data in. A key that expires leaves its member behind: a
 * read that finds the key gone removes the member (only if the key is still gone, in one script). Data of a version
 * from before the sets is indexed once at open; until the marker says the index is complete, reads fall back to SCAN.
 */
const GROUP_KEY = 'group:';
const READY_KEY = 'group-index-ready:';
/** Members read per SSCAN step (and keys per MGET). */
const GROUP_BATCH = 1000;

/** KEYS: data key, index key, data key, index key, …; ARGV: the members. Adds a member only while its key exists. */
const ADD_IF_PRESENT = `
local added = 0
for index = 1, #KEYS, 2 do
	if redis.call('EXISTS', KEYS[index]) == 1 then added = added + redis.call('SADD', KEYS[index + 1], ARGV[(index + 1) / 2]) end
end
return added`;

/** KEYS: index key, data key, data key, …; ARGV: the members. Removes a member only while its key is absent. */
const REMOVE_IF_ABSENT = `
local removed = 0
for index = 2, #KEYS do
	if redis.call('EXISTS', KEYS[index]) == 0 then removed = removed + redis.call('SREM', KEYS[1], ARGV[index - 1]) end
end
return removed`;

/**
 * Lua for the restore script (see SWAP_IN_RESTORE): `each(pattern, fn)` calls fn for every key SCAN matches, and
 * `rebuild_groups(prefix, namespaces)` deletes every group set and adds each live key of the grouped namespaces (a
 * comma-separated list) to its group's set, then marks them complete.
 */
export const REBUILD_GROUPS_LUA = `
local function each(pattern, fn)
	local cursor = '0'
	repeat
		local step = redis.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000)
		cursor = step[1]
		for _, key in ipairs(step[2]) do fn(key) end
	until cursor == '0'
end
local function rebuild_groups(prefix, list)
	local grouped = {}
	for name in string.gmatch(list, '[^,]+') do grouped[name] = true end
	each(prefix .. '${GROUP_KEY}*', function(key) redis.call('UNLINK', key) end)
	for name in pairs(grouped) do
		local base = prefix .. name .. '::'
		each(base .. '*', function(key)
			local rest = string.sub(key, #base + 1)
			local cut = string.find(rest, '${GROUP_SEPARATOR}', 1, true)
			if cut and cut > 1 then
				redis.call('SADD', prefix .. '${GROUP_KEY}' .. name .. ':' .. string.sub(rest, 1, cut - 1), string.sub(rest, cut + 1))
			end
		end)
		redis.call('SET', prefix .. '${READY_KEY}' .. name, 'complete')
	end
end`;

/** The grouped namespaces, as REBUILD_GROUPS_LUA takes them. */
export const groupedNamespaceList = () => [...GROUPED_NAMESPACES].join(',');

/** What a MULTI (or a script's arguments) needs to keep a key's group set in step: the set and the member. */
export interface GroupSlot {
	indexKey: string;
	member: string;
}

/** A literal for a SCAN MATCH pattern: glob characters escaped with a backslash. */
function escapeGlob(text: string): string {
	return text.replace(/[*?[\]\\]/g, '\\$&');
}

export class RedisGroupIndex {
	/** Namespaces whose index this process saw complete (it stays complete: every write keeps it). */
	private readonly complete = new Set<string>();

	public constructor(
		private readonly client: RedisClientType,
		private readonly prefix: string,
		/** `<prefix><namespace>::<key>`, as the backend builds data keys. */
		private readonly dataKey: (namespace: string, key: string) => string
	) {}

	public indexKey(namespace: string, group: string): string {
		return `${this.prefix}${GROUP_KEY}${namespace}:${group}`;
	}

	/** The set a key's write must change, or null when its namespace is not grouped. */
	public slot(namespace: string, key: string): GroupSlot | null {
		const found = groupOf(namespace, key);
		return found ? { indexKey: this.indexKey(namespace, found.group), member: found.member } : null;
	}

	/** Whether reads of this namespace's groups may use the sets (they hold every key); read once per process until true. */
	public async isComplete(namespace: string): Promise<boolean> {
		if (this.complete.has(namespace)) return true;
		if ((await this.client.get(this.readyKey(namespace))) === null) return false;
		this.complete.add(namespace);
		return true;
	}

	/** The live keys of one group, in batches of `[member, raw value]`; members whose key is gone are removed. */
	public async *members(namespace: string, group: string): AsyncGenerator<Array<[member: string, raw: string]>> {
		const indexKey = this.indexKey(namespace, group);
		for await (const members of this.client.sScanIterator(indexKey, { COUNT: GROUP_BATCH })) {
			if (members.length === 0) continue;
			const values = await this.client.mGet(members.map((member) => this.dataKey(namespace, `${group}${GROUP_SEPARATOR}${member}`)));
			const live: Array<[string, string]> = [];
			const gone: string[] = [];
			values.forEach((raw, index) => (raw === null ? gone.push(members[index]!) : live.push([members[index]!, raw])));
			if (gone.length > 0) await this.removeIfAbsent(namespace, group, gone);
			if (live.length > 0) yield live;
		}
	}

	/**
	 * Indexes what data from before the sets holds (a first start, keys adopted from an earlier version), then marks the
	 * namespace complete. Each key is added only while it exists, in one script per batch, so a key deleted meanwhile is
	 * not left behind in its set (and writes made meanwhile keep the sets themselves).
	 */
	public async build(onBuilt: (namespace: string, keys: number) => void): Promise<void> {
		for (const namespace of GROUPED_NAMESPACES) {
			if (await this.isComplete(namespace)) continue;
			const base = this.dataKey(namespace, '');
			let indexed = 0;
			for await (const keys of this.client.scanIterator({ MATCH: `${escapeGlob(base)}*`, COUNT: 5000 })) {
				const pairs: string[] = [];
				const members: string[] = [];
				for (const key of keys) {
					const slot = this.slot(namespace, key.slice(base.length));
					if (!slot) continue;
					pairs.push(key, slot.indexKey);
					members.push(slot.member);
				}
				for (let start = 0; start < members.length; start += GROUP_BATCH) {
					await this.client.eval(ADD_IF_PRESENT, {
						keys: pairs.slice(start * 2, (start + GROUP_BATCH) * 2),
						arguments: members.slice(start, start + GROUP_BATCH)
					});
				}
				indexed += members.length;
			}
			await this.client.set(this.readyKey(namespace), 'complete');
			this.complete.add(namespace);
			onBuilt(namespace, indexed);
		}
	}

	/** Forgets that the index is complete (keys were added behind its back: adopted from an earlier version); build() redoes it. */
	public async invalidate(): Promise<void> {
		for (const namespace of GROUPED_NAMESPACES) {
			await this.client.del(this.readyKey(namespace));
			this.complete.delete(namespace);
		}
	}

	/** Deletes every group set of a namespace (before its keys are cleared: a key written meanwhile is kept, and indexed). */
	public async clear(namespace: string): Promise<void> {
		if (!GROUPED_NAMESPACES.has(namespace)) return;
		for await (const keys of this.client.scanIterator({ MATCH: `${escapeGlob(this.indexKey(namespace, ''))}*`, COUNT: 5000 }))
			if (keys.length > 0) await this.client.unlink(keys);
	}

	private async removeIfAbsent(namespace: string, group: string, members: string[]): Promise<void> {
		await this.client.eval(REMOVE_IF_ABSENT, {
			keys: [this.indexKey(namespace, group), ...members.map((member) => this.dataKey(namespace, `${group}${GROUP_SEPARATOR}${member}`))],
			arguments: members
		});
	}

	private readyKey(namespace: string): string {
		return `${this.prefix}${READY_KEY}${namespace}`;
	}
}
