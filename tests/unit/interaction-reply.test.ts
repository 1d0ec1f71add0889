import { container, UserError } from '@sapphire/framework';
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { isSilent, refusal, replyEphemeral, userFacingMessage } from '../../src/lib/interaction-reply.js';
import { languageT } from '../helpers/i18n.js';

const t = languageT('en-US');
const STORAGE_UNAVAILABLE_MESSAGE = t('errors:storageUnavailable');
const UNEXPECTED_ERROR_MESSAGE = t('errors:unexpected');

type Call = [method: 'reply' | 'editReply' | 'followUp' | 'deleteReply', options: Record<string, unknown>];

/** Just the state and methods replyEphemeral uses; the emulator tests cover the real thing. */
function fakeInteraction(state: { deferred: boolean; replied: boolean; ephemeral?: boolean | null }, fail = false) {
	const calls: Call[] = [];
	const record =
		(method: Call[0]) =>
		(options: Record<string, unknown> = {}) => {
			if (fail) return Promise.reject(new Error('Unknown interaction'));
			calls.push([method, options]);
			return Promise.resolve();
		};
	const interaction = {
		id: '1',
		...state,
		reply: record('reply'),
		editReply: record('editReply'),
		followUp: record('followUp'),
		deleteReply: record('deleteReply')
	};
	return { interaction: interaction as unknown as RepliableInteraction, calls };
}

describe('replyEphemeral', () => {
	it('replies ephemerally to a fresh interaction, pinging no one', async () => {
		const { interaction, calls } = fakeInteraction({ deferred: false, replied: false });
		await replyEphemeral(interaction, 'No.');
		expect(calls).toEqual([['reply', { content: 'No.', allowedMentions: { parse: [] }, flags: MessageFlags.Ephemeral }]]);
	});

	it('edits a deferred reply (its visibility was chosen when it was deferred)', async () => {
		const { interaction, calls } = fakeInteraction({ deferred: true, replied: false });
		await replyEphemeral(interaction, 'No.');
		expect(calls).toEqual([['editReply', { content: 'No.', allowedMentions: { parse: [] } }]]);
	});

	it('replaces a publicly deferred reply by a private follow-up: an error is never shown to the channel', async () => {
		const { interaction, calls } = fakeInteraction({ deferred: true, replied: false, ephemeral: false });
		await replyEphemeral(interaction, 'No.');
		expect(calls).toEqual([
			['deleteReply', {}],
			['followUp', { content: 'No.', allowedMentions: { parse: [] }, flags: MessageFlags.Ephemeral }]
		]);
	});

	it('follows up ephemerally on an answered interaction', async () => {
		const { interaction, calls } = fakeInteraction({ deferred: true, replied: true });
		await replyEphemeral(interaction, 'No.');
		expect(calls).toEqual([['followUp', { content: 'No.', allowedMentions: { parse: [] }, flags: MessageFlags.Ephemeral }]]);
	});

	it('logs instead of throwing when the interaction can no longer be answered', async () => {
		const warnings: unknown[] = [];
		const previous = Reflect.get(container, 'logger');
		container.logger = { warn: (...values: unknown[]) => warnings.push(values.join(' ')) } as never;
		try {
			const { interaction } = fakeInteraction({ deferred: false, replied: false }, true);
			await expect(replyEphemeral(interaction, 'No.')).resolves.toBeUndefined();
			expect(warnings).toEqual(['Could not answer interaction 1: Unknown interaction']);
		} finally {
			container.logger = previous;
		}
	});
});

describe('messages for users', () => {
	it('names a storage outage (the Redis client offline), also when it is the cause of another error', () => {
		class ClientOfflineError extends Error {}
		expect(userFacingMessage(t, new ClientOfflineError('The client is offline'))).toBe(STORAGE_UNAVAILABLE_MESSAGE);
		expect(userFacingMessage(t, new Error('update failed', { cause: new ClientOfflineError('The client is offline') }))).toBe(
			STORAGE_UNAVAILABLE_MESSAGE
		);
		expect(STORAGE_UNAVAILABLE_MESSAGE).toMatch(/storage is unavailable/);
	});

	it('shows a UserError as written and hides other errors behind a generic message', () => {
		expect(userFacingMessage(t, new UserError({ identifier: 'x', message: 'Pick a channel I can write in.' }))).toBe(
			'Pick a channel I can write in.'
		);
		expect(userFacingMessage(t, new Error('ECONNREFUSED 127.0.0.1:6379'))).toBe(UNEXPECTED_ERROR_MESSAGE);
	});

	it("translates a refusal into the reader's language, with its variables", () => {
		const error = refusal('invites:notARankRole', { role: 'VIP' });
		expect(userFacingMessage(t, error)).toBe('VIP is not a rank role. See /invite-config show.');
		expect(userFacingMessage(languageT('de'), error)).toBe('VIP ist keine Rangrolle. Siehe /invite-config show.');
		expect(userFacingMessage(languageT('de'), new Error('x', { cause: new (class ClientOfflineError extends Error {})() }))).toMatch(
			/Speicher des Bots ist gerade nicht erreichbar/
		);
	});

	it('honours a silent UserError', () => {
		expect(isSilent(new UserError({ identifier: 'x', context: { silent: true } }))).toBe(true);
		expect(isSilent(new UserError({ identifier: 'x' }))).toBe(false);
	});
});
