import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, type Command } from '@sapphire/framework';
import { redactSecrets } from '../../lib/secrets.js';

/** Registering a slash command with Discord failed: the command will be missing until the next start. */
@ApplyOptions<Listener.Options>({ event: Events.CommandApplicationCommandRegistryError })
export class CommandRegistryErrorListener extends Listener<typeof Events.CommandApplicationCommandRegistryError> {
	public override run(error: unknown, command: Command): void {
		this.container.logger.error(`Registering /${command.name} failed: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
	}
}
