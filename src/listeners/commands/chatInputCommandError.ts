import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, UserError, type ChatInputCommandErrorPayload } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { acknowledge, replyEphemeral, userFacingMessage } from '../../lib/interaction-reply.js';
import { describeError, redactSecrets } from '../../lib/secrets.js';
import { isStorageOutage } from '../../storage-adapters/index.js';

/** A command threw: tell the user, privately. A UserError is an answer, not a fault; anything else is logged. */
@ApplyOptions<Listener.Options>({ event: Events.ChatInputCommandError })
export class ChatInputCommandErrorListener extends Listener<typeof Events.ChatInputCommandError> {
	public override async run(error: unknown, { interaction, command }: ChatInputCommandErrorPayload): Promise<void> {
		if (isStorageOutage(error)) {
			// An outage is already in the log (the storage's own error lines); a stack per command would bury it.
			this.container.logger.warn(`Command /${command.name} refused: storage unavailable (${describeError(error)})`);
		} else if (!(error instanceof UserError)) {
			this.container.logger.error(
				`Command /${command.name} failed: ${redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}`
			);
		}
		// The answer is translated, which reads the server's language from storage: acknowledged first (3 s deadline).
		await acknowledge(interaction);
		await replyEphemeral(interaction, userFacingMessage(await fetchT(interaction), error));
	}
}
