import {
	ActionRowBuilder,
	AttachmentBuilder,
	ButtonBuilder,
	ButtonStyle,
	Client,
	DiscordAPIError,
	GatewayIntentBits,
	MessageFlags,
	PermissionFlagsBits,
	Routes,
	SlashCommandBuilder,
	type ChatInputCommandInteraction,
	type Guild,
	type GuildMember,
	type Interaction
} from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordEmulator, snowflakeAt } from '../harness/index.js';

const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildInvites, GatewayIntentBits.GuildMessages];

async function loginClient(emulator: DiscordEmulator, token = 'emulator-test-token', clientIntents = intents): Promise<Client<true>> {
	const client = new Client({ intents: clientIntents, rest: { api: emulator.apiUrl } });
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

	it('logs in and receives the seeded guild with only the bot as member (no GUILD_PRESENCES), and the true member_count', () => {
		const guild = client.guilds.cache.get(guildId);
		expect(guild?.name).toBe('Emulated');
		expect([...guild!.members.cache.keys()]).toEqual([emulator.botUser.id]);
		expect(guild?.memberCount).toBe(3);
		expect(client.user.id).toBe(emulator.botUser.id);
	});

	it('sends every member of a small guild in GUILD_CREATE to a session with GUILD_PRESENCES', async () => {
		const withPresences = await loginClient(emulator, 'presences-token', [...intents, GatewayIntentBits.GuildPresences]);
		try {
			expect(withPresences.guilds.cache.get(guildId)?.members.cache.has(inviter)).toBe(true);
		} finally {
			await withPresences.destroy();
		}
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

	it('stores registered commands as sent, and a second GET returns identical data', async () => {
		const invitesCommand = new SlashCommandBuilder()
			.setName('invites')
			.setDescription('Show invite counts')
			.addUserOption((option) => option.setName('member').setDescription('Whose invites'))
			.toJSON();
		const configCommand = new SlashCommandBuilder()
			.setName('config')
			.setDescription('Configure')
			.addSubcommand((sub) =>
				sub
					.setName('welcome')
					.setDescription('Welcome messages')
					.addChannelOption((option) => option.setName('channel').setDescription('Where').setRequired(true))
					.addIntegerOption((option) => option.setName('delay').setDescription('Seconds'))
			)
			.toJSON();
		const created = await client.application.commands.set([invitesCommand, configCommand]);
		expect(created.map((command) => command.name).sort()).toEqual(['config', 'invites']);
		const first = await client.rest.get(`/applications/${client.application.id}/commands`);
		const second = await client.rest.get(`/applications/${client.application.id}/commands`);
		expect(second).toEqual(first);
		const stored = emulator.commands().find((command) => command.name === 'config')!;
		expect(stored.options).toEqual(configCommand.options);
		expect(stored.description).toBe('Configure');
		// A bulk overwrite with the same data keeps ids and versions, as Discord does.
		const again = await client.application.commands.set([invitesCommand, configCommand]);
		expect(again.map((command) => `${command.id}:${command.version}`).sort()).toEqual(
			created.map((command) => `${command.id}:${command.version}`).sort()
		);
	});

	it('runs a slash command with options and resolved entities, and reads the reply', async () => {
		const received = nextInteraction(client);
		const handle = emulator.runCommand({ guildId, userId: inviter, name: 'invites', options: { member: inviter } });
		const interaction = (await received) as ChatInputCommandInteraction;
		expect(interaction.isChatInputCommand()).toBe(true);
		expect(interaction.commandName).toBe('invites');
		expect(interaction.options.getUser('member')?.id).toBe(inviter);
		expect(interaction.options.getMember('member')).not.toBeNull();
		expect(interaction.channelId).toBe(generalId);
		expect(interaction.guildId).toBe(guildId);
		await interaction.reply({ content: 'alice has 2 invites', flags: MessageFlags.Ephemeral });
		const reply = await handle.reply();
		expect(reply.type).toBe(4);
		expect(reply.content).toBe('alice has 2 invites');
		expect(reply.ephemeral).toBe(true);
		// Ephemeral replies are not part of the channel's history.
		expect(emulator.messages(generalId).some((message) => message.content === 'alice has 2 invites')).toBe(false);

		// discord.js refuses a second reply itself; a second process (or a raw call) reaches Discord's 40060.
		const second = await client.rest
			.post(Routes.interactionCallback(interaction.id, interaction.token), { body: { type: 4, data: { content: 'again' } }, auth: false })
			.catch((error: unknown) => error);
		expect(second).toBeInstanceOf(DiscordAPIError);
		expect((second as DiscordAPIError).code).toBe(40060);
		expect((second as DiscordAPIError).status).toBe(400);
	});

	it('nests subcommand options as Discord does', async () => {
		const received = nextInteraction(client);
		emulator.runCommand({ guildId, userId: inviter, name: 'config', subcommand: 'welcome', options: { channel: generalId, delay: 5 } });
		const interaction = (await received) as ChatInputCommandInteraction;
		expect(interaction.options.getSubcommand()).toBe('welcome');
		expect(interaction.options.getChannel('channel')?.id).toBe(generalId);
		expect(interaction.options.getInteger('delay')).toBe(5);
		expect(interaction.memberPermissions?.has(PermissionFlagsBits.SendMessages)).toBe(true);
		expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(false);
		expect(interaction.appPermissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
		await interaction.reply('ok');
	});

	it('sends a file picked for an attachment option as its id, with the attachment in resolved, served from the CDN', async () => {
		await client.application.commands.create(
			new SlashCommandBuilder()
				.setName('upload')
				.setDescription('Upload')
				.addAttachmentOption((option) => option.setName('file').setDescription('A file').setRequired(true))
				.toJSON()
		);
		const data = Buffer.from('file bytes');
		const upload = emulator.uploadAttachment({ filename: 'a b.png', data, contentType: 'image/png' });
		const received = nextInteraction(client);
		const handle = emulator.runCommand({ guildId, userId: inviter, name: 'upload', options: { file: upload.id } });
		const interaction = (await received) as ChatInputCommandInteraction;
		expect(handle.payload.data.options).toEqual([{ name: 'file', type: 11, value: upload.id }]);
		expect(handle.payload.data.resolved.attachments[upload.id]).toMatchObject({ filename: 'a b.png', size: data.length, ephemeral: true });
		const attachment = interaction.options.getAttachment('file', true);
		expect([attachment.id, attachment.size, attachment.contentType, attachment.ephemeral]).toEqual([upload.id, data.length, 'image/png', true]);
		expect(Buffer.from(await (await fetch(attachment.url)).arrayBuffer())).toEqual(data);
		expect(() => emulator.runCommand({ guildId, userId: inviter, name: 'upload', options: { file: '123' } })).toThrow(/unknown upload 123/);
		await interaction.reply('ok');
	});

	it('defers, edits the reply and follows up', async () => {
		const received = nextInteraction(client);
		const handle = emulator.runCommand({ guildId, userId: inviter, name: 'invites' });
		const interaction = (await received) as ChatInputCommandInteraction;
		await interaction.deferReply();
		const deferred = await handle.reply();
		expect(deferred.type).toBe(5);
		expect(deferred.deferred).toBe(true);
		await interaction.editReply({ content: 'counted', embeds: [{ title: 'Invites', description: 'alice: 2' }] });
		const edit = await handle.waitForEdit((message) => message.content === 'counted');
		// Discord answers a bot's embed with `type: 'rich'` (docs/resources/Message.md, Embed Object).
		expect(edit.embeds).toEqual([{ type: 'rich', title: 'Invites', description: 'alice: 2' }]);
		const followUp = await interaction.followUp({ content: 'one more thing', flags: MessageFlags.Ephemeral });
		expect(followUp.content).toBe('one more thing');
		expect(handle.followUps.map((message) => message.content)).toEqual(['one more thing']);
		// The deferred reply was public: the channel shows its edited state.
		expect(emulator.messages(generalId).find((message) => message.id === edit.id)?.content).toBe('counted');
		expect((await interaction.fetchReply()).content).toBe('counted');
	});

	it('clicks a button and sees the message updated', async () => {
		const sent = await sendWithButton(client, generalId, 'Giveaway!', 'giveaway:enter');
		const received = nextInteraction(client);
		const handle = emulator.clickButton({ guildId, channelId: generalId, userId: inviter, messageId: sent.id, customId: 'giveaway:enter' });
		const interaction = await received;
		if (!interaction.isButton()) throw new Error('expected a button interaction');
		expect(interaction.customId).toBe('giveaway:enter');
		expect(interaction.message.id).toBe(sent.id);
		await interaction.update({ content: 'Giveaway! (1 entry)' });
		const reply = await handle.reply();
		expect(reply.type).toBe(7);
		expect(reply.content).toBe('Giveaway! (1 entry)');
		expect(emulator.messages(generalId).find((message) => message.id === sent.id)?.content).toBe('Giveaway! (1 entry)');
	});

	it('acknowledges a click with deferUpdate, then edits the clicked message; replies with the response when asked', async () => {
		const sent = await sendWithButton(client, generalId, 'Page 1', 'page:next');
		const received = nextInteraction(client);
		const handle = emulator.clickButton({ channelId: generalId, userId: inviter, messageId: sent.id, customId: 'page:next' });
		const interaction = await received;
		if (!interaction.isButton()) throw new Error('expected a button interaction');
		await interaction.deferUpdate();
		expect((await handle.reply()).type).toBe(6);
		await interaction.editReply({ content: 'Page 2' });
		expect((await handle.waitForEdit()).id).toBe(sent.id);
		expect(emulator.messages(generalId).find((message) => message.id === sent.id)?.content).toBe('Page 2');

		const commandReceived = nextInteraction(client);
		emulator.runCommand({ guildId, userId: inviter, name: 'invites' });
		const command = (await commandReceived) as ChatInputCommandInteraction;
		const response = await command.reply({ content: 'with response', withResponse: true });
		expect(response.resource?.message?.content).toBe('with response');
	});

	it('shows a modal and receives its submission', async () => {
		const commandReceived = nextInteraction(client);
		const handle = emulator.runCommand({ guildId, userId: inviter, name: 'invites' });
		const command = (await commandReceived) as ChatInputCommandInteraction;
		await command.showModal({
			custom_id: 'welcome-text',
			title: 'Welcome text',
			components: [{ type: 1, components: [{ type: 4, custom_id: 'text', label: 'Text', style: 2 }] }]
		});
		const shown = await handle.reply();
		expect(shown.type).toBe(9);
		expect(shown.data.custom_id).toBe('welcome-text');
		const submitted = nextInteraction(client);
		const submission = emulator.submitModal({
			guildId,
			channelId: generalId,
			userId: inviter,
			customId: 'welcome-text',
			fields: { text: 'Hi {user}!' }
		});
		const modal = await submitted;
		if (!modal.isModalSubmit()) throw new Error('expected a modal submission');
		expect(modal.fields.getTextInputValue('text')).toBe('Hi {user}!');
		await modal.reply({ content: 'saved', flags: MessageFlags.Ephemeral });
		expect((await submission.reply()).content).toBe('saved');
	});

	it('keeps a file attached to a message', async () => {
		const channel = await sendableChannel(client, generalId);
		const bytes = Buffer.from('{"backup":true}');
		const sent = await channel.send({ content: 'backup attached', files: [new AttachmentBuilder(bytes, { name: 'backup.json' })] });
		expect(sent.attachments.first()?.name).toBe('backup.json');
		const stored = await emulator.waitForMessage(generalId, (message) => message.content === 'backup attached');
		expect(stored.attachments).toHaveLength(1);
		expect(stored.attachments[0]).toMatchObject({ filename: 'backup.json', size: bytes.length });
		expect(emulator.attachmentData(stored.attachments[0]!)?.toString()).toBe('{"backup":true}');
		const downloaded = await fetch(stored.attachments[0]!.url);
		expect(await downloaded.text()).toBe('{"backup":true}');
	});

	it('honours a 429: discord.js waits for Retry-After and the retry succeeds', async () => {
		const route = 'GET /guilds/:guildId/invites';
		const before = emulator.countRequests(route);
		emulator.rateLimit(route, { count: 1, retryAfterMs: 300 });
		const started = Date.now();
		const invites = await client.guilds.cache.get(guildId)!.invites.fetch();
		expect(invites.has('alice-forever')).toBe(true);
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		expect(emulator.countRequests(route) - before).toBe(2);
		expect(
			emulator.requests
				.filter((request) => request.route === route)
				.map((request) => request.status)
				.slice(-2)
		).toEqual([429, 200]);
	});

	it('answers 403 on guild invites when the bot lacks Manage Server, and sends GUILD_CREATE for a new guild', async () => {
		const added = new Promise<Guild>((resolve) => client.once('guildCreate', resolve));
		const limited = emulator.createGuild({
			name: 'No manage',
			botPermissions: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages
		});
		const guild = await added;
		expect(guild.id).toBe(limited.id);
		const error = await guild.invites.fetch().catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(DiscordAPIError);
		expect((error as DiscordAPIError).status).toBe(403);
		expect((error as DiscordAPIError).code).toBe(50013);
	});

	it('denies sending where an overwrite hides the channel from the bot', async () => {
		const hidden = emulator.createChannel(guildId, {
			name: 'staff',
			permissionOverwrites: [{ id: emulator.botUser.id, type: 'member', deny: PermissionFlagsBits.SendMessages }]
		});
		const channel = await sendableChannel(client, hidden.id);
		const error = await channel.send('hello').catch((caught: unknown) => caught);
		expect((error as DiscordAPIError).code).toBe(50013);
	});

	it('resumes after a reconnect request and replays what was missed', async () => {
		const session = emulator.connectedSessions[0]!;
		const resumed = new Promise<void>((resolve) => client.once('shardResume', () => resolve()));
		const joined = new Promise<string>((resolve) => client.once('guildMemberAdd', (member) => resolve(member.id)));
		emulator.reconnectAll();
		// Sent while the client is disconnected: only the resume's replay can deliver it.
		await emulator.waitFor(() => !session.connected, 2000, 'the client to close its socket');
		const carol = emulator.joinUnknown(guildId, { username: 'carol' });
		await resumed;
		expect(await joined).toBe(carol.id);
		expect(session.resumeCount).toBe(1);
		expect(emulator.connectedSessions.map((connected) => connected.id)).toEqual([session.id]);
	});

	it('assigns roles below the bot only, and DMs members', async () => {
		const guild = client.guilds.cache.get(guildId)!;
		const low = emulator.createRole(guildId, { name: 'Recruiter' });
		const high = emulator.createRole(guildId, { name: 'Admin', position: 90 });
		const member = await guild.members.fetch(inviter);
		await member.roles.add(low.id);
		expect(emulator.memberRoles(guildId, inviter)).toEqual([low.id]);
		const error = await member.roles.add(high.id).catch((caught: unknown) => caught);
		expect((error as DiscordAPIError).code).toBe(50013);
		expect(emulator.memberRoles(guildId, inviter)).toEqual([low.id]);
		await member.send('Thanks for inviting!');
		expect(emulator.dmMessages(inviter).map((message) => message.content)).toEqual(['Thanks for inviting!']);
	});

	it('counts vanity joins, marks OAuth bots, carries account age, and sends leaves', async () => {
		const vanityGuild = emulator.createGuild({ name: 'Vanity', vanity: 'supreme', vanityUses: 10 });
		const guild = await emulator.waitFor(() => client.guilds.cache.get(vanityGuild.id), 2000, 'the vanity guild in the cache');
		const joins: GuildMember[] = [];
		client.on('guildMemberAdd', (member) => void joins.push(member));
		const young = emulator.joinViaVanity(vanityGuild.id, { username: 'fresh', createdAt: new Date(Date.now() - 2 * 86_400_000) });
		const otherBot = emulator.addBot(vanityGuild.id, { username: 'OtherBot' });
		await emulator.waitFor(() => joins.length === 2, 2000, 'two joins');
		client.removeAllListeners('guildMemberAdd');
		expect((await guild.fetchVanityData()).uses).toBe(11);
		const accountAgeDays = (Date.now() - joins[0]!.user.createdTimestamp) / 86_400_000;
		expect(joins[0]!.id).toBe(young.id);
		expect(accountAgeDays).toBeGreaterThan(1.9);
		expect(accountAgeDays).toBeLessThan(2.1);
		expect(joins[1]!.id).toBe(otherBot.id);
		expect(joins[1]!.user.bot).toBe(true);
		const left = new Promise<string>((resolve) => client.once('guildMemberRemove', (member) => resolve(member.id)));
		emulator.leave(vanityGuild.id, young.id);
		expect(await left).toBe(young.id);
		// Member chunks over the gateway (op 8), as invite trackers use to fill their cache.
		const members = await guild.members.fetch();
		expect([...members.keys()].sort()).toEqual([vanityGuild.ownerId, emulator.botUser.id, otherBot.id].sort());
		const application = await client.application.fetch();
		expect(application.id).toBe(emulator.applicationId);
	});

	it('hit no unknown route besides the one asked for', () => {
		expect(emulator.unknownRoutes).toEqual(['GET /api/v10/nothing/here']);
	});
});

describe('DiscordEmulator gateway rules', () => {
	let emulator: DiscordEmulator;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start({ privilegedIntents: { guildMembers: false }, invalidTokens: ['revoked'] });
		emulator.createGuild();
	});

	afterAll(async () => {
		await emulator?.stop();
	});

	it('closes with 4014 when a privileged intent is not allowed', async () => {
		const client = new Client({ intents, rest: { api: emulator.apiUrl } });
		const disconnected = new Promise<number>((resolve) => client.once('shardDisconnect', (event) => resolve(event.code)));
		const login = client.login('some-token').catch((error: unknown) => error);
		expect(await disconnected).toBe(4014);
		await client.destroy();
		await login;
	});

	it('rejects an invalid token', async () => {
		const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emulator.apiUrl } });
		await expect(client.login('revoked')).rejects.toMatchObject({ code: 'TokenInvalid' });
		await client.destroy();
	});

	it('connects without the privileged intent, and identifies again after an invalid session', async () => {
		const client = await loginClient(emulator, 'some-token', [GatewayIntentBits.Guilds, GatewayIntentBits.GuildInvites]);
		try {
			expect(client.guilds.cache.size).toBe(1);
			const first = emulator.connectedSessions[0]!;
			emulator.invalidateSessions(false);
			// discord.js spaces identifies 5 s apart (Discord's identify limit), so the new session takes that long.
			const second = await emulator.waitFor(
				() => emulator.connectedSessions.find((session) => session.id !== first.id),
				10_000,
				'a new session'
			);
			expect(second.intents).toBe(first.intents);
		} finally {
			await client.destroy();
		}
	});
});

