import { Client, DiscordAPIError, GatewayIntentBits, type GuildMember } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordEmulator } from '../harness/index.js';

const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildInvites, GatewayIntentBits.GuildMessages];

async function loginClient(emulator: DiscordEmulator, token = 'emulator-test-token'): Promise<Client<true>> {
	const client = new Client({ intents, rest: { api: emulator.apiUrl } });
	const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
	await client.login(token);
	await ready;
	return client as Client<true>;
}

describe('DiscordEmulator with a plain discord.js client', () => {
	let emulator: DiscordEmulator;
	let client: Client<true>;
	let guildId: string;
	let generalId: string;
	let inviter: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start({ heartbeatIntervalMs: 1000 });
		const guild = emulator.createGuild({ name: 'Emulated' });
		guildId = guild.id;
		generalId = guild.systemChannelId!;
		inviter = emulator.createUser({ username: 'alice' }).id;
		emulator.addMember(guildId, inviter);
		emulator.createInvite(guildId, { code: 'alice-forever', inviterId: inviter });
		emulator.createInvite(guildId, { code: 'alice-once', inviterId: inviter, maxUses: 1 });
		client = await loginClient(emulator);
	});

	afterAll(async () => {
		await client?.destroy();
		await emulator?.stop();
	});

	afterEach(() => {
		expect(emulator.serverErrors).toEqual([]);
	});

	it('logs in and receives the seeded guild with its members', () => {
		const guild = client.guilds.cache.get(guildId);
		expect(guild?.name).toBe('Emulated');
		expect(guild?.members.cache.has(inviter)).toBe(true);
		expect(client.user.id).toBe(emulator.botUser.id);
	});

	it('delivers a join through an invite after bumping its uses', async () => {
		const joined = new Promise<{ member: GuildMember; uses: number | null }>((resolve) => {
			client.once('guildMemberAdd', async (member) => {
				const invites = await member.guild.invites.fetch({ cache: false });
				resolve({ member, uses: invites.get('alice-forever')?.uses ?? null });
			});
		});
		const bob = emulator.joinViaInvite(guildId, 'alice-forever', { username: 'bob' });
		const { member, uses } = await joined;
		expect(member.id).toBe(bob.id);
		expect(member.user.username).toBe('bob');
		expect(uses).toBe(1);
	});

	it('deletes a single-use invite on its use', async () => {
		const deleted = new Promise<string>((resolve) => client.once('inviteDelete', (invite) => resolve(invite.code)));
		emulator.joinViaInvite(guildId, 'alice-once');
		expect(await deleted).toBe('alice-once');
		const invites = await client.guilds.cache.get(guildId)!.invites.fetch();
		expect([...invites.keys()]).toEqual(['alice-forever']);
		expect(invites.get('alice-forever')?.inviterId).toBe(inviter);
	});

	it('records unknown routes', async () => {
		await expect(client.rest.get('/nothing/here')).rejects.toMatchObject({ status: 404 });
		expect(emulator.unknownRoutes).toContain('GET /api/v10/nothing/here');
	});
});
