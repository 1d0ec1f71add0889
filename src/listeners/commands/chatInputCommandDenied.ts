import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, type ChatInputCommandDeniedPayload, type UserError } from '@sapphire/framework';
import { isSilent, replyEphemeral } from '../../lib/interaction-reply.js';

/** A precondition refused the command: tell the user why, privately. */
@ApplyOptions<Listener.Options>({ event: Events.ChatInputCommandDenied })
export class ChatInputCommandDeniedListener extends Listener<typeof Events.ChatInputCommandDenied> {
	public override async run(error: UserError, { interaction }: ChatInputCommandDeniedPayload): Promise<void> {
		if (isSilent(error)) return;
		await replyEphemeral(interaction, error.message);
	}
}
