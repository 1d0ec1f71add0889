/**
 * `npm run sandbox [-- --data DIR]`: a demo server in the local Discord emulator with the real bot connected to it,
 * driven from the terminal (or any input stream: tests/selfhost/sandbox.test.ts pipes commands in). No Discord
 * account needed. Its data lives in a temporary folder removed on quit, or in --data DIR (kept).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BotProcess } from './bot-runner.js';
import { DiscordEmulator } from './emulator.js';
import type { ApiMessage, ApiUser } from './emulator/types.js';

const { values: flags } = parseArgs({ options: { data: { type: 'string' } } });
const port = Number(process.env.SANDBOX_PORT ?? 3939);
// Never the bot's real DATA_DIR: each run makes a new demo guild, whose records would pile up there.
const keepData = flags.data !== undefined;
const dataDir = keepData ? resolve(flags.data!) : mkdtempSync(join(tmpdir(), 'supreme-sandbox-'));

const HELP = `Commands (names are user, channel or role names; quote values with spaces, or let the last option run to the end of the line):
  join <code>|vanity|unknown [name]    a new member joins (through an invite, the vanity URL, or untraceably)
  leave <user>                         a member leaves
  invite create <inviter> [maxUses]    a member creates an invite
  invites                              the server's invites and their uses
  cmd <user> /name [group] [sub] opt:value ...
                                       run a slash command as <user>; a value is a user name, #channel, @role or text:
                                       cmd alice /setup-welcome channel:#welcome message:Welcome {user}, have fun!
  click <user> <label>|<number>        click a button of the last message that had buttons: Enter, or 1
  messages [channel]                   recent messages of a channel (default: general)
  members                              members and their roles
  help                                 this list
  quit                                 stop the bot and the emulator`;

const emulator = await DiscordEmulator.start({ port });
const guild = emulator.createGuild({ name: 'Supreme Sandbox', vanity: 'supreme' });
const general = guild.systemChannelId!;
emulator.createChannel(guild.id, { name: 'welcome' });
emulator.createChannel(guild.id, { name: 'logs' });
emulator.createRole(guild.id, { name: 'Member' });
emulator.createRole(guild.id, { name: 'Recruiter' });
for (const name of ['alice', 'bob', 'carol']) emulator.addMember(guild.id, emulator.createUser({ username: name }).id);
emulator.createInvite(guild.id, { code: 'alice-invite', inviterId: userNamed('alice').id });
emulator.createInvite(guild.id, { code: 'bob-once', inviterId: userNamed('bob').id, maxUses: 1 });

const print = (line: string) => process.stdout.write(`${line}\n`);
/** The last message shown that had buttons: `click` picks from it. */
let lastWithButtons: ApiMessage | null = null;
emulator.onMessage((message, change) => {
	if (buttonsOf(message).length > 0) lastWithButtons = message;
	print(`${change === 'update' ? '~' : '>'} ${describeMessage(message)}`);
});

const bot = new BotProcess({
	apiUrl: emulator.apiUrl,
	token: 'sandbox-token',
	dataDir,
	env: { COMMAND_GUILD_IDS: guild.id },
	onOutput: (text) => {
		for (const line of text.split('\n').filter(Boolean)) print(`[bot] ${line}`);
	}
});

print(
	`Emulator on ${emulator.apiUrl} (gateway ${emulator.gatewayUrl}); data in ${dataDir}${keepData ? '' : ' (removed on quit; --data DIR keeps it)'}`
);
try {
	await bot.start();
} catch (error) {
	print(`The bot did not start: ${(error as Error).message.split('\n')[0]}`);
	await emulator.stop();
	process.exit(1);
}
print(HELP);

