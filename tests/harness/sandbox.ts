/**
 * `npm run sandbox`: a demo server in the local Discord emulator with the real bot connected to it,
 * driven from the terminal. No Discord account needed.
 */
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { BotProcess } from './bot-runner.js';
import { DiscordEmulator } from './emulator.js';
import type { ApiMessage, ApiUser } from './emulator/types.js';

const port = Number(process.env.SANDBOX_PORT ?? 3939);
const dataDir = resolve(process.env.DATA_DIR ?? './data/sandbox');

const HELP = `Commands:
  join <code>|vanity|unknown [name]    a new member joins (through an invite, the vanity URL, or untraceably)
  leave <user>                         a member leaves
  invite create <inviter> [maxUses]    a member creates an invite
  invites                              the server's invites and their uses
  cmd <user> /name [sub] opt:value     run a slash command as <user>; values: a user name, #channel, @role, or text
  click <user> <messageId> <customId>  click a button
  messages [channel]                   recent messages of a channel (default: general)
  members                              members and their roles
  help | quit`;

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
emulator.onMessage((message, change) => print(`${change === 'update' ? '~' : '>'} ${describeMessage(message)}`));

const bot = new BotProcess({
	apiUrl: emulator.apiUrl,
	token: 'sandbox-token',
	dataDir,
	env: { COMMAND_GUILD_IDS: guild.id },
	onOutput: (text) => {
		for (const line of text.split('\n').filter(Boolean)) print(`[bot] ${line}`);
	}
});

print(`Emulator on ${emulator.apiUrl} (gateway ${emulator.gatewayUrl}); data in ${dataDir}`);
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
		.then(() => run(line.trim().split(/\s+/).filter(Boolean)))
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
				how === 'vanity' ? emulator.joinViaVanity(guild.id, user) : how === 'unknown' ? emulator.joinUnknown(guild.id, user) : emulator.joinViaInvite(guild.id, how, user);
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
			for (const invite of emulator.invites(guild.id)) print(`${invite.code}  by ${invite.inviter?.username ?? '-'}  uses ${invite.uses}/${invite.max_uses || '∞'}`);
			print(`vanity supreme  uses ${emulator.vanityUses(guild.id)}`);
			return;
		case 'cmd':
			return runCommand(args);
		case 'click': {
			const [user, messageId, customId] = args;
			if (!messageId || !customId) throw new Error('usage: click <user> <messageId> <customId>');
			const handle = emulator.clickButton({ guildId: guild.id, channelId: emulator.state.findMessage(messageId)?.channel_id ?? general, userId: userNamed(user).id, messageId, customId });
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

/** `cmd alice /invites member:bob` or `cmd alice /config welcome channel:#welcome`. */
async function runCommand([userName, slash, ...rest]: string[]): Promise<void> {
	if (!slash?.startsWith('/')) throw new Error('usage: cmd <user> /name [group] [sub] opt:value ...');
	const path = rest.filter((token) => !token.includes(':'));
	const options = Object.fromEntries(
		rest.filter((token) => token.includes(':')).map((token) => {
			const [name, ...value] = token.split(':');
			return [name!, resolveValue(value.join(':'))];
		})
	);
	const handle = emulator.runCommand({
		guildId: guild.id,
		userId: userNamed(userName).id,
		name: slash.slice(1),
		...(path.length === 2 ? { subcommandGroup: path[0]!, subcommand: path[1]! } : path.length === 1 ? { subcommand: path[0]! } : {}),
		options
	});
	const reply = await handle.reply(10_000);
	if (reply.deferred) print('(the bot is thinking…)');
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

function describeMessage(message: ApiMessage): string {
	const where = message.guild_id ? `#${emulator.guild(message.guild_id)?.channels.get(message.channel_id)?.name}` : `DM`;
	const parts = [message.content];
	for (const embed of message.embeds) parts.push(`[embed ${[embed.title, embed.description].filter(Boolean).join(': ')}]`);
	for (const attachment of message.attachments) parts.push(`[file ${attachment.filename}]`);
	const buttons = JSON.stringify(message.components).match(/"custom_id":"[^"]+"/g);
	if (buttons) parts.push(`[buttons ${buttons.map((entry) => entry.slice(12, -1)).join(', ')}]`);
	const flags = message.flags & 64 ? ' (ephemeral)' : '';
	return `${where} ${message.author.username} (${message.id})${flags}: ${parts.filter(Boolean).join(' ')}`;
}

let stopping = false;
async function quit(): Promise<void> {
	if (stopping) return;
	stopping = true;
	print('stopping…');
	if (bot.running) await bot.stop('SIGTERM');
	await emulator.stop();
	process.exit(0);
}

