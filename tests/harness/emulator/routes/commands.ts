import { optionDefinitionErrors } from '../command-options.js';
import { invalidForm, invalidFormFields, notFound, WithStatus, type RestRequest, type Router } from '../http.js';
import { snowflakeAt } from '../snowflake.js';
import type { ApplicationCommandRecord } from '../types.js';
import type { World } from '../world.js';

const CHAT_INPUT = 1;
const NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Application commands, global and per guild: stored exactly as sent plus id, application_id, version (and guild_id). */
export function registerCommandRoutes(router: Router, world: World): void {
	const { state } = world;

	const commandsFor = (request: RestRequest) => {
		if (request.params.applicationId !== state.applicationId) throw notFound(10002, 'Application');
		if (request.params.guildId) world.requireGuild(request.params.guildId);
		return state.commandsOf(request.params.guildId);
	};

	const validate = (data: any, path = '') => {
		const type = data?.type ?? CHAT_INPUT;
		if (
			typeof data?.name !== 'string' ||
			(type === CHAT_INPUT ? !NAME_PATTERN.test(data.name) || data.name !== data.name.toLowerCase() : data.name.length > 32)
		) {
			throw invalidForm(`${path}name`, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
		}
		if (type === CHAT_INPUT && (typeof data.description !== 'string' || data.description.length < 1 || data.description.length > 100)) {
			throw invalidForm(`${path}description`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
		}
		// Options, choices and their limits as Discord checks them (see command-options.ts).
		const optionErrors = optionDefinitionErrors(data.options, [...path.split('.').filter(Boolean), 'options']);
		if (optionErrors.length > 0) throw invalidFormFields(optionErrors);
	};

	/** Creates or replaces the command with the same name and type, keeping its id as Discord does. */
	const upsert = (commands: Map<string, ApplicationCommandRecord>, sent: any, guildId: string | undefined) => {
		const data = withContextDefaults(sent);
		const type = data.type ?? CHAT_INPUT;
		const existing = [...commands.values()].find((command) => command.name === data.name && command.type === type);
		const unchanged = existing && JSON.stringify(withoutIdentity(existing)) === JSON.stringify({ ...data, type });
		const command: ApplicationCommandRecord = {
			...data,
			id: existing?.id ?? snowflakeAt(),
			application_id: state.applicationId,
			...(guildId ? { guild_id: guildId } : {}),
			version: unchanged ? existing.version : snowflakeAt(),
			name: data.name,
			type
		};
		commands.set(command.id, command);
		return { command, created: !existing };
	};

	const list = (request: RestRequest) => [...commandsFor(request).values()];

	const bulkOverwrite = (request: RestRequest) => {
		const commands = commandsFor(request);
		const sent: any[] = Array.isArray(request.body) ? request.body : [];
		sent.forEach((data, index) => validate(data, `${index}.`));
		const kept = new Set(sent.map((data) => upsert(commands, data, request.params.guildId).command.id));
		for (const id of [...commands.keys()]) if (!kept.has(id)) commands.delete(id);
		return [...kept].map((id) => commands.get(id));
	};

	const create = (request: RestRequest) => {
		validate(request.body);
		const { command, created } = upsert(commandsFor(request), request.body, request.params.guildId);
		return new WithStatus(created ? 201 : 200, command);
	};

	const find = (request: RestRequest) => {
		const command = commandsFor(request).get(request.params.commandId!);
		if (!command) throw notFound(10063, 'application command');
		return command;
	};

	const edit = (request: RestRequest) => {
		const command = find(request);
		const merged = { ...withoutIdentity(command), ...request.body };
		validate(merged);
		Object.assign(command, request.body, { version: snowflakeAt() });
		return command;
	};

	const remove = (request: RestRequest) => {
		find(request);
		commandsFor(request).delete(request.params.commandId!);
		return undefined;
	};

	for (const base of ['/applications/:applicationId/commands', '/applications/:applicationId/guilds/:guildId/commands']) {
		router
			.add('GET', base, list)
			.add('PUT', base, bulkOverwrite)
			.add('POST', base, create)
			.add('GET', `${base}/:commandId`, find)
			.add('PATCH', `${base}/:commandId`, edit)
			.add('DELETE', `${base}/:commandId`, remove);
	}
}

/**
 * A command created without `integration_types` comes back with `[0]` (GUILD_INSTALL), one without `contexts` with
 * `contexts: null` (discord-api-docs issue #6744, PR #6765), which Discord treats as usable in guilds and in DMs with
 * the bot (PR #7583, "currently optional and has a default value which seems to be GUILD and BOT_DM").
 */
function withContextDefaults(data: any) {
	const permissions = data?.default_member_permissions;
	return {
		...data,
		integration_types: data?.integration_types ?? [0],
		contexts: data?.contexts ?? null,
		// Always answered, as a string bit set or null (docs/interactions/Application_Commands.md, Application Command
		// Object: "default_member_permissions ?string"; required, nullable, in discord-api-spec's ApplicationCommandResponse).
		default_member_permissions: permissions === undefined || permissions === null ? null : String(permissions)
	};
}

/** Whether a command with these `contexts` can be run there (0 GUILD, 1 BOT_DM; null: both, see withContextDefaults). */
export function commandUsableIn(command: ApplicationCommandRecord, where: 'guild' | 'dm'): boolean {
	const contexts = command.contexts as number[] | null | undefined;
	if (!contexts) return true;
	return contexts.includes(where === 'guild' ? 0 : 1);
}

function withoutIdentity(command: ApplicationCommandRecord) {
	const { id: _id, application_id: _applicationId, guild_id: _guildId, version: _version, ...data } = command;
	return data;
}
