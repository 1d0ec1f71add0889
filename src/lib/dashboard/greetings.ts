import { z } from 'zod';
import type { GreetingSettings } from '../guild-settings.js';
import { EMBED_DESCRIPTION_LIMIT } from '../templates/placeholders.js';
import { EMBED_FOOTER_LIMIT, EMBED_TITLE_LIMIT, type GreetingKind } from '../welcome/message.js';
import { ApiError } from './http.js';
import type { GreetingSetupInput } from '../welcome/setup.js';

const snowflake = z.string().regex(/^\d{17,20}$/, 'a Discord id');

/** The dashboard's form, with the slash command options' limits (src/commands/Welcome/_shared.ts). */
export const greetingInputSchema = z.object({
	channelId: snowflake,
	message: z.string().min(1).max(EMBED_DESCRIPTION_LIMIT),
	banner: z.string().max(2000).nullable().default(null),
	embed: z.boolean().nullable().default(null),
	title: z.string().max(EMBED_TITLE_LIMIT).nullable().default(null),
	footer: z.string().max(EMBED_FOOTER_LIMIT).nullable().default(null),
	colour: z.string().max(7).nullable().default(null),
	content: z.string().max(2000).nullable().default(null),
	dm: z.boolean().nullable().default(null),
	afterScreening: z.boolean().nullable().default(null)
}) satisfies z.ZodType<GreetingSetupInput, unknown>;

export function greetingKind(value: string | undefined): GreetingKind {
	if (value === 'welcome' || value === 'goodbye') return value;
	throw new ApiError(404, 'not_found', 'dashboard:unknownGreeting');
}

/** Stored settings in the form's shape (colour as hex), with the delivery problem the bot noted, if any. */
export function greetingView(settings: GreetingSettings | null) {
	if (settings === null) return { enabled: false, settings: null, problem: null };
	return {
		enabled: true,
		settings: {
			channelId: settings.channelId,
			message: settings.template,
			banner: settings.banner,
			embed: settings.embed,
			title: settings.title ?? null,
			footer: settings.footer ?? null,
			colour: settings.color === null || settings.color === undefined ? null : `#${settings.color.toString(16).padStart(6, '0').toUpperCase()}`,
			content: settings.content ?? null,
			dm: settings.dm,
			afterScreening: settings.afterScreening ?? true
		},
		problem:
			settings.problem === null
				? null
				: { message: settings.problem.message, since: new Date(settings.problem.since).toISOString(), missed: settings.problem.missed }
	};
}
