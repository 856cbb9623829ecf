/**
 * Structure checks CI runs on the project's code (`src/`, and `sim/` once it exists):
 * - no import cycle between modules (type-only imports count: a cycle of types is still a knot to untie);
 * - no function longer than MAX_OWN_LINES lines of its own, where the lines of functions nested inside it
 *   count for those functions, not for it;
 * - nothing in `src/` (the bot, what ships) imports from `sim/` (the simulator and the demo, which do not).
 * Prints each offence with its file and line, and exits 1 when there is one.
 *
 * Usage: tsx .ci/structure.ts [--top N]   (--top lists the N longest functions, offending or not)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const MAX_OWN_LINES = 80;
const ROOT = resolve(import.meta.dirname, '..');
const DIRS = ['src', 'sim']
  .map((dir) => join(ROOT, dir))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false }));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.d.mts') ? [path] : [];
  });
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** `./x.js` from `src/a/b.ts` → `src/a/x.ts` (or .mts/.mjs), when it is one of ours. */
function resolveImport(from: string, specifier: string, known: Set<string>): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs|ts|mts)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.mts`, `${stem}.mjs`, join(base, 'index.ts')]) {
    if (known.has(candidate)) return candidate;
  }
  return null;
}

function importsOf(file: ts.SourceFile, known: Set<string>): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : ts.isCallExpression(node) &&
            node.expression.kind === ts.SyntaxKind.ImportKeyword &&
            node.arguments[0] &&
            ts.isStringLiteral(node.arguments[0])
          ? node.arguments[0].text
          : null;
    const target = specifier ? resolveImport(file.fileName, specifier, known) : null;
    if (target) out.push(target);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** Every elementary cycle's members, found as strongly connected components (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.reverse());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) connect(v);
  return found;
}

type FunctionLength = { file: string; line: number; name: string; own: number };

function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

function functionLengths(file: ts.SourceFile): FunctionLength[] {
  const lineOf = (pos: number) => file.getLineAndCharacterOfPosition(pos).line;
  const out: FunctionLength[] = [];
  const measure = (fn: ts.FunctionLikeDeclaration) => {
    const start = lineOf(fn.getStart(file));
    const end = lineOf(fn.getEnd());
    let nested = 0;
    const subtract = (node: ts.Node) => {
      if (isFunction(node)) {
        nested += lineOf(node.getEnd()) - lineOf(node.getStart(file)) + 1;
        measure(node);
        return;
      }
      ts.forEachChild(node, subtract);
    };
    ts.forEachChild(fn, subtract);
    out.push({
      file: relative(ROOT, file.fileName),
      line: start + 1,
      name: nameOf(fn),
      own: end - start + 1 - nested,
    });
  };
  const visit = (node: ts.Node) => {
    if (isFunction(node)) measure(node);
    else ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

const paths = DIRS.flatMap(sourceFiles);
const known = new Set(paths);
const files = paths.map(parse);
const graph = new Map(files.map((f) => [f.fileName, importsOf(f, known)]));
const knots = cycles(graph);
const SRC = join(ROOT, 'src');
const leaving = [...graph].flatMap(([from, targets]) =>
  from.startsWith(SRC) ? targets.filter((to) => !to.startsWith(SRC)).map((to) => [from, to] as const) : [],
);
const lengths = files.flatMap(functionLengths).sort((a, b) => b.own - a.own);
const tooLong = lengths.filter((f) => f.own > MAX_OWN_LINES);

for (const knot of knots) console.log(`import cycle: ${knot.map((p) => relative(ROOT, p)).join(' → ')}`);
for (const [from, to] of leaving)
  console.log(`${relative(ROOT, from)}: imports ${relative(ROOT, to)}, which does not ship with the bot`);
for (const f of tooLong)
  console.log(`${f.file}:${f.line}: ${f.name} has ${f.own} lines of its own (max ${MAX_OWN_LINES})`);
const top = process.argv.indexOf('--top');
if (top >= 0) {
  for (const f of lengths.slice(0, Number(process.argv[top + 1] ?? 10)))
    console.log(`${String(f.own).padStart(5)}  ${f.file}:${f.line} ${f.name}`);
}
console.log(
  `structure: ${files.length} modules, ${knots.length} import cycles, ${tooLong.length} functions over ${MAX_OWN_LINES} lines, ${leaving.length} imports leaving src`,
);
process.exitCode = knots.length > 0 || tooLong.length > 0 || leaving.length > 0 ? 1 : 0;
