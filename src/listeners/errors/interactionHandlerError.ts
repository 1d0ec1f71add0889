import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, UserError, type InteractionHandlerError } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { acknowledge, replyEphemeral, userFacingMessage } from '../../lib/interaction-reply.js';
import { redactSecrets } from '../../lib/secrets.js';

/** A button or other component handler threw: the clicker gets a private answer, faults go to the log. */
@ApplyOptions<Listener.Options>({ event: Events.InteractionHandlerError })
export class InteractionHandlerErrorListener extends Listener<typeof Events.InteractionHandlerError> {
	public override async run(error: unknown, { interaction, handler }: InteractionHandlerError): Promise<void> {
		if (!(error instanceof UserError)) {
			this.container.logger.error(
				`Interaction handler ${handler.name} failed: ${redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}`
			);
		}
		if (!interaction.isRepliable()) return;
		// The answer is translated, which reads the server's language from storage: acknowledged first (3 s deadline).
		await acknowledge(interaction);
		await replyEphemeral(interaction, userFacingMessage(await fetchT(interaction), error));
	}
}
