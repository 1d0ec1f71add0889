import { describeFieldErrors, optionValueErrors, OptionType } from './command-options.js';
import { invalidFormFields } from './http.js';
import { channelPermissions } from './permissions.js';
import { snowflakeAt } from './snowflake.js';
import { guildFeatures } from './shapes.js';
import type { EmulatorState } from './state.js';
import type { ApiChannel, ApiMessage, ApplicationCommandRecord, GuildRecord } from './types.js';

export type CommandOptionValue = string | number | boolean;

export interface InteractionContext {
	state: EmulatorState;
	guild: GuildRecord | undefined;
	channel: ApiChannel;
	userId: string;
	/** Overrides the invoking member's permissions (a bigint bitfield); computed from roles and overwrites by default. */
	memberPermissions?: bigint | undefined;
	locale?: string | undefined;
}

interface Resolved {
	users: Record<string, unknown>;
	members: Record<string, unknown>;
	roles: Record<string, unknown>;
	channels: Record<string, unknown>;
	attachments: Record<string, unknown>;
}

/** The fields every interaction carries: who, where, with which permissions. */
function commonFields(context: InteractionContext, token: string) {
	const { state, guild, channel, userId } = context;
	const user = state.user(userId)!;
	const appPermissions = guild ? channelPermissions(guild, channel, state.botUser.id) : 0n;
	const base = {
		// Created now by the emulator's clock: the 3 s and 15 min deadlines count from the id's timestamp.
		id: snowflakeAt(state.clock.now()),
		application_id: state.applicationId,
		token,
		version: 1,
		channel_id: channel.id,
		locale: context.locale ?? 'en-US',
		entitlements: [],
		attachment_size_limit: 10_485_760
	};
	if (!guild) {
		return { ...base, channel: { ...channel }, user, app_permissions: '0', authorizing_integration_owners: { '1': userId }, context: 1 };
	}
	const memberPermissions = context.memberPermissions ?? channelPermissions(guild, channel, userId);
	return {
		...base,
		guild_id: guild.id,
		// "guild_locale: Guild's preferred locale, if invoked in a guild" (interactions/receiving-and-responding.mdx).
		guild: { id: guild.id, locale: guild.preferredLocale, features: guildFeatures(guild) },
		guild_locale: guild.preferredLocale,
		channel: { ...channel, permissions: String(memberPermissions) },
		member: { ...state.apiMember(guild, userId)!, permissions: String(memberPermissions) },
		app_permissions: String(appPermissions),
		authorizing_integration_owners: { '0': guild.id },
		context: 0
	};
}

/** Converts `{ name: value }` into Discord's option list, typed by the registered command's schema, filling `resolved`. */
function buildOptions(
	context: InteractionContext,
	schema: any[],
	given: Record<string, CommandOptionValue>,
	resolved: Resolved,
	commandName: string
) {
	const { state, guild } = context;
	const refused = optionValueErrors(schema, given);
	if (refused.length > 0) {
		// Values no member could enter: Discord's client refuses them, so no interaction is sent (see command-options.ts).
		const failure = invalidFormFields(refused);
		failure.message = `Invalid Form Body: /${commandName} ${describeFieldErrors(refused)}`;
		throw failure;
	}
	return Object.entries(given).map(([name, value]) => {
		const option = schema.find((candidate) => candidate.name === name);
		if (!option)
			throw new Error(`/${commandName} has no option "${name}" (options: ${schema.map((candidate) => candidate.name).join(', ') || 'none'})`);
		const id = String(value);
		const addUser = () => {
			const user = state.user(id);
			if (!user) return false;
			resolved.users[id] = user;
			const member = guild && state.apiMember(guild, id);
			if (member) resolved.members[id] = { ...member, user: undefined, permissions: String(channelPermissions(guild, context.channel, id)) };
			return true;
		};
		const addRole = () => {
			const role = guild?.roles.get(id);
			if (role) resolved.roles[id] = role;
			return Boolean(role);
		};
		switch (option.type) {
			case OptionType.User:
				if (!addUser()) throw new Error(`/${commandName}: option "${name}" names unknown user ${id}`);
				return { name, type: option.type, value: id };
			case OptionType.Role:
				if (!addRole()) throw new Error(`/${commandName}: option "${name}" names unknown role ${id}`);
				return { name, type: option.type, value: id };
			case OptionType.Mentionable:
				if (!addUser() && !addRole()) throw new Error(`/${commandName}: option "${name}" names no user or role ${id}`);
				return { name, type: option.type, value: id };
			case OptionType.Channel: {
				const channel = state.channel(id);
				if (!channel) throw new Error(`/${commandName}: option "${name}" names unknown channel ${id}`);
				resolved.channels[id] = {
					id,
					name: channel.name,
					type: channel.type,
					parent_id: channel.parent_id ?? null,
					permissions: guild ? String(channelPermissions(guild, channel, context.userId)) : '0',
					flags: 0
				};
				return { name, type: option.type, value: id };
			}
			case OptionType.Attachment: {
				// "ATTACHMENT 11: attachment object"; the option's value is the attachment's id and the object is in
				// `resolved.attachments`, "Map of Snowflakes to attachment objects" (discord-api-docs,
				// interactions/application-commands.mdx, Application Command Option Type; interactions/receiving-and-responding.mdx,
				// Resolved Data Structure).
				const attachment = state.uploads.get(id);
				if (!attachment) throw new Error(`/${commandName}: option "${name}" names unknown upload ${id} (use emulator.uploadAttachment)`);
				resolved.attachments[id] = attachment;
				return { name, type: option.type, value: id };
			}
			case OptionType.Integer:
			case OptionType.Number:
				return { name, type: option.type, value: Number(value) };
			case OptionType.Boolean:
				return { name, type: option.type, value: value === true || value === 'true' };
			default:
				return { name, type: option.type, value: String(value) };
		}
	});
}

