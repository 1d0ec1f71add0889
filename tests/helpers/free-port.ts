import { once } from 'node:events';
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
	const server = createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address() as { port: number };
	server.close();
	await once(server, 'close');
	return port;
}

async function canListen(port: number): Promise<boolean> {
	const server = createServer();
	const listening = new Promise<boolean>((resolve) => {
		server.once('listening', () => resolve(true));
		server.once('error', () => resolve(false));
	});
	server.listen(port, '127.0.0.1');
	if (!(await listening)) return false;
	server.close();
	await once(server, 'close');
	return true;
}

/**
 * `count` consecutive free ports (shard N listens on HEALTH_PORT + N). Picked below Linux's ephemeral range
 * (32768 and up), where the outgoing connections of other tests take ports, so the neighbours stay free.
 */
export async function freePortRun(count: number): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const base = 20_000 + Math.floor(Math.random() * 10_000);
		let free = true;
		for (let port = base; port < base + count && free; port++) free = await canListen(port);
		if (free) return base;
	}
	throw new Error(`no ${count} consecutive free ports found between 20000 and 30000`);
}
