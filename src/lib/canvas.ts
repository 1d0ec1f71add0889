/**
 * Skia and its fonts take about 25 MB once loaded: loaded on the first picture (a welcome card, a stats chart), not at
 * startup, so bots that never draw one never pay for it.
 */
export const loadCanvas = () => import('@napi-rs/canvas');

/** Fonts that Debian-based hosts and the container image have, then whatever sans-serif the system offers. */
export const CANVAS_FONT = '"DejaVu Sans", "Noto Sans", "Liberation Sans", Arial, sans-serif';
