import { describe, expect, it } from 'vitest';
import { GreetingOrder } from '../../../src/lib/welcome/order.js';

const G = '1';

describe('welcome and goodbye order', () => {
	it('a leave while the welcome is being sent: the goodbye comes after it', async () => {
		const order = new GreetingOrder();
		const said: string[] = [];
		order.joinReceived(G, 'm');
		expect(order.joinSettled(G, 'm', true)).toBe(true);
		let sent: () => void = () => undefined;
		const sending = new Promise<void>((resolve) => (sent = resolve)).then(() => said.push('welcome'));
		order.welcoming(G, 'm', sending);
		const goodbye = order.leaveReceived(G, 'm').then((allowed) => allowed && said.push('goodbye'));
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(said).toEqual([]);
		sent();
		await goodbye;
		expect(said).toEqual(['welcome', 'goodbye']);
	});

	it('a leave before the join is recorded: neither; a leave after a repeated join event: the goodbye', async () => {
		const order = new GreetingOrder();
		order.joinReceived(G, 'raider');
		const raiderGoodbye = order.leaveReceived(G, 'raider');
		expect(order.joinSettled(G, 'raider', true)).toBe(false);
		expect(await raiderGoodbye).toBe(false);

		order.joinReceived(G, 'old-member');
		const repeatGoodbye = order.leaveReceived(G, 'old-member');
		expect(order.joinSettled(G, 'old-member', false)).toBe(false);
		expect(await repeatGoodbye).toBe(true);
		// Nothing kept once a stay is over.
		expect(await order.leaveReceived(G, 'nobody')).toBe(true);
	});
});
