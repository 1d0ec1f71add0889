import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import { Keyv } from 'keyv';
import * as test from 'vitest';
import type { BackendStorage } from '../../src/storage-adapters/index.js';
import { ADAPTERS, createStorageFixture, type StorageFixture } from '../helpers/storage.js';

/**
 * The Keyv project's own compliance suite, run against each adapter's store as any Keyv user would use it
 * (default serializer, key prefixes, several Keyv instances sharing one backend).
 */
for (const { adapter, available } of ADAPTERS) {
	test.describe.skipIf(!available)(`@keyv/test-suite: ${adapter} store`, () => {
		let fixture: StorageFixture;
		let storage: BackendStorage;

		test.beforeAll(async () => {
			fixture = await createStorageFixture(adapter, 12);
			storage = await fixture.open();
		});

		test.afterAll(async () => {
			await fixture?.dispose();
		});

		const store = () => storage.createStore();
		keyvTestSuite(test, Keyv, store);
		// The file store is not among the dialects Keyv iterates; the storage contract's `entries` covers it.
		if (adapter !== 'file') keyvIteratorTests(test, Keyv, store);
	});
}
