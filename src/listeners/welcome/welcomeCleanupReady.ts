import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';

/** Welcomes stored to be deleted later are scheduled again (overdue ones are deleted at once). */
@ApplyOptions<Listener.Options>({ event: Events.ClientReady, once: true })
export class WelcomeCleanupReadyListener extends Listener<typeof Events.ClientReady> {
	public override async run(): Promise<void> {
		await this.container.welcomeCleanup.start();
	}
}