export interface CommandInvocation {
	command: ApplicationCommandRecord;
	subcommandGroup?: string | undefined;
	subcommand?: string | undefined;
	options?: Record<string, CommandOptionValue> | undefined;
}

export function commandInteraction(context: InteractionContext, token: string, invocation: CommandInvocation) {
	const { command } = invocation;
	const resolved: Resolved = { users: {}, members: {}, roles: {}, channels: {}, attachments: {} };
	let schema: any[] = (command.options as any[] | undefined) ?? [];
	const path: { name: string; type: number }[] = [];
	if (invocation.subcommandGroup) {
		const group = schema.find((option) => option.type === OptionType.SubcommandGroup && option.name === invocation.subcommandGroup);
		if (!group) throw new Error(`/${command.name} has no subcommand group "${invocation.subcommandGroup}"`);
		path.push({ name: group.name, type: group.type });
		schema = group.options ?? [];
	}
	if (invocation.subcommand) {
		const sub = schema.find((option) => option.type === OptionType.Subcommand && option.name === invocation.subcommand);
		if (!sub) throw new Error(`/${command.name} has no subcommand "${invocation.subcommand}"`);
		path.push({ name: sub.name, type: sub.type });
		schema = sub.options ?? [];
	}
	let options: unknown[] = buildOptions(context, schema, invocation.options ?? {}, resolved, command.name);
	// Subcommands nest: [{ type: 2, options: [{ type: 1, options: [...] }] }].
	for (const level of path.reverse()) options = [{ ...level, options }];
	const hasResolved = Object.values(resolved).some((entries) => Object.keys(entries).length > 0);
	const resolvedPayload = Object.fromEntries(Object.entries(resolved).filter(([, entries]) => Object.keys(entries).length > 0));
	return {
		...commonFields(context, token),
		type: 2,
		data: {
			id: command.id,
			name: command.name,
			type: command.type,
			...(command.guild_id ? { guild_id: command.guild_id } : {}),
			...(options.length ? { options } : {}),
			...(hasResolved ? { resolved: resolvedPayload } : {})
		}
	};
}

export function componentInteraction(context: InteractionContext, token: string, message: ApiMessage, customId: string, values?: string[]) {
	const component = findComponent(message.components, customId);
	if (!component) throw new Error(`message ${message.id} has no component with custom_id "${customId}"`);
	return {
		...commonFields(context, token),
		type: 3,
		message,
		data: { custom_id: customId, component_type: component.type, ...(values ? { values } : {}) }
	};
}

function findComponent(components: unknown[], customId: string): { type: number } | undefined {
	for (const component of components as any[]) {
		if (component?.custom_id === customId) return component;
		const nested = findComponent([...(component?.components ?? []), ...(component?.accessory ? [component.accessory] : [])], customId);
		if (nested) return nested;
	}
	return undefined;
}

/** A submitted modal: each text input's value under its custom_id, one per action row, as Discord sends them. */
export function modalSubmitInteraction(
	context: InteractionContext,
	token: string,
	customId: string,
	fields: Record<string, string>,
	message?: ApiMessage
) {
	return {
		...commonFields(context, token),
		type: 5,
		...(message ? { message } : {}),
		data: {
			custom_id: customId,
			components: Object.entries(fields).map(([id, value]) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] }))
		}
	};
}
