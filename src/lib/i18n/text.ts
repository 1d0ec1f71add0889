import type { TFunction } from 'i18next';

/**
 * A sentence for a person, not yet in a language: its key in the language files and its variables. Library code
 * (parsers, state transitions, data facts) returns these instead of English, so that whoever shows them picks the
 * language: a server's for Discord, the source language for logs and the data CLI.
 */
export interface Text {
	readonly key: string;
	readonly vars?: Readonly<Record<string, unknown>>;
}

export function text(key: string, vars?: Record<string, unknown>): Text {
	return vars ? { key, vars } : { key };
}

export function isText(value: unknown): value is Text {
	return typeof value === 'object' && value !== null && typeof (value as Text).key === 'string' && /^[a-z-]+:/.test((value as Text).key);
}

/** The Text in one language; a variable that is a Text itself (a reason inside a reason) is said first. */
export function say(t: TFunction, value: Text): string {
	const vars: Record<string, unknown> = {};
	for (const [name, variable] of Object.entries(value.vars ?? {})) vars[name] = isText(variable) ? say(t, variable) : variable;
	return t(value.key, vars);
}
