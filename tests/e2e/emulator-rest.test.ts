import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordEmulator, type GuildRecord } from '../harness/index.js';

/** The emulator's REST answers at the HTTP level, where discord.js would hide the details. */
describe('DiscordEmulator REST', () => {
	let emulator: DiscordEmulator;
	let guild: GuildRecord;

	const call = async (method: string, path: string, body?: unknown, token = 'rest-test-token') => {
		const response = await fetch(`${emulator.apiUrl}/v10${path}`, {
			method,
			headers: { authorization: `Bot ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			...(body === undefined ? {} : { body: JSON.stringify(body) })
		});
		return { status: response.status, body: response.status === 204 ? undefined : await response.json(), headers: response.headers };
	};

	beforeAll(async () => {
		emulator = await DiscordEmulator.start({ invalidTokens: ['revoked'] });
		guild = emulator.createGuild({ name: 'REST' });
		for (const username of ['ann', 'ben', 'cy']) emulator.addMember(guild.id, emulator.createUser({ username }).id);
	});

	afterAll(async () => {
		await emulator?.stop();
	});

	it('answers 401 for a token marked invalid', async () => {
		expect(await call('GET', '/users/@me', undefined, 'revoked')).toMatchObject({ status: 401, body: { message: '401: Unauthorized', code: 0 } });
	});

	it('points GET /gateway/bot at its own WebSocket', async () => {
		const { body } = await call('GET', '/gateway/bot');
		expect(body).toMatchObject({ url: emulator.gatewayUrl, shards: 1, session_start_limit: { max_concurrency: 1 } });
	});

	it('lists members in id order with limit and after', async () => {
		const all = (await call('GET', `/guilds/${guild.id}/members?limit=1000`)).body as { user: { id: string } }[];
		expect(all).toHaveLength(5);
		const ids = all.map((member) => member.user.id);
		expect(ids).toEqual([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
		const page = (await call('GET', `/guilds/${guild.id}/members?limit=2&after=${ids[1]}`)).body as { user: { id: string } }[];
		expect(page.map((member) => member.user.id)).toEqual(ids.slice(2, 4));
	});

	it('answers Discord errors for unknown things', async () => {
		expect(await call('GET', '/guilds/1')).toMatchObject({ status: 404, body: { code: 10004, message: 'Unknown Guild' } });
		expect(await call('GET', `/guilds/${guild.id}/members/1`)).toMatchObject({ status: 404, body: { code: 10007 } });
		expect(await call('DELETE', '/invites/nope')).toMatchObject({ status: 404, body: { code: 10006 } });
	});

	it('validates messages as Discord does', async () => {
		const channel = guild.systemChannelId!;
		expect(await call('POST', `/channels/${channel}/messages`, {})).toMatchObject({ status: 400, body: { code: 50006 } });
		const tooLong = await call('POST', `/channels/${channel}/messages`, { content: 'x'.repeat(2001) });
		expect(tooLong).toMatchObject({ status: 400, body: { code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } });
		const embeds = await call('POST', `/channels/${channel}/messages`, { embeds: [{ fields: [{ name: 'a', value: '' }] }] });
		expect(embeds).toMatchObject({ status: 400, body: { code: 50035 } });
		expect(emulator.messages(channel)).toEqual([]);
	});

	it('creates channel invites as the bot and deletes them', async () => {
		const created = await call('POST', `/channels/${guild.systemChannelId}/invites`, { max_age: 0, max_uses: 3 });
		expect(created).toMatchObject({ status: 200, body: { max_uses: 3, uses: 0, inviter: { id: emulator.botUser.id } } });
		const { code } = created.body as { code: string };
		expect(emulator.invites(guild.id).map((invite) => invite.code)).toEqual([code]);
		expect(await call('GET', `/invites/${code}?with_counts=true`)).toMatchObject({ status: 200, body: { code, approximate_member_count: 5 } });
		expect((await call('DELETE', `/invites/${code}`)).status).toBe(200);
		expect(emulator.invites(guild.id)).toEqual([]);
	});

	it('rate limits every route with "all" and sends the headers discord.js reads', async () => {
		emulator.rateLimit('all', { count: 2, retryAfterMs: 1500 });
		const first = await call('GET', '/users/@me');
		expect(first.status).toBe(429);
		expect(first.body).toEqual({ message: 'You are being rate limited.', retry_after: 1.5, global: false });
		expect(first.headers.get('retry-after')).toBe('1.500');
		expect(first.headers.get('x-ratelimit-remaining')).toBe('0');
		expect((await call('GET', `/guilds/${guild.id}`)).status).toBe(429);
		expect((await call('GET', '/users/@me')).status).toBe(200);
		expect(emulator.countRequests('GET /users/@me')).toBeGreaterThanOrEqual(3);
	});

	it('keeps command data as sent, with id, application_id, version and the integration_types/contexts/default_member_permissions defaults', async () => {
		const sent = { name: 'ping', description: 'Pong', options: [{ type: 3, name: 'text', description: 'Echo', required: false }] };
		const created = await call('POST', `/applications/${emulator.applicationId}/guilds/${guild.id}/commands`, sent);
		expect(created.status).toBe(201);
		expect(created.body).toEqual({
			...sent,
			type: 1,
			integration_types: [0],
			contexts: null,
			default_member_permissions: null,
			id: expect.any(String),
			application_id: emulator.applicationId,
			guild_id: guild.id,
			version: expect.any(String)
		});
		const invalid = await call('POST', `/applications/${emulator.applicationId}/commands`, { name: 'Bad Name', description: 'x' });
		expect(invalid).toMatchObject({ status: 400, body: { code: 50035 } });
	});
});
