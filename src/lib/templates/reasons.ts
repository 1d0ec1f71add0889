import { container } from '@sapphire/framework';
import type { TFunction } from '@sapphire/plugin-i18next';
import { SOURCE_LANGUAGE } from '../i18n/languages.js';

/** Why something was refused or failed, as a language key and its variables: translated where it is shown. */
export interface Reason {
	key: string;
	vars: { [name: string]: string | number | Reason | Reason[] };
}

/** A reason in the language of `t`; a variable that is itself a reason (or a list of them) is translated first. */
export function explain(t: TFunction, reason: Reason): string {
	const text = (value: Reason['vars'][string]): string | number =>
		Array.isArray(value) ? value.map((item) => explain(t, item)).join(', ') : typeof value === 'object' ? explain(t, value) : value;
	return t(reason.key, Object.fromEntries(Object.entries(reason.vars).map(([name, value]) => [name, text(value)])));
}

/** The operator's log is written in the source language, whatever a server speaks. */
export function logText(reason: Reason): string {
	return explain(container.i18n.getT(SOURCE_LANGUAGE), reason);
}
