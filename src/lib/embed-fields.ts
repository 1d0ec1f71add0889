/** An embed field's value holds at most 1024 characters (discord-api-docs, resources/message.mdx, Embed Limits). */
export const FIELD_VALUE_LIMIT = 1024;

/** The text, cut to `limit` characters with "…" at the end when it is longer. */
export function fitField(value: string, limit = FIELD_VALUE_LIMIT): string {
	return value.length <= limit ? value : `${value.slice(0, limit - 1)}…`;
}

/**
 * As many items as fit in `limit`, joined by `separator`, then `more(n)` (e.g. "…and 3 more") for the n left out; the
 * whole stays within the limit.
 */
export function fitList(items: readonly string[], separator: string, more: (count: number) => string, limit = FIELD_VALUE_LIMIT): string {
	const all = items.join(separator);
	if (all.length <= limit) return all;
	for (let shown = items.length - 1; shown >= 0; shown--) {
		const tail = more(items.length - shown);
		const text = shown === 0 ? tail : `${items.slice(0, shown).join(separator)}${separator}${tail}`;
		if (text.length <= limit) return text;
	}
	return fitField(more(items.length), limit);
}

/** Every field's value fitted, as the last step before `addFields` (which throws on a value over the limit). */
export function fitFields<Field extends { value: string }>(fields: readonly Field[]): Field[] {
	return fields.map((field) => ({ ...field, value: fitField(field.value) }));
}
