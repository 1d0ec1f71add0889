import { ApplyOptions } from '@sapphire/decorators';
import { Events, Identifiers, Listener, type ChatInputCommandDeniedPayload, type UserError } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { acknowledge, isSilent, replyEphemeral, userFacingMessage } from '../../lib/interaction-reply.js';

/** A precondition refused the command: tell the user why, privately, in the server's language. */
@ApplyOptions<Listener.Options>({ event: Events.ChatInputCommandDenied })
export class ChatInputCommandDeniedListener extends Listener<typeof Events.ChatInputCommandDenied> {
	public override async run(error: UserError, { interaction }: ChatInputCommandDeniedPayload): Promise<void> {
		if (isSilent(error)) return;
		// The answer is translated, which reads the server's language from storage: acknowledged first (3 s deadline).
		await acknowledge(interaction);
		await replyEphemeral(interaction, await this.describe(error, interaction));
	}

	private async describe(error: UserError, interaction: ChatInputCommandDeniedPayload['interaction']): Promise<string> {
		const t = await fetchT(interaction);
		if (error.identifier === Identifiers.PreconditionCooldown) {
			// Sapphire's Cooldown precondition says how long is left in the context, in ms; shown in whole seconds.
			const remaining = Number(Reflect.get(Object(error.context), 'remaining') ?? 0);
			return t('errors:cooldown', { ms: Math.max(1, Math.ceil(remaining / 1000)) * 1000 });
		}
		// Ours are refusals with a language key (refusalOptions); Sapphire's other ones are shown as written.
		if (error.identifier !== Identifiers.PreconditionUserPermissions) return userFacingMessage(t, error);
		// Sapphire's UserPermissions precondition puts the missing PermissionsString names in the context.
		const missing = (Reflect.get(Object(error.context), 'missing') ?? []) as string[];
		const permissions = missing.map((permission) => t(`errors:permissions.${permission}`, { defaultValue: permission })).join(', ');
		return t('errors:missingUserPermissions', { count: missing.length, permissions });
	}
}
