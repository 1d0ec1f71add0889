/**
 * i18next formatters the language files use: `{{ms, duration}}` writes a span of time, `{{seconds, ago}}` an age, in the reader's language
 * (Intl unit names: "2 hours 30 minutes", "2 Stunden und 30 Minuten"). Registered by the bot's plugin options and by
 * the standalone translator (src/lib/i18n/standalone.ts).
 */
const UNITS = [
	['week', 604_800_000],
	['day', 86_400_000],
	['hour', 3_600_000],
	['minute', 60_000],
	['second', 1000]
] as const;

/** The largest `parts` units of a span of time, in a language; under a second reads as 0 seconds. */
export function formatDuration(ms: number, language: string, parts = 3): string {
	let rest = Math.max(0, Math.round(ms / 1000) * 1000);
	const pieces: string[] = [];
	for (const [unit, size] of UNITS) {
		const amount = Math.floor(rest / size);
		rest -= amount * size;
		if (amount > 0 && pieces.length < parts)
			pieces.push(new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: 'long' }).format(amount));
	}
	if (pieces.length === 0) pieces.push(new Intl.NumberFormat(language, { style: 'unit', unit: 'second', unitDisplay: 'long' }).format(0));
	return new Intl.ListFormat(language, { style: 'long', type: 'unit' }).format(pieces);
}

/** "3 min. ago", "vor 2 Std.": an age in seconds in its largest whole unit (Intl.RelativeTimeFormat, short). */
export function formatAgo(seconds: number, language: string): string {
	const relative = new Intl.RelativeTimeFormat(language, { numeric: 'always', style: 'short' });
	if (seconds < 60) return relative.format(-seconds, 'second');
	if (seconds < 3600) return relative.format(-Math.floor(seconds / 60), 'minute');
	if (seconds < 172_800) return relative.format(-Math.floor(seconds / 3600), 'hour');
	return relative.format(-Math.floor(seconds / 86_400), 'day');
}

export const FORMATTERS = [
	{ name: 'duration', format: (value: unknown, language: string | undefined) => formatDuration(Number(value), language ?? 'en-US') },
	{ name: 'ago', format: (value: unknown, language: string | undefined) => formatAgo(Number(value), language ?? 'en-US') }
];
