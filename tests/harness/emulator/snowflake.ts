/** Discord's epoch (2015-01-01T00:00:00Z); snowflakes count milliseconds from it. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

let increment = 0n;

/**
 * A snowflake whose embedded timestamp is `at`, so discord.js' `createdTimestamp` means something
 * (account age checks, "fake account younger than N days").
 */
export function snowflakeAt(at: Date | number = Date.now()): string {
	const ms = BigInt(typeof at === 'number' ? at : at.getTime());
	increment = (increment + 1n) & 0xfffn;
	return (((ms - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export function timestampOf(snowflake: string): number {
	return Number((BigInt(snowflake) >> 22n) + DISCORD_EPOCH);
}

/** Which shard Discord routes a guild to: `(guild_id >> 22) % shard_count`. */
export function shardOf(guildId: string, shardCount: number): number {
	return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
