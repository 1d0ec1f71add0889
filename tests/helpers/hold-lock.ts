// Holds a file-adapter data directory's lock as a bot would: `hold <dir>` takes it and prints "held", then keeps it
// until killed; `race <dir>` prints "ready", takes it when a line arrives on stdin and prints "won" or "lost <why>",
// then keeps it until killed, so that a slower racer cannot win after the winner let go.
import { DataDirLock } from '../../src/storage-adapters/file/lock.js';

const [mode, directory] = process.argv.slice(2) as ['hold' | 'race', string];
if (mode === 'hold') {
	await DataDirLock.acquire(directory);
	process.stdout.write('held\n');
	setInterval(() => undefined, 60_000);
} else {
	process.stdout.write('ready\n');
	process.stdin.once('data', () => {
		DataDirLock.acquire(directory).then(
			() => process.stdout.write('won\n'),
			(error: Error) => process.stdout.write(`lost ${error.message}\n`)
		);
		setInterval(() => undefined, 60_000);
	});
}
