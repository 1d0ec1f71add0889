// Sharded entry (`npm run start:sharded`): one process per shard, each running dist/index.js; they share state through Redis.
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ShardingManager, type Shard } from 'discord.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { loadDotEnv } from './lib/env-file.js';
import { addSecret, describeError } from './lib/secrets.js';
import { fetchRecommendedShards, shardedStartRefusal } from './lib/sharding.js';

const SHARD_ENTRY = fileURLToPath(new URL('./index.js', import.meta.url));
/** Discord lets a bot identify about once per 5 s; discord.js' own default gap between shard starts. */
const SPAWN_DELAY_MS = 5500;
/** A shard opening a large data set and logging in may take a while; longer than that is a failure to report. */
const SHARD_READY_TIMEOUT_MS = 120_000;

function log(line: string): void {
	process.stdout.write(`${new Date().toISOString()} - INFO  - Sharding: ${line}\n`);
}

function exitWith(message: string): never {
	process.stderr.write(`${message}\n`);
	process.exit(1);
}

function readConfig(): Config {
	try {
		loadDotEnv(process.cwd());
		return loadConfig(process.env, process.cwd());
	} catch (error) {
		exitWith(error instanceof ConfigError ? error.message : `Invalid configuration: ${describeError(error)}`);
	}
}

const config = readConfig();
addSecret(config.discordToken);
const refusal = shardedStartRefusal(config);
if (refusal !== null) exitWith(refusal);

let totalShards: number;
try {
	totalShards = config.shardCount === 'auto' ? await fetchRecommendedShards(config) : config.shardCount;
} catch (error) {
	exitWith(`Sharded start failed: ${describeError(error)}`);
}

const manager = new ShardingManager(SHARD_ENTRY, { totalShards, token: config.discordToken, mode: 'process', respawn: true });
let stopping = false;
manager.on('shardCreate', (shard: Shard) => {
	shard.on('spawn', (child) => log(`shard ${shard.id} process started (pid ${(child as { pid?: number }).pid ?? '?'})`));
	shard.on('death', (child) => {
		if (stopping) return;
		const { exitCode, signalCode } = child as { exitCode: number | null; signalCode: string | null };
		log(`shard ${shard.id} exited (${signalCode ?? `code ${exitCode}`}); restarting it`);
	});
});

// SIGINT/SIGTERM: each shard gets SIGTERM (its own clean shutdown flushes storage), without respawning; exit 0 once all stopped.
async function stopShards(signal: NodeJS.Signals): Promise<void> {
	if (stopping) {
		log(`${signal} received again: exiting without waiting for the shards`);
		process.exit(1);
	}
	stopping = true;
	manager.respawn = false;
	log(`${signal} received: stopping ${manager.shards.size} shards`);
	await Promise.all(
		manager.shards.map(async (shard) => {
			const child = shard.process;
			if (!child || child.exitCode !== null || child.signalCode !== null) return;
			const exited = once(child, 'exit');
			child.kill('SIGTERM');
			await exited;
		})
	);
	log('all shards stopped');
	process.exit(0);
}
process.on('SIGINT', (signal) => void stopShards(signal));
process.on('SIGTERM', (signal) => void stopShards(signal));

log(`spawning ${totalShards} ${totalShards === 1 ? 'shard' : 'shards'}${config.shardCount === 'auto' ? ' (recommended by Discord)' : ''}`);
try {
	await manager.spawn({ amount: totalShards, delay: SPAWN_DELAY_MS, timeout: SHARD_READY_TIMEOUT_MS });
	log(`all ${totalShards} shards ready`);
} catch (error) {
	if (!stopping) {
		process.stderr.write(`Sharded start failed: a shard did not become ready: ${describeError(error)}\n`);
		stopping = true;
		manager.respawn = false;
		for (const shard of manager.shards.values()) shard.process?.kill('SIGTERM');
		process.exit(1);
	}
}
