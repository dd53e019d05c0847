import { afterAll, afterEach } from 'vitest';
import { killChildren } from './children.js';

// vitest's setupFiles: runs in every test file before it. These hooks run after the file's own
// (after-hooks run in reverse order), so a test's cleanup still sees its processes.
afterEach(() => killChildren('test'));
afterAll(() => killChildren('all'));
