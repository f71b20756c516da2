// Differential regex cases from a JavaScript engine: node scripts/regex-diff-gen.js SEED > cases.json
// then REGEX_DIFF=cases.json swift test --filter differentialAgainstJavaScript. Known engine quirk: V8 lets
// \B match between the halves of a surrogate pair in u-mode; the spec (and ECMARegex) do not.
// Random differential cases: [pattern, input, result] where result is true/false or "syntax".
let seed = parseInt(process.argv[2]);
function rnd(n) { seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff; return (seed >>> 8) % n; }
const lits = ['a', 'b', 'a', 'b', 'é', '🐲', '\\n', '-', 'x'];
function atom(d) {
  const r = rnd(d > 2 ? 12 : 20);
  switch (r) {
    case 0: return '.';
    case 1: return '[ab]';
    case 2: return '[^a]';
    case 3: return ['\\w', '\\d', '\\s', '\\W', '\\S', '\\p{L}', '\\P{Ll}', '[\\s\\d]', '[a-z🐲]'][rnd(9)];
    case 4: return '^';
    case 5: return '$';
    case 6: return ['\\b', '\\B'][rnd(2)];
    case 7: return '\\' + (1 + rnd(2));
    case 8: case 9: case 10: case 11: return lits[rnd(lits.length)];
    case 12: case 13: return '(' + alt(d + 1) + ')';
    case 14: return '(?:' + alt(d + 1) + ')';
    case 15: return ['(?=', '(?!', '(?<=', '(?<!'][rnd(4)] + alt(d + 1) + ')';
    case 16: return '(?<n' + rnd(3) + '>' + alt(d + 1) + ')';
    case 17: return '\\k<n' + rnd(3) + '>';
    case 18: return ['{', '}', ']', '\\c', 'a{,5}', '{1}', '[\\c]', '[\\w-a]', '\\k', '(?<a>)(?<a>)', '[]', '[^]', '\\u{110000}', '\\p{Script=Greek}', '\\p{sc=Latn}', '\\p{Lu}', '(?:)', '()*', '(a*)*', '(a|)+', '(?=(a))\\1', '\\u{1F432}', '\\x41', '[b-a]', '\\-', '(?', 'a{2,1}', '\\0', '\\01'][rnd(31)];
    default: return lits[rnd(lits.length)];
  }
}
function term(d) {
  let a = atom(d);
  if (rnd(3) == 0) a += ['*', '+', '?', '{1,2}', '{2}', '{0,}', '*?', '+?', '??', '{1,3}?'][rnd(10)];
  return a;
}
function seq(d) { let s = ''; const n = rnd(4) + 1; for (let i = 0; i < n; i++) s += term(d); return s; }
function alt(d) { let s = seq(d); if (rnd(4) == 0) s += '|' + seq(d); return s; }
const inputs = ['', 'a', 'b', 'ab', 'aa', 'ba', 'aab', 'abab', 'é', 'aé', '🐲', 'a🐲b', 'a\nb', 'x-y', 'A1 b', 'bba', 'abba', 'aaa', 'ab ab'];
const out = [];
for (let i = 0; i < 4000; i++) {
  const p = alt(0);
  let re;
  try { re = new RegExp(p, 'u'); } catch (e) { out.push([p, '', 'syntax']); continue; }
  for (const s of inputs) out.push([p, s, re.test(s)]);
}
console.log(JSON.stringify(out));