const terminal = createInterface({ input: process.stdin, output: process.stdout, prompt: 'sandbox> ' });
terminal.prompt();
// One line at a time, in order, even when input is pasted or piped.
let pending = Promise.resolve();
terminal.on('line', (line) => {
	pending = pending
		.then(() => run(splitWords(line)))
		.catch((error: Error) => {
			print(`error: ${error.message}`);
		})
		.finally(() => terminal.prompt());
});
terminal.on('close', () => void pending.then(quit));

async function run([command, ...args]: string[]): Promise<void> {
	switch (command) {
		case undefined:
			return;
		case 'join': {
			const [how = 'unknown', name] = args;
			const user = name ? { username: name } : undefined;
			const joiner =
				how === 'vanity'
					? emulator.joinViaVanity(guild.id, user)
					: how === 'unknown'
						? emulator.joinUnknown(guild.id, user)
						: emulator.joinViaInvite(guild.id, how, user);
			print(`${joiner.username} joined (${how})`);
			return;
		}
		case 'leave':
			emulator.leave(guild.id, userNamed(args[0]).id);
			return;
		case 'invite': {
			if (args[0] !== 'create') throw new Error('usage: invite create <inviter> [maxUses]');
			const invite = emulator.createInvite(guild.id, { inviterId: userNamed(args[1]).id, maxUses: Number(args[2] ?? 0) });
			print(`created invite ${invite.code}`);
			return;
		}
		case 'invites':
			for (const invite of emulator.invites(guild.id))
				print(`${invite.code}  by ${invite.inviter?.username ?? '-'}  uses ${invite.uses}/${invite.max_uses || '∞'}`);
			print(`vanity supreme  uses ${emulator.vanityUses(guild.id)}`);
			return;
		case 'cmd':
			return runCommand(args);
		case 'click': {
			const [user, choice] = args;
			if (!choice) throw new Error('usage: click <user> <button label or number>');
			const message = lastWithButtons;
			const buttons = message ? buttonsOf(message) : [];
			const button = /^\d+$/.test(choice)
				? buttons[Number(choice) - 1]
				: buttons.find((candidate) => candidate.label?.toLowerCase() === choice.toLowerCase());
			if (!message || !button)
				throw new Error(`no button "${choice}" on the last message with buttons${buttons.length ? ` (${describeButtons(buttons)})` : ''}`);
			const handle = emulator.clickButton({
				guildId: guild.id,
				channelId: message.channel_id,
				userId: userNamed(user).id,
				messageId: message.id,
				customId: button.custom_id
			});
			await handle.reply();
			return;
		}
		case 'messages': {
			const channel = args[0] ? channelNamed(args[0]) : general;
			for (const message of emulator.messages(channel).slice(-10)) print(describeMessage(message));
			return;
		}
		case 'members':
			for (const member of emulator.state.apiMembers(emulator.guild(guild.id)!)) {
				const roles = member.roles.map((id) => emulator.guild(guild.id)!.roles.get(id)?.name).join(', ');
				print(`${member.user.username}${member.user.bot ? ' [bot]' : ''}  ${member.user.id}  ${roles}`);
			}
			return;
		case 'help':
			print(HELP);
			return;
		case 'quit':
		case 'exit':
			return quit();
		default:
			throw new Error(`unknown command "${command}"; try help`);
	}
}

const OPTION = /^([\w-]+):(.*)$/s;

/** `cmd alice /invites member:bob`, `cmd alice /invite-config rank-role-add role:@Member invites:5`. */
async function runCommand([userName, slash, ...rest]: string[]): Promise<void> {
	if (!slash?.startsWith('/')) throw new Error('usage: cmd <user> /name [group] [sub] opt:value ...');
	const path: string[] = [];
	const options: Record<string, string> = {};
	let last: string | null = null;
	for (const word of rest) {
		const option = OPTION.exec(word);
		if (option) options[(last = option[1]!)] = option[2]!;
		// A word that is not name:value continues the option before it: message:Welcome {user}, have fun!
		else if (last === null) path.push(word);
		else options[last] += ` ${word}`;
	}
	const handle = emulator.runCommand({
		guildId: guild.id,
		userId: userNamed(userName).id,
		name: slash.slice(1),
		...(path.length === 2 ? { subcommandGroup: path[0]!, subcommand: path[1]! } : path.length === 1 ? { subcommand: path[0]! } : {}),
		options: Object.fromEntries(Object.entries(options).map(([name, value]) => [name, resolveValue(value)]))
	});
	const reply = await handle.reply(10_000);
	if (reply.deferred) print('(the bot is thinking…)');
}

