import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import { redactSecrets } from '../../lib/secrets.js';

/** Registering the slash commands (one bulk overwrite per scope) failed: they stay as they were until the next start. */
@ApplyOptions<Listener.Options>({ event: Events.ApplicationCommandRegistriesBulkOverwriteError })
export class CommandRegistryBulkOverwriteErrorListener extends Listener<typeof Events.ApplicationCommandRegistriesBulkOverwriteError> {
	public override run(error: unknown, guildId: string | null): void {
		const scope = guildId ? `guild ${guildId}` : 'global';
		this.container.logger.error(
			`Registering the ${scope} slash commands failed: ${redactSecrets(error instanceof Error ? error.message : String(error))}`
		);
	}
}
