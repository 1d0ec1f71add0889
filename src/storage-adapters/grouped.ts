/**
 * Namespaces whose keys are `<group>:<member>` and are read one group at a time (`iteratePrefix(namespace, '<group>:')`),
 * e.g. one giveaway's entries. A backend that keeps no key order (redis) keeps an index per group for them, written in
 * the same atomic step as each key, so reading a group costs the size of the group, not of the namespace.
 *
 * A constant, not an option: every process that writes these namespaces (the bot, the data CLI, a restore) must keep
 * the index, or a group read would miss keys.
 */
export const GROUPED_NAMESPACES: ReadonlySet<string> = new Set(['giveaway-entries']);

/** Separates a key's group from the rest; the group has none of it. */
export const GROUP_SEPARATOR = ':';

/** The group a key belongs to and its member name in that group; null when the namespace is not grouped or the key has no group. */
export function groupOf(namespace: string, key: string): { group: string; member: string } | null {
	if (!GROUPED_NAMESPACES.has(namespace)) return null;
	const end = key.indexOf(GROUP_SEPARATOR);
	if (end <= 0) return null;
	return { group: key.slice(0, end), member: key.slice(end + 1) };
}

/** The group a prefix asks for, when it is exactly `<group>:` of a grouped namespace; null for any other prefix. */
export function groupOfPrefix(namespace: string, prefix: string): string | null {
	if (!GROUPED_NAMESPACES.has(namespace) || !prefix.endsWith(GROUP_SEPARATOR)) return null;
	const group = prefix.slice(0, -GROUP_SEPARATOR.length);
	return group.length > 0 && !group.includes(GROUP_SEPARATOR) ? group : null;
}