/** Words of a line; "double" or 'single' quotes keep spaces (name:"two words" too). */
function splitWords(line: string): string[] {
	const words: string[] = [];
	for (const match of line.matchAll(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g))
		words.push(match[0].replace(/"([^"]*)"|'([^']*)'/g, (_all, double, single) => double ?? single));
	return words;
}

function resolveValue(value: string): string {
	if (value.startsWith('#')) return channelNamed(value.slice(1));
	if (value.startsWith('@')) {
		const role = [...emulator.guild(guild.id)!.roles.values()].find((candidate) => candidate.name === value.slice(1));
		if (role) return role.id;
	}
	return [...emulator.state.users.values()].find((record) => record.user.username === value)?.user.id ?? value;
}

function userNamed(name: string | undefined): ApiUser {
	const record = [...emulator.state.users.values()].find((candidate) => candidate.user.username === name || candidate.user.id === name);
	if (!record) throw new Error(`no user named "${name}"`);
	return record.user;
}

function channelNamed(name: string): string {
	const channel = [...emulator.guild(guild.id)!.channels.values()].find((candidate) => candidate.name === name || candidate.id === name);
	if (!channel) throw new Error(`no channel named "${name}"`);
	return channel.id;
}

interface Button {
	label?: string;
	custom_id: string;
}

/** Buttons with a custom id (link buttons cannot be clicked here), in the order Discord shows them. */
function buttonsOf(message: ApiMessage): Button[] {
	const rows = message.components as Array<{ components?: Array<{ type: number; custom_id?: string; label?: string }> }>;
	return rows
		.flatMap((row) => row.components ?? [])
		.filter((component): component is Button & { type: number } => component.type === 2 && typeof component.custom_id === 'string');
}

function describeButtons(buttons: Button[]): string {
	return buttons.map((button, index) => `${index + 1} ${button.label ?? button.custom_id}`).join(' | ');
}

function describeMessage(message: ApiMessage): string {
	const where = message.guild_id ? `#${emulator.guild(message.guild_id)?.channels.get(message.channel_id)?.name}` : `DM`;
	const lines = [message.content];
	for (const embed of message.embeds as Array<{
		title?: string;
		description?: string;
		fields?: Array<{ name: string; value: string }>;
		footer?: { text?: string };
	}>) {
		lines.push(`  [embed] ${[embed.title, embed.description].filter(Boolean).join(': ')}`);
		for (const field of embed.fields ?? []) lines.push(`    ${field.name}: ${field.value.replace(/\n/g, ' / ')}`);
		if (embed.footer?.text) lines.push(`    (${embed.footer.text})`);
	}
	for (const attachment of message.attachments) lines.push(`  [file ${attachment.filename}]`);
	const buttons = buttonsOf(message);
	if (buttons.length > 0) lines.push(`  [buttons] ${describeButtons(buttons)}   (click <user> <label or number>)`);
	const flags = message.flags & 64 ? ' (ephemeral)' : '';
	return `${where} ${message.author.username} (${message.id})${flags}: ${lines.filter(Boolean).join('\n')}`;
}

let stopping = false;
async function quit(): Promise<void> {
	if (stopping) return;
	stopping = true;
	print('stopping…');
	if (bot.running) await bot.stop('SIGTERM');
	await emulator.stop();
	if (!keepData) rmSync(dataDir, { recursive: true, force: true });
	process.exit(0);
}
