import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { get } from './api.js';

export interface Loaded<T> {
	data: T | null;
	error: unknown;
	loading: boolean;
	reload: () => void;
	set: (data: T) => void;
}

/** GETs `path` (again whenever it changes, or on reload); the previous data stays visible while reloading. */
export function useApi<T>(path: string | null): Loaded<T> {
	const [data, setData] = useState<T | null>(null);
	const [error, setError] = useState<unknown>(null);
	const [loading, setLoading] = useState(path !== null);
	const [generation, setGeneration] = useState(0);
	useEffect(() => {
		if (path === null) return undefined;
		let cancelled = false;
		setLoading(true);
		get<T>(path).then(
			(value) => {
				if (cancelled) return;
				setData(value);
				setError(null);
				setLoading(false);
			},
			(failure: unknown) => {
				if (cancelled) return;
				setError(failure);
				setLoading(false);
			}
		);
		return () => {
			cancelled = true;
		};
	}, [path, generation]);
	const reload = useCallback(() => setGeneration((value) => value + 1), []);
	return { data, error, loading, reload, set: setData };
}

export interface Toast {
	id: number;
	tone: 'success' | 'error';
	text: string;
}

export const ToastContext = createContext<(tone: Toast['tone'], text: string) => void>(() => undefined);
export const useToast = () => useContext(ToastContext);

/** Runs a write and reports it: a success toast, or the server's refusal. Returns the answer, or null when it failed. */
export function useAction() {
	const toast = useToast();
	const [busy, setBusy] = useState(false);
	const run = useCallback(
		async <T>(action: () => Promise<T>, success: string, describe: (error: unknown) => string): Promise<T | null> => {
			setBusy(true);
			try {
				const result = await action();
				toast('success', success);
				return result;
			} catch (error) {
				toast('error', describe(error));
				return null;
			} finally {
				setBusy(false);
			}
		},
		[toast]
	);
	return { busy, run };
}
