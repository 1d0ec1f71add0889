import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, type ChatInputCommandErrorPayload } from '@sapphire/framework';
import { replyEphemeral, userFacingMessage } from '../../lib/interaction-reply.js';

/** A command threw: Sapphire's default listener logs it, this one tells the user, privately. */
@ApplyOptions<Listener.Options>({ event: Events.ChatInputCommandError })
export class ChatInputCommandErrorListener extends Listener<typeof Events.ChatInputCommandError> {
	public override async run(error: unknown, { interaction }: ChatInputCommandErrorPayload): Promise<void> {
		await replyEphemeral(interaction, userFacingMessage(error));
	}
}
