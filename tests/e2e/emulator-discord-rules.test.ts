import {
	ActionRowBuilder,
	ButtonBuilder,
	ButtonStyle,
	Client,
	DiscordAPIError,
	GatewayIntentBits,
	MessageFlags,
	Routes,
	type ChatInputCommandInteraction,
	type Interaction,
	type TextChannel
} from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { takeSpecMismatches } from '../harness/emulator/spec.js';
import { DiscordEmulator } from '../harness/index.js';

/**
 * Discord's rules of issue 14, rules 4 and 8, as the emulator enforces them, seen through a plain discord.js client.
 * The sources are beside the emulator code (emulator/interactions.ts, nonce.ts, components.ts, command-options.ts).
 */
describe('the emulator enforces interaction deadlines, enforce_nonce, component and option rules', () => {
	let emulator: DiscordEmulator;
	let client: Client<true>;
	let guildId: string;
	let channelId: string;
	let member: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start({ heartbeatIntervalMs: 1000 });
		const guild = emulator.createGuild({ name: 'Rules' });
		guildId = guild.id;
		channelId = guild.systemChannelId!;
		member = emulator.createUser({ username: 'member' }).id;
		emulator.addMember(guildId, member);
		client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], rest: { api: emulator.apiUrl } }) as Client<true>;
		const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
		await client.login('rules-token');
		await ready;
		await client.rest.put(Routes.applicationGuildCommands(emulator.applicationId, guildId), {
			body: [
				{
					name: 'pick',
					description: 'Options with limits',
					options: [
						{ type: 4, name: 'amount', description: 'How many', required: true, min_value: 1, max_value: 10 },
						{
							type: 3,
							name: 'colour',
							description: 'Which',
							choices: [
								{ name: 'red', value: 'red' },
								{ name: 'blue', value: 'blue' }
							]
						},
						{ type: 3, name: 'note', description: 'Short text', min_length: 2, max_length: 5 },
						{ type: 5, name: 'loud', description: 'Yes or no' }
					]
				}
			]
		});
	});

	afterAll(async () => {
		await client?.destroy();
		await emulator?.stop();
	});

	afterEach(() => {
		expect(emulator.serverErrors).toEqual([]);
	});

	const nextCommand = () =>
		new Promise<ChatInputCommandInteraction>((resolve) => {
			const listener = (interaction: Interaction) => {
				if (!interaction.isChatInputCommand()) return;
				client.off('interactionCreate', listener);
				resolve(interaction);
			};
			client.on('interactionCreate', listener);
		});

	async function refusal(request: Promise<unknown>): Promise<DiscordAPIError> {
		const error = await request.then(
			() => null,
			(caught: unknown) => caught
		);
		if (!(error instanceof DiscordAPIError)) throw new Error(`expected a Discord API error, got ${String(error)}`);
		// A body sent wrong on purpose may break discord-api-spec too (its request side); the emulator's answer must not.
		expect(takeSpecMismatches().filter((mismatch) => mismatch.side !== 'request')).toEqual([]);
		return error;
	}

	const channel = () => client.channels.fetch(channelId) as Promise<TextChannel>;

	describe('rule 4: interaction deadlines', () => {
		it('refuses an initial response later than 3 s with 404 10062 Unknown interaction', async () => {
			const received = nextCommand();
			const handle = emulator.runCommand({ guildId, userId: member, name: 'pick', options: { amount: 2 } });
			const interaction = await received;
			emulator.advanceClock(3001);
			const error = await refusal(interaction.reply({ content: 'too late' }));
			expect([error.status, error.code]).toEqual([404, 10062]);
			expect(handle.acknowledged).toBe(false);
		});

		it('accepts a response within 3 s, edits and follow-ups for 15 minutes, then 401 50027 Invalid Webhook Token', async () => {
			const received = nextCommand();
			const handle = emulator.runCommand({ guildId, userId: member, name: 'pick', options: { amount: 3 } });
			const interaction = await received;
			await interaction.deferReply({ flags: MessageFlags.Ephemeral });
			expect(handle.acknowledgedAfterMs).not.toBeNull();
			emulator.advanceClock(14 * 60_000);
			await interaction.editReply({ content: 'still in time' });
			await interaction.followUp({ content: 'a follow-up in time', flags: MessageFlags.Ephemeral });
			expect((await handle.answer()).content).toBe('still in time');
			emulator.advanceClock(60_001);
			const late = [
				() => interaction.editReply({ content: 'too late' }),
				() => interaction.followUp({ content: 'too late' }),
				() => interaction.fetchReply()
			];
			for (const request of late) {
				const error = await refusal(request());
				expect([error.status, error.code, error.message]).toEqual([401, 50027, 'Invalid Webhook Token']);
			}
			expect(handle.current?.content).toBe('still in time');
		});
	});

	describe('rule 8: enforce_nonce', () => {
		it('answers a second message with the same nonce from the same author with the first, within minutes', async () => {
			const text = await channel();
			const first = await text.send({ content: 'once', nonce: 'same-nonce-1', enforceNonce: true });
			const again = await text.send({ content: 'once, again', nonce: 'same-nonce-1', enforceNonce: true });
			expect(again.id).toBe(first.id);
			expect(again.content).toBe('once');
			expect(emulator.messages(channelId).filter((message) => message.nonce === 'same-nonce-1')).toHaveLength(1);

			// Without enforce_nonce the nonce is only echoed: both are created.
			const loose = await text.send({ content: 'loose 1', nonce: 'loose-nonce' });
			const looseAgain = await text.send({ content: 'loose 2', nonce: 'loose-nonce' });
			expect(looseAgain.id).not.toBe(loose.id);

			// "In the past few minutes": later, the same nonce makes a new message.
			emulator.advanceClock(5 * 60_000 + 1);
			const later = await text.send({ content: 'later', nonce: 'same-nonce-1', enforceNonce: true });
			expect(later.id).not.toBe(first.id);
		});

		it('refuses a nonce longer than 25 characters with 50035 at `nonce`', async () => {
			const error = await refusal((await channel()).send({ content: 'x', nonce: 'n'.repeat(26), enforceNonce: true }));
			expect(error.code).toBe(50035);
			expect(error.rawError).toMatchObject({ errors: { nonce: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
		});
	});

	describe('rule 8: components', () => {
		const button = (customId: string) => ({ type: 2, style: 1, label: customId.slice(0, 80), custom_id: customId });
		const row = (...components: unknown[]) => ({ type: 1, components });
		const post = (components: unknown[]) => client.rest.post(Routes.channelMessages(channelId), { body: { content: 'components', components } });

		it('accepts 5 rows of 5 buttons with distinct custom ids of 1 to 100 characters, and a link button', async () => {
			const rows = Array.from({ length: 5 }, (_, rowIndex) => row(...Array.from({ length: 5 }, (_, index) => button(`b${rowIndex}-${index}`))));
			rows[4] = row(button('x'), button('y'.repeat(100)), { type: 2, style: ButtonStyle.Link, label: 'Docs', url: 'https://discord.com' });
			await expect(post(rows)).resolves.toMatchObject({ components: rows });
		});

		it.each([
			[
				'6 action rows',
				Array.from({ length: 6 }, (_, index) => row(button(`r${index}`))),
				{ components: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } }
			],
			[
				'6 buttons in a row',
				[row(...Array.from({ length: 6 }, (_, index) => button(`b${index}`)))],
				{ components: { 0: { components: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } }
			],
			[
				'an empty custom_id',
				[row(button(''))],
				{ components: { 0: { components: { 0: { custom_id: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } } } }
			],
			[
				'a custom_id of 101 characters',
				[row(button('z'.repeat(101)))],
				{ components: { 0: { components: { 0: { custom_id: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } } } }
			],
			[
				'the same custom_id twice, one disabled, in two rows',
				[row(button('same')), row({ ...button('same'), disabled: true })],
				{ components: { 1: { components: { 0: { custom_id: { _errors: [{ code: 'COMPONENT_CUSTOM_ID_DUPLICATED' }] } } } } } }
			],
			[
				'a link button with a custom_id',
				[row({ type: 2, style: ButtonStyle.Link, label: 'x', url: 'https://discord.com', custom_id: 'link' })],
				{ components: { 0: { components: { 0: { custom_id: { _errors: [expect.anything()] } } } } } }
			],
			['a button outside an action row', [button('loose')], { components: { 0: { type: { _errors: [expect.anything()] } } } }]
		])('refuses %s with 50035 and the field path', async (_name, components, errors) => {
			const before = emulator.messages(channelId).length;
			const error = await refusal(post(components));
			expect([error.status, error.code]).toEqual([400, 50035]);
			expect(error.rawError).toMatchObject({ message: 'Invalid Form Body', errors });
			expect(emulator.messages(channelId)).toHaveLength(before);
		});

		it('checks components of interaction responses and edits too', async () => {
			const received = nextCommand();
			const handle = emulator.runCommand({ guildId, userId: member, name: 'pick', options: { amount: 1 } });
			const interaction = await received;
			const twice = new ActionRowBuilder<ButtonBuilder>().addComponents(
				new ButtonBuilder().setCustomId('twice').setLabel('A').setStyle(ButtonStyle.Primary),
				new ButtonBuilder().setCustomId('twice').setLabel('B').setStyle(ButtonStyle.Secondary)
			);
			const error = await refusal(interaction.reply({ content: 'buttons', components: [twice] }));
			expect(error.code).toBe(50035);
			expect(handle.acknowledged).toBe(false);
			await interaction.reply({ content: 'fine', components: [] });
			const edit = await refusal(interaction.editReply({ components: [twice] }));
			expect(edit.rawError).toMatchObject({ errors: { components: { 0: { components: { 1: { custom_id: {} } } } } } });
		});
	});

	describe('rule 8: command options', () => {
		const register = (options: unknown[]) =>
			client.rest.post(Routes.applicationGuildCommands(emulator.applicationId, guildId), {
				body: { name: 'broken', description: 'A command Discord refuses', options }
			});

		it.each([
			[
				'a required option after an optional one',
				[
					{ type: 3, name: 'first', description: 'optional' },
					{ type: 3, name: 'second', description: 'required', required: true }
				],
				{ options: { 1: { required: { _errors: [expect.anything()] } } } }
			],
			[
				'26 choices',
				[
					{
						type: 3,
						name: 'pick',
						description: 'd',
						choices: Array.from({ length: 26 }, (_, index) => ({ name: `c${index}`, value: `c${index}` }))
					}
				],
				{ options: { 0: { choices: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } }
			],
			[
				'a choice value of the wrong type',
				[{ type: 4, name: 'count', description: 'd', choices: [{ name: 'one', value: 'one' }] }],
				{ options: { 0: { choices: { 0: { value: { _errors: [expect.anything()] } } } } } }
			],
			[
				'max_length above 6000',
				[{ type: 3, name: 'text', description: 'd', max_length: 6001 }],
				{ options: { 0: { max_length: { _errors: [expect.anything()] } } } }
			],
			[
				'min_value above max_value',
				[{ type: 4, name: 'count', description: 'd', min_value: 5, max_value: 1 }],
				{ options: { 0: { min_value: { _errors: [expect.anything()] } } } }
			],
			[
				'min_value on a string',
				[{ type: 3, name: 'text', description: 'd', min_value: 1 }],
				{ options: { 0: { min_value: { _errors: [expect.anything()] } } } }
			],
			[
				'a description of 101 characters',
				[{ type: 3, name: 'text', description: 'd'.repeat(101) }],
				{ options: { 0: { description: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } }
			],
			[
				'two options with one name',
				[
					{ type: 3, name: 'same', description: 'd' },
					{ type: 4, name: 'same', description: 'd' }
				],
				{ options: { 1: { name: { _errors: [expect.anything()] } } } }
			],
			[
				'a bad option inside a subcommand',
				[{ type: 1, name: 'sub', description: 'd', options: [{ type: 3, name: 'Upper', description: 'd' }] }],
				{ options: { 0: { options: { 0: { name: { _errors: [expect.anything()] } } } } } }
			]
		])('refuses to register %s with 50035 and the field path', async (_name, options, errors) => {
			const error = await refusal(register(options));
			expect([error.status, error.code]).toEqual([400, 50035]);
			expect(error.rawError).toMatchObject({ errors });
			expect(emulator.commands(guildId).map((command) => command.name)).toEqual(['pick']);
		});

		it.each([
			['a missing required option', { colour: 'red' }, 'options.amount: This field is required'],
			['an integer below min_value', { amount: 0 }, 'options.amount: int value should be greater than or equal to 1.'],
			['an integer above max_value', { amount: 11 }, 'options.amount: int value should be less than or equal to 10.'],
			['a number that is no integer', { amount: 2.5 }, 'options.amount: Value "2.5" is not int.'],
			['a value outside the choices', { amount: 1, colour: 'green' }, 'options.colour: Value must be one of ("red", "blue").'],
			['a string shorter than min_length', { amount: 1, note: 'a' }, 'options.note: Must be between 2 and 5 in length.'],
			['a string longer than max_length', { amount: 1, note: 'abcdef' }, 'options.note: Must be between 2 and 5 in length.'],
			['a boolean that is not one', { amount: 1, loud: 'maybe' }, 'options.loud: Must be either true or false.']
		])('a member cannot send %s: the client refuses it as 50035', (_name, options, reason) => {
			let thrown: unknown;
			try {
				emulator.runCommand({ guildId, userId: member, name: 'pick', options });
			} catch (error) {
				thrown = error;
			}
			expect(thrown).toMatchObject({ code: 50035, message: `Invalid Form Body: /pick ${reason}` });
		});

		it('sends valid values typed as the command declares them', async () => {
			const received = nextCommand();
			emulator.runCommand({ guildId, userId: member, name: 'pick', options: { amount: '10', colour: 'blue', note: 'hey', loud: 'true' } });
			const interaction = await received;
			expect(interaction.options.getInteger('amount')).toBe(10);
			expect(interaction.options.getString('colour')).toBe('blue');
			expect(interaction.options.getString('note')).toBe('hey');
			expect(interaction.options.getBoolean('loud')).toBe(true);
			await interaction.reply({ content: 'ok' });
		});
	});
});
