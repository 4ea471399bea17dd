/**
 * Every relative markdown link in README.md, CONTRIBUTING.md and docs/**.md
 * reaches an existing file or folder inside the repository, and a `#anchor`
 * into a .md file (or into the same file) names one of its headings.
 *
 * Anchors follow GitHub's slugs: the heading's text (inline code, emphasis and
 * link syntax removed, their text kept), lowercased, every character that is
 * not a letter, a digit, `-`, `_` or a space removed, spaces turned into `-`;
 * a repeated heading gets `-1`, `-2`, … Explicit `<a id="…">` / `name="…"`
 * anchors count too. Links inside fenced code blocks and inline code are not
 * links. External links (`https:`, `mailto:`, …) are not checked.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A repository as the checker sees it: paths are repository-relative, with `/`. */
interface Repo {
  /** The file's text, or undefined when there is no such file. */
  read(path: string): string | undefined;
  /** True for an existing file or folder. */
  exists(path: string): boolean;
}

interface Link {
  target: string;
  line: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** For each line of a markdown text, whether it belongs to a fenced code block (the fences included). */
function fencedLines(lines: readonly string[]): boolean[] {
  let fence = '';
  return lines.map((line) => {
    const run = FENCE.exec(line)?.[1] ?? '';
    if (fence !== '') {
      if (run !== '' && run[0] === fence[0] && run.length >= fence.length && line.trim() === run) fence = '';
      return true;
    }
    fence = run;
    return run !== '';
  });
}

/** The text with fenced code blocks and inline code spans blanked out (newlines kept, so offsets and lines stay). */
function withoutCode(text: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  const lines = text.split('\n');
  const fenced = fencedLines(lines);
  const kept = lines.map((line, i) => (fenced[i] ? blank(line) : line)).join('\n');
  // a code span: a run of backticks, then text (not across a blank line), then the same run
  return kept.replace(/(`+)((?:(?!\n[ \t]*\n)[\s\S])*?[^`])\1(?!`)/g, (s) => blank(s));
}

/** GitHub's anchor for a heading's markdown text. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    // inline HTML tags go, but not inside inline code, whose content is literal text (`<name>`)
    .split(/(`+[^`]*`+)/)
    .map((part) => (part.startsWith('`') ? part.replace(/`+/g, '') : part.replace(/<[^>]+>/g, '')))
    .join('');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown text defines: its headings' slugs (outside code blocks) and explicit id/name anchors. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  const fenced = fencedLines(lines);
  lines.forEach((line, i) => {
    if (fenced[i]) return;
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      anchors.add(n === 0 ? slug : `${slug}-${n}`);
    }
    for (const a of line.matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) anchors.add(a[1] ?? '');
  });
  return anchors;
}

/** The links of a markdown text: inline links and images, and reference definitions. */
function linksOf(text: string): Link[] {
  const plain = withoutCode(text);
  const lineAt = (offset: number) => plain.slice(0, offset).split('\n').length;
  const links: Link[] = [];
  for (const m of plain.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^\s)]*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
    links.push({ target: (m[1] ?? '').replace(/^<|>$/g, ''), line: lineAt(m.index) });
  }
  for (const m of plain.matchAll(/^ {0,3}\[[^\]]+\]:[ \t]*(<[^>]*>|\S+)/gm)) {
    links.push({ target: (m[1] ?? '').replace(/^<|>$/g, ''), line: lineAt(m.index) });
  }
  return links;
}

/** Every broken relative link of the given files, as `file:line: target: why`. */
function brokenLinks(files: readonly string[], repo: Repo): string[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (path: string) => {
    const cached = anchorCache.get(path);
    if (cached) return cached;
    const a = anchorsOf(repo.read(path) ?? '');
    anchorCache.set(path, a);
    return a;
  };
  const broken: string[] = [];
  for (const file of files) {
    const text = repo.read(file);
    if (text === undefined) {
      broken.push(`${file}: no such file`);
      continue;
    }
    for (const { target, line } of linksOf(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // external
      const hash = target.indexOf('#');
      const pathPart = decodeURI(hash < 0 ? target : target.slice(0, hash));
      const anchor = hash < 0 ? '' : decodeURIComponent(target.slice(hash + 1));
      const where = `${file}:${line}: ${target}`;
      if (pathPart === '' && anchor === '') {
        broken.push(`${where}: empty link`);
        continue;
      }
      let resolved = file;
      if (pathPart !== '') {
        resolved = pathPart.startsWith('/') ? posix.normalize(pathPart.slice(1)) : posix.normalize(posix.join(posix.dirname(file), pathPart));
        resolved = resolved.replace(/\/$/, '') || '.';
        if (resolved === '..' || resolved.startsWith('../')) {
          broken.push(`${where}: leaves the repository`);
          continue;
        }
        if (!repo.exists(resolved)) {
          broken.push(`${where}: no such file (${resolved})`);
          continue;
        }
      }
      if (anchor !== '' && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) {
        broken.push(`${where}: no heading '#${anchor}' in ${resolved}`);
      }
    }
  }
  return broken;
}

/** The repository on disk. */
const disk: Repo = {
  read: (path) => {
    const abs = join(ROOT, path);
    return existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, 'utf8') : undefined;
  },
  exists: (path) => existsSync(join(ROOT, path)),
};

function markdownUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return markdownUnder(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** A repository held in memory, for the checker's own tests. */
function memoryRepo(files: Record<string, string>, folders: readonly string[] = []): Repo {
  return {
    read: (path) => files[path],
    exists: (path) => path in files || folders.includes(path) || Object.keys(files).some((f) => f.startsWith(`${path}/`)),
  };
}

describe('links in the docs', () => {
  const docFiles = ['README.md', 'CONTRIBUTING.md', ...markdownUnder('docs')];

  it('every relative link in README.md, CONTRIBUTING.md and docs/ reaches a file and, with #anchor, a heading', () => {
    expect(brokenLinks(docFiles, disk)).toEqual([]);
  });

  it('finds the links it checks (the check is not vacuous)', () => {
    const links = docFiles.flatMap((f) => linksOf(disk.read(f) ?? ''));
    expect(docFiles).toContain('docs/README.md');
    expect(links.length).toBeGreaterThan(40);
    expect(links.filter((l) => l.target.includes('#')).length).toBeGreaterThan(5);
  });

  it('the README links into docs/', () => {
    const targets = linksOf(disk.read('README.md') ?? '').map((l) => l.target);
    for (const page of ['docs/README.md', 'docs/semantics.md', 'docs/config.md', 'docs/api.md', 'docs/benchmarks.md']) expect(targets).toContain(page);
  });
});

describe('the link checker', () => {
  it("makes GitHub's heading slugs", () => {
    expect(githubSlug('Ingest (`npm run bench:ingest`)')).toBe('ingest-npm-run-benchingest');
    expect(githubSlug('Serving: eddy serve')).toBe('serving-eddy-serve');
    expect(githubSlug('eddy demo (`npm start`)')).toBe('eddy-demo-npm-start');
    expect(githubSlug('Why no @assemblyscript/loader')).toBe('why-no-assemblyscriptloader');
    expect(githubSlug('Windows, watermarks and late data')).toBe('windows-watermarks-and-late-data');
    expect(githubSlug('The `late_sink` field — and **more**')).toBe('the-late_sink-field--and-more');
    expect(githubSlug('See [the map](#map)')).toBe('see-the-map');
  });

  it('numbers repeated headings and ignores headings in code blocks', () => {
    const a = anchorsOf('# Top\n\n## Notes\n\n```sh\n# not a heading\n```\n\n## Notes\n<a id="custom"></a>\n');
    expect([...a].sort()).toEqual(['custom', 'notes', 'notes-1', 'top']);
  });

  it('reports a link to a missing file, with its line', () => {
    const repo = memoryRepo({ 'README.md': '# eddy\n\nSee [the docs](docs/missing.md).\n', 'docs/a.md': '# A\n' });
    expect(brokenLinks(['README.md'], repo)).toEqual(['README.md:3: docs/missing.md: no such file (docs/missing.md)']);
  });

  it('reports an anchor that names no heading, in another file and in the same file', () => {
    const repo = memoryRepo({
      'docs/a.md': '# A\n\n## Windows\n\n[ok](b.md#the-watermark) [bad](b.md#watermark) [self](#windows) [self bad](#window)\n',
      'docs/b.md': '# B\n\n## The watermark\n',
    });
    expect(brokenLinks(['docs/a.md'], repo)).toEqual([
      "docs/a.md:5: b.md#watermark: no heading '#watermark' in docs/b.md",
      "docs/a.md:5: #window: no heading '#window' in docs/a.md",
    ]);
  });

  it('resolves links from the linking file, accepts folders, images and reference links, and refuses links out of the repository', () => {
    const repo = memoryRepo(
      {
        'README.md': '[c](CONTRIBUTING.md) ![d](docs/d.png) [f](docs/) [r][ref]\n\n[ref]: docs/a.md#a\n',
        'CONTRIBUTING.md': '# C\n',
        'docs/a.md': '# A\n\n[up](../README.md) [out](../../shared/seed.txt) [missing](d.md)\n',
        'docs/d.png': '',
      },
      ['docs'],
    );
    expect(brokenLinks(['README.md', 'docs/a.md'], repo)).toEqual([
      'docs/a.md:3: ../../shared/seed.txt: leaves the repository',
      'docs/a.md:3: d.md: no such file (docs/d.md)',
    ]);
  });

  it('skips external links and anything inside code', () => {
    const text = '[web](https://example.com/x.md) [mail](mailto:a@b.c)\n\n`[not](a.md)`\n\n```md\n[not](b.md)\n```\n\n[multi\nline](c.md)\n';
    expect(linksOf(text)).toEqual([
      { target: 'https://example.com/x.md', line: 1 },
      { target: 'mailto:a@b.c', line: 1 },
      { target: 'c.md', line: 9 },
    ]);
    expect(brokenLinks(['x.md'], memoryRepo({ 'x.md': text }))).toEqual(['x.md:9: c.md: no such file (c.md)']);
  });
});