describe('DiscordEmulator sharding and intents', () => {
	it('gives each shard only its guilds, and no member events without the members intent', async () => {
		const emulator = await DiscordEmulator.start({ shardCount: 2 });
		// Shard = (id >> 22) % 2 = the creation millisecond's parity.
		const evenGuild = emulator.createGuild({ id: snowflakeAt(1_700_000_000_000) });
		const oddGuild = emulator.createGuild({ id: snowflakeAt(1_700_000_000_001) });
		const client = new Client({ shards: 'auto', intents: [GatewayIntentBits.Guilds], rest: { api: emulator.apiUrl } });
		const events: string[] = [];
		client.on('raw', (packet) => void events.push(String((packet as { t: string | null }).t)));
		try {
			const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
			await client.login('sharded-token');
			await ready;
			expect(emulator.connectedSessions.map((session) => session.shard).sort()).toEqual([
				[0, 2],
				[1, 2]
			]);
			expect(client.guilds.cache.get(evenGuild.id)?.shardId).toBe(0);
			expect(client.guilds.cache.get(oddGuild.id)?.shardId).toBe(1);
			emulator.joinUnknown(oddGuild.id);
			emulator.createRole(oddGuild.id, { name: 'after-join' });
			await new Promise<void>((resolve) => client.once('roleCreate', () => resolve()));
			expect(events).not.toContain('GUILD_MEMBER_ADD');
			expect(events.filter((event) => event === 'GUILD_CREATE')).toHaveLength(2);
		} finally {
			await client.destroy();
			await emulator.stop();
		}
	});
});

async function sendableChannel(client: Client, channelId: string) {
	const channel = await client.channels.fetch(channelId);
	if (!channel?.isSendable()) throw new Error(`channel ${channelId} is not a text channel`);
	return channel;
}

async function sendWithButton(client: Client, channelId: string, content: string, customId: string) {
	const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder().setCustomId(customId).setLabel(customId).setStyle(ButtonStyle.Primary)
	);
	return (await sendableChannel(client, channelId)).send({ content, components: [row] });
}

function nextInteraction(client: Client): Promise<Interaction> {
	return new Promise((resolve) => client.once('interactionCreate', resolve));
}
