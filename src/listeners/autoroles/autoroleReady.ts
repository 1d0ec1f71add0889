import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';

/** Delayed auto-roles stored before a restart are scheduled again (overdue ones are given at once). */
@ApplyOptions<Listener.Options>({ event: Events.ClientReady, once: true })
export class AutoroleReadyListener extends Listener<typeof Events.ClientReady> {
	public override async run(): Promise<void> {
		await this.container.autoroles.start();
	}
}
