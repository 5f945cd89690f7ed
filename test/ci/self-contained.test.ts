// A clone on another machine has no shared/ folder beside it: no file of the project may read one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');
// Built from parts so this file does not match itself.
const FORBIDDEN = [['..', 'shared'].join('/'), ['shared', 'ocpi'].join('/')];

/** The files git tracks or would add (untracked but not ignored), relative to the repository. */
function projectFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter((file) => file !== '');
}

describe('the repository is self-contained', () => {
  it('lists the project files through git', () => {
    const files = projectFiles();
    expect(files).toContain('package.json');
    expect(files).toContain('test/fixtures/NOTICE');
  });

  it('has no file other than Markdown that refers to a shared folder outside the repository', () => {
    const offenders: string[] = [];
    for (const file of projectFiles()) {
      if (file.endsWith('.md')) continue;
      let text: string;
      try {
        text = readFileSync(path.join(ROOT, file), 'utf8');
      } catch {
        continue; // listed but deleted in the work tree
      }
      for (const needle of FORBIDDEN) if (text.includes(needle)) offenders.push(`${file}: ${needle}`);
    }
    expect(offenders).toEqual([]);
  });

  it('holds the spec examples the NOTICE names, all of each set', () => {
    const notice = readFileSync(path.join(ROOT, 'test/fixtures/NOTICE'), 'utf8');
    expect(notice).toContain('v2.2.1-d2 (commit d7d82b6)');
    expect(notice).toContain('v2.3.0 (commit 5a675d3');
    expect(notice).toContain('CC BY-ND 4.0');
    expect(notice).toContain('tag 2.1.1-d2, commit\n                      84b323a');
    const files = projectFiles();
    expect(files.filter((f) => f.startsWith('test/fixtures/ocpi-2.2.1-examples/')).length).toBe(59);
    expect(files.filter((f) => f.startsWith('test/fixtures/ocpi-2.3.0-examples/')).length).toBe(72);
    // 32 code blocks of the 2.1.1 text, its NOTICE and INDEX.md.
    expect(files.filter((f) => f.startsWith('test/fixtures/ocpi-2.1.1-examples/')).length).toBe(34);
  });
});
