import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectBase, projectRoot } from './paths.js';

describe('projectBase', () => {
  it('is the project root from the root itself and from any folder inside it', () => {
    expect(projectBase(projectRoot)).toBe(projectRoot);
    expect(projectBase(join(projectRoot, 'src'))).toBe(projectRoot);
    expect(projectBase(join(projectRoot, 'src', 'apps', 'polls'))).toBe(projectRoot);
  });

  it('is the working directory outside the project, including a sibling whose name starts alike', () => {
    expect(projectBase('/tmp/scratch', '/srv/app')).toBe('/tmp/scratch');
    expect(projectBase('/srv/app-old/src', '/srv/app')).toBe('/srv/app-old/src');
    expect(projectBase('/srv', '/srv/app')).toBe('/srv');
  });
});
